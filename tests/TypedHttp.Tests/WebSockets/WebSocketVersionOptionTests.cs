using System;
using System.Net;
using System.Net.Http;

namespace TypedHttp.Tests.WebSockets;

/// <summary>WS-22: a generated method's <c>[HttpVersion]</c>, carried on its request, chooses the handshake's version.</summary>
public sealed class WebSocketVersionOptionTests
{
    private static readonly Uri Chat = new("ws://chat.test/rooms/1");

    [Fact]
    public void WS_22_a_request_for_HTTP_2_asks_for_the_handshake_over_HTTP_2_with_its_policy()
    {
        var request = new TypedHttpRequest("GET", Chat) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        WebSocketConnectOptions options = HttpSession.WebSocketOptionsFor(request, new WebSocketConnectOptions { SubProtocols = { "chat" } });

        Assert.Equal((HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact, "chat"), (options.HttpVersion, options.HttpVersionPolicy, options.SubProtocols[0]));
    }

    [Fact]
    public void WS_22_a_request_for_HTTP_1_0_asks_for_the_HTTP_1_1_upgrade()
    {
        var request = new TypedHttpRequest("GET", Chat) { Version = HttpVersion.Version10 };

        WebSocketConnectOptions options = HttpSession.WebSocketOptionsFor(request, new WebSocketConnectOptions { HttpVersion = HttpVersion.Version20 });

        Assert.Equal(HttpVersion.Version11, options.HttpVersion);
    }

    [Fact]
    public void WS_22_without_a_version_on_the_request_the_options_version_applies()
    {
        var given = new WebSocketConnectOptions { HttpVersion = HttpVersion.Version20 };
        var request = new TypedHttpRequest("GET", Chat);
        request.Headers.Add("X-Tenant", "t1");

        WebSocketConnectOptions options = HttpSession.WebSocketOptionsFor(request, given);

        Assert.Equal((HttpVersion.Version20, "t1"), (options.HttpVersion, options.Headers.GetValue("X-Tenant")));
    }
}
