using System;
using System.Net;
using System.Net.Http;

namespace TypedHttp.Extensions.Tests;

/// <summary>The HttpClient transport passes the request's HTTP version and policy on to HttpRequestMessage (H2-1).</summary>
public sealed class Http2TransportTests
{
    private static HttpRequestMessage Map(TypedHttpRequest request, HttpClient client) => new HttpClientTransport(client).ToRequestMessage(request);

    [Fact]
    public void H2_1_a_request_naming_no_version_takes_the_http_clients_defaults()
    {
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher };
        using var request = new TypedHttpRequest("GET", new Uri("http://127.0.0.1/"));

        using HttpRequestMessage message = Map(request, client);

        Assert.Equal((HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrHigher), (message.Version, message.VersionPolicy));
    }

    [Fact]
    public void H2_1_the_requests_version_and_policy_win_over_the_http_clients_defaults()
    {
        using var client = new HttpClient();
        using var request = new TypedHttpRequest("GET", new Uri("http://127.0.0.1/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using HttpRequestMessage message = Map(request, client);

        Assert.Equal((HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), (message.Version, message.VersionPolicy));
    }

    [Fact]
    public void H2_1_http_10_without_a_policy_is_asked_for_exactly()
    {
        using var client = new HttpClient();
        using var request = new TypedHttpRequest("GET", new Uri("http://127.0.0.1/")) { Version = HttpVersion.Version10 };

        using HttpRequestMessage message = Map(request, client);

        Assert.Equal((HttpVersion.Version10, HttpVersionPolicy.RequestVersionExact), (message.Version, message.VersionPolicy));
    }
}
