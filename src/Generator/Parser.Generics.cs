using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>What parsing one closed construction of a generic interface gives, before it is located at a use.</summary>
/// <param name="Client">The closed client, or null when the construction has errors.</param>
/// <param name="Errors">The construction's errors as users read them (<c>THTTP010: …</c>), for THTTP033.</param>
/// <param name="JsonUses">The JSON types the client sends or reads, without locations (each use locates them).</param>
internal sealed record ConstructionResult(ClientSpec? Client, EquatableArray<string> Errors, EquatableArray<JsonUse> JsonUses);

/// <summary>Generic interfaces: each closed construction the compilation names gets a closed client of its own.</summary>
/// <remarks>
/// An open generic interface is parsed for its diagnostics only, its type parameters taken as any type that a
/// body, a result or a formatted value can have. A client is written for each closed construction found at a
/// <c>TypedHttpClient.Create&lt;…&gt;</c>, <c>AddTypedHttpClient&lt;…&gt;</c> or
/// <c>CreateClient&lt;…&gt;</c> call, in a base list, or in <c>[assembly: TypedHttpClientFor(typeof(…))]</c>,
/// by parsing the constructed symbol: its members carry the type arguments, so formatting, query objects and JSON
/// types are those of a non-generic interface, and no code runs generically at run time.
/// </remarks>
internal static partial class Parser
{
    /// <summary>The methods whose single type argument names a client interface.</summary>
    private static bool IsConstructionMethodName(string name) =>
        name is "Create" or "AddTypedHttpClient" or "CreateClient";

    /// <summary>
    /// A syntactic filter for uses that may name a closed construction: an invocation of one of
    /// <see cref="IsConstructionMethodName"/> whose one type argument is written generic (<c>Create&lt;IApi&lt;User&gt;&gt;</c>),
    /// and an attribute of the assembly.
    /// </summary>
    public static bool IsConstructionCandidate(SyntaxNode node)
    {
        switch (node)
        {
            case InvocationExpressionSyntax invocation:
                GenericNameSyntax? name = invocation.Expression switch
                {
                    GenericNameSyntax g => g,
                    MemberAccessExpressionSyntax { Name: GenericNameSyntax g } => g,
                    _ => null,
                };
                return name is { TypeArgumentList.Arguments.Count: 1 }
                    && IsConstructionMethodName(name.Identifier.ValueText)
                    && IsWrittenGeneric(name.TypeArgumentList.Arguments[0]);
            case AttributeSyntax { Parent: AttributeListSyntax { Target.Identifier.ValueText: "assembly" } }:
                return true;
            default:
                return false;
        }
    }

    private static bool IsWrittenGeneric(TypeSyntax type) => type switch
    {
        GenericNameSyntax => true,
        QualifiedNameSyntax { Right: GenericNameSyntax } => true,
        AliasQualifiedNameSyntax { Name: GenericNameSyntax } => true,
        _ => false,
    };

    /// <summary>
    /// Called for a node that passed <see cref="IsConstructionCandidate"/>: when it names a closed construction of a
    /// generic client interface, its client (from <paramref name="cache"/> when the compilation's declarations are
    /// unchanged), located errors (THTTP033) and JSON uses.
    /// </summary>
    public static ParseResult? ParseConstructionUse(GeneratorSyntaxContext context, ParseCache cache, CancellationToken cancellationToken)
    {
        (ITypeSymbol? named, SyntaxNode? where) = context.Node switch
        {
            InvocationExpressionSyntax invocation => ReadInvocation(invocation, context.SemanticModel, cancellationToken),
            AttributeSyntax attribute => ReadAssemblyAttribute(attribute, context.SemanticModel, cancellationToken),
            _ => default,
        };
        if (named is not INamedTypeSymbol type || where is null || !IsClosedConstruction(type) || !IsClientInterface(type.OriginalDefinition))
        {
            return null;
        }
        type = WithoutNullableArguments(type);
        ConstructionResult construction = cache.GetOrParseConstruction(context.SemanticModel.Compilation, type, Names.Of(type)!, ParseConstruction, cancellationToken);
        return Locate(construction, Names.Of(type)!, LocationInfo.From(where));
    }

