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
    public void THTTP001_RouteHoleWithoutParameter() => Expect("THTTP001", """
        public interface IApi
        {
            [Get([|"/users/{id}"|])]
            Task GetAsync(int userId);
        }
        """, "'{id}'");

    [Fact]
    public void THTTP002_ParameterBoundAsHoleAndAuthorize() => Expect("THTTP002", """
        public interface IApi
        {
            [Get("/users/{id}")]
            Task GetAsync([Authorize] string [|id|]);
        }
        """, "the route hole '{id}' and as [Authorize]");

    [Fact]
    public void THTTP002_ParameterBoundAsBodyAndQuery() => Expect("THTTP002", """
        public interface IApi
        {
            [Post("/users")]
            Task PostAsync([Body, Query] string [|name|]);
        }
        """);

    [Fact]
    public void THTTP002_TwoParametersFillOneHole() => Expect("THTTP002", """
        public interface IApi
        {
            [Get("/users/{id}")]
            Task GetAsync(int id, [AliasAs("id")] int [|other|]);
        }
        """);

    [Fact]
    public void THTTP003_TwoBodies() => Expect("THTTP003", """
        public interface IApi
        {
            [Post("/pairs")]
            Task PostAsync([Body] string first, [Body] string [|second|]);
        }
        """);

    [Fact]
    public void THTTP004_TwoCancellationTokens() => Expect("THTTP004", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(CancellationToken first, CancellationToken [|second|]);
        }
        """);

    [Fact]
    public void THTTP005_VoidReturn() => Expect("THTTP005", """
        public interface IApi
        {
            [Get("/a")]
            [|void|] Get();
        }
        """);

    [Fact]
    public void THTTP005_StreamResult() => Expect("THTTP005", """
        public interface IApi
        {
            [Get("/a")]
            [|Task<System.IO.MemoryStream>|] GetAsync();
        }
        """, "Task<MemoryStream>");

    [Fact]
    public void THTTP006_HeaderWithoutColon() => Expect("THTTP006", """
        public interface IApi
        {
            [Get("/a")]
            [Headers("Accept: text/plain", [|"X-Broken value"|])]
            Task GetAsync();
        }
        """, "X-Broken value");

    [Fact]
    public void THTTP006_HeaderNameNotAToken() => Expect("THTTP006", """
        [Headers([|"Bad Name: value"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP007_LineBreakInConstantHeader() => Expect("THTTP007", """
        public interface IApi
        {
            [Get("/a")]
            [Headers([|"X-Note: a\r\nInjected: b"|])]
            Task GetAsync();
        }
        """, "header 'X-Note'");

    [Fact]
    public void THTTP007_LineBreakInRoute() => Expect("THTTP007", """
        public interface IApi
        {
            [Get([|"/a\nHost: evil"|])]
            Task GetAsync();
        }
        """, "route");

    [Fact]
    public void THTTP008_RouteWithoutLeadingSlash() => Expect("THTTP008", """
        public interface IApi
        {
            [Get([|"users"|])]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP009_MethodWithoutHttpAttribute() => Expect("THTTP009", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();

            Task [|OtherAsync|]();
        }
        """, "IApi.OtherAsync");

    [Fact]
    public void THTTP010_UnformattableQueryParameter() => Expect("THTTP010", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Query] List<System.IO.Stream> [|streams|]);
        }
        """, "items of type 'Stream'");

    [Fact]
    public void THTTP010_UnformattableRouteValue() => Expect("THTTP010", """
        public interface IApi
        {
            [Get("/a/{id}")]
            Task GetAsync(object [|id|]);
        }
        """);

    [Fact]
    public void THTTP011_RefParameter() => Expect("THTTP011", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(ref int [|page|]);
        }
        """, "'ref'");

    [Fact]
    public void THTTP011_OutParameter() => Expect("THTTP011", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync(out int [|page|]);
        }
        """, "'out'");

    [Fact]
    public void THTTP012_GenericMethod() => Expect("THTTP012", """
        public interface IApi
        {
            [Get("/a")]
            Task<T> [|GetAsync|]<T>();
        }
        """);

    [Fact]
    public void THTTP013_UnclosedHole() => Expect("THTTP013", """
        public interface IApi
        {
            [Get([|"/a/{id"|])]
            Task GetAsync(int id);
        }
        """, "never closed");

    [Fact]
    public void THTTP013_CatchAllInQuery() => Expect("THTTP013", """
        public interface IApi
        {
            [Get([|"/a?x={**rest}"|])]
            Task GetAsync(string rest);
        }
        """, "catch-all");

    [Fact]
    public void THTTP014_TwoHttpMethodAttributes() => Expect("THTTP014", """
        public interface IApi
        {
            [Get("/a")]
            [[|Post("/a")|]]
            Task GetAsync();
        }
        """);

    [Fact]
    public void THTTP015_HttpAttributeOnClassMethod() => Expect("THTTP015", """
        public class NotAnInterface
        {
            [Get("/a")]
            public Task [|GetAsync|]() => Task.CompletedTask;
        }
        """);

    [Fact]
    public void THTTP016_InterfaceNestedInGenericType() => Expect("THTTP016", """
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
    public void THTTP033_ConstructionWhoseTypeArgumentLeavesAParameterWithoutAPlace() => Expect("THTTP033", """
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
    public void THTTP033_ConstructionNamesTheInnerProblemWithItsId()
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
    public void THTTP033_ClosedBaseReportedOnTheInterfaceThatClosesIt() => Expect("THTTP033", """
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
    public void THTTP033_ConstructionWithAPrivateTypeArgument() => Expect("THTTP033", """
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
    public void THTTP016_PrivateNestedInterface() => Expect("THTTP016", """
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
    public void THTTP017_CustomVerbThatIsNotConstant() => Expect("THTTP017", """
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
    public void THTTP017_CustomVerbThatIsNotAToken() => Expect("THTTP017", """
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
    public void THTTP018_PropertyInInterface() => Expect("THTTP018", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();

            string [|Name|] { get; }
        }
        """, "property");

    [Fact]
    public void THTTP019_InvalidHeaderParameterName() => Expect("THTTP019", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Header("Bad Name")] string [|value|]);
        }
        """);

    [Fact]
    public void THTTP020_ComplexParameterWithoutBody() => Expect("THTTP020", """
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
    public void THTTP013_OptionalHoleThatIsNotAWholeSegment(string route) => Expect("THTTP013", $$"""
        public interface IApi
        {
            [Get([|"{{route}}"|])]
            Task GetAsync(string? version, string? rest);
        }
        """, "not a whole path segment");

    [Fact]
    public void THTTP021_MultipartWithBody() => Expect("THTTP021", """
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
    public void THTTP022_BodyTypeNotInAnyJsonContext() => ExpectWarning("THTTP022", JsonContextSource + """
        public interface IApi
        {
            [Post("/users")]
            Task<Declared> PostAsync([Body] User [|user|]);
        }
        """, "add [JsonSerializable(typeof(User))]", withJsonGenerator: true);

    [Fact]
    public void THTTP022_ResultTypeNotInAnyJsonContext() => ExpectWarning("THTTP022", JsonContextSource + """
        public interface IApi
        {
            [Get("/users")]
            [|Task<List<User>>|] ListAsync();
        }
        """, "'List<User>'", withJsonGenerator: true);

    [Fact]
    public void THTTP022_NotReportedForDeclaredOrReachableTypesOrWithoutAnyContext()
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
    public void THTTP022_ReadsEveryPartOfAPartialContext()
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
    public void THTTP023_RouteMisuse(string route, string fragment) => Expect("THTTP023", $$"""
        public interface IApi
        {
            [Get([|"{{route}}"|])]
            Task GetAsync();
        }
        """, fragment);

    [Fact]
    public void THTTP024_CollectionFormatOnASingleValue() => ExpectWarning("THTTP024", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Query(CollectionFormat.Csv)] int [|id|]);
        }
        """, "CollectionFormat.Csv");

    [Fact]
    public void THTTP025_HeaderCollectionOfTheWrongType() => Expect("THTTP025", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([HeaderCollection] IDictionary<string, int> [|headers|]);
        }
        """, "IDictionary<string, string>");

    [Fact]
    public void THTTP026_AuthorizeOnANonString() => Expect("THTTP026", """
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync([Authorize] int [|token|]);
        }
        """, "declare it string");

    [Fact]
    public void THTTP027_InvalidMultipartBoundary() => Expect("THTTP027", """
        public interface IApi
        {
            [Post("/a")]
            [Multipart([|"quote\"in boundary"|])]
            Task PostAsync(string text);
        }
        """, "boundary alphabet");

    [Fact]
    public void THTTP028_UrlParameterOfTheWrongType() => Expect("THTTP028", """
        public interface IApi
        {
            [Get("")]
            Task GetAsync([Url] int [|url|]);
        }
        """, "declare it string or Uri");

    [Fact]
    public void THTTP028_TwoUrlParameters() => Expect("THTTP028", """
        public interface IApi
        {
            [Get("")]
            Task GetAsync([Url] string first, [Url] Uri [|second|]);
        }
        """, "'first' is [Url] already");

    [Fact]
    public void THTTP029_BasePathWithoutSlash() => Expect("THTTP029", """
        [BasePath([|"v2"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "must start with '/'");

    [Fact]
    public void THTTP029_BasePathWithAHole() => Expect("THTTP029", """
        [BasePath([|"/v{version}"|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "hole");

    [Fact]
    public void THTTP030_RouteHoleNamesNoProperty() => Expect("THTTP030", """
        public sealed record GroupRequest(int GroupId);

        public interface IApi
        {
            [Get("/groups/{request.groupid}/users/{request.UserId}")]
            Task GetAsync(GroupRequest [|request|]);
        }
        """, "no public readable property 'UserId'");

    [Fact]
    public void THTTP031_ZeroTimeoutOnAMethod() => Expect("THTTP031", """
        public interface IApi
        {
            [Get("/a")]
            [Timeout([|0|])]
            Task GetAsync();
        }
        """, "[Timeout(0)] on 'IApi.GetAsync'");

    [Fact]
    public void THTTP031_NegativeTimeoutOnAnInterface() => Expect("THTTP031", """
        [Timeout([|-5|])]
        public interface IApi
        {
            [Get("/a")]
            [Timeout(100)]
            Task GetAsync();
        }
        """, "[Timeout(-5)] on 'IApi'");

    [Fact]
    public void THTTP031_InfiniteTimeoutConstantIsNotATimeout() => Expect("THTTP031", """
        public interface IApi
        {
            [Get("/a")]
            [Timeout([|System.Threading.Timeout.Infinite|])]
            Task GetAsync();
        }
        """, "[Timeout(-1)]");

    [Fact]
    public void THTTP032_RedirectPolicyThatIsNoMember() => Expect("THTTP032", """
        [RedirectPolicy([|(RedirectPolicy)7|])]
        public interface IApi
        {
            [Get("/a")]
            Task GetAsync();
        }
        """, "[RedirectPolicy(7)] on 'IApi'");

    [Fact]
    public void THTTP020_ImplicitObjectOnGetIsAQueryObject()
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
    public void THTTP034_TwoParametersBindOneQueryKey() => ExpectWarning("THTTP034", """
        public interface IApi
        {
            [Get("/search")]
            Task<string> SearchAsync([AliasAs("q")] string name, [AliasAs("q")] string [|email|]);
        }
        """, "Parameter 'email' of 'IApi.SearchAsync' binds the query key 'q' that parameter 'name' binds already, so the request to '/search'");

    [Fact]
    public void THTTP034_AQueryObjectPropertyAndAParameterBindOneKey() => ExpectWarning("THTTP034", """
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
    public void THTTP035_HoleUsedTwiceWhileAParameterFillsNone() => ExpectWarning("THTTP035", """
        public interface IApi
        {
            [Get([|"/users/{id}/friends/{id}"|])]
            Task<string> FriendAsync(int id, int friendId);
        }
        """, "The route '/users/{id}/friends/{id}' of 'IApi.FriendAsync' uses the hole '{id}' twice while parameter 'friendId' fills no hole");

    [Fact]
    public void THTTP036_QueryKeyInTheRouteAndBoundByAParameter() => ExpectWarning("THTTP036", """
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
    public void RepeatedHoleWithEveryParameterInAHoleIsNoWarning()
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
    public void GenericInterfaceUsedOnlyThroughAClosingInterfaceBuilds()
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
    public void THTTP012_GenericMethodInAGenericInterface() => Expect("THTTP012", """
        public interface IRepository<T>
        {
            [Get("/items/{id}")]
            Task<TOther> [|GetAsync|]<TOther>(T id);
        }
        """, "'IRepository.GetAsync' is generic");

    [Fact]
    public void ErrorInBaseInterfaceIsReportedOnceAndBlocksBothClients()
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
    public void EveryDescriptorIsDocumented()
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
}
