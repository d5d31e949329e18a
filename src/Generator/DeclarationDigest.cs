using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedHttp.Generator;

/// <summary>
/// A 128-bit digest of what a syntax tree declares: every token outside the bodies of methods, constructors,
/// operators, accessors and expression-bodied properties, and outside top-level statements. A body is recorded
/// by its kind only (so <c>void M();</c> and <c>void M() { }</c> differ), and a body that holds a preprocessor
/// directive is digested whole (a <c>#nullable</c> inside a body changes the declarations after it).
/// </summary>
/// <remarks>
/// What a declaration means (its types, attributes, constants, members) depends only on the declarations of the
/// compilation, its options and its references, never on statements inside bodies: two compilations whose trees
/// have the same digests, in the same order, with the same options and references, give every symbol the same
/// meaning. <see cref="ParseCache"/> relies on this to reuse a parse across edits that only touch bodies.
/// </remarks>
internal readonly struct DeclarationDigest : System.IEquatable<DeclarationDigest>
{
    private const ulong Prime1 = 0x100000001B3UL;
    private const ulong Prime2 = 0x9E3779B97F4A7C15UL;

    private DeclarationDigest(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    public ulong High { get; }

    public ulong Low { get; }

    public bool Equals(DeclarationDigest other) => High == other.High && Low == other.Low;

    public override bool Equals(object? obj) => obj is DeclarationDigest other && Equals(other);

    public override int GetHashCode() => unchecked((int)(High ^ (Low >> 7)));

    /// <summary>The digest of one tree: its path, its parse options and its declaration-level tokens.</summary>
    public static DeclarationDigest Of(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var hasher = new Hasher(0xCBF29CE484222325UL, 0x84222325CBF29CE4UL);
        hasher.Add(tree.FilePath);
        if (tree.Options is CSharpParseOptions options)
        {
            hasher.Add((int)options.LanguageVersion);
            hasher.Add((int)options.Kind);
            foreach (string symbol in options.PreprocessorSymbolNames)
            {
                hasher.Add(symbol);
            }
        }
        hasher.Add(-1);
        Walk(tree.GetRoot(cancellationToken), ref hasher, cancellationToken);
        return hasher.Digest;
    }

    /// <summary>The digest of a sequence of tree digests, in order.</summary>
    public static DeclarationDigest Combine(ImmutableArray<DeclarationDigest> parts)
    {
        var hasher = new Hasher(0x6A09E667F3BCC908UL, 0xBB67AE8584CAA73BUL);
        hasher.Add(parts.Length);
        foreach (DeclarationDigest part in parts)
        {
            hasher.Add(part.High);
            hasher.Add(part.Low);
        }
        return hasher.Digest;
    }

    private static void Walk(SyntaxNode node, ref Hasher hasher, CancellationToken cancellationToken)
    {
        foreach (SyntaxNodeOrToken child in node.ChildNodesAndTokens())
        {
            if (child.IsToken)
            {
                Add(child.AsToken(), ref hasher, cancellationToken);
                continue;
            }
            SyntaxNode childNode = child.AsNode()!;
            hasher.Add(childNode.RawKind);
            if (IsBody(childNode) && !childNode.ContainsDirectives)
            {
                continue;
            }
            if (childNode is MemberDeclarationSyntax)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            Walk(childNode, ref hasher, cancellationToken);
        }
        hasher.Add(-2);
    }

    private static bool IsBody(SyntaxNode node) => node switch
    {
        GlobalStatementSyntax => true,
        BlockSyntax or ArrowExpressionClauseSyntax => node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BasePropertyDeclarationSyntax,
        _ => false,
    };

    private static void Add(SyntaxToken token, ref Hasher hasher, CancellationToken cancellationToken)
    {
        if (token.ContainsDirectives)
        {
            foreach (SyntaxTrivia trivia in token.LeadingTrivia)
            {
                if (trivia.IsDirective && trivia.GetStructure() is { } directive)
                {
                    hasher.Add(directive.RawKind);
                    Walk(directive, ref hasher, cancellationToken);
                }
            }
        }
        int kind = token.RawKind;
        hasher.Add(kind);
        // Keywords and punctuation are spelled by their kind; identifiers and literals by their text.
        if (SyntaxFacts.GetText((SyntaxKind)kind).Length == 0)
        {
            hasher.Add(token.Text);
        }
    }

    /// <summary>Two 64-bit multiplicative hashes over different primes, fed the same values.</summary>
    private struct Hasher
    {
        private ulong _high;
        private ulong _low;

        public Hasher(ulong high, ulong low)
        {
            _high = high;
            _low = low;
        }

        public DeclarationDigest Digest => new(_high, _low);

        public void Add(int value) => Add(unchecked((ulong)(uint)value | 0x1_0000_0000UL));

        public void Add(ulong value)
        {
            unchecked
            {
                _high = (_high ^ value) * Prime1;
                _low = (((_low ^ value) << 23) | ((_low ^ value) >> 41)) * Prime2;
            }
        }

        public void Add(string text)
        {
            Add(text.Length);
            foreach (char c in text)
            {
                Add((ulong)c);
            }
        }
    }
}
