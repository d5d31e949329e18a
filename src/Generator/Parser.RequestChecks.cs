using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>
/// Checks of a parsed method whose request would be well formed but not the one its declaration reads as: the same
/// query key bound twice, a hole used twice while a parameter fills none, a query key both written in the route
/// and bound by a parameter. Each is a warning on the user's declaration.
/// </summary>
internal static partial class Parser
{
    private static void CheckRequestShape(
        string path,
        List<RoutePart> routeParts,
        IMethodSymbol method,
        List<ParameterSpec> parameters,
        string memberName,
        List<DiagnosticInfo> diagnostics,
        Func<LocationInfo?> routeLocation)
    {
        // Query keys the parameters bind, in declaration order, with the parameter that binds each.
        List<(string Key, ParameterSpec Owner)>? keys = null;
        foreach (ParameterSpec parameter in parameters)
        {
            if (parameter.Query is not null && parameter.Role is ParameterRole.Query or ParameterRole.Route)
            {
                AddQueryKeys(parameter.Query, parameter, ref keys);
            }
        }

        // Two parameters that bind one key (THTTP034).
        if (keys is not null)
        {
            var firstOwner = new Dictionary<string, ParameterSpec>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string key, ParameterSpec owner) in keys)
            {
                if (!firstOwner.TryGetValue(key, out ParameterSpec? first))
                {
                    firstOwner.Add(key, owner);
                }
                else if (!ReferenceEquals(first, owner) && reported.Add(key))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.QueryKeyBoundTwice, ParameterLocation(method, owner), Args(Unescaped(owner.Name), Unescaped(first.Name), memberName, key, path)));
                }
            }
        }

        // A key the route's own query text sets, bound again by a parameter (THTTP036).
        if (keys is not null && path.IndexOf('?') is int question and >= 0)
        {
            var routeKeys = new HashSet<string>(StringComparer.Ordinal);
            foreach (string pair in path.Substring(question + 1).Split('&'))
            {
                int equals = pair.IndexOf('=');
                string key = equals < 0 ? pair : pair.Substring(0, equals);
                if (key.Length > 0)
                {
                    routeKeys.Add(Uri.UnescapeDataString(key));
                }
            }
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string key, ParameterSpec owner) in keys)
            {
                if (routeKeys.Contains(key) && reported.Add(key))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.QueryKeyInRouteAndParameter, ParameterLocation(method, owner), Args(Unescaped(owner.Name), memberName, key, path)));
                }
            }
        }

        // A hole written twice while a plain parameter fills none (THTTP035): the second hole was meant for it.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? repeated = null;
        foreach (RoutePart part in routeParts)
        {
            if (part.IsHole && !seen.Add(part.Text))
            {
                repeated ??= part.Text;
            }
        }
        if (repeated is not null)
        {
            foreach (ParameterSpec parameter in parameters)
            {
                if (parameter.Role == ParameterRole.Query && parameter.Query is { Shape: QueryShape.Value } && !HasAttribute(method, parameter, KnownNames.QueryAttribute))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.RepeatedHoleWithUnboundParameter, routeLocation(), Args(path, memberName, repeated, Unescaped(parameter.Name))));
                    break;
                }
            }
        }
    }

    private static void AddQueryKeys(QueryNode node, ParameterSpec owner, ref List<(string Key, ParameterSpec Owner)>? keys)
    {
        switch (node.Shape)
        {
            case QueryShape.Value:
            case QueryShape.Collection:
                (keys ??= new List<(string, ParameterSpec)>()).Add((node.Key, owner));
                break;
            case QueryShape.Object:
                foreach (QueryNode child in node.Children)
                {
                    AddQueryKeys(child, owner, ref keys);
                }
                break;
        }
    }

    private static IParameterSymbol? ParameterSymbol(IMethodSymbol method, ParameterSpec spec)
    {
        string name = Unescaped(spec.Name);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.Name == name)
            {
                return parameter;
            }
        }
        return null;
    }

    private static LocationInfo? ParameterLocation(IMethodSymbol method, ParameterSpec spec) =>
        LocationInfo.From(ParameterSymbol(method, spec)?.Locations.FirstOrDefault());

    private static bool HasAttribute(IMethodSymbol method, ParameterSpec spec, string attributeName) =>
        ParameterSymbol(method, spec)?.GetAttributes().Any(a => Names.Of(a.AttributeClass) == attributeName) == true;

    private static string Unescaped(string identifier) => identifier.TrimStart('@');
}
