using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Policy;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>The WebSocket handshake and messages against Kestrel's WebSockets (ASP.NET Core), ws and wss.</summary>
public sealed class WebSocketKestrelTests
{
    [Fact]
    public async Task WS_8_a_text_message_round_trips_over_ws()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), cancellationToken: Deadline());
        await socket.SendTextAsync("hello over ws");
        Assert.Equal("hello over ws", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_6_a_text_message_round_trips_over_wss_with_the_sessions_certificate_validation()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        using HttpSession session = Session(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo", "secure.test"), cancellationToken: Deadline());
        await socket.SendTextAsync("hello over wss");
        Assert.Equal("hello over wss", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_6_wss_to_a_server_whose_certificate_the_session_does_not_trust_is_SecureFailure()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync(certificate);
        using HttpSession session = Session();
        await EngineTest.AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls,
            () => session.ConnectWebSocketAsync(server.Uri("/echo", "secure.test"), cancellationToken: Deadline()));
    }

    [Fact]
    public async Task WS_4_the_subprotocol_the_server_picks_from_those_offered_is_the_WebSockets_SubProtocol()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { SubProtocols = { "chat.v3", "chat.v1" } };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), options, Deadline());
        Assert.Equal("chat.v1", socket.SubProtocol);
    }

    [Fact]
    public async Task WS_4_no_subprotocol_chosen_leaves_SubProtocol_null()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { SubProtocols = { "chat.v9" } };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), options, Deadline());
        Assert.Null(socket.SubProtocol);
    }

    [Fact]
    public async Task WS_5_permessage_deflate_is_accepted_by_Kestrel()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        var heads = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = e => { if (e.Kind == HttpTraceEventKind.HeadersReceived) { heads.Enqueue(e); } });
        var options = new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions() };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), options, Deadline());
        string? extensions = heads.Single().Headers!.GetValue("Sec-WebSocket-Extensions");
        Assert.StartsWith("permessage-deflate", extensions);
    }

    [Fact]
    public async Task WS_5_a_large_compressible_message_round_trips_with_permessage_deflate()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false } };
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), options, Deadline());
        string message = string.Concat(Enumerable.Repeat("the same words again and again; ", 4000));
        await socket.SendTextAsync(message);
        Assert.Equal(message, await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_6_a_route_behind_Basic_answers_the_401_and_opens()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        var credentials = new HttpCredentialCache();
        credentials.Add(new Uri($"http://127.0.0.1:{server.Port}/"), new HttpCredentials("user", "pw"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/basic"), cancellationToken: Deadline());
        await socket.SendTextAsync("authenticated");
        Assert.Equal(("authenticated", 2, WebSocketKestrel.BasicAuthorization), (await socket.ReceiveTextAsync(), server.Requests, server.LastAuthorization));
    }

    [Fact]
    public async Task WS_6_a_route_behind_Basic_without_credentials_is_WebSocketHandshakeFailed_with_401()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(server.Uri("/basic"), cancellationToken: Deadline()));
        Assert.Equal((401, "who are you"), (e.StatusCode, Encoding.UTF8.GetString(e.ResponseBodyPrefix.Span)));
    }

    [Fact]
    public async Task WS_6_a_cookie_set_on_the_101_is_stored_in_the_session()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        using (WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/cookie"), cancellationToken: Deadline()))
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        }
        Assert.Equal("room=blue", session.Cookies.GetCookieHeader(new Uri($"http://127.0.0.1:{server.Port}/")));
    }

    [Fact]
    public async Task WS_6_the_sessions_cookies_are_sent_with_the_handshake()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        using (WebSocket first = await session.ConnectWebSocketAsync(server.Uri("/cookie"), cancellationToken: Deadline()))
        {
            await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        }
        using WebSocket second = await session.ConnectWebSocketAsync(server.Uri("/cookie-echo"), cancellationToken: Deadline());
        Assert.Equal("room=blue", await second.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_3_a_403_is_WebSocketHandshakeFailed_with_its_status_and_the_start_of_its_body()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(server.Uri("/forbidden"), cancellationToken: Deadline()));
        Assert.Equal((403, "no entry here"), (e.StatusCode, Encoding.UTF8.GetString(e.ResponseBodyPrefix.Span)));
    }

    [Fact]
    public async Task WS_7_a_302_is_WebSocketHandshakeFailed_showing_its_status_and_Location()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(server.Uri("/moved"), cancellationToken: Deadline()));
        Assert.Equal((302, "/echo", true), (e.StatusCode, e.ResponseHeaders!.GetValue("Location"), e.Message.Contains("302") && e.Message.Contains("Location: /echo")));
    }

    [Fact]
    public async Task WS_7_with_FollowRedirects_a_302_is_followed_to_the_WebSocket()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/moved"), new WebSocketConnectOptions { FollowRedirects = true }, Deadline());
        await socket.SendTextAsync("after the redirect");
        Assert.Equal("after the redirect", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_8_the_close_handshake_with_the_server_ends_in_state_Closed()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), cancellationToken: Deadline());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure), (socket.State, socket.CloseStatus));
    }

    [Fact]
    public async Task WS_10_the_upgraded_connection_is_reported_opened_and_closed_to_the_observer()
    {
        await using WebSocketKestrel server = await WebSocketKestrel.StartAsync();
        var observer = new RecordingObserver();
        using HttpSession session = Session(o => o.Observer = observer);
        WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/echo"), cancellationToken: Deadline());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        socket.Dispose();
        string id = observer.Events[0].Split(' ')[1];
        Assert.Equal([$"opened {id} http://127.0.0.1:{server.Port} peer=127.0.0.1", $"closed {id}"], observer.Events);
    }
}
