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

/// <summary>One method: its HTTP method attribute, result, route, headers, policies and parameters, into a <see cref="MethodSpec"/>.</summary>
internal static partial class Parser
{
    private static MethodSpec? ParseMethod(
        IMethodSymbol method,
        INamedTypeSymbol declaring,
        string declaringType,
        List<HeaderSpec> interfaceHeaders,
        string? basePath,
        DeclaredPolicies interfacePolicies,
        Compilation compilation,
        List<DiagnosticInfo> diagnostics,
        List<JsonUse> jsonUses,
        CancellationToken cancellationToken)
    {
        string memberName = MemberName(method);
        int errorsBefore = diagnostics.Count;
        // Locations serve diagnostics and JSON uses only: each is made when first asked for.
        LocationInfo? methodLocation = null, attributeLocation = null, routeLocation = null, returnLocation = null;
        int located = 0;

        AttributeData? httpAttribute = null;
        AttributeData? secondHttpAttribute = null;
        AttributeData? webSocketAttribute = null;
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (IsWebSocketAttribute(attribute.AttributeClass))
            {
                webSocketAttribute = attribute;
            }
            else if (IsHttpMethodAttribute(attribute.AttributeClass))
            {
                if (httpAttribute is null)
                {
                    httpAttribute = attribute;
                }
                else
                {
                    secondHttpAttribute ??= attribute;
                }
            }
        }
        if (webSocketAttribute is not null && httpAttribute is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.WebSocketWithHttpMethod, AttributeLocation(webSocketAttribute, cancellationToken) ?? MethodLocation(), Args(memberName)));
            return null;
        }
        bool isWebSocket = webSocketAttribute is not null;
        httpAttribute ??= webSocketAttribute;
        if (httpAttribute is null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.MethodWithoutHttpAttribute, MethodLocation(), Args(memberName, Names.Of(declaring)!)));
            return null;
        }
        if (secondHttpAttribute is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleHttpAttributes, AttributeLocation(secondHttpAttribute, cancellationToken) ?? MethodLocation(), Args(memberName)));
        }
        if (method.IsGenericMethod)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.GenericMethod, MethodLocation(), Args(memberName)));
            return null;
        }

        string? httpMethod, path, readError = null;
        if (isWebSocket)
        {
            // WS-12: the handshake is a GET to the route.
            httpMethod = "GET";
            path = httpAttribute.ConstructorArguments.Length > 0 ? httpAttribute.ConstructorArguments[0].Value as string : null;
        }
        else if (!TryReadHttpAttribute(httpAttribute, compilation, cancellationToken, out httpMethod, out path, out readError))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnreadableCustomHttpMethod, AttributeLocationOnce(), Args(httpAttribute.AttributeClass?.Name ?? "?", memberName, readError ?? "unknown")));
            return null;
        }

        // Return type. System.Net.Http's response types are Refit's, not the engine's (THTTP037).
        ReturnShape? returnShape = isWebSocket ? null : ReadReturnType(method.ReturnType);
        WebSocketReturn? webSocketReturn = null;
        WebSocketSpec? webSocket = null;
        if (isWebSocket)
        {
            webSocketReturn = ReadWebSocketReturnType(method.ReturnType, out string returnProblem);
            if (webSocketReturn is null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedWebSocketReturnType, ReturnLocation(), Args(memberName, method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), returnProblem)));
            }
            else
            {
                returnShape = new ReturnShape(webSocketReturn.Kind, webSocketReturn.IsValueTask, null, null);
            }
            if (TryReadWebSocketArguments(httpAttribute, webSocketReturn?.Kind != ResponseKind.WebSocket, memberName, diagnostics, cancellationToken, out EquatableArray<string> subProtocols, out int maxMessageBytes) && webSocketReturn is not null)
            {
                webSocket = new WebSocketSpec(
                    subProtocols,
                    maxMessageBytes,
                    webSocketReturn.SendType is null ? null : TypeName(webSocketReturn.SendType),
                    webSocketReturn.ReceiveType is null ? null : TypeName(webSocketReturn.ReceiveType));
            }
        }
        else if (HttpClientType(method.ReturnType) is { } httpClientType)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, ReturnLocation(), Args(
                "The return type", memberName, Printable(path ?? string.Empty), httpClientType,
                "TypedHttp's engine does not produce System.Net.Http types; return Task<TypedHttpResponse> (status, headers and the body stream) or Task<ApiResponse<Stream>>")));
            returnShape = null;
        }
        else if (returnShape is null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedReturnType, ReturnLocation(), Args(memberName, method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat))));
        }

        // Route.
        List<RoutePart>? routeParts = RouteTemplateParser.Check(path, out RouteProblem routeProblem, out string? routeError);
        if (routeParts is null)
        {
            diagnostics.Add(RouteDiagnostic(routeProblem, path, memberName, routeError, RouteLocation()));
        }

        // Headers: the interface's, then the method's (winning for the same name). "Authorization: Bearer" alone
        // takes its credentials from the options' getter at run time.
        List<HeaderSpec> headers = WithoutRemovals(Merge(interfaceHeaders, ReadHeadersAttribute(method, memberName, diagnostics, cancellationToken)));
        string? authorizationScheme = null;
        foreach (HeaderSpec header in headers)
        {
            if (string.Equals(header.Name, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorizationScheme = HttpTokens.IsToken(header.Value!) ? header.Value : null;
            }
        }

        DeclaredPolicies policies = ReadPolicies(method, memberName, diagnostics, cancellationToken).Over(interfacePolicies);

        // [QueryUriFormat]: UriEscaped is what TypedHttp does; anything else would break RFC 3986 (THTTP037).
        AttributeData? uriFormat = method.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.QueryUriFormatAttribute);
        if (uriFormat is { ConstructorArguments.Length: 1 } && uriFormat.ConstructorArguments[0].Value is int format && format != 1)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, AttributeLocation(uriFormat, cancellationToken) ?? MethodLocation(), Args(
                "[QueryUriFormat]", memberName, Printable(path ?? string.Empty), "query values sent unescaped",
                "RFC 3986 §3.4 does not allow '&', '#', '%' or a space unescaped in a query, so TypedHttp always escapes them; remove [QueryUriFormat]")));
        }

        // Multipart.
        AttributeData? multipart = method.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.MultipartAttribute);
        if (isWebSocket && multipart is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.WebSocketWithBody, AttributeLocation(multipart, cancellationToken) ?? MethodLocation(), Args(memberName, "it is [Multipart]")));
            multipart = null;
        }
        string? boundary = multipart is { ConstructorArguments.Length: 1 } ? multipart.ConstructorArguments[0].Value as string : null;
        if (multipart is not null && multipart.ConstructorArguments.Length == 1 && (boundary is null || !IsValidBoundary(boundary)))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidMultipartBoundary, AttributeArgumentLocation(multipart, 0, cancellationToken) ?? MethodLocation(), Args(Printable(boundary ?? "null"), memberName)));
        }

        // Parameters.
        var state = MethodState.Start(memberName, httpMethod ?? "GET", path ?? string.Empty, multipart is not null, diagnostics, jsonUses);
        state.IsWebSocket = isWebSocket;
        AddHoles(routeParts, state);
        var parameters = new List<ParameterSpec>(method.Parameters.Length);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ParameterSpec? spec = ParseParameter(parameter, state, cancellationToken);
            if (spec is not null)
            {
                parameters.Add(spec);
                if (spec.Role == ParameterRole.Route && spec.Format is not null)
                {
                    state.ParameterFormats[spec.Name] = spec.Format;
                }
            }
        }

        // Route segments, each hole bound to its parameter (or a property of one).
        List<RouteSegment> segments = routeParts is null ? new List<RouteSegment>() : BindRoute(routeParts, state, RouteLocation);

        if (routeParts is not null && path is not null)
        {
            CheckRequestShape(path, routeParts, method, parameters, memberName, diagnostics, RouteLocation);
        }

        bool hasErrors = false;
        for (int i = errorsBefore; i < diagnostics.Count; i++)
        {
            hasErrors |= diagnostics[i].Descriptor.DefaultSeverity == DiagnosticSeverity.Error;
        }
        if (hasErrors || returnShape is null || httpMethod is null)
        {
            return null;
        }

        if (returnShape.JsonType is { } resultJson)
        {
            jsonUses.Add(new JsonUse(JsonTypeName(resultJson), resultJson.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), memberName, ReturnLocation()));
        }
        if (isWebSocket && webSocket is null)
        {
            return null;
        }
        if (webSocketReturn is { SendType: { } send, ReceiveType: { } receive })
        {
            jsonUses.Add(new JsonUse(JsonTypeName(send), send.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), memberName, ReturnLocation(), IsWebSocketMessage: true));
            if (!SymbolEqualityComparer.Default.Equals(send, receive))
            {
                jsonUses.Add(new JsonUse(JsonTypeName(receive), receive.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), memberName, ReturnLocation(), IsWebSocketMessage: true));
            }
        }

        return new MethodSpec(
            declaringType,
            Identifier(method.Name),
            TypeName(method.ReturnType),
            returnShape.Kind,
            returnShape.IsValueTask,
            returnShape.ResultType,
            httpMethod,
            basePath,
            EquatableArray.From(segments),
            EquatableArray.From(parameters),
            EquatableArray.From(headers),
            authorizationScheme,
            multipart is not null,
            boundary,
            policies.TimeoutMilliseconds,
            policies.RedirectPolicy,
            policies.HttpVersion,
            policies.VersionPolicy,
            webSocket);

        LocationInfo? MethodLocation()
        {
            if ((located & 1) == 0)
            {
                methodLocation = LocationInfo.From(method.Locations.FirstOrDefault());
                located |= 1;
            }
            return methodLocation;
        }

        LocationInfo? AttributeLocationOnce()
        {
            if ((located & 2) == 0)
            {
                attributeLocation = AttributeLocation(httpAttribute!, cancellationToken) ?? MethodLocation();
                located |= 2;
            }
            return attributeLocation;
        }

        LocationInfo? RouteLocation()
        {
            if ((located & 4) == 0)
            {
                routeLocation = AttributeArgumentLocation(httpAttribute!, 0, cancellationToken) ?? AttributeLocationOnce();
                located |= 4;
            }
            return routeLocation;
        }

        LocationInfo? ReturnLocation()
        {
            if ((located & 8) == 0)
            {
                returnLocation = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax methodSyntax
                    ? LocationInfo.From(methodSyntax.ReturnType)
                    : MethodLocation();
                located |= 8;
            }
            return returnLocation;
        }
    }

    /// <summary>What parsing one method's parameters gathers.</summary>
    /// <remarks>One instance per thread, cleared for each method: a method's parse never starts another's.</remarks>
    private sealed class MethodState
    {
        [ThreadStatic]
        private static MethodState? t_current;

        private MethodState()
        {
        }

        /// <summary>This thread's state, cleared and set up for one method.</summary>
        public static MethodState Start(string memberName, string httpMethod, string path, bool isMultipart, List<DiagnosticInfo> diagnostics, List<JsonUse> jsonUses)
        {
            MethodState state = t_current ??= new MethodState();
            state.MemberName = memberName;
            state.Path = path;
            state.HttpMethod = httpMethod;
            state.IsMultipart = isMultipart;
            state.Diagnostics = diagnostics;
            state.JsonUses = jsonUses;
            state.Holes.Clear();
            state.PropertyHoles.Clear();
            state.HoleOwners.Clear();
            state.ClaimedHoles.Clear();
            state.PropertySegments.Clear();
            state.ParameterFormats.Clear();
            state.CancellationTokenName = null;
            state.IsWebSocket = false;
            state.BodyName = null;
            state.UrlName = null;
            return state;
        }

        public string MemberName { get; private set; } = string.Empty;
        public string HttpMethod { get; private set; } = string.Empty;
        public string Path { get; private set; } = string.Empty;
        public bool IsMultipart { get; private set; }
        public List<DiagnosticInfo> Diagnostics { get; private set; } = new();
        public List<JsonUse> JsonUses { get; private set; } = new();
        public HashSet<string> Holes { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> PropertyHoles { get; } = new(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, string> HoleOwners { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> ClaimedHoles { get; } = new(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, RouteSegment> PropertySegments { get; } = new(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, ValueFormat?> ParameterFormats { get; } = new(StringComparer.OrdinalIgnoreCase);
        public string? CancellationTokenName { get; set; }
        public bool IsWebSocket { get; set; }
        public string? BodyName { get; set; }
        public string? UrlName { get; set; }
    }
}
