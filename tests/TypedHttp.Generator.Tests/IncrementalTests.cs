using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>Proves with tracked pipeline steps that edits elsewhere leave unchanged interfaces' parse and emit steps cached.</summary>
public sealed class IncrementalTests
{
    private const string ApiSource = GeneratorHarness.Usings + """
        namespace MyApp;

        public sealed record User(int Id, string Name);

        [Headers("Accept: application/json")]
        public interface IUsersApi
        {
            [Get("/users/{id}")]
            Task<User> GetUserAsync(int id, CancellationToken cancellationToken = default);

            [Post("/users")]
            Task<ApiResponse<User>> CreateAsync([Body] User user);
        }

        public interface IBaseApi
        {
            [Purge("/cache")]
            Task PurgeAsync();
        }

        public interface IDerivedApi : IBaseApi
        {
        }

        public sealed class PurgeAttribute : HttpMethodAttribute
        {
            public PurgeAttribute(string path) : base("PURGE", path) { }
        }
        """;

    private const string OtherSource = """
        namespace MyApp;

        public static class Helpers
        {
            public static int Twice(int value) => value * 2;
        }
        """;

    private const string JsonSource = """
        using System.Text.Json.Serialization;

        namespace MyApp;

        [JsonSerializable(typeof(User))]
        public partial class AppJson : JsonSerializerContext
        {
        }
        """;

    private static readonly string[] ParseAndEmitSteps =
    {
        ClientGenerator.Steps.Parse, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit,
    };

    private static readonly string[] JsonSteps =
    {
        ClientGenerator.Steps.JsonContexts, ClientGenerator.Steps.JsonDeclaredTypes, ClientGenerator.Steps.JsonUses,
    };

    private static readonly string[] ConstructionSteps =
    {
        ClientGenerator.Steps.Constructions, ClientGenerator.Steps.EmitConstructions,
    };

