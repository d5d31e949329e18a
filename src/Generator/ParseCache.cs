using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace TypedHttp.Generator;

/// <summary>
/// Reuses the parse of a node while nothing it can depend on has changed, so that a keystroke in a method body
/// elsewhere costs a lookup per interface instead of a parse.
/// </summary>
/// <remarks>
/// <para>
/// Roslyn runs every semantic transform again for each new compilation, because any edit may change what a symbol
/// means. A parse, though, reads only the declarations of the compilation (see <see cref="DeclarationDigest"/>)
/// and, for the locations of its diagnostics, the text of the trees the interface and its base interfaces are
/// declared in. So a result stays valid while (1) the node's own tree is the same tree object, (2) every tree the
/// result points into is still in the compilation, and (3) the compilation's declaration digest, options, assembly
/// name and metadata references are the same.
/// </para>
/// <para>
/// One cache lives for one generator pipeline (it is created in <c>Initialize</c>), so a new driver starts cold.
/// It keeps entries for the trees of the last compilation only (whose nodes the driver's own tables hold
/// anyway), refers to that compilation weakly, and holds no symbol.
/// </para>
/// </remarks>
internal sealed class ParseCache
{
    private readonly object _gate = new();

    /// <summary>The compilation <see cref="_shape"/> belongs to (weakly: the cache must not hold it alive).</summary>
    private readonly WeakReference<Compilation?> _compilation = new(null);
    private CompilationShape? _shape;

    /// <summary>The digest of each tree of the last compilation.</summary>
    private Dictionary<SyntaxTree, DeclarationDigest> _digests = new();

    /// <summary>The results parsed from each tree of the last compilation.</summary>
    private Dictionary<SyntaxTree, TreeResults> _results = new();

    /// <summary>
    /// The result of <paramref name="parse"/> for <paramref name="node"/>, from an earlier call when it is still
    /// valid.
    /// </summary>
    public ParseResult? GetOrParse<TContext>(
        TContext context,
        SyntaxNode node,
        Compilation compilation,
        Func<TContext, CancellationToken, (ParseResult? Result, INamedTypeSymbol? Type)> parse,
        CancellationToken cancellationToken)
    {
        SyntaxTree tree = node.SyntaxTree;
        long key = ((long)node.SpanStart << 32) | (uint)node.Span.Length;
        CompilationShape shape;
        TreeResults? results;
        lock (_gate)
        {
            shape = ShapeOf(compilation, cancellationToken);
            if (!_results.TryGetValue(tree, out results))
            {
                results = new TreeResults(shape);
                _results.Add(tree, results);
            }
            else if (!results.Shape.SameAs(shape))
            {
                results.Shape = shape;
                results.Entries.Clear();
            }
            else
            {
                results.Shape = shape;
                if (results.Entries.TryGetValue(key, out Entry entry) && AllPresent(entry.Trees, compilation))
                {
                    return entry.Result;
                }
            }
        }

        (ParseResult? result, INamedTypeSymbol? type) = parse(context, cancellationToken);
        SyntaxTree[] trees = type is null ? Array.Empty<SyntaxTree>() : TreesOf(type, tree);
        lock (_gate)
        {
            if (ReferenceEquals(results.Shape, shape))
            {
                results.Entries[key] = new Entry(result, trees);
            }
        }
        return result;
    }

    /// <summary>The constructions parsed under <see cref="_constructionShape"/>, by the construction's display name.</summary>
    private Dictionary<string, ConstructionResult> _constructions = new(StringComparer.Ordinal);
    private CompilationShape? _constructionShape;

    /// <summary>
    /// The parse of the closed construction <paramref name="type"/>, from an earlier call while the compilation's
    /// declarations are the same. A construction is named in method bodies (<c>TypedHttpClient.Create&lt;…&gt;</c>),
    /// so an edit there binds the call again but parses no interface; and one construction used in many places is
    /// parsed once. Its result holds no location, so it does not depend on the trees it was named in.
    /// </summary>
    public ConstructionResult GetOrParseConstruction(
        Compilation compilation,
        INamedTypeSymbol type,
        string key,
        Func<INamedTypeSymbol, Compilation, CancellationToken, ConstructionResult> parse,
        CancellationToken cancellationToken)
    {
        CompilationShape shape;
        lock (_gate)
        {
            shape = ShapeOf(compilation, cancellationToken);
            if (_constructionShape is null || !_constructionShape.SameAs(shape))
            {
                _constructions = new Dictionary<string, ConstructionResult>(StringComparer.Ordinal);
            }
            _constructionShape = shape;
            if (_constructions.TryGetValue(key, out ConstructionResult? cached))
            {
                return cached;
            }
        }
        ConstructionResult result = parse(type, compilation, cancellationToken);
        lock (_gate)
        {
            if (ReferenceEquals(_constructionShape, shape))
            {
                _constructions[key] = result;
            }
        }
        return result;
    }

