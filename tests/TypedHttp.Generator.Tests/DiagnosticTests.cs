using System.Linq;
using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>One test per diagnostic: its ID, severity, the span it points at, and that the user code still compiles.</summary>
public sealed class DiagnosticTests
{
    /// <summary>Runs the generator over <paramref name="markup"/> and checks that it reports exactly one diagnostic, at the marked span.</summary>
    private static Diagnostic Expect(string id, string markup, string? messageFragment = null)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(GeneratorHarness.Usings + markup);
        GeneratorRun run = GeneratorHarness.Run(source).AssertCompiles();
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("TypedHttp", diagnostic.Descriptor.Category);
        Assert.Equal(GeneratorHarness.UserFilePath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(source.Substring(span.Start, span.Length), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        if (messageFragment is not null)
        {
            Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
        // An interface with an error gets no client, so the error is the only thing the user sees.
        Assert.Empty(run.Clients);
        return diagnostic;
    }

    [Fact]
    public void THTTP001_route_hole_without_parameter() => Expect("THTTP001", """
        public interface IApi
        {
            [Get([|"/users/{id}"|])]
            Task GetAsync(int userId);
        }
        """, "'{id}'");

    [Fact]
    public void THTTP002_parameter_bound_as_hole_and_authorize() => Expect("THTTP002", """
        public interface IApi
        {
            [Get("/users/{id}")]
            Task GetAsync([Authorize] string [|id|]);
        }
        """, "the route hole '{id}' and as [Authorize]");

    [Fact]
    public void THTTP002_parameter_bound_as_body_and_query() => Expect("THTTP002", """
        public interface IApi
        {
            [Post("/users")]
            Task PostAsync([Body, Query] string [|name|]);
        }
        """);

    [Fact]
    public void THTTP002_two_parameters_fill_one_hole() => Expect("THTTP002", """
        public interface IApi
        {
            [Get("/users/{id}")]
            Task GetAsync(int id, [AliasAs("id")] int [|other|]);
        }
        """);

    [Fact]
    public void THTTP003_two_bodies() => Expect("THTTP003", """
        public interface IApi
        {
            [Post("/pairs")]
            Task PostAsync([Body] string first, [Body] string [|second|]);
        }
        """);

    [Fact]
    public void THTTP004_two_cancellation_tokens() => Expect("THTTP004", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(CancellationToken first, CancellationToken [|second|]);
        }
        """);

    [Fact]
    public void THTTP005_void_return() => Expect("THTTP005", """
        public interface IApi
        {
            [Get("/a")]
            [|void|] Get();
        }
        """);

    [Fact]
    public void THTTP005_stream_result() => Expect("THTTP005", """
        public interface IApi
        {
            [Get("/a")]
            [|Task<System.IO.MemoryStream>|] GetAsync();
        }
        """, "Task<MemoryStream>");

    [Fact]
    public void THTTP006_header_without_colon() => Expect("THTTP006", """
        public interface IApi
        {
            [Get("/a")]
            [Headers("Accept: text/plain", [|"X-Broken value"|])]
            Task GetAsync();
        }
        """, "X-Broken value");

    [Fact]
    public void THTTP006_header_name_not_a_token() => Expect("THTTP006", """
        [Headers([|"Bad Name: value"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP007_line_break_in_constant_header() => Expect("THTTP007", """
        public interface IApi
        {
            [Get("/a")]
            [Headers([|"X-Note: a\r\nInjected: b"|])]
            Task GetAsync();
        }
        """, "header 'X-Note'");

    [Fact]
    public void THTTP007_line_break_in_route() => Expect("THTTP007", """
        public interface IApi
        {
            [Get([|"/a\nHost: evil"|])]
            Task GetAsync();
        }
        """, "route");

    [Fact]
    public void THTTP008_route_without_leading_slash() => Expect("THTTP008", """
        public interface IApi
        {
            [Get([|"users"|])]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP009_method_without_http_attribute() => Expect("THTTP009", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();

            Task [|OtherAsync|]();
        }
        """, "IApi.OtherAsync");

    [Fact]
    public void THTTP010_unformattable_query_parameter() => Expect("THTTP010", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Query] List<System.IO.Stream> [|streams|]);
        }
        """, "items of type 'Stream'");

    [Fact]
    public void THTTP010_unformattable_route_value() => Expect("THTTP010", """
        public interface IApi
        {
            [Get("/a/{id}")]
            Task GetAsync(object [|id|]);
        }
        """);

    [Fact]
    public void THTTP011_ref_parameter() => Expect("THTTP011", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(ref int [|page|]);
        }
        """, "'ref'");

    [Fact]
    public void THTTP011_out_parameter() => Expect("THTTP011", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(out int [|page|]);
        }
        """, "'out'");

    [Fact]
    public void THTTP012_generic_method() => Expect("THTTP012", """
        public interface IApi
        {
            [Get("/a")]
            Task<T> [|GetAsync|]<T>();
        }
        """);

    [Fact]
    public void THTTP013_unclosed_hole() => Expect("THTTP013", """
        public interface IApi
        {
            [Get([|"/a/{id"|])]
            Task GetAsync(int id);
        }
        """, "never closed");

    [Fact]
    public void THTTP013_catch_all_in_query() => Expect("THTTP013", """
        public interface IApi
        {
            [Get([|"/a?x={**rest}"|])]
            Task GetAsync(string rest);
        }
        """, "catch-all");

    [Fact]
    public void THTTP014_two_http_method_attributes() => Expect("THTTP014", """
        public interface IApi
        {
            [Get("/a")]
            [[|Post("/a")|]]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP015_http_attribute_on_class_method() => Expect("THTTP015", """
        public class NotAnInterface
        {
            [Get("/a")]
            public Task [|GetAsync|]() => Task.CompletedTask;
        }
        """);

    [Fact]
    public void THTTP016_interface_nested_in_generic_type() => Expect("THTTP016", """
        public class Outer<T>
        {
            public interface [|IApi|]
            {
                [Get("/items")]
                Task<string> ListAsync();
            }
        }
        """, "nested in the generic type 'Outer<T>'");

    [Fact]
    public void THTTP033_construction_whose_type_argument_leaves_a_parameter_without_a_place() => Expect("THTTP033", """
        public sealed record User(int Id);

        public interface ICrudApi<T>
        {
            [Post("/items")]
            Task CreateAsync(T item);
        }

        public static class Use
        {
            public static ICrudApi<User> Make(TypedHttpClientOptions options) => TypedHttpClient.Create<[|ICrudApi<User>|]>(options);
        }
        """, "'ICrudApi<User>'");

    [Fact]
    public void THTTP033_construction_names_the_inner_problem_with_its_id()
    {
        Diagnostic diagnostic = Expect("THTTP033", """
            [assembly: TypedHttpClientFor(typeof([|ICrudApi<User>|]))]

            public sealed record User(int Id);

            public interface ICrudApi<T>
            {
                [Post("/items")]
                Task CreateAsync(T item);
            }
            """);
        Assert.Contains("THTTP020: ", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("'item'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void THTTP033_closed_base_reported_on_the_interface_that_closes_it() => Expect("THTTP033", """
        public sealed record User(int Id);

        public interface ICrudApi<T>
        {
            [Post("/items")]
            Task CreateAsync(T item);
        }

        public interface [|IUsersApi|] : ICrudApi<User>
        {
        }
        """, "THTTP020");

    [Fact]
    public void THTTP033_construction_with_a_private_type_argument() => Expect("THTTP033", """
        public interface ICrudApi<T>
        {
            [Get("/items/{id}")]
            Task<string> GetAsync(T id);
        }

        public static class Use
        {
            private enum Hidden { A }

            public static object Make(TypedHttpClientOptions options) => TypedHttpClient.Create<[|ICrudApi<Hidden>|]>(options);
        }
        """, "not accessible");

    [Fact]
    public void THTTP016_private_nested_interface() => Expect("THTTP016", """
        public class Outer
        {
            private interface [|IHidden|]
            {
                [Get("/items")]
                Task ListAsync();
            }
        }
        """, "not accessible");

    [Fact]
    public void THTTP017_custom_verb_that_is_not_constant() => Expect("THTTP017", """
        public sealed class DynamicAttribute : HttpMethodAttribute
        {
            public DynamicAttribute(string path) : base(System.Environment.GetEnvironmentVariable("VERB") ?? "GET", path) { }
        }

        public interface IApi
        {
            [[|Dynamic("/a")|]]
            Task GetAsync();
        }
        """, "neither a constant nor one of its own parameters");

    [Fact]
    public void THTTP017_custom_verb_that_is_not_a_token() => Expect("THTTP017", """
        public sealed class SpacedAttribute : HttpMethodAttribute
        {
            public SpacedAttribute(string path) : base("GET X", path) { }
        }

        public interface IApi
        {
            [[|Spaced("/a")|]]
            Task GetAsync();
        }
        """, "not a valid HTTP method");

    [Fact]
    public void THTTP018_property_in_interface() => Expect("THTTP018", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();

            string [|Name|] { get; }
        }
        """, "property");

    [Fact]
    public void THTTP019_invalid_header_parameter_name() => Expect("THTTP019", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Header("Bad Name")] string [|value|]);
        }
        """);

    [Fact]
    public void THTTP020_complex_parameter_without_body() => Expect("THTTP020", """
        public sealed record User(string Name);

        public interface IApi
        {
            [Post("/users")]
            Task PostAsync(User [|user|]);
        }
        """, "for POST Refit would send it as the body, TypedHttp does not guess: mark it [Body]");

    /// <summary>Like <see cref="Expect"/> for a warning: the client is still generated and compiles.</summary>
    private static Diagnostic ExpectWarning(string id, string markup, string? messageFragment = null, bool withJsonGenerator = false)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(GeneratorHarness.Usings + markup);
        GeneratorRun run = GeneratorHarness.Run(source, withJsonGenerator).AssertCompiles();
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("TypedHttp", diagnostic.Descriptor.Category);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        if (messageFragment is not null)
        {
            Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.NotEmpty(run.Clients);
        return diagnostic;
    }

    [Theory]
    [InlineData("/files/v{version?}")]
    [InlineData("/files/{**rest?}")]
    public void THTTP013_optional_hole_that_is_not_a_whole_segment(string route) => Expect("THTTP013", $$"""
        public interface IApi
        {
            [Get([|"{{route}}"|])]
            Task GetAsync(string? version, string? rest);
        }
        """, "not a whole path segment");

    [Fact]
    public void THTTP021_multipart_with_body() => Expect("THTTP021", """
        public interface IApi
        {
            [Post("/upload")]
            [Multipart]
            Task UploadAsync(string name, [Body] string [|text|]);
        }
        """, "remove [Body]");

    private const string JsonContextSource = """
        using System.Text.Json.Serialization;

        public sealed record Declared(Nested Inner);
        public sealed record Nested(int Id);
        public sealed record User(string Name);

        [JsonSerializable(typeof(Declared))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        """;

    [Fact]
    public void THTTP022_body_type_not_in_any_json_context() => ExpectWarning("THTTP022", JsonContextSource + """
        public interface IApi
        {
            [Post("/users")]
            Task<Declared> PostAsync([Body] User [|user|]);
        }
        """, "add [JsonSerializable(typeof(User))]", withJsonGenerator: true);

    [Fact]
    public void THTTP022_result_type_not_in_any_json_context() => ExpectWarning("THTTP022", JsonContextSource + """
        public interface IApi
        {
            [Get("/users")]
            [|Task<List<User>>|] ListAsync();
        }
        """, "'List<User>'", withJsonGenerator: true);

    [Fact]
    public void THTTP022_not_reported_for_declared_or_reachable_types_or_without_any_context()
    {
        GeneratorRun declared = GeneratorHarness.Run(GeneratorHarness.Usings + JsonContextSource + """
            public interface IApi
            {
                [Post("/a")] Task<Nested> PostAsync([Body] Declared value);
                [Get("/b")] IAsyncEnumerable<Nested> StreamAsync();
            }
            """, withJsonGenerator: true).AssertCompiles();
        Assert.Empty(declared.GeneratorDiagnostics);

        GeneratorRun noContext = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public sealed record User(string Name);

            public interface IApi
            {
                [Post("/a")] Task<User> PostAsync([Body] User value);
            }
            """).AssertCompiles();
        Assert.Empty(noContext.GeneratorDiagnostics);
    }

    [Fact]
    public void THTTP022_reads_every_part_of_a_partial_context()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + JsonContextSource + """
            [JsonSerializable(typeof(User))]
            public partial class AppJson
            {
            }

            public interface IApi
            {
                [Post("/a")] Task<Declared> PostAsync([Body] User value);
            }
            """);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "THTTP022");
    }

    [Theory]
    [InlineData("/a\\\\b", "backslash")]
    [InlineData("/a?x=1?y=2", "second '?'")]
    [InlineData("/a#top", "fragment")]
    [InlineData("/a?", "followed by no parameter")]
    public void THTTP023_route_misuse(string route, string fragment) => Expect("THTTP023", $$"""
        public interface IApi
        {
            [Get([|"{{route}}"|])]
            Task GetAsync();
        }
        """, fragment);

    [Fact]
    public void THTTP024_collection_format_on_a_single_value() => ExpectWarning("THTTP024", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Query(CollectionFormat.Csv)] int [|id|]);
        }
        """, "CollectionFormat.Csv");

    [Fact]
    public void THTTP025_header_collection_of_the_wrong_type() => Expect("THTTP025", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([HeaderCollection] IDictionary<string, int> [|headers|]);
        }
        """, "IDictionary<string, string>");

    [Fact]
    public void THTTP026_authorize_on_a_non_string() => Expect("THTTP026", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Authorize] int [|token|]);
        }
        """, "declare it string");

    [Fact]
    public void THTTP027_invalid_multipart_boundary() => Expect("THTTP027", """
        public interface IApi
        {
            [Post("/a")]
            [Multipart([|"quote\"in boundary"|])]
            Task PostAsync(string text);
        }
        """, "boundary alphabet");

    [Fact]
    public void THTTP028_url_parameter_of_the_wrong_type() => Expect("THTTP028", """
        public interface IApi
        {
            [Get("")]
            Task GetAsync([Url] int [|url|]);
        }
        """, "declare it string or Uri");

    [Fact]
    public void THTTP028_two_url_parameters() => Expect("THTTP028", """
        public interface IApi
        {
            [Get("")]
            Task GetAsync([Url] string first, [Url] Uri [|second|]);
        }
        """, "'first' is [Url] already");

    [Fact]
    public void THTTP029_base_path_without_slash() => Expect("THTTP029", """
        [BasePath([|"v2"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "must start with '/'");

    [Fact]
    public void THTTP029_base_path_with_a_hole() => Expect("THTTP029", """
        [BasePath([|"/v{version}"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "hole");

    [Fact]
    public void THTTP030_route_hole_names_no_property() => Expect("THTTP030", """
        public sealed record GroupRequest(int GroupId);

        public interface IApi
        {
            [Get("/groups/{request.groupid}/users/{request.UserId}")]
            Task GetAsync(GroupRequest [|request|]);
        }
        """, "no public readable property 'UserId'");

    [Fact]
    public void THTTP031_zero_timeout_on_a_method() => Expect("THTTP031", """
        public interface IApi
        {
            [Get("/a")]
            [Timeout([|0|])]
            Task GetAsync();
        }
        """, "[Timeout(0)] on 'IApi.GetAsync'");

    [Fact]
    public void THTTP031_negative_timeout_on_an_interface() => Expect("THTTP031", """
        [Timeout([|-5|])]
        public interface IApi
        {
            [Get("/a")]
            [Timeout(100)]
            Task GetAsync();
        }
        """, "[Timeout(-5)] on 'IApi'");

    [Fact]
    public void THTTP031_infinite_timeout_constant_is_not_a_timeout() => Expect("THTTP031", """
        public interface IApi
        {
            [Get("/a")]
            [Timeout([|System.Threading.Timeout.Infinite|])]
            Task GetAsync();
        }
        """, "[Timeout(-1)]");

    [Fact]
    public void THTTP032_redirect_policy_that_is_no_member() => Expect("THTTP032", """
        [RedirectPolicy([|(RedirectPolicy)7|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "[RedirectPolicy(7)] on 'IApi'");

    [Fact]
    public void THTTP020_implicit_object_on_get_is_a_query_object()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public sealed record Filter(string Name, int Page);

            public interface IApi
            {
                [Get("/users")]
                Task<string> ListAsync(Filter filter);
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Contains("uri.AppendQuery(\"Page\"", run.SingleClient);
    }

    [Fact]
    public void THTTP034_two_parameters_bind_one_query_key() => ExpectWarning("THTTP034", """
        public interface IApi
        {
            [Get("/search")]
            Task<string> SearchAsync([AliasAs("q")] string name, [AliasAs("q")] string [|email|]);
        }
        """, "Parameter 'email' of 'IApi.SearchAsync' binds the query key 'q' that parameter 'name' binds already, so the request to '/search'");

    [Fact]
    public void THTTP034_a_query_object_property_and_a_parameter_bind_one_key() => ExpectWarning("THTTP034", """
        public sealed class Filter
        {
            public int? Page { get; set; }
        }

        public interface IApi
        {
            [Get("/search")]
            Task<string> SearchAsync([Query] Filter filter, [AliasAs("Page")] int [|page|]);
        }
        """, "'Page'");

    [Fact]
    public void THTTP035_hole_used_twice_while_a_parameter_fills_none() => ExpectWarning("THTTP035", """
        public interface IApi
        {
            [Get([|"/users/{id}/friends/{id}"|])]
            Task<string> FriendAsync(int id, int friendId);
        }
        """, "The route '/users/{id}/friends/{id}' of 'IApi.FriendAsync' uses the hole '{id}' twice while parameter 'friendId' fills no hole");

    [Fact]
    public void THTTP036_query_key_in_the_route_and_bound_by_a_parameter() => ExpectWarning("THTTP036", """
        public interface IApi
        {
            [Get("/users?page=1&size=10")]
            Task<string> ListAsync(int [|page|]);
        }
        """, "Parameter 'page' of 'IApi.ListAsync' binds the query key 'page' that the route '/users?page=1&size=10' already sets");

    [Fact]
    public void THTTP037_HttpResponseMessage_result_names_the_TypedHttpResponse_change() => Expect("THTTP037", """
        public interface IApi
        {
            [Get("/raw")]
            [|Task<System.Net.Http.HttpResponseMessage>|] RawAsync();
        }
        """, "The return type of 'IApi.RawAsync' (route \"/raw\") uses HttpResponseMessage, which TypedHttp does not have: TypedHttp's engine does not produce System.Net.Http types; return Task<TypedHttpResponse>");

    [Fact]
    public void THTTP037_HttpContent_body_parameter_names_the_Stream_change() => Expect("THTTP037", """
        public interface IApi
        {
            [Post("/upload")]
            Task UploadAsync([Body] System.Net.Http.HttpContent [|content|]);
        }
        """, "Parameter 'content' of 'IApi.UploadAsync' (route \"/upload\") uses HttpContent");

    [Fact]
    public void THTTP037_Property_parameter_names_the_header_change() => Expect("THTTP037", """
        public interface IApi
        {
            [Get("/items")]
            Task<string> ListAsync([Property("trace")] string [|trace|]);
        }
        """, "Parameter 'trace' of 'IApi.ListAsync' (route \"/items\") uses [Property] (a request option)");

    [Fact]
    public void THTTP037_QueryUriFormat_Unescaped_names_RFC_3986() => Expect("THTTP037", """
        public interface IApi
        {
            [Get("/items")]
            [[|QueryUriFormat(UriFormat.Unescaped)|]]
            Task<string> ListAsync(string q);
        }
        """, "RFC 3986");

    [Fact]
    public void QueryUriFormat_UriEscaped_is_what_TypedHttp_does_and_no_diagnostic()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public interface IApi
            {
                [Get("/items")]
                [QueryUriFormat(UriFormat.UriEscaped)]
                Task<string> ListAsync(string q);
            }
            """).AssertCompiles();
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public void Repeated_hole_with_every_parameter_in_a_hole_is_no_warning()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public interface IApi
            {
                [Get("/users/{id}/same/{id}")]
                Task<string> GetAsync(int id, [Query] int page);
            }
            """).AssertCompiles();
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public void Generic_interface_used_only_through_a_closing_interface_builds()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public interface IRepository<T>
            {
                [Get("/items/{id}")]
                Task<string> GetAsync(T id);
            }

            public interface IUserRepository : IRepository<int>
            {
            }
            """).AssertCompiles();
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "IRepository{int}.g.cs", "IUserRepository.g.cs" }, run.Clients.Select(c => c.HintName));
    }

    [Fact]
    public void THTTP012_generic_method_in_a_generic_interface() => Expect("THTTP012", """
        public interface IRepository<T>
        {
            [Get("/items/{id}")]
            Task<TOther> [|GetAsync|]<TOther>(T id);
        }
        """, "'IRepository.GetAsync' is generic");

    [Fact]
    public void Error_in_base_interface_is_reported_once_and_blocks_both_clients()
    {
        (string source, _) = Markup.Parse(GeneratorHarness.Usings + """
            public interface IBaseApi
            {
                [Get([|"no-slash"|])]
                Task PingAsync();
            }

            public interface IDerivedApi : IBaseApi
            {
                [Get("/b")]
                Task OtherAsync();
            }
            """);
        GeneratorRun run = GeneratorHarness.Run(source).AssertCompiles();
        Assert.Equal("THTTP008", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.Clients);
    }

    [Fact]
    public void Every_descriptor_is_documented()
    {
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        var descriptors = typeof(ClientGenerator).Assembly.GetType("TypedHttp.Generator.Diagnostics")!
            .GetFields()
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.Contains("## " + descriptor.Id, docs);
        }
    }

    private static string RepositoryRoot()
    {
        for (string? d = System.AppContext.BaseDirectory; d is not null; d = System.IO.Path.GetDirectoryName(d))
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(d, "TypedHttp.sln")))
            {
                return d;
            }
        }
        throw new System.InvalidOperationException("The repository root was not found.");
    }

    [Fact]
    public void THTTP038_interface_formatter_that_does_not_implement_IUrlParameterFormatter() => Expect("THTTP038", """
        public sealed class NotAFormatter
        {
        }

        [[|UrlParameterFormatter(typeof(NotAFormatter))|]]
        public interface IApi
        {
            [Get("/items")]
            Task<string> ListAsync(string q);
        }
        """, "[UrlParameterFormatter(typeof(NotAFormatter))] on 'IApi' names a type that does not implement IUrlParameterFormatter");

    [Fact]
    public void THTTP038_assembly_form_formatter_that_does_not_implement_IFormUrlEncodedParameterFormatter() => Expect("THTTP038", """
        [assembly: [|FormUrlEncodedParameterFormatter(typeof(App.UrlOnly))|]]

        namespace App
        {
            public sealed class UrlOnly : IUrlParameterFormatter
            {
                public string? Format<T>(T value, in UrlParameterContext context) => null;
            }

            public interface IApi
            {
                [Get("/items")]
                Task<string> ListAsync(string q);
            }
        }
        """, "on 'the assembly' names a type that does not implement IFormUrlEncodedParameterFormatter");

    [Fact]
    public void THTTP039_formatter_without_a_public_parameterless_constructor() => Expect("THTTP039", """
        public sealed class Needy : IUrlParameterFormatter
        {
            public Needy(string culture) { }

            public string? Format<T>(T value, in UrlParameterContext context) => null;
        }

        [[|UrlParameterFormatter(typeof(Needy))|]]
        public interface IApi
        {
            [Get("/items")]
            Task<string> ListAsync(string q);
        }
        """, "it has no public parameterless constructor");

    [Fact]
    public void THTTP039_abstract_assembly_formatter() => Expect("THTTP039", """
        [assembly: [|UrlParameterFormatter(typeof(App.Abstract))|]]

        namespace App
        {
            public abstract class Abstract : IUrlParameterFormatter
            {
                public abstract string? Format<T>(T value, in UrlParameterContext context);
            }

            public interface IApi
            {
                [Get("/items")]
                Task<string> ListAsync(string q);
            }
        }
        """, "it is abstract");

    [Fact]
    public void THTTP040_HttpVersion_that_is_not_a_version() => Expect("THTTP040", """
        public interface IApi
        {
            [Get("/items")]
            [HttpVersion([|"2"|])]
            Task<string> ListAsync();
        }
        """, "[HttpVersion(\"2\")] on 'IApi.ListAsync' is not an HTTP version");

    [Fact]
    public void THTTP040_HttpVersion_policy_that_is_no_member() => Expect("THTTP040", """
        [HttpVersion("2.0", [|Policy = (System.Net.Http.HttpVersionPolicy)9|])]
        public interface IApi
        {
            [Get("/items")]
            Task<string> ListAsync();
        }
        """, "has a Policy that is not a member of HttpVersionPolicy");
}
