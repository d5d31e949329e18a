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

/// <summary>Routes: the diagnostic of a refused template, and parameters whose properties fill <c>{param.Prop}</c> holes.</summary>
internal static partial class Parser
{
    /// <summary>The diagnostic of a refused route template (see <see cref="RouteTemplateParser.Check"/>).</summary>
    internal static DiagnosticInfo RouteDiagnostic(RouteProblem problem, string? path, string memberName, string? detail, LocationInfo? location) => problem switch
    {
        RouteProblem.LineBreak => new DiagnosticInfo(Diagnostics.LineBreakInConstant, location, Args("route", memberName)),
        RouteProblem.Misuse => new DiagnosticInfo(Diagnostics.RouteMisuse, location, Args(path ?? string.Empty, memberName, detail ?? "is misused")),
        RouteProblem.NoLeadingSlash => new DiagnosticInfo(Diagnostics.RouteMustStartWithSlash, location, Args(path ?? string.Empty, memberName)),
        _ => new DiagnosticInfo(Diagnostics.MalformedRoute, location, Args(path ?? string.Empty, memberName, detail ?? "unknown")),
    };

    /// <summary>A parameter whose properties fill <c>{param.Prop}</c> holes; its other properties go to the query.</summary>
    private static ParameterSpec? ParseRouteObject(IParameterSymbol parameter, string name, string type, string wireName, bool fillsHole, List<string> holes, MethodState state, LocationInfo? location)
    {
        if (fillsHole)
        {
            state.Diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, location, Args(parameter.Name, state.MemberName, $"the route hole '{{{wireName}}}'", $"the route hole '{{{holes[0]}}}'")));
            return null;
        }
        var used = new HashSet<string>(StringComparer.Ordinal);
        bool ok = true;
        foreach (string hole in holes)
        {
            string propertyName = hole.Substring(hole.IndexOf('.') + 1);
            IPropertySymbol? property = ReadableProperties(parameter.Type).FirstOrDefault(p => string.Equals(PropertyWireName(p), propertyName, StringComparison.OrdinalIgnoreCase))
                ?? ReadableProperties(parameter.Type).FirstOrDefault(p => string.Equals(p.Name, propertyName, StringComparison.OrdinalIgnoreCase));
            ValueFormat? format = property is null ? null : ReadFormat(property.Type);
            if (property is null || format is null)
            {
                state.Diagnostics.Add(new DiagnosticInfo(Diagnostics.RouteHoleWithoutProperty, location, Args(state.MemberName, hole, parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), propertyName)));
                ok = false;
                continue;
            }
            used.Add(property.Name);
            state.PropertySegments[hole] = new RouteSegment(null, name, hole, false, format, Identifier(property.Name));
        }
        if (!ok)
        {
            return null;
        }
        // The properties no hole uses are query parameters, as if the object were a [Query] object.
        var rest = new List<QueryNode>();
        foreach (IPropertySymbol property in ReadableProperties(parameter.Type))
        {
            if (used.Contains(property.Name))
            {
                continue;
            }
            QueryOptions childOptions = ReadQueryOptions(property.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.QueryAttribute), out _);
            QueryNode? child = BuildQueryNode(property.Type, QueryKey(property), Identifier(property.Name), childOptions, 1, allowValue: true, out _);
            if (child is not null)
            {
                rest.Add(child);
            }
        }
        QueryNode? query = rest.Count == 0 ? null : new QueryNode(QueryShape.Object, string.Empty, name, null, CollectionFormatKind.Multi, null, false, EquatableArray.From(rest));
        return new ParameterSpec(name, type, ParameterRole.Route, wireName, null, BodyKind.None, query, IsReferenceType: !parameter.Type.IsValueType);
    }

    /// <summary>Records the route's holes in <paramref name="state"/>: plain ones, and <c>{param.Prop}</c> ones.</summary>
    private static void AddHoles(List<RoutePart>? routeParts, MethodState state)
    {
        if (routeParts is null)
        {
            return;
        }
        foreach (RoutePart part in routeParts)
        {
            if (!part.IsHole)
            {
                continue;
            }
            if (part.Text.IndexOf('.') < 0)
            {
                state.Holes.Add(part.Text);
            }
            else
            {
                state.PropertyHoles.Add(part.Text);
            }
        }
    }

    /// <summary>
    /// The route's segments once the parameters are parsed: literals escaped, each hole bound to the parameter (or the
    /// property of one) that fills it; a hole nothing fills or claims is THTTP001.
    /// </summary>
    private static List<RouteSegment> BindRoute(List<RoutePart> routeParts, MethodState state, Func<LocationInfo?> routeLocation)
    {
        var segments = new List<RouteSegment>(routeParts.Count);
        foreach (RoutePart part in routeParts)
        {
            if (!part.IsHole)
            {
                segments.Add(new RouteSegment(RouteTemplateParser.EscapeLiteral(part.Text), null, null, false, null));
            }
            else if (state.PropertySegments.TryGetValue(part.Text, out RouteSegment? propertySegment))
            {
                segments.Add(propertySegment with { CatchAll = part.CatchAll, Optional = part.Optional });
            }
            else if (state.HoleOwners.TryGetValue(part.Text, out string? owner))
            {
                segments.Add(new RouteSegment(null, owner, part.Text, part.CatchAll, state.ParameterFormats.TryGetValue(owner, out ValueFormat? f) ? f : null, null, part.Optional));
            }
            else if (!state.ClaimedHoles.Contains(part.Text))
            {
                state.Diagnostics.Add(new DiagnosticInfo(Diagnostics.RouteHoleWithoutParameter, routeLocation(), Args(state.MemberName, part.Text.Split('.')[0])));
            }
        }
        return segments;
    }
}
