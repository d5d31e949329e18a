using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TypedHttp.Benchmarks;

/// <summary>
/// Source generation for 40 interfaces of 12 methods each, TypedHttp's generator against Refit 16.4's, in one run:
/// a cold run (a new driver over the whole compilation) and a one-keystroke update (a method body edited in an
/// unrelated file, with the driver's cached state). Goal (issue 5): at most 0.5x Refit's time and allocations.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int Interfaces = 40;
    private const int MethodsPerInterface = 12;

    private CSharpCompilation _typedHttpCompilation = null!;
    private CSharpCompilation _refitCompilation = null!;
    private ISourceGenerator _typedHttpGenerator = null!;
    private ISourceGenerator _refitGenerator = null!;
    private GeneratorDriver _typedHttpWarm = null!;
    private GeneratorDriver _refitWarm = null!;
    private CSharpCompilation _typedHttpEdited = null!;
    private CSharpCompilation _refitEdited = null!;

    [Params("TypedHttp", "Refit")]
    public string Generator { get; set; } = "TypedHttp";

    [GlobalSetup]
    public void Setup()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(TypedHttp.GetAttribute).Assembly.Location));
        references.Add(MetadataReference.CreateFromFile(typeof(Refit.GetAttribute).Assembly.Location));

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        SyntaxTree unrelated = CSharpSyntaxTree.ParseText(UnrelatedSource(0), parse, path: "Unrelated.cs");
        SyntaxTree edited = CSharpSyntaxTree.ParseText(UnrelatedSource(1), parse, path: "Unrelated.cs");

        _typedHttpCompilation = CSharpCompilation.Create("TypedHttpApp", new[] { CSharpSyntaxTree.ParseText(ApiSource("TypedHttp"), parse, path: "Apis.cs"), unrelated }, references, options);
        _refitCompilation = CSharpCompilation.Create("RefitApp", new[] { CSharpSyntaxTree.ParseText(ApiSource("Refit"), parse, path: "Apis.cs"), unrelated }, references, options);
        _typedHttpEdited = _typedHttpCompilation.ReplaceSyntaxTree(unrelated, edited);
        _refitEdited = _refitCompilation.ReplaceSyntaxTree(unrelated, edited);

        _typedHttpGenerator = new TypedHttp.Generator.ClientGenerator().AsSourceGenerator();
        string refitPath = typeof(GeneratorBenchmarks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RefitGeneratorPath").Value!;
        var refitReference = new AnalyzerFileReference(refitPath, new AnalyzerLoader());
        _refitGenerator = refitReference.GetGenerators(LanguageNames.CSharp).Single(g => g.GetGeneratorType().Name.Contains("InterfaceStubGenerator", StringComparison.Ordinal));

        _typedHttpWarm = Driver(_typedHttpGenerator, parse).RunGenerators(_typedHttpCompilation);
        _refitWarm = Driver(_refitGenerator, parse).RunGenerators(_refitCompilation);
        Verify(_typedHttpWarm, "TypedHttp");
        Verify(_refitWarm, "Refit");
    }

    [Benchmark(Description = "cold: 40 interfaces x 12 methods")]
    public GeneratorDriver Cold() => Generator == "TypedHttp"
        ? Driver(_typedHttpGenerator, (CSharpParseOptions)_typedHttpCompilation.SyntaxTrees.First().Options).RunGenerators(_typedHttpCompilation)
        : Driver(_refitGenerator, (CSharpParseOptions)_refitCompilation.SyntaxTrees.First().Options).RunGenerators(_refitCompilation);

    [Benchmark(Description = "one keystroke in an unrelated file")]
    public GeneratorDriver Keystroke() => Generator == "TypedHttp"
        ? _typedHttpWarm.RunGenerators(_typedHttpEdited)
        : _refitWarm.RunGenerators(_refitEdited);

    private static GeneratorDriver Driver(ISourceGenerator generator, CSharpParseOptions parse) =>
        CSharpGeneratorDriver.Create(new[] { generator }, parseOptions: parse);

    private static void Verify(GeneratorDriver driver, string name)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        int files = result.GeneratedTrees.Length;
        if (files == 0 || result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException($"{name} generated {files} files with diagnostics: {string.Join("; ", result.Diagnostics)}");
        }
    }

    /// <summary>The same 40 x 12 interface shapes, under either library's attributes.</summary>
    public static string ApiSource(string library)
    {
        var s = new StringBuilder();
        s.AppendLine("using System.Collections.Generic; using System.Threading; using System.Threading.Tasks;");
        s.AppendLine($"using {library};");
        s.AppendLine("namespace Bench;");
        s.AppendLine("public sealed record Widget(int Id, string Name, decimal Price);");
        s.AppendLine("public sealed record NewWidget(string Name, decimal Price);");
        string apiResponse = library == "Refit" ? "ApiResponse" : "ApiResponse";
        for (int i = 0; i < Interfaces; i++)
        {
            s.AppendLine("[Headers(\"Accept: application/json\")]");
            s.AppendLine($"public interface IWidgets{i}");
            s.AppendLine("{");
            for (int m = 0; m < MethodsPerInterface; m++)
            {
                switch (m % 6)
                {
                    case 0: s.AppendLine($"    [Get(\"/v{i}/widgets/{{id}}\")] Task<Widget> Get{m}Async(int id, CancellationToken cancellationToken = default);"); break;
                    case 1: s.AppendLine($"    [Get(\"/v{i}/widgets\")] Task<List<Widget>> List{m}Async(int page, [AliasAs(\"per_page\")] int perPage, string? filter = null);"); break;
                    case 2: s.AppendLine($"    [Post(\"/v{i}/widgets\")] Task<{apiResponse}<Widget>> Create{m}Async([Body] NewWidget widget);"); break;
                    case 3: s.AppendLine($"    [Put(\"/v{i}/widgets/{{id}}\")] Task Update{m}Async(int id, [Body] NewWidget widget, [Header(\"X-Request-Id\")] string requestId);"); break;
                    case 4: s.AppendLine($"    [Delete(\"/v{i}/widgets/{{id}}\")] Task Delete{m}Async(int id);"); break;
                    default: s.AppendLine($"    [Get(\"/v{i}/widgets/{{id}}/name\")] Task<string> Name{m}Async(int id, bool verbose);"); break;
                }
            }
            s.AppendLine("}");
        }
        return s.ToString();
    }

    private static string UnrelatedSource(int edit) =>
        "namespace Bench; public static class Unrelated { public static int Compute(int x) { return x * " + (edit + 2) + "; } }";

    private sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
