using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Runs generated clients: the user's source and the generated source (with the System.Text.Json generator for
/// the user's JsonSerializerContext) are compiled, loaded, and called against a recording transport.
/// </summary>
public sealed class BehaviourTests : IClassFixture<BehaviourTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record User(int Id, string Name);

        public enum Color { Red, DarkBlue }

        [JsonSerializable(typeof(User))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        public sealed class PurgeAttribute : HttpMethodAttribute
        {
            public PurgeAttribute(string path) : base("PURGE", path) { }
        }

        [Headers("Accept: application/json", "X-Client: tests")]
        public interface IApi
        {
            [Get("/users/{id}")]
            Task<User> GetUserAsync(string id, CancellationToken cancellationToken = default);

            [Get("/files/{**path}")]
            Task<string> FileAsync(string path);

            [Get("/search?fixed=1")]
            Task<string> SearchAsync(string? q, double score, decimal price, bool exact, Color color, DateTime since, DateTimeOffset at, Guid id, int? missing, [AliasAs("per_page")] int perPage);

            [Post("/users")]
            [Headers("accept: text/plain")]
            Task<ApiResponse<User>> CreateAsync([Body] User user, [Header("X-Request-Id")] string? requestId, [Header("X-Client")] string? client);

            [Put("/notes/{id}")]
            ValueTask<string> NoteAsync(int id, [Body] string text);

            [Post("/blobs")]
            Task BlobAsync([Body] byte[] bytes);

            [Purge("/cache/{key}")]
            Task PurgeAsync(string key);
        }

        public interface IDerivedApi : IApi
        {
        }

        public static class Scenario
        {
            private static T Create<T>(TypedHttpClientOptions options) where T : class
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                return TypedHttpClient.Create<T>(options);
            }

            public static async Task<string> GetUser(TypedHttpClientOptions options, string id)
            {
                User user = await Create<IApi>(options).GetUserAsync(id);
                return user.Id + ":" + user.Name;
            }

            public static Task<string> File(TypedHttpClientOptions options, string path) => Create<IApi>(options).FileAsync(path);

            public static Task<string> Search(TypedHttpClientOptions options) =>
                Create<IApi>(options).SearchAsync(
                    "grüne Äpfel & Birnen", 1.5, 1234.56m, true, Color.DarkBlue,
                    new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                    new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
                    new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), null, 30);

            public static async Task<string> Create(TypedHttpClientOptions options, string? requestId, string? client)
            {
                ApiResponse<User> response = await Create<IApi>(options).CreateAsync(new User(7, "Zoë"), requestId, client);
                return response.NumericStatusCode + " " + (response.Content?.Name ?? "<null>") + " " + (response.Error is null ? "ok" : "error");
            }

            public static async Task<string> Note(TypedHttpClientOptions options) => await Create<IApi>(options).NoteAsync(3, "héllo");

            public static async Task<string> Blob(TypedHttpClientOptions options)
            {
                await Create<IApi>(options).BlobAsync(new byte[] { 0, 1, 2, 255 });
                return "done";
            }

            public static async Task<string> Purge(TypedHttpClientOptions options)
            {
                await Create<IDerivedApi>(options).PurgeAsync("a/b");
                return "done";
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public BehaviourTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(string responseBody = "", int status = 200)
    {
        var transport = new RecordingTransport { ResponseBody = responseBody, StatusCode = status };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/api/"), Transport = transport }, transport);
    }

    [Theory]
    [InlineData("42", "http://example.test/api/users/42")]
    [InlineData("a b", "http://example.test/api/users/a%20b")]
    [InlineData("a/b", "http://example.test/api/users/a%2Fb")]
    [InlineData("grün", "http://example.test/api/users/gr%C3%BCn")]
    [InlineData("a?b", "http://example.test/api/users/a%3Fb")]
    [InlineData("a#b", "http://example.test/api/users/a%23b")]
    [InlineData("100%", "http://example.test/api/users/100%25")]
    [InlineData("...", "http://example.test/api/users/...")]
    public async Task Route_values_are_escaped(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":5,"Name":"Ann"}""");
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);

        Assert.Equal("5:Ann", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(expectedUri, request.Uri);
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Equal("tests", request.Header("X-Client"));
        Assert.Null(request.Body);
    }

    [Theory]
    [InlineData("..", "http://example.test/api/users/%2E%2E")]
    [InlineData(".", "http://example.test/api/users/%2E")]
    public async Task Dot_segment_values_are_escaped_by_the_builder(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":5,"Name":"Ann"}""");
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);
        Assert.Equal(expectedUri, Assert.Single(transport.Requests).BuiltUri);
    }

    [Theory]
    [InlineData("..", "http://example.test/api/users/%2E%2E")]
    [InlineData(".", "http://example.test/api/users/%2E")]
    public async Task Dot_segment_values_cannot_climb_the_route(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":5,"Name":"Ann"}""");
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);
        Assert.Equal(expectedUri, Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Catch_all_keeps_slashes_and_escapes_segments()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("plain text");
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "File", options, "docs/a b/ü?.txt");

        Assert.Equal("plain text", result);
        Assert.Equal("http://example.test/api/files/docs/a%20b/%C3%BC%3F.txt", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Catch_all_escapes_dot_segments_in_the_builder()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("plain text");
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "File", options, "docs/../secret");
        Assert.Equal("http://example.test/api/files/docs/%2E%2E/secret", Assert.Single(transport.Requests).BuiltUri);
    }

    [Fact]
    public async Task Query_is_formatted_invariantly_whatever_the_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo beforeUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            (TypedHttpClientOptions options, RecordingTransport transport) = Options("ok");
            await _fixture.Assembly.CallAsync<string>("App.Scenario", "Search", options);

            Assert.Equal(
                "http://example.test/api/search?fixed=1" +
                "&q=gr%C3%BCne%20%C3%84pfel%20%26%20Birnen" +
                "&score=1.5&price=1234.56&exact=true&color=DarkBlue" +
                "&since=2024-01-02T03%3A04%3A05.0000000Z" +
                "&at=2024-01-02T03%3A04%3A05.0000000%2B02%3A00" +
                "&id=0f8fad5b-d9cb-469f-a165-70867728950e" +
                "&per_page=30",
                Assert.Single(transport.Requests).Uri);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    [Fact]
    public async Task Json_body_and_headers()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":7,"Name":"Zoë"}""");
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "Create", options, "req-1", null);

        Assert.Equal("200 Zoë ok", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("http://example.test/api/users", request.Uri);
        Assert.Equal("""{"Id":7,"Name":"Zo\u00EB"}""", request.BodyText);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        // The method's "accept" replaces the interface's "Accept"; a null header parameter removes the constant of
        // its name (as Refit does).
        Assert.Equal(
            new[] { "accept: text/plain", "X-Request-Id: req-1" },
            request.Headers.Select(h => h.Key + ": " + h.Value));
    }

    [Fact]
    public async Task Header_parameter_replaces_constant_header_of_the_same_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":7,"Name":"Zoë"}""");
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Create", options, null, "override");

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal(new[] { "accept: text/plain", "X-Client: override" }, request.Headers.Select(h => h.Key + ": " + h.Value));
    }

    [Fact]
    public async Task ApiResponse_carries_error_status()
    {
        (TypedHttpClientOptions options, _) = Options("""{"title":"nope"}""", status: 404);
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "Create", options, null, null);
        Assert.Equal("404 <null> error", result);
    }

    [Fact]
    public async Task String_body_is_utf8_text()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("stored");
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "Note", options);

        Assert.Equal("stored", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("http://example.test/api/notes/3", request.Uri);
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), request.Body);
        Assert.Equal("text/plain; charset=utf-8", request.ContentType);
    }

    [Fact]
    public async Task Byte_array_body_is_sent_as_it_is()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Blob", options);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, request.Body);
        Assert.Equal("application/octet-stream", request.ContentType);
    }

    [Fact]
    public async Task Custom_verb_through_inherited_only_interface()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Purge", options);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("PURGE", request.Method);
        Assert.Equal("http://example.test/api/cache/a%2Fb", request.Uri);
    }

    [Fact]
    public async Task Null_route_value_throws_ArgumentNullException()
    {
        (TypedHttpClientOptions options, _) = Options();
        ArgumentNullException error = await Assert.ThrowsAsync<ArgumentNullException>(
            () => _fixture.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, null));
        Assert.Equal("id", error.ParamName);
    }
}
