using System;
using System.Linq;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Engine.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.Http2WebSocketTest;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>WebSocket over HTTP/2 (RFC 8441 extended CONNECT, WS-18) against the scripted HTTP/2 server: exact frames.</summary>
public sealed class WebSocketHttp2WireTests
{
    /// <summary>A server that allows extended CONNECT, answers the CONNECT with 200 and runs <paramref name="serve"/> with a server-side WebSocket.</summary>
    private static Http2ScriptedServer Serving(Func<Http2ServerConnection, Http2TunnelPeer, WebSocket, Task> serve, params (string, string)[] extra) => Http2ScriptedServer.Start(async c =>
    {
        await c.HandshakeAsync(ExtendedConnect);
        Http2ReceivedRequest request = await c.ReadRequestAsync(waitForEndStream: false) ?? throw new InvalidOperationException("no CONNECT came");
        Http2TunnelPeer tunnel = await Http2TunnelPeer.AcceptAsync(c, request, extra);
        using WebSocket socket = tunnel.CreateWebSocket();
        await serve(c, tunnel, socket);
    });

    /// <summary>Echoes every message until the client closes (or, at the end of a test that does not close, aborts).</summary>
    private static async Task EchoAsync(WebSocket socket)
    {
        try
        {
            await EchoUntilCloseAsync(socket);
        }
        catch (WebSocketException) when (socket.State == WebSocketState.Aborted)
        {
            // The test's client went away without a close handshake: its outcome is asserted on its side.
        }
    }

