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
        _ => (ParseConstructionUse(context, cache, cancellationToken) ?? CheckAssemblyFormatter(context, cancellationToken), null),
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
            if (IsKnownMethodAttribute(attribute.AttributeClass) || IsWebSocketAttribute(attribute.AttributeClass))
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
