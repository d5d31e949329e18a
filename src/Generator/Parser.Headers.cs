using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>Constant headers: [Headers] read per level and merged (a later level wins; a lone name removes).</summary>
internal static partial class Parser
{
    /// <summary>Reads <c>[Headers("Name: value", …)]</c> from a symbol.</summary>
    private static List<HeaderSpec> ReadHeadersAttribute(ISymbol symbol, string ownerName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var headers = new List<HeaderSpec>();
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (Names.Of(attribute.AttributeClass) != KnownNames.HeadersAttribute || attribute.ConstructorArguments.Length != 1)
            {
                continue;
            }
            TypedConstant argument = attribute.ConstructorArguments[0];
            ImmutableArray<TypedConstant> values = argument.Kind == TypedConstantKind.Array ? argument.Values : ImmutableArray.Create(argument);
            for (int i = 0; i < values.Length; i++)
            {
                string? entry = values[i].Value as string;
                LocationInfo? location = AttributeArgumentLocation(attribute, i, cancellationToken) ?? AttributeLocation(attribute, cancellationToken);
                int colon = entry?.IndexOf(':') ?? -1;
                string name = colon > 0 ? entry!.Substring(0, colon).Trim() : entry?.Trim() ?? string.Empty;
                if (entry is null || colon == 0 || !HttpTokens.IsToken(name))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.MalformedHeader, location, Args(Printable(entry ?? "null"), ownerName)));
                    continue;
                }
                if (colon < 0)
                {
                    // A name without a colon removes the header of that name set at an outer level, as in Refit.
                    headers.Add(new HeaderSpec(name, null));
                    continue;
                }
                string value = entry.Substring(colon + 1).Trim(' ', '\t');
                if (RouteTemplateParser.HasLineBreak(value))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.LineBreakInConstant, location, Args($"header '{name}'", ownerName)));
                    continue;
                }
                headers.Add(new HeaderSpec(name, value));
            }
        }
        return headers;
    }

    /// <summary>
    /// The headers of <paramref name="outer"/> not named in <paramref name="inner"/>, then <paramref name="inner"/>'s
    /// (a removal, whose value is null, among them: <see cref="WithoutRemovals"/> drops those at the end).
    /// </summary>
    private static List<HeaderSpec> Merge(List<HeaderSpec> outer, List<HeaderSpec> inner)
    {
        if (inner.Count == 0)
        {
            return outer;
        }
        if (outer.Count == 0)
        {
            return inner;
        }
        var merged = new List<HeaderSpec>(outer.Count + inner.Count);
        foreach (HeaderSpec header in outer)
        {
            if (!inner.Any(h => string.Equals(h.Name, header.Name, StringComparison.OrdinalIgnoreCase)))
            {
                merged.Add(header);
            }
        }
        merged.AddRange(inner);
        return merged;
    }

    /// <summary>The headers a request sends: <paramref name="headers"/> without the removals (<c>[Headers("Name")]</c>).</summary>
    private static List<HeaderSpec> WithoutRemovals(List<HeaderSpec> headers)
    {
        if (!headers.Any(h => h.Value is null))
        {
            return headers;
        }
        return headers.Where(h => h.Value is not null).ToList();
    }

    /// <summary>
    /// The <c>[Headers]</c> of the base interfaces of <paramref name="declaring"/>, the most basic first, merged (a
    /// later one replaces an earlier one's header of the same name), as Refit applies them to the interface's own
    /// methods. Their diagnostics are reported where each base is parsed as a declaring interface.
    /// </summary>
    private static List<HeaderSpec> InheritedHeaders(INamedTypeSymbol declaring, CancellationToken cancellationToken)
    {
        var merged = new List<HeaderSpec>();
        ImmutableArray<INamedTypeSymbol> bases = declaring.AllInterfaces;
        for (int i = bases.Length - 1; i >= 0; i--)
        {
            merged = Merge(merged, ReadHeadersAttribute(bases[i], Names.Of(bases[i])!, new List<DiagnosticInfo>(), cancellationToken));
        }
        return merged;
    }
}
