using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Runs the generated code of the Refit-compatible surface (query collections and objects, enum aliases, route
/// objects, base paths, [Url], authorization, header collections, forms, multipart, streams and result types)
/// against a recording transport, asserting request targets, headers and body bytes exactly.
/// </summary>
public sealed class FeatureBehaviourTests : IClassFixture<FeatureBehaviourTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.IO;
        using System.Text;
        using System.Runtime.CompilerServices;
        using System.Runtime.Serialization;
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record Item(int Id);
        public sealed record Meta(string Title);

        public enum Order
        {
            [EnumMember(Value = "asc")] Ascending,
            [JsonStringEnumMemberName("desc")] Descending,
            Random,
        }

        public sealed class Range
        {
            public double From { get; set; }
            public DateTime? Until { get; set; }
        }

        public sealed class Filter
        {
            public string? Name { get; set; }
            [AliasAs("min_age")] public int MinAge { get; set; }
            [Query(CollectionFormat.Pipes)] public int[]? Codes { get; set; }
            public Order Order { get; set; }
            public Range? Span { get; set; }
        }

        public sealed record GroupRequest(int GroupId, string UserId, string? Expand);

        public sealed class Login
        {
            public string User { get; set; } = "";
            [AliasAs("pass word")] public string? Password { get; set; }
            public decimal Amount { get; set; }
            [Query(CollectionFormat.Csv)] public List<string> Scopes { get; set; } = new();
        }

        [JsonSerializable(typeof(Item))]
        [JsonSerializable(typeof(Meta))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        [BasePath("/v2")]
        [Headers("Authorization: Bearer")]
        public interface IApi
        {
            [Get("/search")]
            Task<string> SearchAsync(
                int[] ids,
                [Query(CollectionFormat.Csv)] List<string> tags,
                [Query(CollectionFormat.Ssv)] IEnumerable<double> scores,
                [Query(CollectionFormat.Tsv)] string[] words,
                Order order,
                Order? missing,
                [Query(Format = "yyyy-MM-dd")] DateTime day,
                [Query(Format = "0.00")] decimal price,
                [Query("_", "f")] Filter filter,
                IDictionary<string, int> extra);

            [Get("/groups/{request.groupId}/users/{request.UserId}")]
            Task<string> GroupAsync(GroupRequest request);

            [Get("")]
            Task<string> FollowAsync([Url] string next, int? page);

            [Get("/users/{id?}/posts")]
            Task<string> PostsAsync(string? id);

            [Get("/me")]
            [Headers("Authorization: Basic dXNlcjpwYXNz")]
            Task<string> BasicAsync([HeaderCollection] IDictionary<string, string>? headers);

            [Get("/me")]
            Task<string> TokenAsync([Authorize] string? token);

            [Get("/me")]
            Task<string> GetterAsync();

            [Post("/login")]
            Task<string> LoginAsync([Body(BodySerializationMethod.UrlEncoded)] Login login);

            [Post("/fields")]
            Task<string> FieldsAsync([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> fields);

            [Put("/blob")]
            Task<string> BlobAsync([Body] Stream content);

            [Post("/upload/{id}")]
            [Multipart("test-boundary")]
            Task<string> UploadAsync(int id, string description, byte[] raw, StreamPart part, FileInfoPart doc, Meta meta, [AliasAs("n")] double number);

            [Post("/random")]
            [Multipart]
            Task<string> RandomAsync(string text);

            [Get("/file")]
            Task<Stream> FileAsync();

            [Get("/file")]
            Task<byte[]> BytesAsync();

            [Get("/item")]
            Task<IApiResponse<Item>> ItemAsync();

            [Delete("/item")]
            Task<IApiResponse> DeleteAsync();

            [Get("/items")]
            IAsyncEnumerable<Item> ItemsAsync(CancellationToken cancellationToken = default);
        }

        public static class Scenario
        {
            private static IApi Create(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                return TypedHttpClient.Create<IApi>(options);
            }

            public static Task<string> Search(TypedHttpClientOptions options) =>
                Create(options).SearchAsync(
                    new[] { 1, 2 },
                    new List<string> { "a,b", "c d" },
                    new[] { 1.5, 2.25 },
                    new[] { "x", "y" },
                    Order.Descending,
                    null,
                    new DateTime(2024, 3, 9, 13, 0, 0),
                    1234.5m,
                    new Filter { Name = "Zoë", MinAge = 18, Codes = new[] { 7, 8 }, Order = Order.Ascending, Span = new Range { From = 0.5, Until = null } },
                    new Dictionary<string, int> { ["x y"] = 1, ["z"] = 2 });

            public static Task<string> Group(TypedHttpClientOptions options) =>
                Create(options).GroupAsync(new GroupRequest(42, "a/b", "all"));

            public static Task<string> Posts(TypedHttpClientOptions options, string? id) => Create(options).PostsAsync(id);

            public static Task<string> Follow(TypedHttpClientOptions options, string next) => Create(options).FollowAsync(next, 3);

            public static Task<string> Basic(TypedHttpClientOptions options, IDictionary<string, string>? headers) => Create(options).BasicAsync(headers);

            public static Task<string> Token(TypedHttpClientOptions options, string? token) => Create(options).TokenAsync(token);

            public static Task<string> Getter(TypedHttpClientOptions options) => Create(options).GetterAsync();

            public static Task<string> Login(TypedHttpClientOptions options) =>
                Create(options).LoginAsync(new Login { User = "ann@example.org", Password = "p&ss wörd+", Amount = 12.5m, Scopes = new List<string> { "read", "write" } });

            public static Task<string> Fields(TypedHttpClientOptions options) =>
                Create(options).FieldsAsync(new Dictionary<string, string> { ["a"] = "1 2", ["b"] = "ü" });

            public static Task<string> Blob(TypedHttpClientOptions options, Stream content) => Create(options).BlobAsync(content);

            public static Task<string> Upload(TypedHttpClientOptions options, string filePath) =>
                Create(options).UploadAsync(
                    5,
                    "héllo",
                    new byte[] { 0, 1, 2 },
                    new StreamPart(new MemoryStream(Encoding.UTF8.GetBytes("stream text")), "a\"b\r\n.txt", "text/plain"),
                    new FileInfoPart(new FileInfo(filePath), "doc.txt", name: "document"),
                    new Meta("T"),
                    1234.5);

            public static Task<string> Random(TypedHttpClientOptions options) => Create(options).RandomAsync("x");

            public static async Task<string> File(TypedHttpClientOptions options)
            {
                using Stream stream = await Create(options).FileAsync();
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync();
            }

            public static Task<Stream> OpenFile(TypedHttpClientOptions options) => Create(options).FileAsync();

            public static Task<string> UploadStream(TypedHttpClientOptions options, Stream stream, string filePath) =>
                Create(options).UploadAsync(1, "d", new byte[0], new StreamPart(stream, "s.bin"), new FileInfoPart(new FileInfo(filePath), "f"), new Meta("m"), 1);

            public static async Task<string> Bytes(TypedHttpClientOptions options) => Convert.ToHexString(await Create(options).BytesAsync());

            public static async Task<string> Item(TypedHttpClientOptions options)
            {
                IApiResponse<Item> response = await Create(options).ItemAsync();
                return response.NumericStatusCode + " " + (response.Content?.Id.ToString() ?? "<null>") + " " + (response.Error is null ? "ok" : "error");
            }

            public static async Task<string> Delete(TypedHttpClientOptions options)
            {
                IApiResponse response = await Create(options).DeleteAsync();
                return response.NumericStatusCode + " " + response.IsSuccessStatusCode;
            }

            public static async IAsyncEnumerable<int> ItemIds(TypedHttpClientOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await foreach (Item item in Create(options).ItemsAsync(cancellationToken))
                {
                    yield return item.Id;
                }
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public FeatureBehaviourTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(string responseBody = "ok", int status = 200)
    {
        var transport = new RecordingTransport { ResponseBody = responseBody, StatusCode = status };
        var options = new TypedHttpClientOptions
        {
            BaseAddress = new Uri("http://example.test/api/"),
            Transport = transport,
            AuthorizationHeaderValueGetter = static (request, ct) => Task.FromResult("test-token"),
        };
        return (options, transport);
    }

    private Task<string> Call(string scenario, params object?[] arguments) => _fixture.Assembly.CallAsync<string>("App.Scenario", scenario, arguments);

    private static async Task<T> InGerman<T>(Func<Task<T>> action)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo beforeUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            return await action();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    private static string Headers(RecordedRequest request) => string.Join(" | ", request.Headers.Select(h => h.Key + ": " + h.Value));

    [Fact]
    public async Task Query_collections_objects_dictionaries_enums_and_formats_are_invariant()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await InGerman(() => Call("Search", options));

        Assert.Equal(
            "http://example.test/api/v2/search" +
            "?ids=1&ids=2" +
            "&tags=a%2Cb%2Cc%20d" +
            "&scores=1.5%202.25" +
            "&words=x%09y" +
            "&order=desc" +
            "&day=2024-03-09" +
            "&price=1234.50" +
            "&f_Name=Zo%C3%AB&f_min_age=18&f_Codes=7%7C8&f_Order=asc&f_Span_From=0.5" +
            "&x%20y=1&z=2",
            Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Route_object_fills_holes_and_sends_its_other_properties_as_query()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Group", options);
        Assert.Equal("http://example.test/api/v2/groups/42/users/a%2Fb?Expand=all", Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("7", "http://example.test/api/v2/users/7/posts")]
    [InlineData(null, "http://example.test/api/v2/users/posts")]
    [InlineData("a/b", "http://example.test/api/v2/users/a%2Fb/posts")]
    public async Task Optional_segment_is_dropped_when_null(string? id, string expected)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Posts", options, id);
        Assert.Equal(expected, Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("https://other.test/page?cursor=abc", "https://other.test/page?cursor=abc&page=3")]
    [InlineData("/next/ü", "http://example.test/api/next/%C3%BC?page=3")]
    public async Task Url_parameter_replaces_base_address_and_base_path(string next, string expected)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Follow", options, next);
        Assert.Equal(expected, Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("ftp://other.test/x")]
    [InlineData("relative/path")]
    public async Task Url_parameter_refuses_other_schemes_and_relative_paths(string next)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => Call("Follow", options, next));
        Assert.Equal("next", error.ParamName);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Getter_fills_authorization_header_that_holds_only_a_scheme()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        string? seenUri = null;
        options.AuthorizationHeaderValueGetter = (request, ct) =>
        {
            seenUri = request.Uri.AbsoluteUri;
            return Task.FromResult("t0k3n");
        };
        await Call("Getter", options);
        Assert.Equal("Authorization: Bearer t0k3n", Headers(Assert.Single(transport.Requests)));
        Assert.Equal("http://example.test/api/v2/me", seenUri);
    }

    [Fact]
    public async Task Missing_getter_is_a_clear_error()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        options.AuthorizationHeaderValueGetter = null;
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => Call("Getter", options));
        Assert.Contains("'Authorization: Bearer' without credentials, but TypedHttpClientOptions.AuthorizationHeaderValueGetter is not set", error.Message);
        Assert.Contains("App.IApi", error.Message);
        Assert.Empty(transport.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Getter_returning_no_credentials_sends_no_authorization_header(string credentials)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult(credentials);
        await Call("Getter", options);
        Assert.Equal(string.Empty, Headers(Assert.Single(transport.Requests)));
    }

    [Fact]
    public async Task Getter_returning_null_is_a_clear_error()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult<string>(null!);
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => Call("Getter", options));
        Assert.Contains("returned null", error.Message);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Authorize_parameter_wins_over_the_getter()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult("from-getter");
        await Call("Token", options, "abc");
        await Call("Token", options, null);
        Assert.Equal("Authorization: Bearer abc", Headers(transport.Requests[0]));
        Assert.Equal("Authorization: Bearer from-getter", Headers(transport.Requests[1]));
    }

    [Fact]
    public async Task Header_collection_sets_each_entry_and_keeps_constant_credentials()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Basic", options, new Dictionary<string, string> { ["X-One"] = "1", ["X-Two"] = "2" });
        await Call("Basic", options, null);
        Assert.Equal("Authorization: Basic dXNlcjpwYXNz | X-One: 1 | X-Two: 2", Headers(transport.Requests[0]));
        Assert.Equal("Authorization: Basic dXNlcjpwYXNz", Headers(transport.Requests[1]));
    }

    [Fact]
    public async Task Header_collection_refuses_header_injection()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Assert.ThrowsAsync<ArgumentException>(() => Call("Basic", options, new Dictionary<string, string> { ["X-A"] = "a\r\nInjected: b" }));
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Form_body_is_url_encoded_invariant_and_replayable()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await InGerman(() => Call("Login", options));

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("User=ann%40example.org&pass+word=p%26ss+w%C3%B6rd%2B&Amount=12.5&Scopes=read%2Cwrite", request.BodyText);
        Assert.Equal(request.Body!.Length, request.ContentLength);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
    }

    [Fact]
    public async Task Dictionary_form_body()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Fields", options);
        Assert.Equal("a=1+2&b=%C3%BC", Assert.Single(transport.Requests).BodyText);
    }

    [Fact]
    public async Task Seekable_stream_body_is_replayed_from_its_start_position()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        var stream = new MemoryStream(Encoding.UTF8.GetBytes("skip:payload"));
        stream.Position = 5;
        await Call("Blob", options, stream);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("payload", request.BodyText);
        Assert.Equal(7, request.ContentLength);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
        Assert.Equal("application/octet-stream", request.ContentType);
    }

    [Fact]
    public async Task Unseekable_stream_body_is_chunked_and_not_replayable()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        var body = new GatedStream("one ", "shot");
        body.Release();
        await Call("Blob", options, body);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("one shot", request.BodyText);
        Assert.Null(request.ContentLength);
        Assert.False(request.Replayable);
    }

    [Fact]
    public async Task Multipart_body_bytes_are_exact()
    {
        string file = Path.Combine(Path.GetTempPath(), "typedhttp-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(file, "file text");
        try
        {
            (TypedHttpClientOptions options, RecordingTransport transport) = Options();
            await InGerman(() => Call("Upload", options, file));

            RecordedRequest request = Assert.Single(transport.Requests);
            Assert.Equal("http://example.test/api/v2/upload/5", request.Uri);
            Assert.Equal("multipart/form-data; boundary=test-boundary", request.ContentType);
            string expected =
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"description\"\r\n" +
                "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
                "héllo\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\n" +
                "Content-Type: application/octet-stream\r\n\r\n" +
                "\u0000\u0001\u0002\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"part\"; filename=\"a%22b%0D%0A.txt\"\r\n" +
                "Content-Type: text/plain\r\n\r\n" +
                "stream text\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"document\"; filename=\"doc.txt\"\r\n" +
                "Content-Type: application/octet-stream\r\n\r\n" +
                "file text\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"meta\"\r\n" +
                "Content-Type: application/json; charset=utf-8\r\n\r\n" +
                "{\"Title\":\"T\"}\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"n\"\r\n" +
                "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
                "1234.5\r\n" +
                "--test-boundary--\r\n";
            Assert.Equal(Encoding.UTF8.GetBytes(expected), request.Body);
            Assert.Equal(request.Body!.Length, request.ContentLength);
            Assert.True(request.Replayable);
            Assert.Equal(request.Body, request.Replay);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Multipart_boundary_is_random_per_request()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Random", options);
        await Call("Random", options);

        var boundaries = new List<string>();
        foreach (RecordedRequest request in transport.Requests)
        {
            Assert.StartsWith("multipart/form-data; boundary=typedhttp-", request.ContentType);
            string boundary = request.ContentType!.Substring("multipart/form-data; boundary=".Length);
            Assert.Equal(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n--{boundary}--\r\n",
                request.BodyText);
            boundaries.Add(boundary);
        }
        Assert.NotEqual(boundaries[0], boundaries[1]);
    }

    [Fact]
    public async Task Stream_result_is_the_response_body()
    {
        Assert.Equal("file body", await Call("File", Options("file body").Options));
    }

    [Fact]
    public async Task Bytes_result_is_the_response_body()
    {
        Assert.Equal("C2AB", await Call("Bytes", Options("\u00ab").Options));
    }

    [Fact]
    public async Task Stream_result_throws_ApiException_for_error_status()
    {
        (TypedHttpClientOptions options, _) = Options("nope", status: 500);
        ApiException error = await Assert.ThrowsAsync<ApiException>(() => Call("File", options));
        Assert.Equal("nope", error.Content);
    }

    [Fact]
    public async Task Interface_api_responses()
    {
        Assert.Equal("200 7 ok", await Call("Item", Options("""{"Id":7}""").Options));
        Assert.Equal("404 <null> error", await Call("Item", Options("""{"title":"x"}""", status: 404).Options));
        Assert.Equal("204 True", await Call("Delete", Options("", status: 204).Options));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", "[{\"Id\":1},", "{\"Id\":2}]")]
    [InlineData("application/x-ndjson", "{\"Id\":1}\n", "{\"Id\":2}\n")]
    [InlineData("application/jsonl", "{\"Id\":1}\r\n", "\r\n{\"Id\":2}")]
    public async Task AsyncEnumerableYieldsItemsAsTheyArrive(string contentType, string first, string rest)
    {
        var body = new GatedStream(first, rest);
        var transport = new RecordingTransport { ResponseContentType = contentType, ResponseStream = () => body };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport, AuthorizationHeaderValueGetter = static (r, ct) => Task.FromResult("t") };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        IAsyncEnumerable<int> ids = _fixture.Assembly.Call<IAsyncEnumerable<int>>("App.Scenario", "ItemIds", options, timeout.Token);
        Assert.Empty(transport.Requests);   // nothing is sent before the enumeration starts
        await using IAsyncEnumerator<int> enumerator = ids.GetAsyncEnumerator(timeout.Token);

        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(1, enumerator.Current);
        Assert.False(timeout.IsCancellationRequested);
        body.Release();
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(2, enumerator.Current);
        Assert.False(await enumerator.MoveNextAsync());
        Assert.Equal("http://example.test/v2/items", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Async_enumerable_honours_the_methods_CancellationToken()
    {
        var body = new GatedStream("[{\"Id\":1},", "{\"Id\":2}]");
        var transport = new RecordingTransport { ResponseStream = () => body };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport, AuthorizationHeaderValueGetter = static (r, ct) => Task.FromResult("t") };
        using var cancellation = new CancellationTokenSource();

        IAsyncEnumerable<int> ids = _fixture.Assembly.Call<IAsyncEnumerable<int>>("App.Scenario", "ItemIds", options, cancellation.Token);
        await using IAsyncEnumerator<int> enumerator = ids.GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
        ValueTask<bool> next = enumerator.MoveNextAsync();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    private sealed class TrackingStream : MemoryStream
    {
        public TrackingStream(byte[] bytes) : base(bytes) { }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task Stream_result_is_owned_by_the_caller_and_disposing_it_releases_the_response()
    {
        var body = new TrackingStream(Encoding.UTF8.GetBytes("data"));
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        transport.ResponseStream = () => body;

        Stream stream = await _fixture.Assembly.CallAsync<Stream>("App.Scenario", "OpenFile", options);
        Assert.Same(body, stream);
        Assert.False(body.Disposed);
        await stream.DisposeAsync();
        Assert.True(body.Disposed);
    }

    [Fact]
    public async Task Multipart_with_an_unseekable_stream_part_is_chunked_and_not_replayable()
    {
        string file = Path.Combine(Path.GetTempPath(), "typedhttp-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(file, "f");
        try
        {
            var part = new GatedStream("unseekable", "");
            part.Release();
            (TypedHttpClientOptions options, RecordingTransport transport) = Options();
            await Call("UploadStream", options, part, file);

            RecordedRequest request = Assert.Single(transport.Requests);
            Assert.Null(request.ContentLength);
            Assert.False(request.Replayable);
            Assert.Contains("filename=\"s.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nunseekable\r\n", request.BodyText);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
