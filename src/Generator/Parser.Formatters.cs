using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>
/// Value formatters: <c>[UrlParameterFormatter(typeof(…))]</c> and <c>[FormUrlEncodedParameterFormatter(typeof(…))]</c>
/// on the client interface, else on the assembly (THTTP038, THTTP039).
/// </summary>
internal static partial class Parser
{
    /// <summary>The formatters a client uses, as fully qualified type names (null for none).</summary>
    private readonly record struct Formatters(string? Url, string? Form);

    /// <summary>
    /// The formatters of <paramref name="type"/>'s client: the interface's attribute, else the assembly's. A problem
    /// with the interface's is reported in <paramref name="diagnostics"/>; one with the assembly's is reported once,
    /// at the attribute (<see cref="CheckAssemblyFormatter"/>), and only sets <paramref name="invalid"/> here.
    /// </summary>
    private static Formatters ReadFormatters(INamedTypeSymbol type, Compilation compilation, List<DiagnosticInfo> diagnostics, out bool invalid, CancellationToken cancellationToken)
    {
        invalid = false;
        string? url = ReadFormatter(type, compilation, KnownNames.UrlParameterFormatterAttribute, KnownNames.IUrlParameterFormatter, diagnostics, ref invalid, cancellationToken)
            ?? ReadFormatter(compilation.Assembly, compilation, KnownNames.UrlParameterFormatterAttribute, KnownNames.IUrlParameterFormatter, null, ref invalid, cancellationToken);
        string? form = ReadFormatter(type, compilation, KnownNames.FormUrlEncodedParameterFormatterAttribute, KnownNames.IFormUrlEncodedParameterFormatter, diagnostics, ref invalid, cancellationToken)
            ?? ReadFormatter(compilation.Assembly, compilation, KnownNames.FormUrlEncodedParameterFormatterAttribute, KnownNames.IFormUrlEncodedParameterFormatter, null, ref invalid, cancellationToken);
        return new Formatters(url, form);
    }

    private static string? ReadFormatter(ISymbol owner, Compilation compilation, string attributeName, string interfaceName, List<DiagnosticInfo>? diagnostics, ref bool invalid, CancellationToken cancellationToken)
    {
        foreach (AttributeData attribute in owner.GetAttributes())
        {
            if (Names.Of(attribute.AttributeClass) != attributeName)
            {
                continue;
            }
            DiagnosticInfo? problem = FormatterProblem(attribute, owner, compilation, attributeName, interfaceName, cancellationToken);
            if (problem is not null)
            {
                invalid = true;
                diagnostics?.Add(problem);
                return null;
            }
            return ((ITypeSymbol)attribute.ConstructorArguments[0].Value!).ToDisplayString(PlainTypeFormat);
        }
        return null;
    }

    /// <summary>THTTP038 or THTTP039 for a formatter attribute, at the attribute; null when the type is usable.</summary>
    private static DiagnosticInfo? FormatterProblem(AttributeData attribute, ISymbol owner, Compilation compilation, string attributeName, string interfaceName, CancellationToken cancellationToken)
    {
        string shortAttribute = attributeName.Substring("TypedHttp.".Length, attributeName.Length - "TypedHttp.".Length - "Attribute".Length);
        string shortInterface = interfaceName.Substring("TypedHttp.".Length);
        string ownerName = owner is IAssemblySymbol ? "the assembly" : Names.Of(owner)!;
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not ITypeSymbol formatter)
        {
            return null; // typeof(null) or a missing type: the compiler reports it.
        }
        string formatterName = formatter.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        LocationInfo? location = AttributeLocation(attribute, cancellationToken);
        if (formatter.TypeKind == TypeKind.Error)
        {
            return null;
        }
        if (!formatter.AllInterfaces.Any(i => Names.Of(i) == interfaceName))
        {
            return new DiagnosticInfo(Diagnostics.FormatterWithoutInterface, location, Args(shortAttribute, formatterName, ownerName, shortInterface));
        }
        string? reason = null;
        if (formatter is not INamedTypeSymbol named || formatter.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            reason = "it is not a class or struct";
        }
        else if (named.IsAbstract || named.IsStatic)
        {
            reason = "it is abstract; name a concrete class";
        }
        else if (named.IsUnboundGenericType || named.TypeArguments.Any(a => a.TypeKind == TypeKind.TypeParameter))
        {
            reason = "it is an open generic type; name a closed one";
        }
        else if (!compilation.IsSymbolAccessibleWithin(named, compilation.Assembly) || IsFileLocalOrPrivate(named))
        {
            reason = "it is not accessible to the generated client; make it internal or public";
        }
        else if (named.TypeKind == TypeKind.Class && !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public))
        {
            reason = "it has no public parameterless constructor; add one";
        }
        return reason is null ? null : new DiagnosticInfo(Diagnostics.FormatterCannotBeCreated, location, Args(shortAttribute, formatterName, ownerName, reason));
    }

    /// <summary>
    /// For an attribute of the assembly: THTTP038 or THTTP039 when it is a formatter attribute naming an unusable type
    /// (reported once here; the clients that would use it are not generated).
    /// </summary>
    private static ParseResult? CheckAssemblyFormatter(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.Node is not AttributeSyntax syntax
            || context.SemanticModel.GetSymbolInfo(syntax, cancellationToken).Symbol is not IMethodSymbol constructor)
        {
            return null;
        }
        string? name = Names.Of(constructor.ContainingType);
        string? interfaceName = name switch
        {
            KnownNames.UrlParameterFormatterAttribute => KnownNames.IUrlParameterFormatter,
            KnownNames.FormUrlEncodedParameterFormatterAttribute => KnownNames.IFormUrlEncodedParameterFormatter,
            _ => null,
        };
        if (interfaceName is null)
        {
            return null;
        }
        Compilation compilation = context.SemanticModel.Compilation;
        foreach (AttributeData attribute in compilation.Assembly.GetAttributes())
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) == syntax)
            {
                DiagnosticInfo? problem = FormatterProblem(attribute, compilation.Assembly, compilation, name!, interfaceName, cancellationToken);
                return problem is null ? null : new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { problem }));
            }
        }
        return null;
    }
}
