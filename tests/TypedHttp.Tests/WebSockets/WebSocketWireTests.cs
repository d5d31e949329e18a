using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>The handshake and the upgraded connection against a scripted server sending exact bytes.</summary>
public sealed class WebSocketWireTests
{
    /// <summary>A server that answers the handshake with <paramref name="answer"/> (built from the request) and then waits for the client to close.</summary>
    private static ScriptedServer Answering(Func<ScriptedRequest, byte[]> answer) => ScriptedServer.Start(async c =>
    {
        if (await c.ReadRequestAsync() is { } request)
        {
            await c.SendAsync(answer(request));
            await c.WaitForClientCloseAsync();
        }
    });

    private static ScriptedServer Answering(Func<ScriptedRequest, string> answer) => Answering(r => Encoding.Latin1.GetBytes(answer(r)));

    private static Task<TypedHttpException> AssertHandshakeFailsAsync(HttpSession session, Uri uri, WebSocketConnectOptions? options = null) =>
        EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders, () => session.ConnectWebSocketAsync(uri, options, Deadline()));

    private static Uri Ws(ScriptedServer server, string path = "/chat") => server.Uri(path, "ws");

    [Fact]
    public async Task WS_2_the_request_is_a_GET_with_the_upgrade_fields_a_16_byte_key_and_version_13()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r));
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server, "/chat?room=1"), cancellationToken: Deadline());
        ScriptedRequest request = server.Connections[0].Requests[0];
        Assert.Equal(
            ("GET /chat?room=1 HTTP/1.1", $"127.0.0.1:{server.Port}", "websocket", "Upgrade", "13", 16),
            (request.RequestLine, request.Header("Host"), request.Header("Upgrade"), request.Header("Connection"), request.Header("Sec-WebSocket-Version"),
                Convert.FromBase64String(request.Header("Sec-WebSocket-Key")!).Length));
    }

    [Fact]
    public async Task WS_2_subprotocols_and_extra_headers_are_sent_in_order()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Protocol: b\r\n"));
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { SubProtocols = { "a", "b" } };
        options.Headers.Add("X-Tenant", "blue");
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), options, Deadline());
        ScriptedRequest request = server.Connections[0].Requests[0];
        Assert.Equal(("a, b", "blue", "b"), (request.Header("Sec-WebSocket-Protocol"), request.Header("X-Tenant"), socket.SubProtocol));
    }

    [Fact]
    public async Task WS_2_a_caller_set_Sec_WebSocket_Key_is_InvalidRequest_and_nothing_is_sent()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r));
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions();
        options.Headers.Add("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");
        await EngineTest.AssertFailsAsync(HttpError.InvalidRequest, HttpPhase.Request, () => session.ConnectWebSocketAsync(Ws(server), options));
        Assert.Equal(0, server.AcceptedCount);
    }

    [Fact]
    public async Task WS_1_an_ftp_uri_is_UnrecognizedScheme()
    {
        using HttpSession session = Session();
        await EngineTest.AssertFailsAsync(HttpError.UnrecognizedScheme, HttpPhase.Request, () => session.ConnectWebSocketAsync(new Uri("ftp://127.0.0.1/chat")));
    }

    [Fact]
    public async Task WS_1_an_http_uri_is_taken_as_ws()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r));
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat"), cancellationToken: Deadline());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task WS_8_a_frame_in_the_same_segment_as_the_101_is_the_first_message()
    {
        await using ScriptedServer server = Answering(r => Concat(SwitchingProtocols(r), ServerFrame(0x1, "first!"u8.ToArray())));
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        Assert.Equal("first!", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_8_two_frames_in_the_101s_segment_are_read_in_order()
    {
        await using ScriptedServer server = Answering(r => Concat(SwitchingProtocols(r), [.. ServerFrame(0x1, "one"u8.ToArray()), .. ServerFrame(0x1, "two"u8.ToArray())]));
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        Assert.Equal(("one", "two"), (await socket.ReceiveTextAsync(), await socket.ReceiveTextAsync()));
    }

    [Fact]
    public async Task WS_8_client_frames_are_masked_on_the_wire()
    {
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest request = (await c.ReadRequestAsync())!;
            await c.SendAsync(SwitchingProtocols(request));
            int headLength = c.Received.Length;
            Task reading = c.WaitForClientCloseAsync(); // records what the client sends
            while (c.Received.Length < headLength + 2 + 4 + 2)
            {
                await Task.Delay(10, c.Stopping);
            }
            received.TrySetResult(c.Received[headLength..]);
            await reading;
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        await socket.SendTextAsync("hi");
        byte[] frame = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((0x81, 0x82), (frame[0], frame[1])); // FIN + text; MASK + length 2
    }

    [Fact]
    public async Task WS_3_a_wrong_accept_key_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("Sec-WebSocket-Accept", e.Message);
    }

    [Fact]
    public async Task WS_3_a_101_without_Upgrade_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {Accept(r.Header("Sec-WebSocket-Key")!)}\r\n\r\n");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("Upgrade: websocket", e.Message);
    }

    [Fact]
    public async Task WS_3_a_101_upgrading_to_another_protocol_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {Accept(r.Header("Sec-WebSocket-Key")!)}\r\n\r\n");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("'h2c'", e.Message);
    }

    [Fact]
    public async Task WS_3_a_101_without_Connection_upgrade_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {Accept(r.Header("Sec-WebSocket-Key")!)}\r\n\r\n");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("Connection", e.Message);
    }

    [Fact]
    public async Task WS_3_upgrade_and_connection_tokens_are_case_insensitive_and_Connection_may_list_more()
    {
        await using ScriptedServer server = Answering(r => $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\nSec-WebSocket-Accept: {Accept(r.Header("Sec-WebSocket-Key")!)}\r\n\r\n");
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task WS_3_a_200_is_WebSocketHandshakeFailed_with_its_status_headers_and_body_prefix()
    {
        await using ScriptedServer server = Answering(r => "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello there");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Equal((200, "text/plain", "hello there"), (e.StatusCode, e.ResponseHeaders!.GetValue("Content-Type"), Encoding.UTF8.GetString(e.ResponseBodyPrefix.Span)));
    }

    [Fact]
    public async Task WS_3_the_body_prefix_of_a_refusal_is_at_most_1_KiB()
    {
        string body = new('x', 5000);
        await using ScriptedServer server = Answering(r => $"HTTP/1.1 400 Bad Request\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Equal(1024, e.ResponseBodyPrefix.Length);
    }

    [Fact]
    public async Task WS_3_a_refused_handshake_closes_its_connection()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnone");
            await c.WaitForClientCloseAsync();
            closed.TrySetResult();
        });
        using HttpSession session = Session();
        await AssertHandshakeFailsAsync(session, Ws(server));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, session.IdleConnectionCount);
    }

    [Fact]
    public async Task WS_4_a_subprotocol_that_was_not_offered_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Protocol: mqtt\r\n"));
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server), new WebSocketConnectOptions { SubProtocols = { "chat" } });
        Assert.Contains("'mqtt'", e.Message);
    }

    [Fact]
    public async Task WS_4_a_subprotocol_when_none_was_offered_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Protocol: chat\r\n"));
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("none was offered", e.Message);
    }

    [Fact]
    public async Task WS_5_an_extension_that_was_not_offered_is_WebSocketHandshakeFailed()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Contains("not offered", e.Message);
    }

    [Fact]
    public async Task WS_5_an_unknown_extension_is_WebSocketHandshakeFailed_even_when_deflate_was_offered()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Extensions: x-webkit-frame-twister\r\n"));
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server), new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions() });
        Assert.Contains("x-webkit-frame-twister", e.Message);
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=8")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; level=9")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate, permessage-deflate")]
    public async Task WS_5_invalid_deflate_parameters_are_WebSocketHandshakeFailed(string extensions)
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, $"Sec-WebSocket-Extensions: {extensions}\r\n"));
        using HttpSession session = Session();
        TypedHttpException e = await AssertHandshakeFailsAsync(session, Ws(server), new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions() });
        Assert.Contains("permessage-deflate", e.Message);
    }

    [Fact]
    public async Task WS_5_the_deflate_offer_names_what_was_asked_for()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; server_no_context_takeover\r\n"));
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions { ClientMaxWindowBits = 12, ServerMaxWindowBits = 10, ServerContextTakeover = false } };
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), options, Deadline());
        Assert.Equal("permessage-deflate; client_max_window_bits=12; server_max_window_bits=10; server_no_context_takeover",
            server.Connections[0].Requests[0].Header("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task WS_7_a_redirect_to_a_ws_Location_on_another_origin_is_followed_without_the_callers_Authorization()
    {
        await using ScriptedServer target = Answering(r => SwitchingProtocols(r));
        await using ScriptedServer first = Answering(r => $"HTTP/1.1 302 Found\r\nLocation: ws://other.test:{target.Port}/room\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { FollowRedirects = true };
        options.Headers.Add("Authorization", "Bearer secret");
        options.Headers.Add("X-Tenant", "blue");
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(first), options, Deadline());
        ScriptedRequest followed = target.Connections[0].Requests[0];
        Assert.Equal(("GET /room HTTP/1.1", $"other.test:{target.Port}", null, "blue"),
            (followed.RequestLine, followed.Header("Host"), followed.Header("Authorization"), followed.Header("X-Tenant")));
    }

    [Fact]
    public async Task WS_8_a_server_that_closes_without_a_close_frame_fails_the_receive()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest request = (await c.ReadRequestAsync())!;
            await c.SendAsync(SwitchingProtocols(request));
            c.Close();
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        WebSocketException e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, e.WebSocketErrorCode);
    }

    [Fact]
    public async Task WS_8_aborting_the_WebSocket_closes_the_connection()
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest request = (await c.ReadRequestAsync())!;
            await c.SendAsync(SwitchingProtocols(request));
            await c.WaitForClientCloseAsync();
            closed.TrySetResult();
        });
        using HttpSession session = Session();
        WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        socket.Abort();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public async Task WS_9_a_server_silent_past_the_handshake_timeout_is_Timeout_in_ReceiveHeaders()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session();
        var options = new WebSocketConnectOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, () => session.ConnectWebSocketAsync(Ws(server), options, Deadline()));
        Assert.Contains("WS-9", e.Message);
    }

    [Fact]
    public async Task WS_9_cancelling_the_callers_token_throws_OperationCanceledException_with_that_token()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var options = new WebSocketConnectOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) };
        OperationCanceledException e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.ConnectWebSocketAsync(Ws(server), options, cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task WS_10_the_trace_shows_the_handshake_and_the_upgrade()
    {
        await using ScriptedServer server = Answering(r => SwitchingProtocols(r));
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = events.Enqueue);
        using (WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline()))
        {
        }
        HttpTraceEventKind[] kinds = events.Select(e => e.Kind).Where(k => k is not (HttpTraceEventKind.Connecting or HttpTraceEventKind.Connected)).ToArray();
        Assert.Equal([HttpTraceEventKind.SendingRequest, HttpTraceEventKind.RequestSent, HttpTraceEventKind.HeadersReceived, HttpTraceEventKind.WebSocketUpgraded, HttpTraceEventKind.Closing], kinds);
    }

    [Fact]
    public async Task WS_10_a_refusal_is_a_WebSocketHandshakeFailed_trace_event_with_its_status()
    {
        await using ScriptedServer server = Answering(r => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = events.Enqueue);
        await AssertHandshakeFailsAsync(session, Ws(server));
        Assert.Equal(403, events.Single(e => e.Kind == HttpTraceEventKind.WebSocketHandshakeFailed).StatusCode);
    }

    /// <summary>
    /// Frames that break RFC 6455 on the server's side, each to be refused by the client (WS-8: .NET's WebSocket runs
    /// the protocol over our stream): a masked frame (§5.1), a text message that is not UTF-8 (§8.1), a control frame
    /// with more than 125 bytes of payload (§5.5).
    /// </summary>
    private static byte[] BadFrame(string kind) => kind switch
    {
        "masked" => [0x81, 0x82, 0x01, 0x02, 0x03, 0x04, (byte)('h' ^ 0x01), (byte)('i' ^ 0x02)],
        "invalid-utf8" => ServerFrame(0x1, [0x68, 0xC3, 0x28]),
        "oversized-ping" => [0x89, 126, 0x00, 126, .. new byte[126]],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// A server that answers the handshake with a 101 followed by <paramref name="after101"/> in the same segment, then
    /// records what the client sends until it closes the connection; <paramref name="sent"/> gets those bytes.
    /// </summary>
    private static ScriptedServer SendingAfter101(byte[] after101, TaskCompletionSource<byte[]> sent) => ScriptedServer.Start(async c =>
    {
        ScriptedRequest request = (await c.ReadRequestAsync())!;
        int headLength = c.Received.Length;
        await c.SendAsync(Concat(SwitchingProtocols(request), after101));
        await c.WaitForClientCloseAsync();
        sent.TrySetResult(c.Received[headLength..]);
    });

    /// <summary>The status code of the first frame of <paramref name="clientBytes"/>, which must be a masked close frame (RFC 6455 §5.2, §5.5.1).</summary>
    private static int CloseStatusOf(byte[] clientBytes)
    {
        Assert.Equal(0x88, clientBytes[0]); // FIN + close
        byte[] mask = clientBytes[2..6];
        return ((clientBytes[6] ^ mask[0]) << 8) | (clientBytes[7] ^ mask[1]);
    }

    [Theory]
    [InlineData("masked")]
    [InlineData("invalid-utf8")]
    [InlineData("oversized-ping")]
    public async Task WS_8_a_frame_breaking_the_protocol_fails_the_receive_with_WebSocketError_Faulted(string kind)
    {
        var sent = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ScriptedServer server = SendingAfter101(BadFrame(kind), sent);
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        WebSocketException e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        Assert.Equal(WebSocketError.Faulted, e.WebSocketErrorCode);
    }

    [Theory]
    [InlineData("masked", 1002)]
    [InlineData("invalid-utf8", 1007)]
    [InlineData("oversized-ping", 1002)]
    public async Task WS_8_a_frame_breaking_the_protocol_is_answered_with_a_close_frame_naming_the_failure(string kind, int expectedStatus)
    {
        var sent = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ScriptedServer server = SendingAfter101(BadFrame(kind), sent);
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        socket.Dispose();
        Assert.Equal(expectedStatus, CloseStatusOf(await sent.Task.WaitAsync(TimeSpan.FromSeconds(10))));
    }

    [Theory]
    [InlineData("masked")]
    [InlineData("invalid-utf8")]
    [InlineData("oversized-ping")]
    public async Task WS_8_a_frame_breaking_the_protocol_leaves_the_WebSocket_Aborted(string kind)
    {
        var sent = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ScriptedServer server = SendingAfter101(BadFrame(kind), sent);
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    /// <remarks>
    /// .NET's WebSocket, once it has failed the connection (close frame sent, state Aborted), leaves the stream open
    /// until it is disposed: the connection closes on Dispose, not before. This test holds the part a caller relies on.
    /// </remarks>
    [Theory]
    [InlineData("masked")]
    [InlineData("invalid-utf8")]
    [InlineData("oversized-ping")]
    public async Task WS_8_after_a_frame_breaking_the_protocol_disposing_the_WebSocket_closes_the_connection(string kind)
    {
        var sent = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ScriptedServer server = SendingAfter101(BadFrame(kind), sent);
        using HttpSession session = Session();
        WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        socket.Dispose();
        Task first = await Task.WhenAny(sent.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(sent.Task, first); // the server saw the connection end
    }

    [Fact]
    public async Task WS_8_a_server_that_closes_without_a_close_frame_leaves_the_WebSocket_Aborted()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest request = (await c.ReadRequestAsync())!;
            await c.SendAsync(SwitchingProtocols(request));
            c.Close();
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(Ws(server), cancellationToken: Deadline());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }
}
