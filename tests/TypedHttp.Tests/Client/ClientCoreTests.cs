using System;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;
using TypedHttp.Testing;

namespace TypedHttp.Tests.Client;

public sealed record Point(int X, int Y);

[JsonSerializable(typeof(Point))]
internal sealed partial class ClientCoreJsonContext : JsonSerializerContext;

public sealed class ClientCoreTests
{
    private static ClientCore Core(HttpTransport transport, JsonSerializerOptions? json = null) =>
        new(new TypedHttpClientOptions { BaseAddress = new Uri("http://api.test/"), Transport = transport, JsonSerializerOptions = json ?? ClientCoreJsonContext.Default.Options }, "Tests.IPoints");

    private static TypedHttpRequest Get(string path) => new("GET", new Uri("http://api.test" + path));

    [Fact]
    public async Task A_body_that_is_not_the_expected_json_names_the_type_the_path_and_the_request()
    {
        ClientCore core = Core(InMemoryTransport.Respond(200, "{\"X\":1,\"Y\":\"two\"}"));

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => core.SendJsonAsync(Get("/points/1"), ClientCoreJsonContext.Default.Point, CancellationToken.None));

        Assert.Contains("TypedHttp.Tests.Client.Point", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$.Y", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GET http://api.test/points/1", ex.Message, StringComparison.Ordinal);
        Assert.Equal("$.Y", ex.Path);
    }

    [Fact]
    public async Task An_error_body_is_kept_as_text_up_to_the_limit()
    {
        string huge = new('x', ClientCore.MaxErrorContentChars + 5000);
        ClientCore core = Core(InMemoryTransport.Respond(500, huge));

        ApiException ex = await Assert.ThrowsAsync<ApiException>(() => core.SendAsync(Get("/boom"), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal(ClientCore.MaxErrorContentChars, ex.Content!.Length);
    }

    [Fact]
    public async Task The_exception_message_never_shows_user_information_from_the_uri()
    {
        ClientCore core = Core(InMemoryTransport.Respond(401, "denied"));
        var request = new TypedHttpRequest("GET", new Uri("http://bob:hunter2@api.test/me"));

        ApiException ex = await Assert.ThrowsAsync<ApiException>(() => core.SendAsync(request, CancellationToken.None));

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://api.test/me", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_missing_from_the_json_context_is_named_with_the_fix()
    {
        ClientCore core = Core(InMemoryTransport.Respond(200, "{}"));

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => core.GetJsonTypeInfo<Version>());

        Assert.Contains("System.Version", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[JsonSerializable(typeof(Version))]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_without_options_is_a_configuration_error_naming_the_interface()
    {
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = new Uri("http://api.test/"), Transport = InMemoryTransport.Respond(200, "") }, "Tests.IPoints");

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => core.GetJsonTypeInfo<Point>());

        Assert.Contains("Tests.IPoints", ex.Message, StringComparison.Ordinal);
        Assert.Contains("JsonSerializerOptions", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ftp://files.test/")]
    [InlineData("/relative")]
    public void A_missing_or_non_http_base_address_is_refused(string? address)
    {
        var options = new TypedHttpClientOptions { BaseAddress = address is null ? null : new Uri(address, UriKind.RelativeOrAbsolute) };

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => new ClientCore(options, "Tests.IPoints"));

        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_success_status_without_body_for_HEAD_gives_default()
    {
        ClientCore core = Core(InMemoryTransport.Respond(200, ""));

        ApiResponse<Point> response = await core.SendForApiResponseAsync(new TypedHttpRequest("HEAD", new Uri("http://api.test/p")), ClientCoreJsonContext.Default.Point, CancellationToken.None);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Null(response.Content);
    }

    [Fact]
    public void Creating_a_client_for_an_interface_without_a_generated_client_explains_why()
    {
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => TypedHttpClient.Create<IDisposable>(new TypedHttpClientOptions()));

        Assert.Contains("System.IDisposable", ex.Message, StringComparison.Ordinal);
        Assert.Contains("THTTP", ex.Message, StringComparison.Ordinal);
    }
}
