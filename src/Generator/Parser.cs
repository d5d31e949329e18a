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
internal sealed record ParseResult(ClientSpec? Client, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Turns symbols into the model. The only code of the generator that touches <see cref="ISymbol"/> and
/// <see cref="SyntaxNode"/>; everything it returns is plain, equatable data.
/// </summary>
internal static class Parser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat PlainTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

    // ---------------------------------------------------------------- entry points

    /// <summary>
    /// Called for each method carrying one of the runtime's HTTP method attributes. The interface is parsed once,
    /// from its first such method (the anchor); the others return null.
    /// </summary>
    public static ParseResult? ParseFromMethod(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.IsEmpty)
        {
            return null;
        }
        // A method with two HTTP attributes is seen by two pipelines: only the first attribute's goes on.
        AttributeData? firstKnown = method.GetAttributes().FirstOrDefault(a => IsKnownMethodAttribute(a.AttributeClass));
        if (firstKnown is null || !SymbolEqualityComparer.Default.Equals(firstKnown.AttributeClass, context.Attributes[0].AttributeClass))
        {
            return null;
        }

        INamedTypeSymbol? type = method.ContainingType;
        if (type is null || type.TypeKind != TypeKind.Interface)
        {
            var diagnostic = new DiagnosticInfo(
                Diagnostics.HttpAttributeOutsideInterface,
                LocationInfo.From(method.Locations.FirstOrDefault()),
                Args(MemberName(method)));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
        }

        ISymbol? anchor = type.GetMembers().FirstOrDefault(m => m is IMethodSymbol && m.GetAttributes().Any(a => IsKnownMethodAttribute(a.AttributeClass)));
        if (!SymbolEqualityComparer.Default.Equals(anchor, method))
        {
            return null;
        }
        return ParseInterface(type, context.SemanticModel.Compilation, cancellationToken);
    }

    /// <summary>A cheap syntactic filter for interfaces that may need a client without carrying a runtime HTTP attribute themselves.</summary>
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

    /// <summary>
    /// Called for interface declarations that pass <see cref="IsInterfaceCandidate(SyntaxNode, CancellationToken)"/>. Parses the
    /// interfaces the attribute pipeline does not see: those whose methods use custom HTTP method attributes only,
    /// and those that inherit all their methods.
    /// </summary>
    public static ParseResult? ParseFromInterface(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (InterfaceDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type)
        {
            return null;
        }
        // A partial interface is parsed from its first candidate declaration only.
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is InterfaceDeclarationSyntax candidate && IsInterfaceCandidate(candidate))
            {
                if (candidate != declaration)
                {
                    return null;
                }
                break;
            }
        }
        // Interfaces with a method carrying a runtime HTTP attribute belong to the attribute pipeline.
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IMethodSymbol && member.GetAttributes().Any(a => IsKnownMethodAttribute(a.AttributeClass)))
            {
                return null;
            }
        }
        if (!IsClientInterface(type))
        {
            return null;
        }
        return ParseInterface(type, context.SemanticModel.Compilation, cancellationToken);
    }

    // ---------------------------------------------------------------- interface

    private static ParseResult ParseInterface(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool hasErrors = false;
        LocationInfo? typeLocation = LocationInfo.From(type.Locations.FirstOrDefault());
        string fullName = type.ToDisplayString();

        string? interfaceProblem = InterfaceProblem(type);
        if (interfaceProblem is not null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedInterface, typeLocation, Args(fullName, interfaceProblem)));
            return new ParseResult(null, EquatableArray.From(diagnostics));
        }

        List<HeaderSpec> clientHeaders = ReadHeadersAttribute(type, fullName, diagnostics, cancellationToken);

        var methods = new List<MethodSpec>();
        foreach (INamedTypeSymbol declaring in new[] { type }.Concat(type.AllInterfaces))
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool own = SymbolEqualityComparer.Default.Equals(declaring, type);
            // Diagnostics on a base interface that has a client of its own are reported by that client's parse.
            bool reportedElsewhere = !own && declaring.Locations.Any(l => l.IsInSource) && IsClientInterface(declaring);
            var local = new List<DiagnosticInfo>();
            List<HeaderSpec> declaringHeaders = own
                ? clientHeaders
                : Merge(clientHeaders, ReadHeadersAttribute(declaring, declaring.ToDisplayString(), local, cancellationToken));

            foreach (ISymbol member in declaring.GetMembers())
            {
                if (!member.IsAbstract)
                {
                    continue;
                }
                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method when !method.IsStatic:
                        MethodSpec? spec = ParseMethod(method, declaring, declaringHeaders, compilation, local, cancellationToken);
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

            if (local.Count > 0)
            {
                hasErrors |= local.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
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
        if (hasErrors)
        {
            return new ParseResult(null, EquatableArray.From(diagnostics));
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        var nesting = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            nesting.Insert(0, t.Name);
        }
        string hintName = (ns.Length > 0 ? ns + "." : string.Empty) + string.Join("+", nesting) + ".g.cs";

        var client = new ClientSpec(
            hintName,
            ns,
            ClassName(type.Name),
            type.ToDisplayString(PlainTypeFormat),
            fullName,
            EquatableArray.From(methods));
        return new ParseResult(client, EquatableArray.From(diagnostics));
    }

    private static string? InterfaceProblem(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                return SymbolEqualityComparer.Default.Equals(t, type)
                    ? "it is generic; declare a non-generic interface (one per type argument) that inherits it"
                    : $"it is nested in the generic type '{t.ToDisplayString()}'; move it out";
            }
            if (t.IsFileLocal)
            {
                return "it is file-local; make it internal or public";
            }
            if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return SymbolEqualityComparer.Default.Equals(t, type)
                    ? "it is not accessible to other types of the assembly; make it internal or public"
                    : $"its containing type '{t.ToDisplayString()}' is not accessible to other types of the assembly; make it internal or public";
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
        List<HeaderSpec> interfaceHeaders,
        Compilation compilation,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        string memberName = MemberName(method);
        LocationInfo? methodLocation = LocationInfo.From(method.Locations.FirstOrDefault());
        int errorsBefore = diagnostics.Count;

        AttributeData[] httpAttributes = method.GetAttributes().Where(a => IsHttpMethodAttribute(a.AttributeClass)).ToArray();
        if (httpAttributes.Length == 0)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.MethodWithoutHttpAttribute, methodLocation, Args(memberName, declaring.ToDisplayString())));
            return null;
        }
        if (httpAttributes.Length > 1)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleHttpAttributes, AttributeLocation(httpAttributes[1], cancellationToken) ?? methodLocation, Args(memberName)));
        }
        if (method.IsGenericMethod)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.GenericMethod, methodLocation, Args(memberName)));
            return null;
        }

        AttributeData httpAttribute = httpAttributes[0];
        LocationInfo? attributeLocation = AttributeLocation(httpAttribute, cancellationToken) ?? methodLocation;
        LocationInfo? routeLocation = AttributeArgumentLocation(httpAttribute, 0, cancellationToken) ?? attributeLocation;
        if (!TryReadHttpAttribute(httpAttribute, compilation, cancellationToken, out string? httpMethod, out string? path, out string? readError))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnreadableCustomHttpMethod, attributeLocation, Args(httpAttribute.AttributeClass?.Name ?? "?", memberName, readError ?? "unknown")));
            return null;
        }

        // Return type.
        (ReturnKind Kind, string? ResultType)? returnShape = ReadReturnType(method.ReturnType);
        if (returnShape is null)
        {
            LocationInfo? returnLocation = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax syntax
                ? LocationInfo.From(syntax.ReturnType)
                : methodLocation;
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedReturnType, returnLocation, Args(memberName, method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat))));
        }

        // Route.
        List<RoutePart>? routeParts = null;
        if (path is null)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.MalformedRoute, routeLocation, Args(string.Empty, memberName, "the route is null")));
        }
        else if (RouteTemplateParser.HasLineBreak(path))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.LineBreakInConstant, routeLocation, Args("route", memberName)));
        }
        else if (path.Length > 0 && path[0] != '/')
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.RouteMustStartWithSlash, routeLocation, Args(path, memberName)));
        }
        else
        {
            routeParts = RouteTemplateParser.Split(path, out string? routeError);
            if (routeParts is null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MalformedRoute, routeLocation, Args(path, memberName, routeError ?? "unknown")));
            }
        }

        // Headers: the interface's, then the method's (winning for the same name).
        List<HeaderSpec> headers = Merge(interfaceHeaders, ReadHeadersAttribute(method, memberName, diagnostics, cancellationToken));

        // Parameters.
        var parameters = new List<ParameterSpec>();
        var holeOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var claimedHoles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var holes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (routeParts is not null)
        {
            foreach (RoutePart part in routeParts)
            {
                if (part.IsHole)
                {
                    holes.Add(part.Text);
                }
            }
        }
        var parameterFormats = new Dictionary<string, ValueFormat?>(StringComparer.OrdinalIgnoreCase);
        string? cancellationTokenName = null;
        string? bodyName = null;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            ParameterSpec? spec = ParseParameter(parameter, memberName, holes, holeOwners, claimedHoles, ref cancellationTokenName, ref bodyName, diagnostics);
            if (spec is not null)
            {
                parameters.Add(spec);
                if (spec.Role == ParameterRole.Route)
                {
                    parameterFormats[spec.Name] = spec.Format;
                }
            }
        }

        // Route segments, each hole bound to its parameter.
        var segments = new List<RouteSegment>();
        if (routeParts is not null)
        {
            foreach (RoutePart part in routeParts)
            {
                if (!part.IsHole)
                {
                    segments.Add(new RouteSegment(RouteTemplateParser.EscapeLiteral(part.Text), null, null, false, null));
                }
                else if (holeOwners.TryGetValue(part.Text, out string? owner))
                {
                    segments.Add(new RouteSegment(null, owner, part.Text, part.CatchAll, parameterFormats.TryGetValue(owner, out ValueFormat? f) ? f : null));
                }
                else if (!claimedHoles.Contains(part.Text))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.RouteHoleWithoutParameter, routeLocation, Args(memberName, part.Text)));
                }
            }
        }

        if (diagnostics.Count > errorsBefore || returnShape is null || httpMethod is null)
        {
            return null;
        }

        return new MethodSpec(
            declaring.ToDisplayString(PlainTypeFormat),
            Identifier(method.Name),
            method.ReturnType.ToDisplayString(TypeFormat),
            returnShape.Value.Kind,
            returnShape.Value.ResultType,
            httpMethod,
            EquatableArray.From(segments),
            EquatableArray.From(parameters),
            EquatableArray.From(headers));
    }

    private static ParameterSpec? ParseParameter(
        IParameterSymbol parameter,
        string memberName,
        HashSet<string> holes,
        Dictionary<string, string> holeOwners,
        HashSet<string> claimedHoles,
        ref string? cancellationTokenName,
        ref string? bodyName,
        List<DiagnosticInfo> diagnostics)
    {
        LocationInfo? location = LocationInfo.From(parameter.Locations.FirstOrDefault());
        string name = Identifier(parameter.Name);
        string type = parameter.Type.ToDisplayString(TypeFormat);
        if (parameter.RefKind != RefKind.None)
        {
            string modifier = parameter.RefKind switch
            {
                RefKind.Ref => "ref",
                RefKind.Out => "out",
                RefKind.In => "in",
                _ => "ref readonly",
            };
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ByRefParameter, location, Args(parameter.Name, memberName, modifier)));
            return null;
        }

        if (parameter.Type.ToDisplayString() == KnownNames.CancellationToken)
        {
            if (cancellationTokenName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleCancellationTokens, location, Args(memberName, parameter.Name)));
                return null;
            }
            cancellationTokenName = name;
            return new ParameterSpec(name, type, ParameterRole.CancellationToken, null, null, BodyKind.None);
        }

        bool isBody = false;
        bool isQuery = false;
        string? headerName = null;
        string? alias = null;
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case KnownNames.BodyAttribute:
                    isBody = true;
                    break;
                case KnownNames.QueryAttribute:
                    isQuery = true;
                    break;
                case KnownNames.HeaderAttribute:
                    headerName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
                    break;
                case KnownNames.AliasAsAttribute:
                    alias = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                    break;
            }
        }

        string wireName = alias ?? parameter.Name;
        bool fillsHole = holes.Contains(wireName);
        if (fillsHole)
        {
            // A hole whose parameter has an error of its own is not reported again as a hole without a parameter.
            claimedHoles.Add(wireName);
        }
        var bindings = new List<string>(2);
        if (fillsHole)
        {
            bindings.Add($"the route hole '{{{wireName}}}'");
        }
        if (isBody)
        {
            bindings.Add("[Body]");
        }
        if (headerName is not null)
        {
            bindings.Add($"[Header(\"{headerName}\")]");
        }
        if (isQuery)
        {
            bindings.Add("[Query]");
        }
        if (bindings.Count > 1)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, location, Args(parameter.Name, memberName, bindings[0], bindings[1])));
            return null;
        }

        if (isBody)
        {
            if (bodyName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleBodies, location, Args(memberName, parameter.Name)));
                return null;
            }
            bodyName = name;
            BodyKind kind = parameter.Type.SpecialType == SpecialType.System_String
                ? BodyKind.String
                : parameter.Type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }
                    ? BodyKind.Bytes
                    : BodyKind.Json;
            if (kind == BodyKind.Json && !IsJsonType(parameter.Type))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, location, Args(parameter.Name, memberName, parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat))));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.Body, null, null, kind);
        }

        ValueFormat? format = ReadFormat(parameter.Type);
        if (format is null)
        {
            bool isExplicit = fillsHole || isQuery || headerName is not null;
            diagnostics.Add(new DiagnosticInfo(
                isExplicit ? Diagnostics.UnformattableParameter : Diagnostics.UnsupportedBodyParameter,
                location,
                Args(parameter.Name, memberName, parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat))));
            return null;
        }

        if (headerName is not null)
        {
            if (!RouteTemplateParser.IsToken(headerName))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidHeaderParameterName, location, Args(headerName, parameter.Name, memberName)));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.Header, headerName, format, BodyKind.None);
        }

        if (fillsHole)
        {
            if (holeOwners.TryGetValue(wireName, out string? owner))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, location, Args(parameter.Name, memberName, $"the route hole '{{{wireName}}}'", $"the same hole as parameter '{owner}'")));
                return null;
            }
            holeOwners[wireName] = name;
            return new ParameterSpec(name, type, ParameterRole.Route, wireName, format, BodyKind.None);
        }

        return new ParameterSpec(name, type, ParameterRole.Query, wireName, format, BodyKind.None);
    }

    // ---------------------------------------------------------------- types

    private static (ReturnKind Kind, string? ResultType)? ReadReturnType(ITypeSymbol returnType)
    {
        if (returnType is not INamedTypeSymbol named)
        {
            return null;
        }
        string definition = named.OriginalDefinition.ToDisplayString();
        bool valueTask;
        switch (definition)
        {
            case KnownNames.Task:
                return (ReturnKind.Task, null);
            case KnownNames.ValueTask:
                return (ReturnKind.ValueTask, null);
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
        string resultType = result.ToDisplayString(TypeFormat);
        if (result.SpecialType == SpecialType.System_String)
        {
            return (valueTask ? ReturnKind.ValueTaskOfString : ReturnKind.TaskOfString, resultType);
        }
        if (result is INamedTypeSymbol resultNamed && resultNamed.OriginalDefinition.ToDisplayString() == KnownNames.ApiResponse)
        {
            ITypeSymbol content = resultNamed.TypeArguments[0];
            string contentType = content.ToDisplayString(TypeFormat);
            if (content.SpecialType == SpecialType.System_String)
            {
                return (valueTask ? ReturnKind.ValueTaskOfApiResponseString : ReturnKind.TaskOfApiResponseString, contentType);
            }
            return IsJsonType(content) ? (valueTask ? ReturnKind.ValueTaskOfApiResponseJson : ReturnKind.TaskOfApiResponseJson, contentType) : null;
        }
        return IsJsonType(result) ? (valueTask ? ReturnKind.ValueTaskOfJson : ReturnKind.TaskOfJson, resultType) : null;
    }

    /// <summary>Whether a type can go through System.Text.Json type information (as a body or a result).</summary>
    private static bool IsJsonType(ITypeSymbol type)
    {
        if (type.TypeKind is TypeKind.TypeParameter or TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Error or TypeKind.Delegate or TypeKind.Dynamic)
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
            string name = t.OriginalDefinition.ToDisplayString();
            if (name is KnownNames.Stream or KnownNames.Task or KnownNames.TaskOfT or KnownNames.ValueTask or KnownNames.ValueTaskOfT or KnownNames.ApiResponse
                || t.ContainingAssembly?.Name == "TypedHttp")
            {
                return false;
            }
        }
        return true;
    }

    private static ValueFormat? ReadFormat(ITypeSymbol type)
    {
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
            case SpecialType.System_DateTime:
                return new ValueFormat(FormatKind.Direct, null, nullableValue);
        }
        string display = underlying.ToDisplayString();
        if (display == KnownNames.DateTimeOffset)
        {
            return new ValueFormat(FormatKind.Direct, null, nullableValue);
        }
        if (underlying.TypeKind == TypeKind.Enum)
        {
            return new ValueFormat(FormatKind.Enum, underlying.ToDisplayString(PlainTypeFormat), nullableValue);
        }
        bool formattable = display == KnownNames.IFormattable || underlying.AllInterfaces.Any(i => i.ToDisplayString() == KnownNames.IFormattable);
        if (!formattable || underlying.TypeKind == TypeKind.TypeParameter)
        {
            return null;
        }
        return underlying.IsValueType
            ? new ValueFormat(FormatKind.Value, underlying.ToDisplayString(PlainTypeFormat), nullableValue)
            : new ValueFormat(FormatKind.Object, null, true);
    }

    // ---------------------------------------------------------------- attributes

    private static bool IsKnownMethodAttribute(INamedTypeSymbol? attributeClass) =>
        attributeClass is not null && KnownNames.KnownMethod(attributeClass.ToDisplayString()) is not null;

    private static bool IsHttpMethodAttribute(INamedTypeSymbol? attributeClass)
    {
        for (INamedTypeSymbol? t = attributeClass; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == KnownNames.HttpMethodAttribute)
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
        string? known = attribute.AttributeClass is null ? null : KnownNames.KnownMethod(attribute.AttributeClass.ToDisplayString());
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
                error = $"the constructor of '{constructor.ContainingType.ToDisplayString()}' is compiled into another assembly; declare the attribute in this project, or use [Get], [Post] and the other built-in attributes";
                return false;
            }
            if (reference.GetSyntax(cancellationToken) is not ConstructorDeclarationSyntax { Initializer: { } initializer })
            {
                error = $"the constructor of '{constructor.ContainingType.ToDisplayString()}' does not call a base constructor";
                return false;
            }
            SemanticModel model = compilation.GetSemanticModel(initializer.SyntaxTree);
            if (model.GetOperation(initializer, cancellationToken) is not IInvocationOperation invocation)
            {
                error = $"the base constructor call of '{constructor.ContainingType.ToDisplayString()}' could not be bound";
                return false;
            }
            var next = new object?[invocation.TargetMethod.Parameters.Length];
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (argument.Parameter is null || !TryEvaluate(argument.Value, arguments, out object? value))
                {
                    error = $"'{constructor.ContainingType.ToDisplayString()}' passes its base constructor a value that is neither a constant nor one of its own parameters";
                    return false;
                }
                next[argument.Parameter.Ordinal] = value;
            }
            IMethodSymbol target = invocation.TargetMethod;
            if (target.ContainingType.ToDisplayString() == KnownNames.HttpMethodAttribute)
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
            if (attribute.AttributeClass?.ToDisplayString() != KnownNames.HeadersAttribute || attribute.ConstructorArguments.Length != 1)
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
                string name = colon > 0 ? entry!.Substring(0, colon).Trim() : string.Empty;
                if (entry is null || colon <= 0 || !RouteTemplateParser.IsToken(name))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.MalformedHeader, location, Args(Printable(entry ?? "null"), ownerName)));
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

    /// <summary>The headers of <paramref name="outer"/> not named in <paramref name="inner"/>, then <paramref name="inner"/>'s.</summary>
    private static List<HeaderSpec> Merge(List<HeaderSpec> outer, List<HeaderSpec> inner)
    {
        if (inner.Count == 0)
        {
            return outer;
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
