using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedHttp.Generator;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>The outcome of running the generator over some user source.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(CSharpCompilation output, ImmutableArray<Diagnostic> generatorDiagnostics, IReadOnlyList<(string HintName, string Source)> clients)
    {
        Output = output;
        GeneratorDiagnostics = generatorDiagnostics;
        Clients = clients;
    }

    /// <summary>The user's compilation plus every generated source.</summary>
    public CSharpCompilation Output { get; }

    /// <summary>Diagnostics reported by the generators.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>The sources the TypedHttp generator added, ordered by hint name.</summary>
    public IReadOnlyList<(string HintName, string Source)> Clients { get; }

    /// <summary>The one client source; fails unless exactly one was generated.</summary>
    public string SingleClient
    {
        get
        {
            Assert.True(Clients.Count == 1, $"Expected one generated client, got {Clients.Count}: {string.Join(", ", Clients.Select(c => c.HintName))}");
            return Clients[0].Source;
        }
    }

    /// <summary>Errors and warnings of the output compilation, except those with the given IDs.</summary>
    public List<Diagnostic> CompilationProblems(params string[] allowedIds) =>
        Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !allowedIds.Contains(d.Id))
            .ToList();

    /// <summary>Fails when the output compilation (user source plus generated source) has any error or warning.</summary>
    public GeneratorRun AssertCompiles(params string[] allowedIds)
    {
        List<Diagnostic> problems = CompilationProblems(allowedIds);
        if (problems.Count > 0)
        {
            var message = new StringBuilder("The output compilation has errors or warnings:\n");
            foreach (Diagnostic d in problems)
            {
                message.Append("  ").Append(d).Append('\n');
            }
            foreach ((string hint, string source) in Clients)
            {
                message.Append("\n--- ").Append(hint).Append(" ---\n").Append(Numbered(source));
            }
            Assert.Fail(message.ToString());
        }
        return this;
    }

    /// <summary>Fails unless the generators reported nothing but the given IDs.</summary>
    public GeneratorRun AssertNoGeneratorDiagnostics()
    {
        Assert.True(GeneratorDiagnostics.IsEmpty, "Unexpected generator diagnostics:\n" + string.Join("\n", GeneratorDiagnostics));
        return this;
    }

    private static string Numbered(string source)
    {
        string[] lines = source.Split('\n');
        var text = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            text.Append((i + 1).ToString().PadLeft(4)).Append(": ").Append(lines[i]).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>Runs the generator in memory over user source, with the running runtime's assemblies as references.</summary>
internal static class GeneratorHarness
{
    public const string UserFilePath = "/src/User.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    private static readonly Lazy<ISourceGenerator?> LazyJsonGenerator = new(LoadJsonGenerator);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>The usings every test source starts with.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedHttp;

        """;

    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        var trees = new List<SyntaxTree>();
        for (int i = 0; i < sources.Length; i++)
        {
            string path = i == 0 ? UserFilePath : $"/src/User{i}.cs";
            trees.Add(CSharpSyntaxTree.ParseText(sources[i], ParseOptions, path, Encoding.UTF8));
        }
        return CSharpCompilation.Create(
            "UserAssembly" + Guid.NewGuid().ToString("N"),
            trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Runs the TypedHttp generator (and, when asked, the System.Text.Json generator) over the sources.</summary>
    public static GeneratorRun Run(string source, bool withJsonGenerator = false, params string[] moreSources) =>
        Run(CreateCompilation(new[] { source }.Concat(moreSources).ToArray()), withJsonGenerator);

    public static GeneratorRun Run(CSharpCompilation compilation, bool withJsonGenerator = false)
    {
        var generators = new List<ISourceGenerator> { new ClientGenerator().AsSourceGenerator() };
        if (withJsonGenerator)
        {
            generators.Add(LazyJsonGenerator.Value
                ?? throw new InvalidOperationException("System.Text.Json.SourceGeneration.dll was not found in the SDK's Microsoft.NETCore.App.Ref pack."));
        }
        GeneratorDriver driver = CSharpGeneratorDriver.Create(generators, parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        GeneratorRunResult ours = result.Results[0];
        Assert.Null(ours.Exception);
        var clients = ours.GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .ToList();
        return new GeneratorRun((CSharpCompilation)output, result.Diagnostics, clients);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = trusted.Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .ToList();
        paths.Add(typeof(GetAttribute).Assembly.Location);
        return paths
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>The System.Text.Json source generator from the SDK's reference pack, so that test code can use a JsonSerializerContext.</summary>
    private static ISourceGenerator? LoadJsonGenerator()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        if (!Directory.Exists(packs))
        {
            return null;
        }
        string? path = Directory.GetDirectories(packs)
            .OrderByDescending(d => Path.GetFileName(d) == Environment.Version.ToString())
            .ThenByDescending(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return null;
        }
        var assembly = Assembly.LoadFrom(path);
        Type type = assembly.GetTypes().Single(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t));
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    }
}
