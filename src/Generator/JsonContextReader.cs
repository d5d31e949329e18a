using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>
/// Reads the types a <c>JsonSerializerContext</c> declares with <c>[JsonSerializable(typeof(…))]</c>, with the
/// types reachable from them (public properties, collection items, generic arguments), which the System.Text.Json
/// generator also covers. Used only for the THTTP022 warning.
/// </summary>
internal static class JsonContextReader
{
    private const int MaxTypesPerContext = 512;

    /// <summary>
    /// Called for class declarations with attributes: for a part of a <c>JsonSerializerContext</c> that carries
    /// <c>[JsonSerializable]</c>, a result holding the declared and reachable type names, sorted; null otherwise.
    /// </summary>
    public static (ParseResult? Result, INamedTypeSymbol? Type) Read(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (ClassDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type || !DerivesFromJsonSerializerContext(type))
        {
            return default;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<ITypeSymbol>();
        bool declares = false;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            // The attributes written on this declaration: each part of a partial context gives its own.
            if (attribute.ApplicationSyntaxReference is not { } reference
                || reference.SyntaxTree != declaration.SyntaxTree
                || !declaration.Span.Contains(reference.Span)
                || Names.Of(attribute.AttributeClass) != KnownNames.JsonSerializableAttribute)
            {
                continue;
            }
            declares = true;
            if (attribute.ConstructorArguments.Length >= 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol declared)
            {
                pending.Push(declared);
            }
        }
        if (!declares)
        {
            return default;
        }
        while (pending.Count > 0 && names.Count < MaxTypesPerContext)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ITypeSymbol t = pending.Pop();
            if (t.TypeKind is TypeKind.Error or TypeKind.TypeParameter || !names.Add(Parser.JsonTypeName(t)))
            {
                continue;
            }
            switch (t)
            {
                case IArrayTypeSymbol array:
                    pending.Push(array.ElementType);
                    break;
                case INamedTypeSymbol named:
                    foreach (ITypeSymbol argument in named.TypeArguments)
                    {
                        pending.Push(argument);
                    }
                    if (named.SpecialType == SpecialType.None && named.ContainingNamespace?.ToDisplayString().StartsWith("System", StringComparison.Ordinal) != true)
                    {
                        foreach (ISymbol member in named.GetMembers())
                        {
                            if (member is IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public } property)
                            {
                                pending.Push(property.Type);
                            }
                        }
                    }
                    break;
            }
        }
        string[] sorted = new string[names.Count];
        names.CopyTo(sorted);
        Array.Sort(sorted, StringComparer.Ordinal);
        return (new ParseResult(null, default, default, new EquatableArray<string>(sorted), IsJsonContext: true), null);
    }

    /// <summary>Every context's names in one sorted list; empty when the compilation declares no context.</summary>
    public static EquatableArray<string> Merge(ImmutableArray<EquatableArray<string>> contexts)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (EquatableArray<string> context in contexts)
        {
            foreach (string name in context)
            {
                names.Add(name);
            }
        }
        string[] all = new string[names.Count];
        names.CopyTo(all);
        return all.Length == 0 ? default : new EquatableArray<string>(all);
    }

    /// <summary>
    /// THTTP022 (THTTP044 for a WebSocket message type) for each JSON type no context declares. A compilation without any context is left alone: its
    /// contexts live in another assembly, or it does not use source-generated JSON at all.
    /// </summary>
    public static IEnumerable<DiagnosticInfo> Check(EquatableArray<JsonUse> uses, EquatableArray<string> declared)
    {
        if (declared.Count == 0)
        {
            yield break;
        }
        var known = new HashSet<string>(declared, StringComparer.Ordinal);
        foreach (JsonUse use in uses)
        {
            if (!known.Contains(use.TypeName))
            {
                yield return new DiagnosticInfo(use.IsWebSocketMessage ? Diagnostics.WebSocketMessageTypeNotInContext : Diagnostics.JsonTypeNotInContext, use.Location, new EquatableArray<string>(new[] { use.MemberName, use.DisplayName }));
            }
        }
    }

    private static bool DerivesFromJsonSerializerContext(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (Names.Of(t) == "System.Text.Json.Serialization.JsonSerializerContext")
            {
                return true;
            }
        }
        return false;
    }
}
