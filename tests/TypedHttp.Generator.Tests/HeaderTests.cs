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

/// <summary>Generated clients' headers: [Header] parameters, the authorization getter, [Authorize], [HeaderCollection].</summary>
[Collection(GeneratedClients.Name)]
public sealed class HeaderTests(CoreClients core, RefitSurfaceClients surface)
{
    [Fact]
    public async Task Header_parameter_replaces_constant_header_of_the_same_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("""{"Id":7,"Name":"Zoë"}""");
        await core.Assembly.CallAsync<string>("App.Scenario", "Create", options, null, "override");

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal(new[] { "accept: text/plain", "X-Client: override" }, request.Headers.Select(h => h.Key + ": " + h.Value));
    }

    [Fact]
    public async Task Getter_fills_authorization_header_that_holds_only_a_scheme()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        string? seenUri = null;
        options.AuthorizationHeaderValueGetter = (request, ct) =>
        {
            seenUri = request.Uri.AbsoluteUri;
            return Task.FromResult("t0k3n");
        };
        await surface.Call("Getter", options);
        Assert.Equal("Authorization: Bearer t0k3n", RefitSurfaceClients.Headers(Assert.Single(transport.Requests)));
        Assert.Equal("http://example.test/api/v2/me", seenUri);
    }

    [Fact]
    public async Task Missing_getter_is_a_clear_error()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        options.AuthorizationHeaderValueGetter = null;
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => surface.Call("Getter", options));
        Assert.Contains("'Authorization: Bearer' without credentials, but TypedHttpClientOptions.AuthorizationHeaderValueGetter is not set", error.Message);
        Assert.Contains("App.IApi", error.Message);
        Assert.Empty(transport.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Getter_returning_no_credentials_sends_no_authorization_header(string credentials)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult(credentials);
        await surface.Call("Getter", options);
        Assert.Equal(string.Empty, RefitSurfaceClients.Headers(Assert.Single(transport.Requests)));
    }

    [Fact]
    public async Task Getter_returning_null_is_a_clear_error()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult<string>(null!);
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => surface.Call("Getter", options));
        Assert.Contains("returned null", error.Message);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Authorize_parameter_wins_over_the_getter()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        options.AuthorizationHeaderValueGetter = (request, ct) => Task.FromResult("from-getter");
        await surface.Call("Token", options, "abc");
        await surface.Call("Token", options, null);
        Assert.Equal("Authorization: Bearer abc", RefitSurfaceClients.Headers(transport.Requests[0]));
        Assert.Equal("Authorization: Bearer from-getter", RefitSurfaceClients.Headers(transport.Requests[1]));
    }

    [Fact]
    public async Task Header_collection_sets_each_entry_and_keeps_constant_credentials()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Basic", options, new Dictionary<string, string> { ["X-One"] = "1", ["X-Two"] = "2" });
        await surface.Call("Basic", options, null);
        Assert.Equal("Authorization: Basic dXNlcjpwYXNz | X-One: 1 | X-Two: 2", RefitSurfaceClients.Headers(transport.Requests[0]));
        Assert.Equal("Authorization: Basic dXNlcjpwYXNz", RefitSurfaceClients.Headers(transport.Requests[1]));
    }

    [Fact]
    public async Task Header_collection_refuses_header_injection()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await Assert.ThrowsAsync<ArgumentException>(() => surface.Call("Basic", options, new Dictionary<string, string> { ["X-A"] = "a\r\nInjected: b" }));
        Assert.Empty(transport.Requests);
    }
}
