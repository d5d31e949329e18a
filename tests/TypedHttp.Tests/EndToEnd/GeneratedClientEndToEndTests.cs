using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Tests.EndToEnd;

public sealed record Echo(string Method, string Target, List<string> Headers, string Body)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.StartsWith(name + ": ", StringComparison.OrdinalIgnoreCase))?.Substring(name.Length + 2);
}

public sealed record Thing(string Name, decimal Price, string[] Tags);

public sealed record Item(int Id, string Name);

[JsonSerializable(typeof(Echo))]
[JsonSerializable(typeof(Thing))]
[JsonSerializable(typeof(List<Item>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class EndToEndJsonContext : JsonSerializerContext;

public enum Sort
{
    Ascending,
    Descending,
}

[Headers("Accept: application/json", "X-Api-Version: 1")]
public interface IEchoApi
{
    [Get("/echo/users/{id}")]
    Task<Echo> GetUserAsync(int id, string? filter, bool active, [AliasAs("per_page")] int perPage, CancellationToken cancellationToken = default);

    [Get("/echo/prices")]
    Task<Echo> PricesAsync(decimal min, double ratio, DateTimeOffset since, Guid id, Sort sort, int? missing = null);

    [Post("/echo/things")]
    [Headers("X-Api-Version: 2")]
    Task<Echo> CreateAsync([Body] Thing thing, [Header("X-Trace")] string? trace);

    [Get("/echo/files/{name}")]
    Task<Echo> GetFileAsync(string name);

    [Get("/echo/text")]
    Task<string> GetTextAsync();

    [Get("/status/{code}")]
    Task<ApiResponse<Echo>> StatusAsync(int code);

    [Get("/status/{code}")]
    Task StatusPlainAsync(int code);

    [Get("/chunked/{count}")]
    Task<List<Item>> ChunkedAsync(int count);
}

public class GeneratedClientEndToEndTests : IAsyncLifetime
{
    private readonly EchoServer _server;
    private readonly HttpSession _session;
    private IEchoApi _api = null!;

    public GeneratedClientEndToEndTests()
        : this(http2: false)
    {
    }

    /// <param name="http2">Run every case over HTTP/2 (h2c with prior knowledge) instead of HTTP/1.1.</param>
    protected GeneratedClientEndToEndTests(bool http2)
    {
        _server = new EchoServer(http2Only: http2);
        _session = new HttpSession(http2 ? new HttpSessionOptions { DefaultVersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact } : null);
    }

    public Task InitializeAsync()
    {
        _api = TypedHttpClient.Create<IEchoApi>(new TypedHttpClientOptions
        {
            BaseAddress = _server.BaseAddress,
            JsonSerializerOptions = EndToEndJsonContext.Default.Options,
            Session = _session,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Route_and_query_values_are_escaped_per_RFC_3986_and_sent_in_declaration_order()
    {
        Echo echo = await _api.GetUserAsync(7, "a b/c?d#e&f=ü", active: true, perPage: 5);

        Assert.Equal("GET", echo.Method);
        Assert.Equal("/echo/users/7?filter=a%20b%2Fc%3Fd%23e%26f%3D%C3%BC&active=true&per_page=5", echo.Target);
    }

    [Fact]
    public async Task Null_query_values_are_left_out()
    {
        Echo echo = await _api.GetUserAsync(1, null, active: false, perPage: 30);

        Assert.Equal("/echo/users/1?active=false&per_page=30", echo.Target);
    }

    [Fact]
    public async Task Query_values_are_culture_invariant_under_a_german_culture()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
            Echo echo = await _api.PricesAsync(1234.5m, 0.25, new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1)), id, Sort.Descending);

            Assert.Equal(
                "/echo/prices?min=1234.5&ratio=0.25&since=2026-11-25T08%3A30%3A00.0000000%2B01%3A00&id=0f8fad5b-d9cb-469f-a165-70867728950e&sort=Descending",
                echo.Target);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task A_json_body_arrives_byte_exact_with_its_content_type_and_length()
    {
        Echo echo = await _api.CreateAsync(new Thing("Lamp \"Ü\"", 19.99m, ["a", "b"]), trace: "t-1");

        string expected = JsonSerializer.Serialize(new Thing("Lamp \"Ü\"", 19.99m, ["a", "b"]), EndToEndJsonContext.Default.Thing);
        Assert.Equal("POST", echo.Method);
        Assert.Equal(expected, echo.Body);
        Assert.Equal("application/json; charset=utf-8", echo.Header("Content-Type"));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(expected).ToString(CultureInfo.InvariantCulture), echo.Header("Content-Length"));
    }

    [Fact]
    public async Task Method_headers_win_over_interface_headers_and_null_dynamic_headers_are_omitted()
    {
        Echo withTrace = await _api.CreateAsync(new Thing("x", 1, []), trace: "abc");
        Echo withoutTrace = await _api.CreateAsync(new Thing("x", 1, []), trace: null);

        Assert.Equal("2", withTrace.Header("X-Api-Version"));
        Assert.Equal("application/json", withTrace.Header("Accept"));
        Assert.Equal("abc", withTrace.Header("X-Trace"));
        Assert.Null(withoutTrace.Header("X-Trace"));
        Assert.Equal("1", (await _api.GetUserAsync(1, null, true, 1)).Header("X-Api-Version"));
    }

    [Theory]
    [InlineData("..", "/echo/files/%2E%2E")]
    [InlineData(".", "/echo/files/%2E")]
    [InlineData("../../admin", "/echo/files/..%2F..%2Fadmin")]
    [InlineData("a/b", "/echo/files/a%2Fb")]
    public async Task Route_values_cannot_climb_or_split_the_route(string name, string expectedTarget)
    {
        Echo echo = await _api.GetFileAsync(name);

        Assert.Equal(expectedTarget, echo.Target);
    }

    [Fact]
    public async Task A_null_route_value_fails_before_anything_is_sent()
    {
        int before = _server.ConnectionCount;

        ArgumentNullException ex = await Assert.ThrowsAsync<ArgumentNullException>(() => _api.GetFileAsync(null!));

        Assert.Equal("name", ex.ParamName);
        Assert.Equal(before, _server.ConnectionCount);
    }

    [Fact]
    public async Task A_string_result_is_the_body_as_text()
    {
        string text = await _api.GetTextAsync();

        Assert.StartsWith("{\"method\":\"GET\",\"target\":\"/echo/text\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_success_status_throws_ApiException_with_status_and_body()
    {
        ApiException ex = await Assert.ThrowsAsync<ApiException>(() => _api.StatusPlainAsync(404));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("status 404 body", ex.Content);
        Assert.Equal("GET", ex.Method);
        Assert.EndsWith("/status/404", ex.Uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiResponse_carries_a_failure_instead_of_throwing()
    {
        ApiResponse<Echo> response = await _api.StatusAsync(409);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, response.StatusCode);
        Assert.Null(response.Content);
        Assert.Equal("status 409 body", response.Error!.Content);
    }

    [Fact]
    public async Task A_204_ApiResponse_has_no_content_and_no_error()
    {
        ApiResponse<Echo> response = await _api.StatusAsync(204);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(response.Content);
        Assert.Null(response.Error);
    }

    [Fact]
    public async Task A_chunked_json_array_is_read_completely()
    {
        List<Item> items = await _api.ChunkedAsync(200);

        Assert.Equal(200, items.Count);
        Assert.Equal(new Item(199, "item 199"), items[^1]);
    }

    [Fact]
    public async Task Sequential_calls_reuse_one_kept_alive_connection()
    {
        for (int i = 0; i < 5; i++)
        {
            await _api.GetUserAsync(i, null, true, 1);
            await _api.ChunkedAsync(3);
            await Assert.ThrowsAsync<ApiException>(() => _api.StatusPlainAsync(500));
        }

        Assert.Equal(1, _server.ConnectionCount);
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_call()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _api.GetUserAsync(1, null, true, 1, cts.Token));
    }
}

/// <summary>The same generated-client cases over HTTP/2 (h2c with prior knowledge): what the client sends and reads does not depend on the protocol (H2-9).</summary>
public sealed class GeneratedClientOverHttp2EndToEndTests : GeneratedClientEndToEndTests
{
    public GeneratedClientOverHttp2EndToEndTests()
        : base(http2: true)
    {
    }
}
