using System;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Policy;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using TypedHttp.Tests.Stages;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>The WebSocket handshake through an HTTP proxy: a CONNECT tunnel for ws and wss alike, the proxy's 407 answered (WS-6).</summary>
public sealed class WebSocketProxyTests
{
    private static readonly string ProxyAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("proxyuser:proxy-pw"));

    [Fact]
    public async Task WS_6_ws_through_a_proxy_opens_a_CONNECT_tunnel_after_answering_its_407()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        await using var proxy = new TestProxy(ProxyAuthorization);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("proxyuser", "proxy-pw")));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo", "origin.test"), cancellationToken: Deadline());
        await socket.SendTextAsync("through the tunnel");
        string echoed = await socket.ReceiveTextAsync();
        List<string> heads = proxy.Heads;
        Assert.Equal(
            ("through the tunnel", 2, $"CONNECT origin.test:{server.Port} HTTP/1.1", true),
            (echoed, heads.Count, heads[0].Split("\r\n")[0], heads[1].Contains("Proxy-Authorization: " + ProxyAuthorization)));
    }

    [Fact]
    public async Task WS_6_wss_through_a_proxy_runs_TLS_with_the_origin_inside_the_tunnel()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        await using var proxy = new TestProxy(null);
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}");
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
        });
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo", "secure.test"), cancellationToken: Deadline());
        await socket.SendTextAsync("secure tunnel");
        Assert.Equal(("secure tunnel", $"CONNECT secure.test:{server.Port} HTTP/1.1"), (await socket.ReceiveTextAsync(), proxy.Heads[0].Split("\r\n")[0]));
    }

    [Fact]
    public async Task WS_6_a_final_407_from_the_proxy_is_WebSocketHandshakeFailed_with_status_407()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        await using var proxy = new TestProxy(ProxyAuthorization);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}"));
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(server.Uri("/echo", "origin.test"), cancellationToken: Deadline()));
        Assert.Equal((407, "Basic realm=\"proxy\""), (e.StatusCode, e.ResponseHeaders!.GetValue("Proxy-Authenticate")));
    }
}
