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

/// <summary>What parsing one interface (or one stray method) gives: a client to emit, diagnostics to report, or both.</summary>
/// <remarks>
/// <para>
/// <see cref="JsonUses"/> carry locations, so they stay out of <see cref="Client"/>: moving a declaration must not
/// re-emit the client.
/// </para>
/// <para>
/// A class declaration that is a <c>JsonSerializerContext</c> gives a result with <see cref="IsJsonContext"/> set and
/// the types it declares (for the THTTP022 warning), and nothing else.
/// </para>
/// <para>
/// <see cref="ConstructedClients"/> are the clients of closed constructions of generic interfaces that the node
/// names (a call, an assembly attribute, a closed base interface); several nodes may name one, so they are emitted
/// once each after a <c>Collect</c>.
/// </para>
/// </remarks>
internal sealed record ParseResult(
    ClientSpec? Client,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<JsonUse> JsonUses = default,
    EquatableArray<string> DeclaredJsonTypes = default,
    bool IsJsonContext = false,
    EquatableArray<ClientSpec> ConstructedClients = default);

/// <summary>
/// Turns symbols into the model. The only code of the generator that touches <see cref="ISymbol"/> and
/// <see cref="SyntaxNode"/>; everything it returns is plain, equatable data.
/// </summary>
internal static partial class Parser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat PlainTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    // ---------------------------------------------------------------- entry points

    /// <summary>
    /// The generator's one syntactic filter: <see cref="IsInterfaceCandidate(SyntaxNode, CancellationToken)"/> or
    /// <see cref="IsStrayMethodCandidate"/>.
    /// </summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        IsInterfaceCandidate(node, cancellationToken) || IsStrayMethodCandidate(node, cancellationToken) || node is ClassDeclarationSyntax { AttributeLists.Count: > 0 }
        || IsConstructionCandidate(node);

    /// <summary>
    /// Parses a node that passed <see cref="IsCandidate"/>, with the interface it parsed (for <see cref="ParseCache"/>):
    /// an interface, a stray method, or a class that may be a <c>JsonSerializerContext</c> (<see cref="JsonContextReader.Read"/>).
    /// </summary>
    public static (ParseResult? Result, INamedTypeSymbol? Type) Parse(GeneratorSyntaxContext context, ParseCache cache, CancellationToken cancellationToken) => context.Node switch
    {
        InterfaceDeclarationSyntax => ParseFromInterfaceWithType(context, cache, cancellationToken),
        ClassDeclarationSyntax => JsonContextReader.Read(context, cancellationToken),
        MethodDeclarationSyntax => ParseStrayMethod(context, cancellationToken),
        _ => (ParseConstructionUse(context, cache, cancellationToken), null),
    };

    /// <summary>
    /// A cheap syntactic filter for interfaces that may need a client: those with an attributed method, and those
    /// with base interfaces (which may declare all the methods).
    /// </summary>
    public static bool IsInterfaceCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InterfaceDeclarationSyntax declaration && IsInterfaceCandidate(declaration);

    private static bool IsInterfaceCandidate(InterfaceDeclarationSyntax declaration)
    {
        if (declaration.BaseList is not null)
        {
            return true;
        }
        foreach (MemberDeclarationSyntax member in declaration.Members)
        {
            if (member is MethodDeclarationSyntax { AttributeLists.Count: > 0 })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A cheap syntactic filter for attributed methods outside interfaces, which may carry an HTTP method attribute by mistake.</summary>
    public static bool IsStrayMethodCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is MethodDeclarationSyntax { AttributeLists.Count: > 0, Parent: not InterfaceDeclarationSyntax };

    /// <summary>
    /// Called for methods that pass <see cref="IsStrayMethodCandidate"/>: THTTP015 when one carries a runtime HTTP
    /// method attribute (a client is generated for interfaces only), else nothing.
    /// </summary>
    public static (ParseResult? Result, INamedTypeSymbol? Type) ParseStrayMethod(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol((MethodDeclarationSyntax)context.Node, cancellationToken) is not IMethodSymbol method)
        {
            return default;
        }
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (IsKnownMethodAttribute(attribute.AttributeClass))
            {
                var diagnostic = new DiagnosticInfo(
                    Diagnostics.HttpAttributeOutsideInterface,
                    LocationInfo.From(method.Locations.FirstOrDefault()),
                    Args(MemberName(method)));
                return (new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic })), null);
            }
        }
        return default;
    }

    /// <summary>
    /// Called for interface declarations that pass <see cref="IsInterfaceCandidate(SyntaxNode, CancellationToken)"/>:
    /// parses every interface that declares or inherits a method with an HTTP method attribute (built-in or custom).
    /// A partial interface is parsed from its first candidate declaration.
    /// </summary>
    public static ParseResult? ParseFromInterface(GeneratorSyntaxContext context, ParseCache cache, CancellationToken cancellationToken) =>
        ParseFromInterfaceWithType(context, cache, cancellationToken).Result;

    /// <summary>
    /// <see cref="ParseFromInterface"/>, with the interface it parsed (for <see cref="ParseCache"/>). The result also
    /// carries the clients of the interface's closed generic base interfaces.
    /// </summary>
    public static (ParseResult? Result, INamedTypeSymbol? Type) ParseFromInterfaceWithType(GeneratorSyntaxContext context, ParseCache cache, CancellationToken cancellationToken)
    {
        var declaration = (InterfaceDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type)
        {
            return default;
        }
        // A partial interface is parsed from its first candidate declaration only.
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is InterfaceDeclarationSyntax candidate && IsInterfaceCandidate(candidate))
            {
                if (candidate != declaration)
                {
                    return default;
                }
                break;
            }
        }
        if (!IsClientInterface(type))
        {
            return default;
        }
        ParseResult result = ParseInterface(type, context.SemanticModel.Compilation, cancellationToken);
        EquatableArray<ClientSpec> bases = ClosedBaseClients(type, context.SemanticModel.Compilation, cache, cancellationToken);
        return (bases.Count == 0 ? result : result with { ConstructedClients = bases }, type);
    }

    // ---------------------------------------------------------------- interface

    [ThreadStatic]
    private static int t_interfacesParsed;

    /// <summary>How many interfaces this thread has parsed, for tests of <see cref="ParseCache"/> (the driver runs a generator on the calling thread).</summary>
    internal static int InterfacesParsedOnThisThread => t_interfacesParsed;

    /// <summary>
    /// Type names (<see cref="TypeFormat"/>) formatted during one interface's parse: its methods repeat the same
    /// types (<c>int</c>, <c>CancellationToken</c>, <c>Task&lt;User&gt;</c>), and each is formatted once. Cleared
    /// after each parse, so it holds no symbol.
    /// </summary>
    [ThreadStatic]
    private static Dictionary<ITypeSymbol, string>? t_typeNames;

    /// <summary>The fully qualified name of a type, with nullable annotations.</summary>
    private static string TypeName(ITypeSymbol type)
    {
        Dictionary<ITypeSymbol, string> names = t_typeNames ??= new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.IncludeNullability);
        if (!names.TryGetValue(type, out string? name))
        {
            name = type.ToDisplayString(TypeFormat);
            names.Add(type, name);
        }
        return name;
    }

    /// <summary>
    /// Set while an open generic interface is parsed: its type parameters count as types that a body, a result and
    /// a formatted value can have (each closed construction is parsed with its type arguments).
    /// </summary>
    [ThreadStatic]
    private static bool t_openGeneric;

    private static ParseResult ParseInterface(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        t_interfacesParsed++;
        bool wasOpen = t_openGeneric;
        t_openGeneric = type.IsGenericType && SymbolEqualityComparer.Default.Equals(type, type.OriginalDefinition);
        try
        {
            return ParseInterfaceCore(type, compilation, cancellationToken);
        }
        finally
        {
            t_openGeneric = wasOpen;
            t_typeNames?.Clear();
        }
    }

    private static ParseResult ParseInterfaceCore(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool hasErrors = false;
        LocationInfo? typeLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        string fullName = Names.Of(type)!;

        string? interfaceProblem = InterfaceProblem(type) ?? (IsClosedConstruction(type) ? TypeArgumentProblem(type, compilation) : null);
        if (interfaceProblem is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedInterface, typeLocation, Args(fullName, interfaceProblem)));
            return new ParseResult(null, EquatableArray.From(diagnostics));
        }

        List<HeaderSpec> clientHeaders = ReadHeadersAttribute(type, fullName, diagnostics, cancellationToken);
        string? clientBasePath = ReadBasePath(type, fullName, diagnostics, cancellationToken);
        DeclaredPolicies clientPolicies = ReadPolicies(type, fullName, diagnostics, cancellationToken);

        var methods = new List<MethodSpec>();
        var forwards = new List<ForwardSpec>();
        var jsonUses = new List<JsonUse>();
        foreach (INamedTypeSymbol declaring in new[] { type }.Concat(type.AllInterfaces))
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool own = SymbolEqualityComparer.Default.Equals(declaring, type);
            // Diagnostics on a base interface that has a client of its own are reported by that client's parse.
            bool reportedElsewhere = !own && declaring.Locations.Any(l => l.IsInSource) && IsClientInterface(declaring);
            // A closed generic base (IUsersApi : ICrudApi<User, int>): the open interface reports what its declaration
            // gets wrong; what its type arguments make of it is reported here, on the interface that closes it.
            bool closedBase = reportedElsewhere && IsClosedConstruction(declaring);
            var local = new List<DiagnosticInfo>();
            // Headers: the client interface's, then those of the declaring interface's bases (most basic first), then
            // the declaring interface's; the method's come last (ParseMethod).
            List<HeaderSpec> declaringHeaders = own
                ? Merge(InheritedHeaders(type, cancellationToken), clientHeaders)
                : Merge(Merge(clientHeaders, InheritedHeaders(declaring, cancellationToken)), ReadHeadersAttribute(declaring, Names.Of(declaring)!, local, cancellationToken));
            // The client interface's [BasePath] applies to every method; without it, a base interface's to its own.
            string? basePath = own || clientBasePath is not null ? clientBasePath : ReadBasePath(declaring, Names.Of(declaring)!, local, cancellationToken);
            // [Timeout] and [RedirectPolicy]: the method's, else the declaring interface's, else the client interface's.
            DeclaredPolicies declaringPolicies = own ? clientPolicies : ReadPolicies(declaring, Names.Of(declaring)!, local, cancellationToken).Over(clientPolicies);
            var localJsonUses = new List<JsonUse>();
            string? declaringType = null;

            foreach (ISymbol member in declaring.GetMembers())
            {
                if (!member.IsAbstract)
                {
                    continue;
                }
                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when !method.IsStatic && !own && HidingMethod(method, declaring, type) is { } hiding:
                        // A base method without an HTTP method attribute that a derived interface hides ('new') with one
                        // is the derived method: its implementation calls it, as Refit's client would.
                        forwards.Add(Forward(method, hiding));
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when !method.IsStatic:
                        MethodSpec? spec = ParseMethod(method, declaring, declaringType ??= declaring.ToDisplayString(PlainTypeFormat), declaringHeaders, basePath, declaringPolicies, compilation, local, localJsonUses, cancellationToken);
                        if (spec is not null)
                        {
                            methods.Add(spec);
                        }
                        break;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        local.Add(new DiagnosticInfo(Diagnostics.UnsupportedMember, LocationInfo.From(method.Locations.FirstOrDefault()), Args(MemberName(method), "static abstract method")));
                        break;
                    case IPropertySymbol property:
                        local.Add(new DiagnosticInfo(Diagnostics.UnsupportedMember, LocationInfo.From(property.Locations.FirstOrDefault()), Args(MemberName(property), "property")));
                        break;
                    case IEventSymbol @event:
                        local.Add(new DiagnosticInfo(Diagnostics.UnsupportedMember, LocationInfo.From(@event.Locations.FirstOrDefault()), Args(MemberName(@event), "event")));
                        break;
                }
            }

            if (!reportedElsewhere)
            {
                jsonUses.AddRange(localJsonUses);
            }
            else if (closedBase)
            {
                foreach (JsonUse use in localJsonUses)
                {
                    jsonUses.Add(use with { Location = typeLocation });
                }
            }
            if (local.Count > 0)
            {
                hasErrors |= local.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
                List<string> errors = closedBase && !t_openGeneric ? ErrorMessages(local) : new List<string>();
                if (errors.Count > 0)
                {
                    diagnostics.Add(ConstructionError(Names.Of(declaring)!, errors, typeLocation));
                }
                if (!reportedElsewhere)
                {
                    foreach (DiagnosticInfo diagnostic in local)
                    {
                        // A member compiled into another assembly has no source location: point at the interface.
                        diagnostics.Add(diagnostic.Location is null ? diagnostic with { Location = typeLocation } : diagnostic);
                    }
                }
            }
        }

        hasErrors |= diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        // An open generic interface gets no client of its own: each closed construction gets one.
        if (hasErrors || t_openGeneric)
        {
            return new ParseResult(null, EquatableArray.From(diagnostics));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? Names.Of(n)! : string.Empty;
        string hintName = HintName(type, ns);

        var client = new ClientSpec(
            hintName,
            ns,
            ClassName(type.Name),
            type.ToDisplayString(PlainTypeFormat),
            fullName,
            EquatableArray.From(methods),
            EquatableArray.From(forwards));
        return new ParseResult(client, EquatableArray.From(diagnostics), EquatableArray.From(jsonUses));
    }

    /// <summary>
    /// The method of an interface derived from <paramref name="declaring"/> (within <paramref name="type"/>) that hides
    /// <paramref name="method"/>, which has no HTTP method attribute, with one of the same signature that has; or null.
    /// </summary>
    private static IMethodSymbol? HidingMethod(IMethodSymbol method, INamedTypeSymbol declaring, INamedTypeSymbol type)
    {
        if (method.GetAttributes().Any(a => IsHttpMethodAttribute(a.AttributeClass)))
        {
            return null;
        }
        foreach (INamedTypeSymbol candidate in new[] { type }.Concat(type.AllInterfaces))
        {
            if (SymbolEqualityComparer.Default.Equals(candidate, declaring) || !candidate.AllInterfaces.Contains(declaring, SymbolEqualityComparer.Default))
            {
                continue;
            }
            foreach (ISymbol member in candidate.GetMembers(method.Name))
            {
                if (member is IMethodSymbol { IsStatic: false, IsAbstract: true, MethodKind: MethodKind.Ordinary } hiding
                    && hiding.Parameters.Length == method.Parameters.Length
                    && hiding.TypeParameters.Length == method.TypeParameters.Length
                    && SymbolEqualityComparer.Default.Equals(hiding.ReturnType, method.ReturnType)
                    && hiding.Parameters.Zip(method.Parameters, (a, b) => a.RefKind == b.RefKind && SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same)
                    && hiding.GetAttributes().Any(a => IsHttpMethodAttribute(a.AttributeClass)))
                {
                    return hiding;
                }
            }
        }
        return null;
    }

    private static ForwardSpec Forward(IMethodSymbol method, IMethodSymbol target)
    {
        var parameters = new List<ForwardParameter>(method.Parameters.Length);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            string modifier = parameter.RefKind switch
            {
                RefKind.Ref => "ref ",
                RefKind.Out => "out ",
                RefKind.In => "in ",
                _ => string.Empty,
            };
            parameters.Add(new ForwardParameter(modifier, TypeName(parameter.Type), Identifier(parameter.Name)));
        }
        return new ForwardSpec(
            method.ContainingType.ToDisplayString(PlainTypeFormat),
            Identifier(method.Name),
            TypeName(method.ReturnType),
            EquatableArray.From(parameters),
            target.ContainingType.ToDisplayString(PlainTypeFormat));
    }

    private static string? InterfaceProblem(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType && !SymbolEqualityComparer.Default.Equals(t, type))
            {
                return $"it is nested in the generic type '{Names.Of(t.OriginalDefinition)!}'; move it out";
            }
            if (t.IsFileLocal)
            {
                return "it is file-local; make it internal or public";
            }
            if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return SymbolEqualityComparer.Default.Equals(t, type)
                    ? "it is not accessible to other types of the assembly; make it internal or public"
                    : $"its containing type '{Names.Of(t)!}' is not accessible to other types of the assembly; make it internal or public";
            }
        }
        return null;
    }

    private static string ClassName(string interfaceName)
    {
        string stem = interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1])
            ? interfaceName.Substring(1)
            : interfaceName;
        return stem + "Client";
    }

    /// <summary>Whether the interface or a base interface declares a method with an HTTP method attribute.</summary>
    private static bool IsClientInterface(INamedTypeSymbol type)
    {
        foreach (INamedTypeSymbol t in new[] { type }.Concat(type.AllInterfaces))
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (member is IMethodSymbol && member.GetAttributes().Any(a => IsHttpMethodAttribute(a.AttributeClass)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- method

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
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (IsHttpMethodAttribute(attribute.AttributeClass))
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

        if (!TryReadHttpAttribute(httpAttribute, compilation, cancellationToken, out string? httpMethod, out string? path, out string? readError))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnreadableCustomHttpMethod, AttributeLocationOnce(), Args(httpAttribute.AttributeClass?.Name ?? "?", memberName, readError ?? "unknown")));
            return null;
        }

        // Return type. System.Net.Http's response types are Refit's, not the engine's (THTTP037).
        ReturnShape? returnShape = ReadReturnType(method.ReturnType);
        if (HttpClientType(method.ReturnType) is { } httpClientType)
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
                authorizationScheme = RouteTemplateParser.IsToken(header.Value!) ? header.Value : null;
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
        string? boundary = multipart is { ConstructorArguments.Length: 1 } ? multipart.ConstructorArguments[0].Value as string : null;
        if (multipart is not null && multipart.ConstructorArguments.Length == 1 && (boundary is null || !IsValidBoundary(boundary)))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidMultipartBoundary, AttributeArgumentLocation(multipart, 0, cancellationToken) ?? MethodLocation(), Args(Printable(boundary ?? "null"), memberName)));
        }

        // Parameters.
        MethodState state = MethodState.Start(memberName, httpMethod ?? "GET", path ?? string.Empty, multipart is not null, diagnostics, jsonUses);
        if (routeParts is not null)
        {
            foreach (RoutePart part in routeParts)
            {
                if (!part.IsHole)
                {
                    continue;
                }
                int dot = part.Text.IndexOf('.');
                if (dot < 0)
                {
                    state.Holes.Add(part.Text);
                }
                else
                {
                    state.PropertyHoles.Add(part.Text);
                }
            }
        }
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
        var segments = new List<RouteSegment>(routeParts?.Count ?? 0);
        if (routeParts is not null)
        {
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
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.RouteHoleWithoutParameter, RouteLocation(), Args(memberName, part.Text.Split('.')[0])));
                }
            }
        }

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
            policies.RedirectPolicy);
    
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

    /// <summary>The diagnostic of a refused route template (see <see cref="RouteTemplateParser.Check"/>).</summary>
    internal static DiagnosticInfo RouteDiagnostic(RouteProblem problem, string? path, string memberName, string? detail, LocationInfo? location) => problem switch
    {
        RouteProblem.LineBreak => new DiagnosticInfo(Diagnostics.LineBreakInConstant, location, Args("route", memberName)),
        RouteProblem.Misuse => new DiagnosticInfo(Diagnostics.RouteMisuse, location, Args(path ?? string.Empty, memberName, detail ?? "is misused")),
        RouteProblem.NoLeadingSlash => new DiagnosticInfo(Diagnostics.RouteMustStartWithSlash, location, Args(path ?? string.Empty, memberName)),
        _ => new DiagnosticInfo(Diagnostics.MalformedRoute, location, Args(path ?? string.Empty, memberName, detail ?? "unknown")),
    };

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
        public string? BodyName { get; set; }
        public string? UrlName { get; set; }
    }

    private static ParameterSpec? ParseParameter(IParameterSymbol parameter, MethodState state, CancellationToken cancellationToken)
    {
        string memberName = state.MemberName;
        List<DiagnosticInfo> diagnostics = state.Diagnostics;
        string name = Identifier(parameter.Name);
        string type = TypeName(parameter.Type);
        // The location and the type as users read it serve diagnostics and JSON uses only: made when first asked for.
        LocationInfo? location = null;
        bool located = false;
        string? shortType = null;
        if (parameter.RefKind != RefKind.None)
        {
            string modifier = parameter.RefKind switch
            {
                RefKind.Ref => "ref",
                RefKind.Out => "out",
                RefKind.In => "in",
                _ => "ref readonly",
            };
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ByRefParameter, Location(), Args(parameter.Name, memberName, modifier)));
            return null;
        }

        if (Names.Of(parameter.Type)! == KnownNames.CancellationToken
            || (parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableToken && Names.Of(nullableToken.TypeArguments[0]) == KnownNames.CancellationToken))
        {
            if (state.CancellationTokenName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleCancellationTokens, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            state.CancellationTokenName = name;
            return new ParameterSpec(name, type, ParameterRole.CancellationToken, null, null, BodyKind.None);
        }

        AttributeData? bodyAttribute = null;
        AttributeData? queryAttribute = null;
        string? headerName = null;
        string? alias = null;
        string? authorizeScheme = null;
        bool isHeaderCollection = false;
        bool isUrl = false;
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            switch (Names.Of(attribute.AttributeClass))
            {
                case KnownNames.BodyAttribute:
                    bodyAttribute = attribute;
                    break;
                case KnownNames.QueryAttribute:
                    queryAttribute = attribute;
                    break;
                case KnownNames.HeaderAttribute:
                    headerName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
                    break;
                case KnownNames.AliasAsAttribute:
                    alias = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                    break;
                case KnownNames.AuthorizeAttribute:
                    authorizeScheme = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? "Bearer" : "Bearer";
                    break;
                case KnownNames.HeaderCollectionAttribute:
                    isHeaderCollection = true;
                    break;
                case KnownNames.UrlAttribute:
                    isUrl = true;
                    break;
                case KnownNames.PropertyAttribute:
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, Location(), Args(
                        $"Parameter '{parameter.Name}'", memberName, Printable(state.Path), "[Property] (a request option)",
                        "a TypedHttp request carries no options bag; send the value as a header ([Header(\"X-Name\")]) or use it where the call is made")));
                    return null;
            }
        }
        if (HttpClientType(parameter.Type) is { } httpClientType)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, Location(), Args(
                $"Parameter '{parameter.Name}'", memberName, Printable(state.Path), httpClientType,
                "TypedHttp's engine does not send System.Net.Http content; declare it [Body] Stream or [Body] byte[] (and its type as [Header(\"Content-Type\")])")));
            return null;
        }

        string wireName = alias ?? parameter.Name;
        bool fillsHole = state.Holes.Contains(wireName);
        List<string>? propertyHoles = null;
        foreach (string hole in state.PropertyHoles)
        {
            int dot = hole.IndexOf('.');
            if (dot == wireName.Length && string.Compare(hole, 0, wireName, 0, dot, StringComparison.OrdinalIgnoreCase) == 0)
            {
                (propertyHoles ??= new List<string>()).Add(hole);
            }
        }
        if (fillsHole)
        {
            // A hole whose parameter has an error of its own is not reported again as a hole without a parameter.
            state.ClaimedHoles.Add(wireName);
        }
        if (propertyHoles is not null)
        {
            foreach (string hole in propertyHoles)
            {
                state.ClaimedHoles.Add(hole);
            }
        }
        bool inHole = fillsHole || propertyHoles is not null;
        // [Query(Format = "0.0")] on a parameter that fills a hole formats the hole's value, as in Refit (whose URL
        // parameter formatter reads the format of the parameter's [Query]); it binds nothing of its own.
        string? holeFormat = null;
        if (fillsHole && propertyHoles is null && queryAttribute is not null)
        {
            holeFormat = ReadQueryOptions(queryAttribute, out _).Format;
            queryAttribute = null;
        }
        // A [Header] parameter whose name is a hole's fills the hole too, as in Refit (holes match parameters by name
        // whatever their attributes).
        bool headerFillsHole = headerName is not null && fillsHole && propertyHoles is null;
        int bindingCount = (inHole && !headerFillsHole ? 1 : 0) + (bodyAttribute is not null ? 1 : 0) + (headerName is not null ? 1 : 0) + (queryAttribute is not null ? 1 : 0)
            + (isHeaderCollection ? 1 : 0) + (authorizeScheme is not null ? 1 : 0) + (isUrl ? 1 : 0);
        if (bindingCount > 1)
        {
            var bindings = new List<string>(bindingCount);
            if (inHole && !headerFillsHole)
            {
                bindings.Add($"the route hole '{{{(fillsHole ? wireName : propertyHoles![0])}}}'");
            }
            if (bodyAttribute is not null)
            {
                bindings.Add("[Body]");
            }
            if (headerName is not null)
            {
                bindings.Add($"[Header(\"{headerName}\")]");
            }
            if (queryAttribute is not null)
            {
                bindings.Add("[Query]");
            }
            if (isHeaderCollection)
            {
                bindings.Add("[HeaderCollection]");
            }
            if (authorizeScheme is not null)
            {
                bindings.Add("[Authorize]");
            }
            if (isUrl)
            {
                bindings.Add("[Url]");
            }
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, bindings[0], bindings[1])));
            return null;
        }

        if (isUrl)
        {
            string typeName = parameter.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? string.Empty : parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
            if (parameter.Type.SpecialType != SpecialType.System_String && typeName != KnownNames.Uri)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UrlParameterMisuse, Location(), Args(parameter.Name, memberName, $"has type '{ShortType()}'; declare it string or Uri")));
                return null;
            }
            if (state.UrlName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UrlParameterMisuse, Location(), Args(parameter.Name, memberName, $"'{state.UrlName}' is [Url] already; a request goes to one URL, so keep one")));
                return null;
            }
            state.UrlName = parameter.Name;
            return new ParameterSpec(name, type, ParameterRole.Url, parameter.Name, null, BodyKind.None);
        }

        if (isHeaderCollection)
        {
            if (!IsStringDictionary(parameter.Type))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.HeaderCollectionType, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.HeaderCollection, null, null, BodyKind.None);
        }

        if (authorizeScheme is not null)
        {
            if (parameter.Type.SpecialType != SpecialType.System_String)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.AuthorizeNotString, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            if (!RouteTemplateParser.IsToken(authorizeScheme))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidHeaderParameterName, Location(), Args(authorizeScheme, parameter.Name, memberName)));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.Authorize, authorizeScheme, null, BodyKind.None);
        }

        if (bodyAttribute is not null)
        {
            if (state.IsMultipart)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipartWithBody, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            if (state.BodyName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleBodies, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            state.BodyName = name;
            int method = bodyAttribute.ConstructorArguments.Length == 1 && bodyAttribute.ConstructorArguments[0].Value is int m ? m : 0;
            if (method == 2 && parameter.Type.SpecialType == SpecialType.System_String)
            {
                // A string form body is sent escaped as one field, as in Refit (Uri.EscapeDataString).
                return new ParameterSpec(name, type, ParameterRole.Body, null, null, BodyKind.FormString);
            }
            if (method == 2)
            {
                // UrlEncoded: a dictionary or an object flattened into form fields.
                QueryNode? form = BuildQueryNode(parameter.Type, string.Empty, name, new QueryOptions(CollectionFormatKind.Multi, null, ".", null), 0, allowValue: false, out string? problem);
                if (form is null)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType() + " (as a form: " + problem + ")")));
                    return null;
                }
                return new ParameterSpec(name, type, ParameterRole.Body, null, null, BodyKind.Form, form);
            }
            BodyKind kind = method == 0 && parameter.Type.SpecialType == SpecialType.System_String
                ? BodyKind.String
                : method == 0 && IsByteArray(parameter.Type)
                    ? BodyKind.Bytes
                    : method == 0 && IsStream(parameter.Type)
                        ? BodyKind.Stream
                        : BodyKind.Json;
            if (kind == BodyKind.Json && !IsJsonType(parameter.Type))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            string? jsonType = null;
            if (kind == BodyKind.Json)
            {
                jsonType = JsonTypeName(parameter.Type);
                state.JsonUses.Add(new JsonUse(jsonType, ShortType(), memberName, Location()));
            }
            return new ParameterSpec(name, type, ParameterRole.Body, null, null, kind, JsonType: jsonType);
        }

        if (propertyHoles is not null)
        {
            return ParseRouteObject(parameter, name, type, wireName, fillsHole, propertyHoles, state, Location());
        }

        if (headerName is not null || fillsHole)
        {
            ValueFormat? format = ReadFormat(parameter.Type, headerName is null ? holeFormat : null);
            if (format is null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            if (headerName is not null)
            {
                if (!RouteTemplateParser.IsToken(headerName))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidHeaderParameterName, Location(), Args(headerName, parameter.Name, memberName)));
                    return null;
                }
                if (headerFillsHole)
                {
                    if (state.HoleOwners.TryGetValue(wireName, out string? holeOwner))
                    {
                        diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, $"the route hole '{{{wireName}}}'", $"the same hole as parameter '{holeOwner}'")));
                        return null;
                    }
                    state.HoleOwners[wireName] = name;
                    state.ParameterFormats[name] = format;
                }
                return new ParameterSpec(name, type, ParameterRole.Header, headerName, format, BodyKind.None);
            }
            if (state.HoleOwners.TryGetValue(wireName, out string? owner))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, $"the route hole '{{{wireName}}}'", $"the same hole as parameter '{owner}'")));
                return null;
            }
            state.HoleOwners[wireName] = name;
            return new ParameterSpec(name, type, ParameterRole.Route, wireName, format, BodyKind.None);
        }

        if (state.IsMultipart && queryAttribute is null)
        {
            return ParsePart(parameter, name, type, wireName, ShortType(), state, Location());
        }

        // The query: a value, a collection, a dictionary or an object flattened at compile time.
        QueryOptions options = ReadQueryOptions(queryAttribute, out bool explicitCollectionFormat);
        bool implicitObject = queryAttribute is null && ReadFormat(parameter.Type) is null;
        if (implicitObject && state.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedBodyParameter, Location(), Args(parameter.Name, memberName, ShortType(), state.HttpMethod)));
            return null;
        }
        bool isValueOrCollection = options.TreatAsString || ReadFormat(parameter.Type) is not null || (!IsDictionary(parameter.Type, out _, out _) && IsCollection(parameter.Type, out _));
        string key = isValueOrCollection ? wireName : options.Prefix ?? string.Empty;
        QueryNode? node = BuildQueryNode(parameter.Type, key, name, options, 0, allowValue: true, out string? queryProblem);
        if (node is null)
        {
            diagnostics.Add(new DiagnosticInfo(
                implicitObject ? Diagnostics.UnformattableParameter : Diagnostics.UnformattableParameter,
                Location(),
                Args(parameter.Name, memberName, ShortType() + (queryProblem is null ? string.Empty : " (" + queryProblem + ")"))));
            return null;
        }
        if (explicitCollectionFormat && node.Shape != QueryShape.Collection)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.CollectionFormatOnNonCollection, Location(), Args(parameter.Name, memberName, options.Collection.ToString(), ShortType())));
        }
        return new ParameterSpec(name, type, ParameterRole.Query, wireName, node.Shape == QueryShape.Value ? node.Format : null, BodyKind.None, node);
    
        LocationInfo? Location()
        {
            if (!located)
            {
                location = LocationInfo.From(parameter.Locations.FirstOrDefault());
                located = true;
            }
            return location;
        }

        string ShortType() => shortType ??= parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
    }

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

    /// <summary>A part of a <c>[Multipart]</c> body.</summary>
    private static ParameterSpec? ParsePart(IParameterSymbol parameter, string name, string type, string wireName, string shortType, MethodState state, LocationInfo? location)
    {
        ITypeSymbol t = parameter.Type;
        ValueFormat? format = ReadFormat(t);
        if (format is not null)
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, format, BodyKind.None, Part: PartKind.Text);
        }
        if (IsByteArray(t))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Bytes);
        }
        if (IsStream(t))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Stream);
        }
        if (InheritsFrom(t, KnownNames.FileInfo))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.File);
        }
        if (InheritsFrom(t, KnownNames.MultipartItem))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Item);
        }
        if (FilePartItemKind(t) is PartKind itemPart)
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Collection, ItemPart: itemPart);
        }
        if (IsJsonType(t))
        {
            string jsonType = JsonTypeName(t);
            state.JsonUses.Add(new JsonUse(jsonType, shortType, state.MemberName, location));
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Json, JsonType: jsonType);
        }
        state.Diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, location, Args(parameter.Name, state.MemberName, shortType + " (as a multipart part)")));
        return null;
    }

    /// <summary>
    /// For a collection of file parts (<c>IEnumerable&lt;StreamPart&gt;</c> and the other <c>MultipartItem</c>s,
    /// <c>FileInfo</c>, <c>byte[]</c>, <c>Stream</c>), how each item is written; null for any other type.
    /// </summary>
    private static PartKind? FilePartItemKind(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || IsByteArray(type))
        {
            return null;
        }
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! != KnownNames.IEnumerableOfT)
            {
                continue;
            }
            ITypeSymbol item = candidate.TypeArguments[0];
            if (InheritsFrom(item, KnownNames.MultipartItem))
            {
                return PartKind.Item;
            }
            if (InheritsFrom(item, KnownNames.FileInfo))
            {
                return PartKind.File;
            }
            if (IsByteArray(item))
            {
                return PartKind.Bytes;
            }
            if (IsStream(item))
            {
                return PartKind.Stream;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- query values and objects

    /// <summary>How a [Query] attribute writes a value.</summary>
    private sealed record QueryOptions(CollectionFormatKind Collection, string? Format, string Delimiter, string? Prefix, bool TreatAsString = false);

    private static QueryOptions ReadQueryOptions(AttributeData? attribute, out bool explicitCollectionFormat)
    {
        explicitCollectionFormat = false;
        if (attribute is null)
        {
            return new QueryOptions(CollectionFormatKind.Multi, null, ".", null);
        }
        var collection = CollectionFormatKind.Multi;
        bool treatAsString = false;
        string? format = null;
        string delimiter = ".";
        string? prefix = null;
        ImmutableArray<TypedConstant> args = attribute.ConstructorArguments;
        if (args.Length == 1 && args[0].Type?.TypeKind == TypeKind.Enum && args[0].Value is int c)
        {
            collection = (CollectionFormatKind)c;
            explicitCollectionFormat = true;
        }
        else
        {
            if (args.Length >= 1)
            {
                delimiter = args[0].Value as string ?? ".";
            }
            if (args.Length >= 2)
            {
                prefix = args[1].Value as string;
            }
            if (args.Length >= 3)
            {
                format = args[2].Value as string;
            }
        }
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "CollectionFormat" when named.Value.Value is int n:
                    collection = (CollectionFormatKind)n;
                    explicitCollectionFormat = true;
                    break;
                case "Format":
                    format = named.Value.Value as string;
                    break;
                case "Delimiter":
                    delimiter = named.Value.Value as string ?? ".";
                    break;
                case "Prefix":
                    prefix = named.Value.Value as string;
                    break;
                case "TreatAsString" when named.Value.Value is bool b:
                    treatAsString = b;
                    break;
            }
        }
        return new QueryOptions(collection, format, delimiter, prefix, treatAsString);
    }

    private const int MaxObjectDepth = 3;

    /// <summary>
    /// The query (or form) shape of a value of <paramref name="type"/> under <paramref name="key"/>, or null with a
    /// reason when it cannot be written.
    /// </summary>
    private static QueryNode? BuildQueryNode(ITypeSymbol type, string key, string member, QueryOptions options, int depth, bool allowValue, out string? problem)
    {
        problem = null;
        bool mayBeNull = !type.IsValueType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
        ValueFormat? format = ReadFormat(type, options.Format);
        if (format is null && options.TreatAsString && type.TypeKind != TypeKind.Error)
        {
            // [Query(TreatAsString = true)]: the object's text, as Refit sends it.
            format = new ValueFormat(FormatKind.Object, null, true, options.Format);
        }
        if (format is not null)
        {
            if (!allowValue)
            {
                problem = "a single value is not a set of fields; pass an object or a dictionary";
                return null;
            }
            return new QueryNode(QueryShape.Value, key, member, format, options.Collection, null, format.MayBeNull, default);
        }
        if (IsDictionary(type, out ITypeSymbol? keyType, out ITypeSymbol? valueType))
        {
            ValueFormat? valueFormat = ReadFormat(valueType!, options.Format);
            if (valueFormat is null)
            {
                problem = $"its values of type '{valueType!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                return null;
            }
            // Keys of any formattable type (an enum by its member names, a number invariantly), as in Refit.
            ValueFormat? keyFormat = null;
            if (keyType!.SpecialType != SpecialType.System_String)
            {
                keyFormat = ReadFormat(keyType);
                if (keyFormat is null)
                {
                    problem = $"its keys of type '{keyType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                    return null;
                }
            }
            return new QueryNode(QueryShape.Dictionary, key.Length == 0 ? key : key + options.Delimiter, member, valueFormat, options.Collection, TypeName(valueType!), mayBeNull, default)
            {
                KeyFormat = keyFormat,
                KeyType = keyFormat is null ? null : TypeName(keyType),
            };
        }
        if (IsCollection(type, out ITypeSymbol? itemType))
        {
            ValueFormat? itemFormat = ReadFormat(itemType!, options.Format);
            if (itemFormat is null)
            {
                problem = $"its items of type '{itemType!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                return null;
            }
            return new QueryNode(QueryShape.Collection, key, member, itemFormat, options.Collection, TypeName(itemType!), mayBeNull, default);
        }
        if (!IsFlattenable(type))
        {
            problem = null;
            return null;
        }
        if (depth >= MaxObjectDepth)
        {
            problem = $"objects nest deeper than {MaxObjectDepth} levels";
            return null;
        }
        var children = new List<QueryNode>();
        foreach (IPropertySymbol property in ReadableProperties(type))
        {
            AttributeData? propertyQuery = property.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.QueryAttribute);
            QueryOptions childOptions = propertyQuery is null ? options with { Format = null, Collection = CollectionFormatKind.Multi } : ReadQueryOptions(propertyQuery, out _) with { Delimiter = options.Delimiter };
            string childKey = key.Length == 0 ? QueryKey(property) : key + options.Delimiter + QueryKey(property);
            QueryNode? child = BuildQueryNode(property.Type, childKey, Identifier(property.Name), childOptions, depth + 1, allowValue: true, out string? childProblem);
            if (child is null)
            {
                problem = $"its property '{property.Name}' of type '{property.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text" + (childProblem is null ? string.Empty : ": " + childProblem);
                return null;
            }
            children.Add(child);
        }
        if (children.Count == 0)
        {
            problem = "it has no public readable properties";
            return null;
        }
        return new QueryNode(QueryShape.Object, key, member, null, options.Collection, null, mayBeNull, EquatableArray.From(children));
    }

    /// <summary>Whether a type may be flattened into its properties: a class, struct or record of the user's, not a framework type.</summary>
    private static bool IsFlattenable(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.SpecialType != SpecialType.None || type.IsRefLikeType)
        {
            return false;
        }
        string ns = Names.Of(type.ContainingNamespace) ?? string.Empty;
        return !(ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal) || type.ContainingAssembly?.Name == "TypedHttp");
    }

    /// <summary>
    /// The public readable instance properties of a type and its base types, base types' first, each name once
    /// (the most derived declaration of it).
    /// </summary>
    private static IEnumerable<IPropertySymbol> ReadableProperties(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        var chain = new List<ITypeSymbol>();
        for (ITypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
        {
            chain.Insert(0, t);
        }
        var order = new List<string>();
        var byName = new Dictionary<string, IPropertySymbol>(StringComparer.Ordinal);
        foreach (ITypeSymbol t in chain)
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } property
                    && !property.Name.Contains(".")
                    && property.Name != "EqualityContract")
                {
                    if (!byName.ContainsKey(property.Name))
                    {
                        order.Add(property.Name);
                    }
                    byName[property.Name] = property;
                }
            }
        }
        foreach (string name in order)
        {
            yield return byName[name];
        }
    }

    private static string PropertyWireName(IPropertySymbol property)
    {
        AttributeData? alias = property.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.AliasAsAttribute);
        return alias is { ConstructorArguments.Length: 1 } && alias.ConstructorArguments[0].Value is string name ? name : property.Name;
    }

    /// <summary>
    /// The key of a flattened property in a query string or form: its <c>[AliasAs]</c> name, else its
    /// <c>[JsonPropertyName]</c> name (so a model shared with JSON bodies keeps its wire names), else its name.
    /// </summary>
    private static string QueryKey(IPropertySymbol property)
    {
        string? alias = null;
        string? json = null;
        foreach (AttributeData attribute in property.GetAttributes())
        {
            string? value = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            switch (Names.Of(attribute.AttributeClass))
            {
                case KnownNames.AliasAsAttribute:
                    alias ??= value;
                    break;
                case KnownNames.JsonPropertyNameAttribute:
                    json ??= value;
                    break;
            }
        }
        return alias ?? json ?? property.Name;
    }

    /// <summary>Whether the type is a dictionary (an <c>IEnumerable</c> of <c>KeyValuePair</c>), with its key and value types.</summary>
    private static bool IsDictionary(ITypeSymbol type, out ITypeSymbol? keyType, out ITypeSymbol? valueType)
    {
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! == KnownNames.IEnumerableOfT
                && candidate.TypeArguments[0] is INamedTypeSymbol { Name: "KeyValuePair" } pair
                && Names.Of(pair.ContainingNamespace) == "System.Collections.Generic")
            {
                keyType = pair.TypeArguments[0];
                valueType = pair.TypeArguments[1];
                return true;
            }
        }
        keyType = null;
        valueType = null;
        return false;
    }

    private static bool IsStringDictionary(ITypeSymbol type) =>
        IsDictionary(type, out ITypeSymbol? keyType, out ITypeSymbol? valueType)
        && keyType!.SpecialType == SpecialType.System_String && valueType!.SpecialType == SpecialType.System_String;

    private static bool IsCollection(ITypeSymbol type, out ITypeSymbol? itemType)
    {
        itemType = null;
        if (type.SpecialType == SpecialType.System_String)
        {
            return false;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            itemType = array.ElementType;
            return true;
        }
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! == KnownNames.IEnumerableOfT)
            {
                itemType = candidate.TypeArguments[0];
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<INamedTypeSymbol> SelfAndInterfaces(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol named)
        {
            yield return named;
        }
        foreach (INamedTypeSymbol i in type.AllInterfaces)
        {
            yield return i;
        }
    }

    private static bool IsByteArray(ITypeSymbol type) => type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte };

    private static bool IsStream(ITypeSymbol type) => InheritsFrom(type, KnownNames.Stream);

    private static bool InheritsFrom(ITypeSymbol type, string baseName)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (Names.Of(t)! == baseName)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>RFC 2046: 1 to 70 characters of bchars, not ending in a space.</summary>
    private static bool IsValidBoundary(string boundary)
    {
        if (boundary.Length is 0 or > 70 || boundary[boundary.Length - 1] == ' ')
        {
            return false;
        }
        foreach (char c in boundary)
        {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "'()+_,-./:=? ".IndexOf(c) >= 0;
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A type's name as a [JsonSerializable(typeof(…))] declares it: fully qualified, no nullable reference annotations.</summary>
    internal static string JsonTypeName(ITypeSymbol type) =>
        type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(PlainTypeFormat);

    // ---------------------------------------------------------------- types

    /// <summary>How a method returns and what it reads.</summary>
    private sealed record ReturnShape(ResponseKind Kind, bool IsValueTask, string? ResultType, ITypeSymbol? JsonType);

    private static ReturnShape? ReadReturnType(ITypeSymbol returnType)
    {
        if (returnType is not INamedTypeSymbol named)
        {
            return null;
        }
        string definition = Names.Of(named.OriginalDefinition)!;
        bool valueTask;
        switch (definition)
        {
            case KnownNames.Task:
                return new ReturnShape(ResponseKind.None, false, null, null);
            case KnownNames.ValueTask:
                return new ReturnShape(ResponseKind.None, true, null, null);
            case KnownNames.IAsyncEnumerableOfT:
                ITypeSymbol item = named.TypeArguments[0];
                return IsJsonType(item) ? new ReturnShape(ResponseKind.AsyncEnumerable, false, TypeName(item), item) : null;
            case KnownNames.TaskOfT:
                valueTask = false;
                break;
            case KnownNames.ValueTaskOfT:
                valueTask = true;
                break;
            default:
                return null;
        }

        ITypeSymbol result = named.TypeArguments[0];
        string resultType = TypeName(result);
        if (result.SpecialType == SpecialType.System_String)
        {
            return new ReturnShape(ResponseKind.String, valueTask, resultType, null);
        }
        if (IsByteArray(result))
        {
            return new ReturnShape(ResponseKind.Bytes, valueTask, null, null);
        }
        string resultDefinition = Names.Of(result.OriginalDefinition)!;
        if (resultDefinition == KnownNames.Stream)
        {
            return new ReturnShape(ResponseKind.Stream, valueTask, null, null);
        }
        if (resultDefinition == KnownNames.TypedHttpResponse)
        {
            return new ReturnShape(ResponseKind.Response, valueTask, null, null);
        }
        if (resultDefinition == KnownNames.IApiResponse)
        {
            return new ReturnShape(ResponseKind.IApiResponse, valueTask, null, null);
        }
        if (result is INamedTypeSymbol resultNamed && resultDefinition is KnownNames.ApiResponse or KnownNames.IApiResponseOfT)
        {
            bool isInterface = resultDefinition == KnownNames.IApiResponseOfT;
            ITypeSymbol content = resultNamed.TypeArguments[0];
            string contentType = TypeName(content);
            if (content.SpecialType == SpecialType.System_String)
            {
                return new ReturnShape(isInterface ? ResponseKind.IApiResponseString : ResponseKind.ApiResponseString, valueTask, contentType, null);
            }
            if (Names.Of(content.OriginalDefinition) == KnownNames.Stream)
            {
                return new ReturnShape(isInterface ? ResponseKind.IApiResponseStream : ResponseKind.ApiResponseStream, valueTask, null, null);
            }
            return IsJsonType(content) ? new ReturnShape(isInterface ? ResponseKind.IApiResponseJson : ResponseKind.ApiResponseJson, valueTask, contentType, content) : null;
        }
        return IsJsonType(result) ? new ReturnShape(ResponseKind.Json, valueTask, resultType, result) : null;
    }

    /// <summary>
    /// <c>HttpResponseMessage</c> or <c>HttpContent</c> (or a type derived from one) when <paramref name="type"/> is
    /// one, or a <c>Task</c>, <c>ValueTask</c> or <c>ApiResponse</c> of one; else null.
    /// </summary>
    private static string? HttpClientType(ITypeSymbol type)
    {
        for (int depth = 0; depth < 3; depth++)
        {
            if (InheritsFrom(type, KnownNames.HttpResponseMessage))
            {
                return "HttpResponseMessage";
            }
            if (InheritsFrom(type, KnownNames.HttpContent))
            {
                return "HttpContent";
            }
            if (type is not INamedTypeSymbol { TypeArguments.Length: 1 } named)
            {
                return null;
            }
            type = named.TypeArguments[0];
        }
        return null;
    }

    /// <summary>Whether a type can go through System.Text.Json type information (as a body or a result).</summary>
    private static bool IsJsonType(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return t_openGeneric;
        }
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Error or TypeKind.Delegate or TypeKind.Dynamic)
        {
            return false;
        }
        if (type.IsRefLikeType || type.SpecialType == SpecialType.System_Void)
        {
            return false;
        }
        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return false;
        }
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            string name = Names.Of(t.OriginalDefinition)!;
            if (name is KnownNames.Stream or KnownNames.Task or KnownNames.TaskOfT or KnownNames.ValueTask or KnownNames.ValueTaskOfT or KnownNames.ApiResponse
                || t.ContainingAssembly?.Name == "TypedHttp")
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether the type is <c>System.IFormattable</c>, checked without formatting names (this runs per parameter on every keystroke).</summary>
    private static bool IsSystemIFormattable(ITypeSymbol type) =>
        type.Name == "IFormattable"
        && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>The built-in numeric types, all of which are formattable.</summary>
    private static bool IsNumericSpecialType(SpecialType type) => type is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

    private static ValueFormat? ReadFormat(ITypeSymbol type, string? formatString = null)
    {
        if (type.TypeKind == TypeKind.TypeParameter && t_openGeneric)
        {
            // What the type argument makes of it is decided when each construction is parsed.
            return new ValueFormat(FormatKind.Object, null, true, formatString);
        }
        bool nullableValue = false;
        ITypeSymbol underlying = type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            underlying = nullable.TypeArguments[0];
            nullableValue = true;
        }

        switch (underlying.SpecialType)
        {
            case SpecialType.System_String:
                return new ValueFormat(FormatKind.Direct, null, true);
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
                return new ValueFormat(FormatKind.Direct, null, nullableValue);
            case SpecialType.System_DateTime when formatString is null:
                return new ValueFormat(FormatKind.Direct, null, nullableValue);
        }
        string display = Names.Of(underlying)!;
        if (display == KnownNames.Uri)
        {
            // Not IFormattable: sent as Uri.ToString().
            return new ValueFormat(FormatKind.Object, null, true);
        }
        if (display == KnownNames.DateTimeOffset && formatString is null)
        {
            return new ValueFormat(FormatKind.Direct, null, nullableValue);
        }
        if (underlying.TypeKind == TypeKind.Enum && formatString is null)
        {
            return new ValueFormat(FormatKind.Enum, underlying.ToDisplayString(PlainTypeFormat), nullableValue, null, ReadEnumMembers(underlying));
        }
        bool formattable = IsNumericSpecialType(underlying.SpecialType) || IsSystemIFormattable(underlying) || underlying.AllInterfaces.Any(IsSystemIFormattable);
        if (!formattable || underlying.TypeKind == TypeKind.TypeParameter)
        {
            return null;
        }
        return underlying.IsValueType
            ? new ValueFormat(FormatKind.Value, underlying.ToDisplayString(PlainTypeFormat), nullableValue, formatString)
            : new ValueFormat(FormatKind.Object, null, true, formatString);
    }

    /// <summary>
    /// An enum's members, one per value (the first declared), each with the text it is sent as: its
    /// [JsonStringEnumMemberName] or [EnumMember(Value)] alias, else its name. The emitter turns them into a switch.
    /// </summary>
    private static EquatableArray<EnumMemberSpec> ReadEnumMembers(ITypeSymbol enumType)
    {
        var members = new List<EnumMemberSpec>();
        var seen = new HashSet<object>();
        foreach (ISymbol member in enumType.GetMembers())
        {
            if (member is not IFieldSymbol { HasConstantValue: true, ConstantValue: { } value } field || !seen.Add(value))
            {
                continue;
            }
            string wire = field.Name;
            foreach (AttributeData attribute in field.GetAttributes())
            {
                string? attributeName = Names.Of(attribute.AttributeClass);
                if (attributeName == KnownNames.JsonStringEnumMemberNameAttribute && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string jsonName)
                {
                    wire = jsonName;
                    break;
                }
                if (attributeName == KnownNames.EnumMemberAttribute)
                {
                    foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                    {
                        if (named.Key == "Value" && named.Value.Value is string enumMemberValue)
                        {
                            wire = enumMemberValue;
                        }
                    }
                }
            }
            members.Add(new EnumMemberSpec(Identifier(field.Name), wire));
        }
        return EquatableArray.From(members);
    }

    // ---------------------------------------------------------------- attributes

    private static bool IsKnownMethodAttribute(INamedTypeSymbol? attributeClass) =>
        attributeClass is not null && KnownNames.KnownMethod(Names.Of(attributeClass)!) is not null;

    private static bool IsHttpMethodAttribute(INamedTypeSymbol? attributeClass)
    {
        for (INamedTypeSymbol? t = attributeClass; t is not null; t = t.BaseType)
        {
            if (Names.Of(t)! == KnownNames.HttpMethodAttribute)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads the request method and route of an HTTP method attribute. For a custom subclass, the constructor chain
    /// is followed through source: each constructor must pass constants or its own parameters to the base
    /// constructor, down to <c>HttpMethodAttribute(method, path)</c>.
    /// </summary>
    private static bool TryReadHttpAttribute(AttributeData attribute, Compilation compilation, CancellationToken cancellationToken, out string? method, out string? path, out string? error)
    {
        method = null;
        path = null;
        error = null;
        string? known = attribute.AttributeClass is null ? null : KnownNames.KnownMethod(Names.Of(attribute.AttributeClass)!);
        if (known is not null)
        {
            method = known;
            path = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            return true;
        }
        if (attribute.AttributeConstructor is null)
        {
            error = "its constructor could not be bound";
            return false;
        }
        object?[] arguments = attribute.ConstructorArguments.Select(a => a.Kind == TypedConstantKind.Array ? null : a.Value).ToArray();
        IMethodSymbol constructor = attribute.AttributeConstructor;
        for (int depth = 0; depth < 8; depth++)
        {
            SyntaxReference? reference = constructor.DeclaringSyntaxReferences.FirstOrDefault();
            if (reference is null)
            {
                error = $"the constructor of '{Names.Of(constructor.ContainingType)!}' is compiled into another assembly; declare the attribute in this project, or use [Get], [Post] and the other built-in attributes";
                return false;
            }
            if (reference.GetSyntax(cancellationToken) is not ConstructorDeclarationSyntax { Initializer: { } initializer })
            {
                error = $"the constructor of '{Names.Of(constructor.ContainingType)!}' does not call a base constructor";
                return false;
            }
            SemanticModel model = compilation.GetSemanticModel(initializer.SyntaxTree);
            if (model.GetOperation(initializer, cancellationToken) is not IInvocationOperation invocation)
            {
                error = $"the base constructor call of '{Names.Of(constructor.ContainingType)!}' could not be bound";
                return false;
            }
            var next = new object?[invocation.TargetMethod.Parameters.Length];
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter is null || !TryEvaluate(argument.Value, arguments, out object? value))
                {
                    error = $"'{Names.Of(constructor.ContainingType)!}' passes its base constructor a value that is neither a constant nor one of its own parameters";
                    return false;
                }
                next[argument.Parameter.Ordinal] = value;
            }
            IMethodSymbol target = invocation.TargetMethod;
            if (Names.Of(target.ContainingType)! == KnownNames.HttpMethodAttribute)
            {
                for (int i = 0; i < target.Parameters.Length; i++)
                {
                    if (target.Parameters[i].Name == "method")
                    {
                        method = next[i] as string;
                    }
                    else if (target.Parameters[i].Name == "path")
                    {
                        path = next[i] as string;
                    }
                }
                if (method is null || !RouteTemplateParser.IsToken(method))
                {
                    error = $"the method \"{method}\" is not a valid HTTP method (a token such as PURGE)";
                    return false;
                }
                return true;
            }
            constructor = target;
            arguments = next;
        }
        error = "its constructor chain is too deep";
        return false;
    }

    private static bool TryEvaluate(IOperation operation, object?[] arguments, out object? value)
    {
        switch (operation)
        {
            case { ConstantValue.HasValue: true }:
                value = operation.ConstantValue.Value;
                return true;
            case IParameterReferenceOperation reference when reference.Parameter.Ordinal < arguments.Length:
                value = arguments[reference.Parameter.Ordinal];
                return true;
            case IConversionOperation conversion:
                return TryEvaluate(conversion.Operand, arguments, out value);
            default:
                value = null;
                return false;
        }
    }

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
                if (entry is null || colon == 0 || !RouteTemplateParser.IsToken(name))
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

    /// <summary>Reads <c>[BasePath("/v2")]</c>: the path escaped like a route literal, or null.</summary>
    private static string? ReadBasePath(INamedTypeSymbol type, string ownerName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        // [PathPrefix] is Refit's name for the same thing.
        AttributeData? attribute = type.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) is KnownNames.BasePathAttribute or KnownNames.PathPrefixAttribute);
        if (attribute is null)
        {
            return null;
        }
        string? path = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? problem = path switch
        {
            null => "it is null",
            _ when RouteTemplateParser.HasLineBreak(path) => "it contains a CR, LF or NUL character",
            _ when path.Length == 0 || path[0] != '/' => "it must start with '/'",
            _ when path.IndexOfAny(new[] { '{', '}' }) >= 0 => "it has a hole; holes belong in the methods' routes",
            _ when path.IndexOfAny(new[] { '?', '#', '\\' }) >= 0 => "it contains '?', '#' or a backslash; a base path is path segments only",
            _ => null,
        };
        if (problem is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidBasePath, AttributeArgumentLocation(attribute, 0, cancellationToken) ?? AttributeLocation(attribute, cancellationToken), Args(Printable(path ?? "null"), ownerName, problem)));
            return null;
        }
        return RouteTemplateParser.EscapeLiteral(path!.TrimEnd('/'));
    }

    /// <summary>The <c>[Timeout]</c> and <c>[RedirectPolicy]</c> declared on one interface or method.</summary>
    /// <param name="TimeoutMilliseconds">The timeout, or 0 when none is declared.</param>
    /// <param name="RedirectPolicy">The policy's member name, or null when none is declared.</param>
    private readonly record struct DeclaredPolicies(int TimeoutMilliseconds, string? RedirectPolicy)
    {
        /// <summary>These policies where declared, <paramref name="outer"/>'s elsewhere.</summary>
        public DeclaredPolicies Over(DeclaredPolicies outer) =>
            new(TimeoutMilliseconds > 0 ? TimeoutMilliseconds : outer.TimeoutMilliseconds, RedirectPolicy ?? outer.RedirectPolicy);
    }

    /// <summary>Reads <c>[Timeout(ms)]</c> (THTTP031 unless positive) and <c>[RedirectPolicy(…)]</c> (THTTP032 unless a member) from a symbol.</summary>
    private static DeclaredPolicies ReadPolicies(ISymbol symbol, string ownerName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        int timeout = 0;
        string? redirect = null;
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = Names.Of(attribute.AttributeClass);
            if (name is not (KnownNames.TimeoutAttribute or KnownNames.RedirectPolicyAttribute)
                || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error)
            {
                continue;
            }
            TypedConstant argument = attribute.ConstructorArguments[0];
            LocationInfo? location = AttributeArgumentLocation(attribute, 0, cancellationToken) ?? AttributeLocation(attribute, cancellationToken);
            if (name == KnownNames.TimeoutAttribute)
            {
                int value = argument.Value is int milliseconds ? milliseconds : 0;
                if (value <= 0)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidTimeout, location, Args(value.ToString(System.Globalization.CultureInfo.InvariantCulture), ownerName)));
                    continue;
                }
                timeout = value;
            }
            else
            {
                // The member's name from the enum itself, so the generated code names what the runtime declares.
                IFieldSymbol? member = argument.Type?.GetMembers().OfType<IFieldSymbol>()
                    .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, argument.Value));
                if (member is null)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidRedirectPolicy, location, Args(Convert.ToString(argument.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "null", ownerName)));
                    continue;
                }
                redirect = member.Name;
            }
        }
        return new DeclaredPolicies(timeout, redirect);
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

    // ---------------------------------------------------------------- helpers

    private static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

    private static LocationInfo? AttributeArgumentLocation(AttributeData attribute, int index, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } list } && index < list.Arguments.Count)
        {
            return LocationInfo.From(list.Arguments[index]);
        }
        return null;
    }

    private static string MemberName(ISymbol member) => member.ContainingType is null ? member.Name : member.ContainingType.Name + "." + member.Name;

    private static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) == SyntaxKind.AwaitKeyword ? "@" + name : name;

    private static string Printable(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");

    private static EquatableArray<string> Args(params string[] args) => new(args);
}
