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
        public const string ParseMethods = "ParseMethods";
        public const string ParseInterfaces = "ParseInterfaces";
        public const string Clients = "Clients";
        public const string Emit = "Emit";
        public const string Diagnostics = "Diagnostics";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // One attribute pipeline per runtime HTTP method attribute: each interface is parsed from its first
        // attributed method, so each interface yields one result without a Collect over the compilation.
        foreach ((string metadataName, string _) in KnownNames.MethodAttributes)
        {
            IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
                .ForAttributeWithMetadataName(metadataName, static (node, _) => true, static (ctx, ct) => Parser.ParseFromMethod(ctx, ct))
                .Where(static r => r is not null)
                .Select(static (r, _) => r!)
                .WithTrackingName(Steps.ParseMethods);
            Register(context, results);
        }

        // Interfaces the attribute pipelines do not see: only custom HTTP method attributes, or only inherited methods.
        IncrementalValuesProvider<ParseResult> interfaceResults = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, ct) => Parser.IsInterfaceCandidate(node, ct), static (ctx, ct) => Parser.ParseFromInterface(ctx, ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => r!)
            .WithTrackingName(Steps.ParseInterfaces);
        Register(context, interfaceResults);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<ParseResult> results)
    {
        IncrementalValuesProvider<GeneratedFile> files = results
            .Where(static r => r.Client is not null)
            .Select(static (r, _) => r.Client!)
            .WithTrackingName(Steps.Clients)
            .Select(static (client, _) => new GeneratedFile(client.HintName, Emitter.Emit(client)))
            .WithTrackingName(Steps.Emit);
        context.RegisterSourceOutput(files, static (spc, file) => spc.AddSource(file.HintName, file.Source));

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
    }
}

/// <summary>One generated source file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);