    private static (ITypeSymbol? Type, SyntaxNode? Where) ReadInvocation(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        // The method may not bind in the generator's view while its arguments do not: a lambda that reads
        // AppJson.Default, which the System.Text.Json generator adds beside this one, fails overload resolution here.
        // Its candidates still say which method it is; the type argument is bound by itself.
        SymbolInfo info = model.GetSymbolInfo(invocation, cancellationToken);
        if (!IsConstructionMethod(info.Symbol))
        {
            bool any = false;
            foreach (ISymbol candidate in info.CandidateSymbols)
            {
                any |= IsConstructionMethod(candidate);
            }
            if (!any)
            {
                return default;
            }
        }
        GenericNameSyntax name = invocation.Expression is MemberAccessExpressionSyntax access ? (GenericNameSyntax)access.Name : (GenericNameSyntax)invocation.Expression;
        TypeSyntax argument = name.TypeArgumentList.Arguments[0];
        return (model.GetTypeInfo(argument, cancellationToken).Type, argument);
    }

    private static bool IsConstructionMethod(ISymbol? symbol)
    {
        if (symbol is not IMethodSymbol { TypeArguments.Length: 1 } method || !IsConstructionMethodName(method.Name))
        {
            return false;
        }
        string? owner = Names.Of(method.ContainingType?.OriginalDefinition);
        return owner is "TypedHttp.TypedHttpClient" or "TypedHttp.ITypedHttpClientFactory" or "Microsoft.Extensions.DependencyInjection.TypedHttpServiceCollectionExtensions";
    }