    /// <summary>The shape of <paramref name="compilation"/>, computed once per compilation; the tables keep its trees only.</summary>
    private CompilationShape ShapeOf(Compilation compilation, CancellationToken cancellationToken)
    {
        if (_shape is not null && _compilation.TryGetTarget(out Compilation? last) && ReferenceEquals(last, compilation))
        {
            return _shape;
        }
        var digests = new Dictionary<SyntaxTree, DeclarationDigest>();
        var results = new Dictionary<SyntaxTree, TreeResults>();
        ImmutableArray<DeclarationDigest>.Builder ordered = ImmutableArray.CreateBuilder<DeclarationDigest>();
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (!_digests.TryGetValue(tree, out DeclarationDigest digest))
            {
                digest = DeclarationDigest.Of(tree, cancellationToken);
            }
            digests[tree] = digest;
            ordered.Add(digest);
            if (_results.TryGetValue(tree, out TreeResults? treeResults))
            {
                results[tree] = treeResults;
            }
        }
        _digests = digests;
        _results = results;
        _shape = new CompilationShape(
            DeclarationDigest.Combine(ordered.ToImmutable()),
            compilation.Options,
            compilation.AssemblyName,
            compilation.ExternalReferences);
        _compilation.SetTarget(compilation);
        return _shape;
    }

    /// <summary>The trees, other than <paramref name="own"/>, that declare the interface or one of its base interfaces.</summary>
    private static SyntaxTree[] TreesOf(INamedTypeSymbol type, SyntaxTree own)
    {
        List<SyntaxTree>? trees = null;
        Add(type, own, ref trees);
        foreach (INamedTypeSymbol baseInterface in type.AllInterfaces)
        {
            Add(baseInterface, own, ref trees);
        }
        return trees?.ToArray() ?? Array.Empty<SyntaxTree>();

        static void Add(INamedTypeSymbol symbol, SyntaxTree own, ref List<SyntaxTree>? trees)
        {
            foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != own && (trees is null || !trees.Contains(reference.SyntaxTree)))
                {
                    (trees ??= new List<SyntaxTree>()).Add(reference.SyntaxTree);
                }
            }
        }
    }

    private static bool AllPresent(SyntaxTree[] trees, Compilation compilation)
    {
        foreach (SyntaxTree tree in trees)
        {
            if (!compilation.ContainsSyntaxTree(tree))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The results parsed from one tree under one compilation shape.</summary>
    private sealed class TreeResults
    {
        public TreeResults(CompilationShape shape) => Shape = shape;

        public CompilationShape Shape { get; set; }

        public Dictionary<long, Entry> Entries { get; } = new();
    }

    private readonly struct Entry
    {
        public Entry(ParseResult? result, SyntaxTree[] trees)
        {
            Result = result;
            Trees = trees;
        }

        public ParseResult? Result { get; }

        /// <summary>The other trees the result's locations point into.</summary>
        public SyntaxTree[] Trees { get; }
    }

    /// <summary>What the meaning of a compilation's declarations depends on.</summary>
    private sealed class CompilationShape
    {
        private readonly DeclarationDigest _declarations;
        private readonly CompilationOptions _options;
        private readonly string? _assemblyName;
        private readonly ImmutableArray<MetadataReference> _references;

        public CompilationShape(DeclarationDigest declarations, CompilationOptions options, string? assemblyName, ImmutableArray<MetadataReference> references)
        {
            _declarations = declarations;
            _options = options;
            _assemblyName = assemblyName;
            _references = references;
        }

        public bool SameAs(CompilationShape other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }
            if (!_declarations.Equals(other._declarations)
                || _assemblyName != other._assemblyName
                || _references.Length != other._references.Length
                || !(ReferenceEquals(_options, other._options) || _options.Equals(other._options)))
            {
                return false;
            }
            for (int i = 0; i < _references.Length; i++)
            {
                if (!ReferenceEquals(_references[i], other._references[i]))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
