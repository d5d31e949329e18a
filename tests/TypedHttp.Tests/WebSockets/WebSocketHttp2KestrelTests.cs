using System;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.Http2WebSocketTest;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>WebSocket over HTTP/2 (RFC 8441, WS-18) against Kestrel's own implementation: h2c by prior knowledge and TLS with ALPN h2.</summary>
public sealed class WebSocketHttp2KestrelTests
{
    [Fact]
    public async Task WS_18_over_h2c_prior_knowledge_Kestrel_sees_an_HTTP_2_WebSocket_and_messages_round_trip()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(protocols: HttpProtocols.Http2);
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/protocol"), Http2Only(), Deadline());
        string protocol = (await socket.ReceiveTextAsync()).Split(' ')[0];
        await socket.SendTextAsync("hello over h2c");
        Assert.Equal(("HTTP/2", "hello over h2c"), (protocol, await socket.ReceiveTextAsync()));
    }

    [Fact]
    public async Task WS_18_over_TLS_with_version_2_0_the_WebSocket_goes_over_ALPN_h2()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        using HttpSession session = Session(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority));
        var options = new WebSocketConnectOptions { HttpVersion = System.Net.HttpVersion.Version20 };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/protocol", "secure.test"), options, Deadline());
        Assert.StartsWith("HTTP/2 ", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_18_by_default_the_WebSocket_is_HTTP_1_1_even_where_the_session_speaks_HTTP_2()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        using HttpSession session = Session(o =>
        {
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
            o.DefaultRequestVersion = System.Net.HttpVersion.Version20;
        });
        Assert.StartsWith("HTTP/2 ", await session.GetStringAsync(new Uri($"https://secure.test:{server.Port}/plain")));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/protocol", "secure.test"), cancellationToken: Deadline());
        Assert.StartsWith("HTTP/1.1 ", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_18_a_request_while_the_WebSocket_is_open_shares_its_HTTP_2_connection()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        using HttpSession session = Session(o =>
        {
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
            o.DefaultRequestVersion = System.Net.HttpVersion.Version20;
        });
        var options = new WebSocketConnectOptions { HttpVersion = System.Net.HttpVersion.Version20 };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/protocol", "secure.test"), options, Deadline());
        string onSocket = await socket.ReceiveTextAsync();
        string onRequest = await session.GetStringAsync(new Uri($"https://secure.test:{server.Port}/plain"));
        await socket.SendTextAsync("still open");
        Assert.Equal((onSocket, "still open"), (onRequest, await socket.ReceiveTextAsync()));
    }

    [Fact]
    public async Task WS_18_a_64_KiB_binary_message_round_trips_over_Kestrels_HTTP_2_stream()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(protocols: HttpProtocols.Http2);
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), Http2Only(), Deadline());
        byte[] message = new byte[64 * 1024];
        new Random(3).NextBytes(message);
        await socket.SendAsync(message, WebSocketMessageType.Binary, true, Deadline());
        byte[] received = new byte[message.Length];
        int count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(received.AsMemory(count), Deadline());
            count += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.Equal(message, received);
    }

    [Fact]
    public async Task WS_18_closing_the_WebSocket_completes_the_close_handshake_and_frees_the_stream()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(protocols: HttpProtocols.Http2);
        using HttpSession session = Session();
        WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), Http2Only(), Deadline());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        socket.Dispose();
        await EngineTest.WaitUntilAsync(() => session.ActiveHttp2StreamCount == 0, "the WebSocket's stream to end");
        Assert.Equal((WebSocketCloseStatus.NormalClosure, 1), (socket.CloseStatus!.Value, session.Http2ConnectionCount));
    }
}
