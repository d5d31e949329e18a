using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>
/// Generates a sealed client class for every interface whose methods carry HTTP method attributes. This type only
/// wires the incremental pipeline: <see cref="Parser"/> builds the model, <see cref="Emitter"/> writes the source.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ClientGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for tests of the caching.</summary>
    internal static class Steps
    {
        public const string Parse = "Parse";
        public const string Clients = "Clients";
        public const string Emit = "Emit";
        public const string Diagnostics = "Diagnostics";
        public const string JsonContexts = "JsonContexts";
        public const string JsonDeclaredTypes = "JsonDeclaredTypes";
        public const string JsonUses = "JsonUses";
        public const string Constructions = "Constructions";
        public const string EmitConstructions = "EmitConstructions";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // One syntax pipeline: its predicate is syntax only (an interface with an attributed method or a base list,
        // an attributed method outside an interface, or an attributed class), and its transform parses a whole
        // interface, checks a stray method for THTTP015, or reads a JsonSerializerContext. Roslyn runs such a
        // transform again for every new compilation; the cache hands back the previous result while the
        // compilation's declarations are unchanged (an edit inside a method body, say), so such a keystroke parses
        // nothing. One cache per pipeline: a new driver starts cold. (ForAttributeWithMetadataName would take one
        // syntax walk per attribute, and a transform per attributed method, instead of one walk and one transform
        // per interface.)
        var cache = new ParseCache();
        IncrementalValuesProvider<ParseResult> all = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, ct) => Parser.IsCandidate(node, ct),
                (ctx, ct) => cache.GetOrParse(ctx, ctx.Node, ctx.SemanticModel.Compilation, (c, t) => Parser.Parse(c, cache, t), ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => r!);

        // The types the compilation's JsonSerializerContexts declare, for the THTTP022 warning only: emission never
        // depends on it, so adding a [JsonSerializable] re-emits no client.
        IncrementalValueProvider<EquatableArray<string>> declaredJsonTypes = all
            .Where(static r => r.IsJsonContext)
            .Select(static (r, _) => r.DeclaredJsonTypes)
            .WithTrackingName(Steps.JsonContexts)
            .Collect()
            .Select(static (contexts, _) => JsonContextReader.Merge(contexts))
            .WithTrackingName(Steps.JsonDeclaredTypes);

        IncrementalValuesProvider<ParseResult> results = all
            .Where(static r => !r.IsJsonContext)
            .WithTrackingName(Steps.Parse);
        Register(context, results, declaredJsonTypes);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<ParseResult> results, IncrementalValueProvider<EquatableArray<string>> declaredJsonTypes)
    {
        IncrementalValuesProvider<GeneratedFile> files = results
            .Where(static r => r.Client is not null)
            .Select(static (r, _) => r.Client!)
            .WithTrackingName(Steps.Clients)
            .Select(static (client, _) => new GeneratedFile(client.HintName, Emitter.Emit(client)))
            .WithTrackingName(Steps.Emit);
        context.RegisterSourceOutput(files, static (spc, file) => spc.AddSource(file.HintName, file.Source));

        // Closed constructions of generic interfaces: many uses may name one, so they are gathered and each is
        // emitted once. The Collect holds client models only (no locations), so moving a use re-emits nothing.
        IncrementalValuesProvider<GeneratedFile> constructed = results
            .Where(static r => r.ConstructedClients.Count > 0)
            .Select(static (r, _) => r.ConstructedClients)
            .Collect()
            .SelectMany(static (all, _) => Distinct(all))
            .WithTrackingName(Steps.Constructions)
            .Select(static (client, _) => new GeneratedFile(client.HintName, Emitter.Emit(client)))
            .WithTrackingName(Steps.EmitConstructions);
        context.RegisterSourceOutput(constructed, static (spc, file) => spc.AddSource(file.HintName, file.Source));

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Where(static r => r.Diagnostics.Count > 0)
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo diagnostic in list)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<(EquatableArray<JsonUse> Uses, EquatableArray<string> Declared)> jsonChecks = results
            .Where(static r => r.JsonUses.Count > 0)
            .Select(static (r, _) => r.JsonUses)
            .WithTrackingName(Steps.JsonUses)
            .Combine(declaredJsonTypes);
        context.RegisterSourceOutput(jsonChecks, static (spc, check) =>
        {
            foreach (DiagnosticInfo diagnostic in JsonContextReader.Check(check.Uses, check.Declared))
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });
    }

    /// <summary>Each construction's client once, in order of hint name (so the order of uses does not matter).</summary>
    private static System.Collections.Immutable.ImmutableArray<ClientSpec> Distinct(System.Collections.Immutable.ImmutableArray<EquatableArray<ClientSpec>> all)
    {
        var byHint = new System.Collections.Generic.SortedDictionary<string, ClientSpec>(System.StringComparer.Ordinal);
        foreach (EquatableArray<ClientSpec> clients in all)
        {
            foreach (ClientSpec client in clients)
            {
                byHint[client.HintName] = client;
            }
        }
        return System.Collections.Immutable.ImmutableArray.CreateRange(byHint.Values);
    }
}

/// <summary>One generated source file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);
