using System;
using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>Request shapes Refit's own tests expect, where TypedHttp used to differ.</summary>
public sealed class RefitDropInTests : IClassFixture<RefitDropInTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        namespace App;

        [Headers("X-Tenant: default", "Accept: text/plain")]
        public interface IApi
        {
            [Get("/tenant")]
            Task<string> TenantAsync([Header("X-Tenant")] string? tenant);

            [Get("/bag")]
            Task<string> BagAsync([HeaderCollection] IDictionary<string, string?> headers);

            [Get("/optional-token")]
            Task<string> OptionalTokenAsync(CancellationToken? cancellationToken);
        }

        public static class Scenario
        {
            public static Task<string> Tenant(TypedHttpClientOptions options, string? tenant) => TypedHttpClient.Create<IApi>(options).TenantAsync(tenant);

            public static Task<string> Bag(TypedHttpClientOptions options) =>
                TypedHttpClient.Create<IApi>(options).BagAsync(new Dictionary<string, string?> { ["X-Tenant"] = null, ["X-Extra"] = "1" });

            public static Task<string> OptionalToken(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).OptionalTokenAsync(null);
        }
        """;

    private readonly ClientFixture _fixture;

    public RefitDropInTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: false);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options()
    {
        var transport = new RecordingTransport { ResponseBody = "ok", ResponseContentType = "text/plain" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport }, transport);
    }

    private static string Headers(RecordedRequest request) => string.Join(" | ", request.Headers.Select(h => h.Key + ": " + h.Value));

    [Fact]
    public async Task Null_header_parameter_removes_the_constant_header_of_its_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Tenant", options, null);
        Assert.Equal("Accept: text/plain", Headers(Assert.Single(transport.Requests)));
    }

    [Fact]
    public async Task Header_parameter_with_a_value_replaces_the_constant()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Tenant", options, "acme");
        Assert.Equal("acme", Assert.Single(transport.Requests).Header("X-Tenant"));
    }

    [Fact]
    public async Task Null_value_in_a_header_collection_removes_the_constant_header_of_its_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await _fixture.Assembly.CallAsync<string>("App.Scenario", "Bag", options);
        Assert.Equal("Accept: text/plain | X-Extra: 1", Headers(Assert.Single(transport.Requests)));
    }

    [Fact]
    public async Task Nullable_CancellationToken_is_the_calls_token()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "OptionalToken", options);
        Assert.Equal("ok", result);
        Assert.Equal("http://example.test/optional-token", Assert.Single(transport.Requests).Uri);
    }
}