    private static (ITypeSymbol? Type, SyntaxNode? Where) ReadAssemblyAttribute(AttributeSyntax attribute, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetSymbolInfo(attribute, cancellationToken).Symbol is not IMethodSymbol constructor
            || Names.Of(constructor.ContainingType) != KnownNames.TypedHttpClientForAttribute
            || attribute.ArgumentList is not { Arguments.Count: 1 } arguments
            || arguments.Arguments[0].Expression is not TypeOfExpressionSyntax typeOf)
        {
            return default;
        }
        return (model.GetTypeInfo(typeOf.Type, cancellationToken).Type, typeOf.Type);
    }

    /// <summary>Whether <paramref name="type"/> is a generic interface constructed with type arguments that hold no type parameter.</summary>
    private static bool IsClosedConstruction(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Interface
        && type.IsGenericType
        && !SymbolEqualityComparer.Default.Equals(type, type.OriginalDefinition)
        && type.TypeArguments.All(IsClosed);

    private static bool IsClosed(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => false,
        IErrorTypeSymbol => false,
        IArrayTypeSymbol array => IsClosed(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.All(IsClosed) && (named.ContainingType is null || IsClosed(named.ContainingType)),
        IPointerTypeSymbol or IFunctionPointerTypeSymbol or IDynamicTypeSymbol => false,
        _ => true,
    };

    /// <summary>
    /// The construction with its type arguments' nullable annotations dropped: <c>IApi&lt;User?&gt;</c> and
    /// <c>IApi&lt;User&gt;</c> are one type at run time, so they get one client.
    /// </summary>
    private static INamedTypeSymbol WithoutNullableArguments(INamedTypeSymbol type)
    {
        if (type.TypeArguments.All(a => a.NullableAnnotation != NullableAnnotation.Annotated || a.IsValueType))
        {
            return type;
        }
        var arguments = type.TypeArguments.Select(a => a.IsValueType ? a : a.WithNullableAnnotation(NullableAnnotation.NotAnnotated)).ToImmutableArray();
        return type.OriginalDefinition.Construct(arguments, arguments.Select(a => a.NullableAnnotation).ToImmutableArray());
    }

    /// <summary>Parses one closed construction: a client, or the errors that prevent one.</summary>
    private static ConstructionResult ParseConstruction(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        ParseResult result = ParseInterface(type, compilation, cancellationToken);
        List<string> errors = ErrorMessages(result.Diagnostics);
        var uses = new List<JsonUse>();
        foreach (JsonUse use in result.JsonUses)
        {
            uses.Add(use with { Location = null });
        }
        return new ConstructionResult(errors.Count == 0 ? result.Client : null, EquatableArray.From(errors), EquatableArray.From(uses));
    }

    /// <summary>The errors among <paramref name="diagnostics"/> as users read them: <c>THTTP010: …</c>.</summary>
    private static List<string> ErrorMessages(IEnumerable<DiagnosticInfo> diagnostics)
    {
        var errors = new List<string>();
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            if (diagnostic.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
            {
                errors.Add(diagnostic.Descriptor.Id + ": " + string.Format(CultureInfo.InvariantCulture, diagnostic.Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), diagnostic.MessageArgs.ToArray<object>()));
            }
        }
        return errors;
    }

    /// <summary>A construction as seen from one use: its client, THTTP033 there for its errors, its JSON uses located there.</summary>
    private static ParseResult Locate(ConstructionResult construction, string name, LocationInfo? location)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (construction.Errors.Count > 0)
        {
            diagnostics.Add(ConstructionError(name, construction.Errors, location));
        }
        var uses = new List<JsonUse>(construction.JsonUses.Count);
        foreach (JsonUse use in construction.JsonUses)
        {
            uses.Add(use with { Location = location, MemberName = name + "." + use.MemberName.Substring(use.MemberName.IndexOf('.') + 1) });
        }
        return new ParseResult(
            null,
            EquatableArray.From(diagnostics),
            EquatableArray.From(uses),
            ConstructedClients: construction.Client is null ? default : new EquatableArray<ClientSpec>(new[] { construction.Client }));
    }

    private static DiagnosticInfo ConstructionError(string name, IReadOnlyList<string> errors, LocationInfo? location)
    {
        string first = errors[0];
        string more = errors.Count == 1 ? string.Empty : $" (and {errors.Count - 1} more)";
        return new DiagnosticInfo(Diagnostics.ConstructionWithoutClient, location, Args(name, first + more));
    }

    /// <summary>The clients of the closed generic base interfaces of <paramref name="type"/>, each parsed once per compilation shape.</summary>
    private static EquatableArray<ClientSpec> ClosedBaseClients(INamedTypeSymbol type, Compilation compilation, ParseCache cache, CancellationToken cancellationToken)
    {
        List<ClientSpec>? clients = null;
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (!IsClosedConstruction(candidate) || !IsClientInterface(candidate.OriginalDefinition))
            {
                continue;
            }
            INamedTypeSymbol construction = WithoutNullableArguments(candidate);
            ConstructionResult result = cache.GetOrParseConstruction(compilation, construction, Names.Of(construction)!, ParseConstruction, cancellationToken);
            if (result.Client is not null)
            {
                (clients ??= new List<ClientSpec>()).Add(result.Client);
            }
        }
        return clients is null ? default : EquatableArray.From(clients);
    }

    /// <summary>
    /// The hint name of a client: <c>Namespace.Outer+IName.g.cs</c>, and for a construction its type arguments in
    /// braces (<c>App.ICrudApi{App.User,int}.g.cs</c>).
    /// </summary>
    private static string HintName(INamedTypeSymbol type, string ns)
    {
        var text = new StringBuilder();
        if (ns.Length > 0)
        {
            text.Append(ns).Append('.');
        }
        var nesting = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            nesting.Insert(0, t.Name);
        }
        text.Append(string.Join("+", nesting));
        if (IsClosedConstruction(type))
        {
            text.Append('{');
            for (int i = 0; i < type.TypeArguments.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }
                foreach (char c in type.TypeArguments[i].ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat))
                {
                    text.Append(c switch
                    {
                        '<' => '{',
                        '>' => '}',
                        ' ' => '\0',
                        '?' => '\0',
                        _ => c,
                    });
                }
            }
            text.Append('}');
            text.Replace("\0", string.Empty);
        }
        return text.Append(".g.cs").ToString();
    }

    /// <summary>
    /// The problem with a type argument of a construction, or null: the generated client names it, so it must be
    /// accessible from another file of the assembly.
    /// </summary>
    private static string? TypeArgumentProblem(INamedTypeSymbol type, Compilation compilation)
    {
        foreach (ITypeSymbol argument in type.TypeArguments)
        {
            if (!compilation.IsSymbolAccessibleWithin(argument, compilation.Assembly) || IsFileLocalOrPrivate(argument))
            {
                return $"its type argument '{Names.Of(argument)}' is not accessible to other types of the assembly; make it internal or public";
            }
        }
        return compilation.IsSymbolAccessibleWithin(type.OriginalDefinition, compilation.Assembly)
            ? null
            : "the interface is not accessible from this assembly";
    }

    private static bool IsFileLocalOrPrivate(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsFileLocalOrPrivate(array.ElementType);
            case INamedTypeSymbol named:
                for (INamedTypeSymbol? t = named; t is not null; t = t.ContainingType)
                {
                    if (t.IsFileLocal || t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                    {
                        return true;
                    }
                }
                return named.TypeArguments.Any(IsFileLocalOrPrivate);
            default:
                return false;
        }
    }
}
