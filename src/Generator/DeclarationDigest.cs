using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace TypedHttp.Generator;

/// <summary>
/// A 128-bit digest of what a syntax tree declares: its text outside the bodies of methods, constructors,
/// operators, accessors and expression-bodied properties, and outside top-level statements. A body is recorded
/// by its kind and place only (so <c>void M();</c> and <c>void M() { }</c> differ), and a body that holds a
/// preprocessor directive is digested whole (a <c>#nullable</c> inside a body changes the declarations after it).
/// </summary>
/// <remarks>
/// What a declaration means (its types, attributes, constants, members) depends only on the declarations of the
/// compilation, its options and its references, never on statements inside bodies: two compilations whose trees
/// have the same digests, in the same order, with the same options and references, give every symbol the same
/// meaning. <see cref="ParseCache"/> relies on this to reuse a parse across edits that only touch bodies. The
/// text is digested rather than the tokens, so comments and spacing outside bodies count too: an edit there
/// parses again, which is merely cautious, and the digest never builds the tree's tokens.
/// </remarks>
internal readonly struct DeclarationDigest : System.IEquatable<DeclarationDigest>
{
    private const ulong Prime1 = 0x100000001B3UL;
    private const ulong Prime2 = 0x9E3779B97F4A7C15UL;
    private const int BufferLength = 2048;

    [System.ThreadStatic]
    private static char[]? t_buffer;

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

    /// <summary>The digest of one tree: its path, its parse options and its declaration-level text.</summary>
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
        var walk = new TextWalk(tree.GetText(cancellationToken), t_buffer ??= new char[BufferLength]);
        Visit(tree.GetRoot(cancellationToken), ref walk, ref hasher, cancellationToken);
        walk.HashTo(walk.Text.Length, ref hasher);
        return hasher.Digest;
    }

    /// <summary>Digests the text up to each body below <paramref name="node"/>, and the body's kind in its place.</summary>
    private static void Visit(SyntaxNode node, ref TextWalk walk, ref Hasher hasher, CancellationToken cancellationToken)
    {
        foreach (SyntaxNodeOrToken item in node.ChildNodesAndTokens())
        {
            if (item.AsNode() is not { } child)
            {
                continue;
            }
            if (IsBody(child))
            {
                if (!child.ContainsDirectives)
                {
                    walk.HashTo(child.SpanStart, ref hasher);
                    hasher.Add(-child.RawKind);
                    walk.Skip(child.Span.End);
                }
            }
            else if (MayHoldBodies(child))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Visit(child, ref walk, ref hasher, cancellationToken);
            }
        }
    }

    private static bool IsBody(SyntaxNode node) => node switch
    {
        GlobalStatementSyntax => true,
        BlockSyntax or ArrowExpressionClauseSyntax => node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BasePropertyDeclarationSyntax,
        _ => false,
    };

    private static bool MayHoldBodies(SyntaxNode node) =>
        node is BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax or BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax
            or AccessorListSyntax or AccessorDeclarationSyntax;

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

    /// <summary>Where the digest has got to in a tree's text.</summary>
    private struct TextWalk
    {
        private readonly char[] _buffer;
        private int _position;

        public TextWalk(SourceText text, char[] buffer)
        {
            Text = text;
            _buffer = buffer;
            _position = 0;
        }

        public SourceText Text { get; }

        /// <summary>Digests the text from the current position to <paramref name="end"/>.</summary>
        public void HashTo(int end, ref Hasher hasher)
        {
            hasher.Add(end - _position);
            while (_position < end)
            {
                int count = System.Math.Min(_buffer.Length, end - _position);
                Text.CopyTo(_position, _buffer, 0, count);
                for (int i = 0; i < count; i++)
                {
                    hasher.Add((ulong)_buffer[i]);
                }
                _position += count;
            }
        }

        /// <summary>Moves past a body without digesting it.</summary>
        public void Skip(int end) => _position = end;
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