    private static async Task EchoUntilCloseAsync(WebSocket socket)
    {
        byte[] buffer = new byte[256 * 1024];
        while (true)
        {
            int count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), Deadline());
                count += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Deadline());
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, count), result.MessageType, true, Deadline());
        }
    }

    [Fact]
    public async Task WS_18_the_extended_CONNECT_carries_protocol_scheme_path_authority_version_13_and_no_key()
    {
        Http2ReceivedRequest? seen = null;
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            seen = await c.ReadRequestAsync(waitForEndStream: false);
            await c.SendHeadersAsync(seen!.StreamId, [(":status", "200"), ("sec-websocket-protocol", "chat.v2")], endStream: false);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        WebSocketConnectOptions options = Http2Only(o => o.SubProtocols.Add("chat.v2"));
        options.Headers.Add("X-Tenant", "blue");
        using (WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri("/chat?room=1"), options, Deadline()))
        {
        }
        Assert.Equal(
            $":method: CONNECT\n:protocol: websocket\n:scheme: http\n:authority: 127.0.0.1:{server.Port}\n:path: /chat?room=1\nx-tenant: blue\nsec-websocket-version: 13\nsec-websocket-protocol: chat.v2",
            string.Join("\n", seen!.Fields.Where(f => f.Name != "user-agent").Select(f => $"{f.Name}: {f.Value}")));
    }

    [Fact]
    public async Task WS_18_the_CONNECT_HEADERS_leave_the_stream_open()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            Http2ReceivedRequest request = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(request.StreamId, [(":status", "200")], endStream: false);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        Http2ReceivedFrame headers = server.Connections[0].ReceivedFrames.First(f => f.Header.Type == Http2FrameType.Headers);
        Assert.False(headers.Header.HasFlag(Http2FrameFlags.EndStream));
    }

    [Fact]
    public async Task WS_18_a_200_opens_the_WebSocket_and_a_text_message_goes_both_ways_as_DATA()
    {
        await using Http2ScriptedServer server = Serving((c, tunnel, socket) => EchoAsync(socket));
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        await socket.SendTextAsync("hello over h2");
        Assert.Equal("hello over h2", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_18_64_KiB_messages_echo_beyond_both_initial_flow_control_windows()
    {
        await using Http2ScriptedServer server = Serving((c, tunnel, socket) => EchoAsync(socket));
        using HttpSession session = Session(o => o.Http2StreamWindowSize = 65535);
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        byte[] message = new byte[64 * 1024];
        new Random(7).NextBytes(message);
        byte[] received = new byte[message.Length];
        for (int round = 0; round < 3; round++)
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, Deadline());
            int count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(received.AsMemory(count), Deadline());
                count += result.Count;
            }
            while (!result.EndOfMessage);
            Assert.Equal(message.Length, count);
        }
        Assert.Equal(message, received);
    }

    [Fact]
    public async Task WS_18_closing_the_WebSocket_ends_our_side_of_the_stream_with_END_STREAM()
    {
        var ended = new TaskCompletionSource<(bool, Http2ErrorCode?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using Http2ScriptedServer server = Serving(async (c, tunnel, socket) =>
        {
            await EchoAsync(socket);
            await tunnel.EndAsync(); // as Kestrel: the server's side ends once its WebSocket closed
            await Task.WhenAny(tunnel.Ended).WaitAsync(TimeSpan.FromSeconds(10));
            ended.TrySetResult((tunnel.EndStreamReceived, tunnel.ResetCode));
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        Assert.Equal((true, (Http2ErrorCode?)null), await ended.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WS_18_aborting_the_WebSocket_resets_the_stream_with_CANCEL()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using Http2ScriptedServer server = Serving(async (c, tunnel, socket) =>
        {
            await Task.WhenAny(tunnel.Ended).WaitAsync(TimeSpan.FromSeconds(10));
            reset.TrySetResult(tunnel.ResetCode);
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        socket.Abort();
        Assert.Equal(Http2ErrorCode.Cancel, await reset.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WS_18_RST_STREAM_from_the_server_mid_session_aborts_the_WebSocket_with_an_error()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            Http2ReceivedRequest request = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(request.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(request.StreamId, ServerFrame(0x1, "first"u8.ToArray()), endStream: false);
            await c.SendRstStreamAsync(request.StreamId, Http2ErrorCode.InternalError);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        Assert.Equal("first", await socket.ReceiveTextAsync());
        WebSocketException e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        Assert.Equal((WebSocketState.Aborted, HttpError.StreamReset), (socket.State, Assert.IsType<TypedHttpException>(e.InnerException).Error));
    }

    [Fact]
    public async Task WS_18_a_403_is_WebSocketHandshakeFailed_with_its_status_headers_and_body()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            Http2ReceivedRequest request = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(request.StreamId, [(":status", "403"), ("x-reason", "tenant")], endStream: false);
            await c.SendDataAsync(request.StreamId, "no entry"u8.ToArray(), endStream: true);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline()));
        Assert.Equal((403, "tenant", "no entry"), (e.StatusCode, e.ResponseHeaders!.GetValue("x-reason"), Encoding.UTF8.GetString(e.ResponseBodyPrefix.Span)));
    }

    [Fact]
    public async Task WS_18_after_a_refused_CONNECT_the_connection_carries_the_next_request()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            Http2ReceivedRequest request = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(request.StreamId, [(":status", "404")], endStream: true);
            await c.ServeOneAsync("still here");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Engine();
        await Assert.ThrowsAsync<TypedHttpException>(() => session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline()));
        Assert.Equal(("still here", 1), (await session.GetStringAsync(server.Uri("/after")), server.AcceptedCount));
    }

    [Fact]
    public async Task WS_18_without_ENABLE_CONNECT_PROTOCOL_a_policy_demanding_HTTP_2_is_VersionNotAvailable()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline()));
        Assert.True(e.Error == HttpError.VersionNotAvailable && e.Message.Contains("SETTINGS_ENABLE_CONNECT_PROTOCOL", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task WS_18_without_ENABLE_CONNECT_PROTOCOL_wss_falls_back_to_an_HTTP_1_1_upgrade_on_a_connection_of_its_own()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "127.0.0.1");
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            if (c.NegotiatedProtocol == "h2")
            {
                await c.HandshakeAsync(); // no SETTINGS_ENABLE_CONNECT_PROTOCOL
                await c.WaitForClientCloseAsync();
                return;
            }
            // No ALPN: the client's HTTP/1.1 handshake; an HTTP/1.1 refusal shows it was read as one.
            await c.SendRawAsync(Encoding.Latin1.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"));
        }, certificate);
        using HttpSession session = Session(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority));
        var options = new WebSocketConnectOptions { HttpVersion = System.Net.HttpVersion.Version20 };
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => session.ConnectWebSocketAsync(new Uri($"wss://127.0.0.1:{server.Port}/chat"), options, Deadline()));
        Assert.Equal((403, "no", 2), (e.StatusCode, Encoding.UTF8.GetString(e.ResponseBodyPrefix.Span), server.AcceptedCount));
    }

    [Fact]
    public async Task WS_18_a_request_is_multiplexed_on_the_connection_while_the_WebSocket_is_open()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(ExtendedConnect);
            Http2ReceivedRequest connect = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(connect.StreamId, [(":status", "200")], endStream: false);
            Http2ReceivedRequest get = (await c.ReadRequestAsync())!; // the GET ends its stream; the CONNECT's DATA lands in its own request
            await c.RespondAsync(get.StreamId, $"stream {get.StreamId}");
            await WaitForDataAsync(c, connect, 6 + 4);
            (int opcode, byte[] payload) = ClientFrame(connect.Body);
            await c.SendDataAsync(connect.StreamId, ServerFrame((byte)opcode, payload), endStream: false);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Engine();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        string answer = await session.GetStringAsync(server.Uri("/while-open"));
        await socket.SendTextAsync("ping");
        Assert.Equal(("stream 3", "ping", 1), (answer, await socket.ReceiveTextAsync(), server.AcceptedCount));
    }

    [Fact]
    public async Task WS_18_the_open_WebSocket_holds_one_stream_of_the_connection_until_it_closes()
    {
        await using Http2ScriptedServer server = Serving(async (c, tunnel, socket) =>
        {
            await EchoAsync(socket);
            await tunnel.EndAsync();
            await tunnel.Pump;
        });
        using HttpSession session = Session();
        WebSocket socket = await session.ConnectWebSocketAsync(server.WsUri(), Http2Only(), Deadline());
        int open = session.ActiveHttp2StreamCount;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        socket.Dispose();
        await EngineTest.WaitUntilAsync(() => session.ActiveHttp2StreamCount == 0, "the WebSocket's stream to end");
        Assert.Equal(1, open);
    }

    /// <summary>An h2c session that also sends its plain requests over HTTP/2 (prior knowledge).</summary>
    private static HttpSession Http2Engine() => Session(o =>
    {
        o.DefaultRequestVersion = System.Net.HttpVersion.Version20;
        o.DefaultVersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact;
    });
}