    /// <summary>Every step name the generator declares, read from its constants, so that a new step is checked too.</summary>
    private static IEnumerable<string> AllStepNames() =>
        typeof(ClientGenerator.Steps).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new ClientGenerator().AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ApiSource, OtherSource, JsonSource);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Equal(3, result.GeneratedSources.Length);
        return (driver, compilation);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, CSharpCompilation compilation, int treeIndex, string newText)
    {
        SyntaxTree old = compilation.SyntaxTrees.ElementAt(treeIndex);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newText, GeneratorHarness.ParseOptions, old.FilePath));
        return driver.RunGenerators(edited).GetRunResult().Results.Single();
    }

    private static void AssertAllCached(GeneratorRunResult result, params string[] stepNames)
    {
        foreach (string name in stepNames)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps), $"No step named {name} was tracked.");
            var outputs = steps.SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            foreach ((object value, IncrementalStepRunReason reason) in outputs)
            {
                Assert.True(
                    reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {name} produced {reason} for {value}.");
            }
        }
    }

    [Fact]
    public void Editing_an_unrelated_file_keeps_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult result = Rerun(driver, compilation, 1, OtherSource + "\npublic sealed class Added { }\n");
        AssertAllCached(result, ParseAndEmitSteps);
        AssertAllCached(result, JsonSteps);
    }

    [Fact]
    public void Editing_a_method_body_elsewhere_keeps_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult result = Rerun(driver, compilation, 1, OtherSource.Replace("value * 2", "value + value"));
        AssertAllCached(result, ParseAndEmitSteps);
        AssertAllCached(result, JsonSteps);
    }

    [Fact]
    public void Declaring_another_json_type_reemits_no_client()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult result = Rerun(driver, compilation, 2, JsonSource.Replace("[JsonSerializable(typeof(User))]", "[JsonSerializable(typeof(User))]\n[JsonSerializable(typeof(int[]))]"));
        // The declared types changed, so the warning check runs again; the clients' parse and emit do not.
        Assert.Contains(result.TrackedSteps[ClientGenerator.Steps.JsonDeclaredTypes].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        AssertAllCached(result, ParseAndEmitSteps);
        AssertAllCached(result, ClientGenerator.Steps.JsonUses);
    }

    [Fact]
    public void A_type_no_context_declares_is_warned_about_and_declaring_it_clears_the_warning()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ApiSource, OtherSource, JsonSource.Replace("typeof(User)", "typeof(int)"));
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        // GetUserAsync's result, CreateAsync's body and its ApiResponse<User> result.
        Assert.Equal(new[] { "THTTP022", "THTTP022", "THTTP022" }, driver.GetRunResult().Diagnostics.Select(d => d.Id));
        GeneratorRunResult result = Rerun(driver, compilation, 2, JsonSource);
        Assert.Empty(result.Diagnostics);
        AssertAllCached(result, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit);
    }

    [Fact]
    public void Editing_the_interface_file_without_changing_the_api_keeps_emit_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        // Moving every declaration down by a comment line changes positions but not the model.
        GeneratorRunResult result = Rerun(driver, compilation, 0, ApiSource.Replace("namespace MyApp;", "namespace MyApp;\n// a comment"));
        AssertAllCached(result, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit);
    }

    [Fact]
    public void Changing_one_interface_reemits_only_that_interface()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult result = Rerun(driver, compilation, 0, ApiSource.Replace("\"/users\"", "\"/people\""));
        var emitted = result.TrackedSteps[ClientGenerator.Steps.Emit].SelectMany(s => s.Outputs).ToList();
        Assert.Single(emitted, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("/people", result.GeneratedSources.Single(s => s.HintName == "MyApp.IUsersApi.g.cs").SourceText.ToString());
        Assert.All(emitted.Where(o => o.Reason != IncrementalStepRunReason.Modified), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void Adding_a_timeout_or_redirect_policy_to_the_interface_reemits_its_client()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        GeneratorRunResult result = Rerun(driver, compilation, 0, ApiSource.Replace(
            "[Headers(\"Accept: application/json\")]",
            "[Headers(\"Accept: application/json\")]\n[Timeout(100)]\n[RedirectPolicy(RedirectPolicy.Never)]"));
        Assert.Single(result.TrackedSteps[ClientGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        string client = result.GeneratedSources.Single(s => s.HintName == "MyApp.IUsersApi.g.cs").SourceText.ToString();
        Assert.Contains("timeoutMilliseconds: 100", client);
        Assert.Contains("request.RedirectPolicy = global::TypedHttp.RedirectPolicy.Never;", client);
    }

    // The parse of an unchanged interface is reused while the compilation's declarations stay the same (see
    // ParseCache). These prove that a change to a declaration the interface depends on, in another file, still
    // reaches the generated client, and that edits inside bodies of that same file do not re-parse.

    private const string SearchApiSource = GeneratorHarness.Usings + """
        namespace MyApp;

        public interface ISearchApi
        {
            [Get(Routes.Search)]
            Task<string> SearchAsync([Query] SearchFilter filter);
        }
        """;

    private const string SearchModelSource = """
        namespace MyApp;

        public static class Routes
        {
            public const string Search = "/search";
        }

        public sealed class SearchFilter
        {
            public string? Text { get; set; }

            public static int Twice(int value) => value * 2;

            public int Thrice(int value)
            {
                return value * 3;
            }
        }
        """;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstSearchRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(SearchApiSource, SearchModelSource);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().Results.Single().GeneratedSources);
        return (driver, compilation);
    }

    [Fact]
    public void Adding_a_property_to_a_query_object_in_another_file_reemits_the_client()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstSearchRun();
        GeneratorRunResult result = Rerun(driver, compilation, 1, SearchModelSource.Replace(
            "public string? Text { get; set; }",
            "public string? Text { get; set; }\n    public int? Limit { get; set; }"));
        Assert.Single(result.TrackedSteps[ClientGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"Limit\"", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Changing_a_constant_route_in_another_file_reemits_the_client()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstSearchRun();
        GeneratorRunResult result = Rerun(driver, compilation, 1, SearchModelSource.Replace("\"/search\"", "\"/find\""));
        Assert.Single(result.TrackedSteps[ClientGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("\"/find\"", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Editing_bodies_in_the_file_of_a_query_object_parses_nothing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstSearchRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        GeneratorRunResult result = Rerun(driver, compilation, 1, SearchModelSource
            .Replace("value * 2", "value + value + 0")
            .Replace("return value * 3;", "int tripled = value * 3;\n        return tripled;"));
        Assert.Equal(0, Parser.InterfacesParsedOnThisThread - parsedBefore);
        AssertAllCached(result, ClientGenerator.Steps.Parse, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit);
    }

    [Fact]
    public void Editing_a_method_body_elsewhere_parses_nothing_and_editing_the_api_file_parses_its_interfaces()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        Rerun(driver, compilation, 1, OtherSource.Replace("value * 2", "value + value"));
        Assert.Equal(0, Parser.InterfacesParsedOnThisThread - parsedBefore);

        // An edit in the interfaces' own file parses them again (their diagnostics' locations may have moved).
        Rerun(driver, compilation, 0, ApiSource.Replace("namespace MyApp;", "namespace MyApp;\n// a comment"));
        Assert.Equal(3, Parser.InterfacesParsedOnThisThread - parsedBefore);
    }

    [Fact]
    public void A_changed_compilation_option_parses_again()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        CSharpCompilation changed = compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable));
        driver.RunGenerators(changed);
        Assert.Equal(3, Parser.InterfacesParsedOnThisThread - parsedBefore);
    }

    [Fact]
    public void Changing_a_property_type_of_a_query_object_in_another_file_reemits_the_client()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstSearchRun();
        // The declaration keeps its length and every token but one: only its type changes.
        GeneratorRunResult result = Rerun(driver, compilation, 1, SearchModelSource.Replace("public string? Text", "public int?    Text"));
        Assert.Single(result.TrackedSteps[ClientGenerator.Steps.Emit].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("FormatValue<int>", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Models_hold_no_symbols_syntax_or_compilations()
    {
        // Sources that give every step an output: clients, a warning, JSON contexts and uses, a construction.
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
            ApiSource.Replace("Task PurgeAsync();", "Task PurgeAsync([Query(CollectionFormat.Csv)] int page);"),
            OtherSource,
            JsonSource,
            GenericApiSource,
            GenericUseSource);
        GeneratorRunResult result = CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Contains(result.Diagnostics, d => d.Id == "THTTP024");
        foreach (string name in AllStepNames())
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps), $"No step named {name} was tracked.");
            var outputs = steps.SelectMany(s => s.Outputs).ToList();
            Assert.True(outputs.Count > 0, $"Step {name} has no output to check.");
            foreach ((object value, _) in outputs)
            {
                AssertPlainData(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    // Closed constructions of a generic interface are named in method bodies; a body edit binds the call again
    // but parses no interface (ParseCache keeps constructions per compilation shape) and re-emits nothing.

    private const string GenericApiSource = GeneratorHarness.Usings + """
        namespace MyApp;

        public sealed record Order(int Id);

        public interface ICrudApi<T> where T : class
        {
            [Get("/{id}")]
            Task<T> GetAsync(int id);
        }
        """;

    private const string GenericUseSource = """
        using TypedHttp;

        namespace MyApp;

        public static class Use
        {
            public static object Users(TypedHttpClientOptions options)
            {
                return TypedHttpClient.Create<ICrudApi<User>>(options);
            }
        }
        """;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstGenericRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ApiSource, GenericApiSource, GenericUseSource);
        GeneratorDriver driver = CreateDriver().RunGenerators(compilation);
        Assert.Contains(driver.GetRunResult().Results.Single().GeneratedSources, s => s.HintName == "MyApp.ICrudApi{MyApp.User}.g.cs");
        return (driver, compilation);
    }

    [Fact]
    public void Editing_the_body_that_creates_a_construction_parses_nothing_and_reemits_nothing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstGenericRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        GeneratorRunResult result = Rerun(driver, compilation, 2, GenericUseSource.Replace(
            "return TypedHttpClient.Create<ICrudApi<User>>(options);",
            "options.Timeout = System.TimeSpan.FromSeconds(1);\n        return TypedHttpClient.Create<ICrudApi<User>>(options);"));
        Assert.Equal(0, Parser.InterfacesParsedOnThisThread - parsedBefore);
        AssertAllCached(result, ConstructionSteps);
        // The use's own result is Modified: its JSON uses point at the call, which moved down a line.
        AssertAllCached(result, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit);
    }

    [Fact]
    public void A_second_use_of_a_construction_in_a_body_parses_nothing_and_reemits_nothing()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstGenericRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        GeneratorRunResult result = Rerun(driver, compilation, 2, GenericUseSource.Replace(
            "return TypedHttpClient.Create<ICrudApi<User>>(options);",
            "_ = TypedHttpClient.Create<ICrudApi<User>>(options);\n        return TypedHttpClient.Create<ICrudApi<User>>(options);"));
        Assert.Equal(0, Parser.InterfacesParsedOnThisThread - parsedBefore);
        AssertAllCached(result, ConstructionSteps);
    }

    [Fact]
    public void A_new_construction_in_a_body_parses_that_construction_only()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstGenericRun();
        int parsedBefore = Parser.InterfacesParsedOnThisThread;
        GeneratorRunResult result = Rerun(driver, compilation, 2, GenericUseSource.Replace(
            "return TypedHttpClient.Create<ICrudApi<User>>(options);",
            "_ = TypedHttpClient.Create<ICrudApi<Order>>(options);\n        return TypedHttpClient.Create<ICrudApi<User>>(options);"));
        Assert.Equal(1, Parser.InterfacesParsedOnThisThread - parsedBefore);
        Assert.Equal(
            new[] { "MyApp.ICrudApi{MyApp.Order}.g.cs", "MyApp.ICrudApi{MyApp.User}.g.cs" },
            result.TrackedSteps[ClientGenerator.Steps.EmitConstructions].SelectMany(s => s.Outputs).Select(o => ((GeneratedFile)o.Value).HintName));
        AssertAllCached(result, ClientGenerator.Steps.Clients, ClientGenerator.Steps.Emit);
    }

    private static void AssertPlainData(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }
        Assert.False(
            value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"{path} holds a {value.GetType().Name}, which would defeat the pipeline's caching.");
        if (value is DiagnosticDescriptor)
        {
            return;
        }
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertPlainData(item, $"{path}[{i++}]", seen);
            }
            return;
        }
        foreach (PropertyInfo property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                AssertPlainData(property.GetValue(value), path + "." + property.Name, seen);
            }
        }
    }
}
