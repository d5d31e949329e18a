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

/// <summary>The interface walk: an interface, its base interfaces and their members, into one client.</summary>
internal static partial class Parser
{
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
        int wasNaming = t_keyNaming;
        t_openGeneric = type.IsGenericType && SymbolEqualityComparer.Default.Equals(type, type.OriginalDefinition);
        t_keyNaming = ReadKeyNaming(type) ?? ReadKeyNaming(compilation.Assembly) ?? 0;
        try
        {
            return ParseInterfaceCore(type, compilation, cancellationToken);
        }
        finally
        {
            t_openGeneric = wasOpen;
            t_keyNaming = wasNaming;
            t_typeNames?.Clear();
        }
    }

    private static ParseResult ParseInterfaceCore(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool hasErrors = false;
        var typeLocation = LocationInfo.From(type.Locations.FirstOrDefault());
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
        Formatters formatters = ReadFormatters(type, compilation, diagnostics, out bool invalidFormatter, cancellationToken);
        hasErrors |= invalidFormatter;

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
            EquatableArray.From(forwards),
            formatters.Url,
            formatters.Form);
        return new ParseResult(client, EquatableArray.From(diagnostics), EquatableArray.From(jsonUses));
    }

    /// <summary>
    /// The method of an interface derived from <paramref name="declaring"/> (within <paramref name="type"/>) that hides
    /// <paramref name="method"/>, which has no HTTP method attribute, with one of the same signature that has; or null.
    /// </summary>
    private static IMethodSymbol? HidingMethod(IMethodSymbol method, INamedTypeSymbol declaring, INamedTypeSymbol type)
    {
        if (method.GetAttributes().Any(a => IsRequestAttribute(a.AttributeClass)))
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
                    && hiding.GetAttributes().Any(a => IsRequestAttribute(a.AttributeClass)))
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
                if (member is IMethodSymbol && member.GetAttributes().Any(a => IsRequestAttribute(a.AttributeClass)))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
