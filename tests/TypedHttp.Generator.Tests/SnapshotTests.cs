using System.Linq;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>The generated source of each feature, compared with committed snapshots; every run also compiles cleanly.</summary>
public sealed class SnapshotTests
{
    private static void Verify(string source, string name, string? clientHint = null)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + source)
            .AssertNoGeneratorDiagnostics()
            .AssertCompiles();
        string client = clientHint is null ? run.SingleClient : run.Clients.Single(c => c.HintName == clientHint).Source;
        Snapshot.Match(client, name);
    }

    [Fact]
    public void TwoMethodInterface() => Verify("""
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
        """, nameof(TwoMethodInterface));

    [Fact]
    public void AllHttpMethods() => Verify("""
        namespace MyApp;

        public interface IVerbsApi
        {
            [Get("/items")] Task GetAsync();
            [Post("/items")] Task PostAsync();
            [Put("/items/{id}")] Task PutAsync(long id);
            [Delete("/items/{id}")] Task DeleteAsync(long id);
            [Patch("/items/{id}")] Task PatchAsync(long id);
            [Head("/items")] Task HeadAsync();
            [Options("/items")] Task OptionsAsync();
        }
        """, nameof(AllHttpMethods));

    [Fact]
    public void RouteHolesAndEscapedLiterals() => Verify("""
        namespace MyApp;

        public interface IFilesApi
        {
            [Get("/files/{owner}/raw data/ü/{name}.json?v=2&x={flag}")]
            Task<string> GetAsync(string owner, [AliasAs("name")] string fileName, bool flag);

            [Get("/tree/{**path}")]
            Task<string> TreeAsync(string path, CancellationToken cancellationToken);

            [Get("")]
            Task<string> RootAsync();

            [Get("/already%20escaped/100%")]
            Task<string> EscapedAsync();
        }
        """, nameof(RouteHolesAndEscapedLiterals));

    [Fact]
    public void QueryParameterFormatting() => Verify("""
        namespace MyApp;

        public enum Sort { Name, CreatedAt }

        public interface ISearchApi
        {
            [Get("/search")]
            Task<string> SearchAsync(
                string? q,
                int page,
                [AliasAs("per_page")] int? perPage,
                double score,
                decimal? price,
                bool exact,
                bool? archived,
                char initial,
                Sort sort,
                Sort? thenBy,
                DateTime since,
                DateTimeOffset? until,
                Guid id,
                TimeSpan window,
                [Query] long offset);
        }
        """, nameof(QueryParameterFormatting));

    [Fact]
    public void Headers() => Verify("""
        namespace MyApp;

        [Headers("Accept: application/json", "User-Agent: typed-http-tests", "X-Trace:")]
        public interface IHeadersApi
        {
            [Get("/a")]
            Task AAsync();

            [Get("/b")]
            [Headers("accept: text/plain", "X-Extra:  padded value  ")]
            Task BAsync([Header("X-Request-Id")] string? requestId, [Header("X-Count")] int count, [Header("X-Limit")] int? limit, [Header("User-Agent")] string? userAgent);
        }
        """, nameof(Headers));

    [Fact]
    public void Bodies() => Verify("""
        namespace MyApp;

        public sealed record Order(int Id, IReadOnlyList<string> Lines);

        public interface IBodiesApi
        {
            [Post("/orders")]
            Task<Order> CreateAsync([Body] Order order, CancellationToken cancellationToken);

            [Put("/orders/{id}")]
            Task ReplaceAsync(int id, [Body] Order? order);

            [Post("/notes")]
            Task<string> NoteAsync([Body] string text);

            [Post("/blobs")]
            Task UploadAsync([Body] byte[] bytes);
        }
        """, nameof(Bodies));

    [Fact]
    public void ReturnTypes() => Verify("""
        namespace MyApp;

        public sealed record Item(string Name);

        public interface IReturnsApi
        {
            [Get("/a")] Task NoneAsync();
            [Get("/b")] Task<string> TextAsync();
            [Get("/c")] Task<string?> MaybeTextAsync();
            [Get("/d")] Task<Item> ItemAsync();
            [Get("/e")] Task<Item?> MaybeItemAsync();
            [Get("/f")] Task<IReadOnlyList<Item>> ItemsAsync();
            [Get("/g")] Task<ApiResponse<Item>> ItemResponseAsync();
            [Get("/h")] Task<ApiResponse<string>> TextResponseAsync();
            [Get("/i")] ValueTask NoneValueAsync();
            [Get("/j")] ValueTask<Item> ItemValueAsync();
            [Get("/k")] ValueTask<string> TextValueAsync();
            [Get("/l")] ValueTask<ApiResponse<Item>> ItemResponseValueAsync();
            [Get("/m")] Task<int> CountAsync();
        }
        """, nameof(ReturnTypes));

    [Fact]
    public void BaseInterfaces() => Verify("""
        namespace MyApp;

        [Headers("X-Api: base")]
        public interface IBaseApi
        {
            [Get("/ping")]
            Task PingAsync();
        }

        public interface IOtherBaseApi : IBaseApi
        {
            [Get("/version")]
            Task<string> VersionAsync();
        }

        [Headers("X-Client: derived")]
        public interface IDerivedApi : IBaseApi, IOtherBaseApi, IDisposableLike
        {
            [Get("/things")]
            Task<string> ThingsAsync();
        }

        public interface IDisposableLike
        {
            void Helper() { }
        }
        """, nameof(BaseInterfaces), clientHint: "MyApp.IDerivedApi.g.cs");

    [Fact]
    public void InheritedMethodsOnly()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace MyApp;

            public interface IBaseApi
            {
                [Get("/ping")]
                Task PingAsync();
            }

            public interface IEmptyDerivedApi : IBaseApi
            {
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Equal(new[] { "MyApp.IBaseApi.g.cs", "MyApp.IEmptyDerivedApi.g.cs" }, run.Clients.Select(c => c.HintName));
        Snapshot.Match(run.Clients[1].Source);
    }

    [Fact]
    public void GenericInterfaceConstructions()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace MyApp;

            public sealed record User(int Id, string Name);

            public enum Sort { Name, Age }

            public interface ICrudApi<T, in TKey> where T : class
            {
                [Get("/{id}")] Task<T> Get(TKey id);
                [Post("")] Task<T> Create([Body] T item);
                [Get("")] Task<List<T>> List([Query] int page = 1, TKey? after = default);
            }

            public interface IUsersApi : ICrudApi<User, int>
            {
                [Get("/me")] Task<User> Me();
            }

            public static class Use
            {
                public static ICrudApi<User, Sort> Sorted(TypedHttpClientOptions options) => TypedHttpClient.Create<ICrudApi<User, Sort>>(options);
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Equal(
            new[] { "MyApp.ICrudApi{MyApp.User,MyApp.Sort}.g.cs", "MyApp.ICrudApi{MyApp.User,int}.g.cs", "MyApp.IUsersApi.g.cs" },
            run.Clients.Select(c => c.HintName));
        Snapshot.Match(string.Join("\n// ----\n", run.Clients.Select(c => c.Source)));
    }

    [Fact]
    public void CustomHttpMethod() => Verify("""
        namespace MyApp;

        public sealed class PurgeAttribute : HttpMethodAttribute
        {
            public PurgeAttribute(string path) : base("PURGE", path) { }
        }

        public class ReportAttribute : HttpMethodAttribute
        {
            public ReportAttribute(string path, int unused = 0) : base(path: path, method: Verb) { }

            protected ReportAttribute(string verb, string path) : base(verb, path) { }

            private const string Verb = "REPORT";
        }

        public sealed class SearchAttribute : ReportAttribute
        {
            public SearchAttribute() : base("SEARCH", "/search") { }
        }

        public interface ICacheApi
        {
            [Purge("/cache/{key}")]
            Task PurgeAsync(string key);

            [Report("/reports")]
            Task<string> ReportAsync();

            [Search]
            Task<string> SearchAsync(string q);
        }
        """, nameof(CustomHttpMethod));

    [Fact]
    public void GlobalNamespaceNestedInterfaceAndKeywordNames() => Verify("""
        public static class Outer
        {
            public interface IInnerApi
            {
                [Get("/classes/{class}")]
                Task<string> GetAsync(string @class, string uri, [Header("X-Request")] string? request, int @event);
            }
        }
        """, nameof(GlobalNamespaceNestedInterfaceAndKeywordNames));

    [Fact]
    public void QueryCollections() => Verify("""
        namespace MyApp;

        public interface ISearchApi
        {
            [Get("/search")]
            Task<string> SearchAsync(
                int[] ids,
                [Query(CollectionFormat.Csv)] List<string> tags,
                [Query(CollectionFormat.Ssv)] IEnumerable<double>? scores,
                [Query(CollectionFormat.Tsv)] IReadOnlyList<Guid> keys,
                [Query(CollectionFormat.Pipes), AliasAs("d")] DateTime[] days,
                [Query(Format = "yyyy-MM-dd")] DateTime since,
                [Query(Format = "0.00")] decimal? price);
        }
        """, nameof(QueryCollections));

    [Fact]
    public void QueryObjectsAndDictionaries() => Verify("""
        namespace MyApp;

        public sealed class Range
        {
            public int From { get; set; }
            public int? To { get; set; }
        }

        public class Filter
        {
            public string? Name { get; set; }
            [AliasAs("min_age")] public int MinAge { get; set; }
            [Query(CollectionFormat.Csv)] public List<string>? Tags { get; set; }
            public Range? Span { get; set; }
            internal string Hidden { get; set; } = "";
            public static string Static { get; set; } = "";
        }

        public interface ISearchApi
        {
            [Get("/people")]
            Task<string> PeopleAsync(Filter filter);

            [Get("/prefixed")]
            Task<string> PrefixedAsync([Query("_", "f")] Filter filter, [Query] Dictionary<string, int>? extra);

            [Get("/map")]
            Task<string> MapAsync(IReadOnlyDictionary<string, string> map, [Query(".", "m")] IDictionary<string, DateTimeOffset> dates);
        }
        """, nameof(QueryObjectsAndDictionaries));

    [Fact]
    public void EnumAliases() => Verify("""
        using System.Runtime.Serialization;
        using System.Text.Json.Serialization;

        namespace MyApp;

        public enum Order
        {
            [EnumMember(Value = "asc")] Ascending,
            [JsonStringEnumMemberName("desc")] Descending,
            None,
            Nothing = None,
            @class,
        }

        public interface IListApi
        {
            [Get("/list/{order}")]
            Task<string> ListAsync(Order order, Order? then, [Header("X-Order")] Order header, [Query(Format = "D")] Order number);
        }
        """, nameof(EnumAliases));

    [Fact]
    public void RouteObjectsBasePathAndUrl() => Verify("""
        namespace MyApp;

        public sealed record GroupRequest(int GroupId, string UserId, string? Expand);

        [BasePath("/v2/")]
        public interface IGroupsApi
        {
            [Get("/groups/{request.groupId}/users/{request.UserId}")]
            Task<string> GetAsync(GroupRequest request);

            [Get("")]
            Task<string> NextAsync([Url] string next, int? page);

            [Get("/items")]
            Task<string> AtAsync([Url] Uri server);

            [Get("/users/{id?}/posts")]
            Task<string> PostsAsync(int? id, bool? all);
        }
        """, nameof(RouteObjectsBasePathAndUrl));

    [Fact]
    public void HeaderCollectionsAndAuthorization() => Verify("""
        namespace MyApp;

        [Headers("Authorization: Bearer")]
        public interface ISecureApi
        {
            [Get("/me")]
            Task<string> MeAsync();

            [Get("/others")]
            [Headers("Authorization: Basic dXNlcjpwYXNz")]
            Task<string> BasicAsync();

            [Get("/token")]
            Task<string> TokenAsync([Authorize] string? token, [HeaderCollection] IDictionary<string, string>? headers);

            [Get("/custom")]
            Task<string> CustomAsync([Authorize("Token")] string token, [HeaderCollection] IReadOnlyDictionary<string, string> headers);
        }
        """, nameof(HeaderCollectionsAndAuthorization));

    [Fact]
    public void FormStreamAndMultipartBodies() => Verify("""
        using System.IO;

        namespace MyApp;

        public sealed class Login
        {
            public string User { get; set; } = "";
            [AliasAs("pass_word")] public string? Password { get; set; }
            public List<int> Scopes { get; set; } = new();
        }

        public sealed record Meta(string Title);

        public interface IUploadApi
        {
            [Post("/login")]
            Task<string> LoginAsync([Body(BodySerializationMethod.UrlEncoded)] Login login);

            [Post("/fields")]
            Task FieldsAsync([Body(BodySerializationMethod.UrlEncoded)] IDictionary<string, string> fields);

            [Put("/blob")]
            Task BlobAsync([Body] Stream content);

            [Post("/upload/{id}")]
            [Multipart]
            Task UploadAsync(int id, string description, [AliasAs("count")] int number, byte[] raw, Stream stream, FileInfo file, StreamPart part, ByteArrayPart bytes, FileInfoPart doc, Meta meta, [Query] string? tag, CancellationToken cancellationToken);

            [Post("/fixed")]
            [Multipart("----MyGreatBoundary")]
            Task FixedAsync(string text);
        }
        """, nameof(FormStreamAndMultipartBodies));

    [Fact]
    public void StreamBytesInterfaceResponsesAndAsyncEnumerables() => Verify("""
        using System.IO;

        namespace MyApp;

        public sealed record Item(int Id);

        public interface IResultsApi
        {
            [Get("/file")] Task<Stream> FileAsync();
            [Get("/bytes")] ValueTask<byte[]> BytesAsync();
            [Get("/item")] Task<IApiResponse<Item>> ItemAsync();
            [Get("/text")] Task<IApiResponse<string>> TextAsync();
            [Delete("/item")] Task<IApiResponse> DeleteAsync();
            [Get("/items")] IAsyncEnumerable<Item> ItemsAsync(int? after, CancellationToken cancellationToken = default);
        }
        """, nameof(StreamBytesInterfaceResponsesAndAsyncEnumerables));

    [Fact]
    public void QueryEdgeShapes() => Verify("""
        namespace MyApp;

        public enum Kind { A, B }

        public struct Point
        {
            public int X { get; set; }
            public int Y { get; set; }
        }

        public record struct Window(Point TopLeft, Point? BottomRight, Kind Kind);

        public class Base
        {
            public string? Shared { get; set; }
            public virtual int Overridden { get; set; }
        }

        public sealed class Derived : Base
        {
            public override int Overridden { get; set; }
            public string @class { get; set; } = "";
            public Dictionary<string, Kind>? Kinds { get; set; }
            public List<int?> Maybe { get; set; } = new();
            public string this[int i] => "";
        }

        public interface IEdgeApi
        {
            [Get("/window")]
            Task<string> WindowAsync(Window window, [Query(".", "optional")] Window? optional);

            [Delete("/derived")]
            Task<string> DerivedAsync([Query(".", "d")] Derived derived, [Query(CollectionFormat.Csv)] IEnumerable<Kind> kinds);

            [Options("/points/{point.X}/{point.Y}")]
            Task<string> PointAsync(Point point, string? item, int item2, Uri? link);
        }
        """, nameof(QueryEdgeShapes));

    [Fact]
    public void TimeoutsAndRedirectPolicies() => Verify("""
        namespace MyApp;

        [Timeout(30000)]
        [RedirectPolicy(RedirectPolicy.DisallowHttpsToHttp)]
        public interface IBaseApi
        {
            [Get("/base")]
            Task<string> BaseAsync();

            [Get("/base/fast")]
            [Timeout(250)]
            Task<string> FastAsync();
        }

        [Timeout(5000)]
        [RedirectPolicy(RedirectPolicy.Never)]
        [Headers("Authorization: Bearer")]
        public interface IPolicyApi : IBaseApi
        {
            [Get("/items")]
            Task<string> ListAsync(CancellationToken cancellationToken);

            [Post("/items")]
            [Timeout(100)]
            [RedirectPolicy(RedirectPolicy.Always)]
            Task<ApiResponse<string>> CreateAsync([Body] string item);

            [Get("/items/stream")]
            IAsyncEnumerable<string> StreamAsync();
        }
        """, nameof(TimeoutsAndRedirectPolicies), "MyApp.IPolicyApi.g.cs");

    [Fact]
    public void JsonPropertyQueryKeysPartCollectionsAndRawResponses() => Verify("""
        using System.IO;
        using System.Text.Json.Serialization;

        namespace MyApp;

        public sealed class Filter
        {
            [JsonPropertyName("user_name")] public string? UserName { get; set; }
            [AliasAs("min")][JsonPropertyName("ignored")] public int MinAge { get; set; }
            public Paging? Page { get; set; }
        }

        public sealed class Paging
        {
            [JsonPropertyName("per_page")] public int PerPage { get; set; }
        }

        public interface IShapesApi
        {
            [Get("/users")]
            Task<string> ListAsync([Query(".", "f")] Filter filter);

            [Post("/users")]
            Task<string> FormAsync([Body(BodySerializationMethod.UrlEncoded)] Filter filter);

            [Post("/upload")]
            [Multipart("fixed")]
            Task<string> UploadAsync(IEnumerable<StreamPart> streams, ByteArrayPart[]? blobs, List<FileInfoPart> docs, FileInfo[] files, IReadOnlyList<byte[]> raw, Stream[] open, string note);

            [Get("/raw")]
            Task<TypedHttpResponse> RawAsync(CancellationToken cancellationToken);

            [Delete("/raw")]
            ValueTask<TypedHttpResponse> RawValueAsync();
        }
        """, nameof(JsonPropertyQueryKeysPartCollectionsAndRawResponses));

    [Fact]
    public void SerializeNullFormattersAndHttpVersion() => Verify("""
        using System.Net.Http;

        [assembly: FormUrlEncodedParameterFormatter(typeof(MyApp.FormFormatter))]

        namespace MyApp;

        public sealed class UrlFormatter : IUrlParameterFormatter
        {
            public string? Format<T>(T value, in UrlParameterContext context) => value?.ToString();
        }

        public struct FormFormatter : IFormUrlEncodedParameterFormatter
        {
            public string? Format<T>(T value, in UrlParameterContext context) => value?.ToString();
        }

        public sealed class Filter
        {
            [Query(SerializeNull = true)] public string? Name { get; set; }
            public int[]? Codes { get; set; }
        }

        [UrlParameterFormatter(typeof(UrlFormatter))]
        [HttpVersion("2.0", Policy = HttpVersionPolicy.RequestVersionOrHigher)]
        public interface IFormattedApi
        {
            [Get("/items/{id}")]
            Task<string> GetAsync(int id, [Query(SerializeNull = true)] string? q, [Query(Format = "0.0")] double price, Filter filter);

            [Post("/items")]
            [HttpVersion("1.1")]
            Task<string> PostAsync([Body(BodySerializationMethod.UrlEncoded)] Filter filter, [Query(CollectionFormat.Csv, SerializeNull = true)] List<int>? ids);
        }
        """, nameof(SerializeNullFormattersAndHttpVersion));
}
