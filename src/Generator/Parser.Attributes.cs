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

/// <summary>Attributes: HTTP method attributes (custom ones read through their constructor chain), [BasePath]/[PathPrefix], [Timeout] and [RedirectPolicy].</summary>
internal static partial class Parser
{
    private static bool IsKnownMethodAttribute(INamedTypeSymbol? attributeClass) =>
        attributeClass is not null && KnownNames.KnownMethod(Names.Of(attributeClass)!) is not null;

    private static bool IsWebSocketAttribute(INamedTypeSymbol? attributeClass) =>
        attributeClass is not null && Names.Of(attributeClass) == KnownNames.WebSocketAttribute;

    /// <summary>Whether the attribute makes a method part of a client: an HTTP method attribute or <c>[WebSocket]</c>.</summary>
    private static bool IsRequestAttribute(INamedTypeSymbol? attributeClass) => IsHttpMethodAttribute(attributeClass) || IsWebSocketAttribute(attributeClass);

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
            object?[] next = new object?[invocation.TargetMethod.Parameters.Length];
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
                if (method is null || !HttpTokens.IsToken(method))
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

    /// <summary>The <c>[Timeout]</c>, <c>[RedirectPolicy]</c> and <c>[HttpVersion]</c> declared on one interface or method.</summary>
    /// <param name="TimeoutMilliseconds">The timeout, or 0 when none is declared.</param>
    /// <param name="RedirectPolicy">The policy's member name, or null when none is declared.</param>
    /// <param name="HttpVersion">The <c>System.Net.HttpVersion</c> field of <c>[HttpVersion]</c> (<c>Version20</c>), or null when none is declared.</param>
    /// <param name="VersionPolicy">The <c>HttpVersionPolicy</c> member that <c>[HttpVersion]</c> names, or null when it names none.</param>
    private readonly record struct DeclaredPolicies(int TimeoutMilliseconds, string? RedirectPolicy, string? HttpVersion = null, string? VersionPolicy = null)
    {
        /// <summary>These policies where declared, <paramref name="outer"/>'s elsewhere (an <c>[HttpVersion]</c> as a whole: version and policy).</summary>
        public DeclaredPolicies Over(DeclaredPolicies outer) =>
            new(
                TimeoutMilliseconds > 0 ? TimeoutMilliseconds : outer.TimeoutMilliseconds,
                RedirectPolicy ?? outer.RedirectPolicy,
                HttpVersion ?? outer.HttpVersion,
                HttpVersion is null ? outer.VersionPolicy : VersionPolicy);
    }

    /// <summary>Reads <c>[Timeout(ms)]</c> (THTTP031 unless positive) and <c>[RedirectPolicy(…)]</c> (THTTP032 unless a member) from a symbol.</summary>
    private static DeclaredPolicies ReadPolicies(ISymbol symbol, string ownerName, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        int timeout = 0;
        string? redirect = null;
        string? version = null;
        string? versionPolicy = null;
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            string? name = Names.Of(attribute.AttributeClass);
            if (name == KnownNames.HttpVersionAttribute)
            {
                ReadHttpVersion(attribute, ownerName, diagnostics, ref version, ref versionPolicy, cancellationToken);
                continue;
            }
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
        return new DeclaredPolicies(timeout, redirect, version, versionPolicy);
    }

    /// <summary>
    /// Reads <c>[HttpVersion("2.0", Policy = …)]</c>: the version must be 1.0, 1.1, 2.0 or 3.0 and the policy a member
    /// of <c>HttpVersionPolicy</c> (THTTP040 otherwise).
    /// </summary>
    private static void ReadHttpVersion(AttributeData attribute, string ownerName, List<DiagnosticInfo> diagnostics, ref string? version, ref string? versionPolicy, CancellationToken cancellationToken)
    {
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error)
        {
            return;
        }
        string? text = attribute.ConstructorArguments[0].Value as string;
        string? field = text switch
        {
            "1.0" => "Version10",
            "1.1" => "Version11",
            "2.0" => "Version20",
            "3.0" => "Version30",
            _ => null,
        };
        if (field is null)
        {
            diagnostics.Add(new DiagnosticInfo(
                Diagnostics.InvalidHttpVersion,
                AttributeArgumentLocation(attribute, 0, cancellationToken) ?? AttributeLocation(attribute, cancellationToken),
                Args(Printable(text ?? "null"), ownerName, "is not an HTTP version; write \"1.0\", \"1.1\", \"2.0\" or \"3.0\"")));
            return;
        }
        string? policy = null;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key != "Policy" || named.Value.Kind == TypedConstantKind.Error)
            {
                continue;
            }
            TypedConstant argument = named.Value;
            IFieldSymbol? member = argument.Type?.GetMembers().OfType<IFieldSymbol>()
                .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, argument.Value));
            if (member is null)
            {
                LocationInfo? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } list }
                    ? LocationInfo.From(list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Policy"))
                    : null;
                diagnostics.Add(new DiagnosticInfo(
                    Diagnostics.InvalidHttpVersion,
                    location ?? AttributeLocation(attribute, cancellationToken),
                    Args(text!, ownerName, "has a Policy that is not a member of HttpVersionPolicy; use RequestVersionOrLower, RequestVersionOrHigher or RequestVersionExact")));
                return;
            }
            policy = member.Name;
        }
        version = field;
        versionPolicy = policy;
    }
}
