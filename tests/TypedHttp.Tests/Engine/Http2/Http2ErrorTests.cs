using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>Stream and connection errors, resends and the connection's life (RFC 9113 §5.4, §6.4, §6.7, §6.8, §8.7, H2-5, H2-6, H2-11, H2-12, H2-13).</summary>
public sealed class Http2ErrorTests
{
    [Fact]
    public async Task Rfc_9113_8_7_refused_stream_the_post_is_resent_and_succeeds()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest refused = (await c.ReadRequestAsync())!;
            await c.SendRstStreamAsync(refused.StreamId, Http2ErrorCode.RefusedStream);
            Http2ReceivedRequest again = (await c.ReadRequestAsync())!;
            await c.RespondAsync(again.StreamId, $"{again.Method} {Encoding.ASCII.GetString(again.Body)} on connection {c.Index} stream {again.StreamId}");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/order")) { Content = new StringRequestContent("item=1") });

        // RFC 9113 §8.7 says the request may be retried, not where: the connection is healthy, so it goes again on it
        // (as SocketsHttpHandler's pool does); a new connection opens only when this one is unusable.
        Assert.Equal((200, "POST item=1 on connection 0 stream 3"), (response.StatusCode, await response.ReadAsStringAsync()));
    }

    private static readonly AsyncLocal<string?> s_caller = new();

    [Fact]
    public async Task H2_11_a_refused_get_is_resent_in_the_callers_execution_context()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest first = (await c.ReadRequestAsync())!;
            await c.RespondAsync(first.StreamId, "first");
            Http2ReceivedRequest refused = (await c.ReadRequestAsync())!;
            await c.SendRstStreamAsync(refused.StreamId, Http2ErrorCode.RefusedStream);
            Http2ReceivedRequest again = (await c.ReadRequestAsync())!;
            await c.RespondAsync(again.StreamId, "ok");
            await c.WaitForClientCloseAsync();
        });
        string? seenByResend = "(no resend traced)";
        using HttpSession session = Http2Wire.Session(o => o.TraceListener = e =>
        {
            if (e.Kind == HttpTraceEventKind.SendingRequest && e.StreamId == 5)
            {
                seenByResend = s_caller.Value;
            }
        });
        // The first request opens the connection, so the second finds a free slot and takes the pool's direct path.
        Assert.Equal("first", await session.GetStringAsync(server.Uri("/first")));
        s_caller.Value = "the caller's value";

        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/order")));

        Assert.Equal("the caller's value", seenByResend);
    }

    [Fact]
    public async Task Rfc_9113_8_7_refused_stream_a_one_shot_body_is_not_resent()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest refused = (await c.ReadRequestAsync())!;
            await c.SendRstStreamAsync(refused.StreamId, Http2ErrorCode.RefusedStream);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.ConnectionError, HttpPhase.Send,
            async () => await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/order")) { Content = new OneShotContent("item=1"u8.ToArray()) }));
        Assert.Contains("cannot be sent again", e.Message);
    }

    [Theory]
    [InlineData(0x8u, "CANCEL")]
    [InlineData(0x2u, "INTERNAL_ERROR")]
    [InlineData(0xbu, "ENHANCE_YOUR_CALM")]
    [InlineData(0x77u, "0x77")]
    public async Task Rfc_9113_6_4_reset_before_the_head_is_stream_reset_naming_the_code(uint rawCode, string name)
    {
        var code = (Http2ErrorCode)rawCode;
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendRstStreamAsync(r.StreamId, code);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.StreamReset, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal(((long?)code, true), (e.ProtocolErrorCode, e.Message.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_6_4_reset_in_the_middle_of_the_body_is_stream_reset_in_receive_body()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(r.StreamId, "partial"u8.ToArray(), endStream: false);
            await c.SendRstStreamAsync(r.StreamId, Http2ErrorCode.InternalError);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.StreamReset, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Contains("INTERNAL_ERROR", e.Message);
    }

    [Fact]
    public async Task Rfc_9113_8_7_http_11_required_with_exact_http_2_policy_is_stream_reset()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendRstStreamAsync(r.StreamId, Http2ErrorCode.Http11Required);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.StreamReset, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal(((long?)Http2ErrorCode.Http11Required, true), (e.ProtocolErrorCode, e.Message.Contains("HTTP_1_1_REQUIRED", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_8_7_http_11_required_over_tls_is_resent_over_http_11()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "h2.test");
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            if (c.NegotiatedProtocol == "h2")
            {
                await c.HandshakeAsync();
                Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
                await c.SendRstStreamAsync(r.StreamId, Http2ErrorCode.Http11Required);
                await c.WaitForClientCloseAsync();
                return;
            }
            // The second connection speaks HTTP/1.1 (no ALPN h2): the script cannot parse HTTP/1.1, so it answers
            // once the request has surely arrived, and keeps the connection open a little.
            await Task.Delay(300);
            await c.SendRawAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nh1 ok"u8.ToArray());
            await Task.Delay(300);
        }, certificate);
        using HttpSession session = Session(o =>
        {
            o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
            o.DefaultRequestVersion = HttpVersion.Version20;
            o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        });

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/", host: "h2.test"));

        Assert.Equal((200, HttpVersion.Version11, "h1 ok", 2), (response.StatusCode, response.Version, await response.ReadAsStringAsync(), server.AcceptedCount));
    }

    [Fact]
    public async Task Rfc_9113_6_8_go_away_with_a_lower_last_stream_id_resends_the_streams_above_it()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            if (c.Index == 0)
            {
                Http2ReceivedRequest[] open = [(await c.ReadRequestAsync())!, (await c.ReadRequestAsync())!, (await c.ReadRequestAsync())!];
                int lowest = open.Min(r => r.StreamId);
                await c.SendGoAwayAsync(lowest, Http2ErrorCode.NoError, "draining");
                Http2ReceivedRequest first = open.Single(r => r.StreamId == lowest);
                await c.RespondAsync(first.StreamId, $"{first.Path}@0");
            }
            else
            {
                for (int i = 0; i < 2; i++)
                {
                    Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
                    await c.RespondAsync(r.StreamId, $"{r.Path}@{c.Index}");
                }
            }
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        string[] bodies = await Task.WhenAll(new[] { "/a", "/b", "/c" }.Select(p => session.GetStringAsync(server.Uri(p))));

        Assert.Equal((true, 1, 2), (bodies.Zip(new[] { "/a", "/b", "/c" }).All(x => x.First.StartsWith(x.Second + "@", StringComparison.Ordinal)),
            bodies.Count(b => b.EndsWith("@0", StringComparison.Ordinal)), bodies.Count(b => b.EndsWith("@1", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Rfc_9113_6_8_go_away_then_close_the_connection_is_not_reused()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            if (c.Index == 0)
            {
                await c.SendGoAwayAsync(r.StreamId, Http2ErrorCode.NoError);
                await c.RespondAsync(r.StreamId, "first");
                return; // closes
            }
            await c.RespondAsync(r.StreamId, "second");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        string first = await session.GetStringAsync(server.Uri());
        string second = await session.GetStringAsync(server.Uri());

        Assert.Equal(("first", "second", 2), (first, second, server.AcceptedCount));
    }

    [Fact]
    public async Task Rfc_9113_6_8_go_away_with_an_error_then_close_the_failure_names_the_code_and_debug_data()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendGoAwayAsync(r.StreamId, Http2ErrorCode.InternalError, "backend overloaded");
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.ConnectionError, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal(((long?)Http2ErrorCode.InternalError, true), (e.ProtocolErrorCode, e.Message.Contains("GOAWAY (INTERNAL_ERROR, 'backend overloaded')", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_8_1_complete_response_then_reset_no_error_stops_the_upload_and_returns_the_response()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.InitialWindowSize, 100u));
            await c.ServeOneAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.ExpectAsync(Http2FrameType.Data, r.StreamId);
            await c.SendHeadersAsync(r.StreamId, [(":status", "413")], endStream: true);
            await c.SendRstStreamAsync(r.StreamId, Http2ErrorCode.NoError);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri());

        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/up")) { Content = new PiecewiseContent(1, 5000, null) });

        Assert.Equal((413, ""), (response.StatusCode, await response.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Rfc_9113_5_4_1_a_connection_error_in_the_middle_of_the_body_fails_the_body_read_in_receive_body()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(r.StreamId, "some"u8.ToArray(), endStream: false);
            await c.SendFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 0, "bad"u8.ToArray());
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Equal(((long?)Http2ErrorCode.ProtocolError, true), (e.ProtocolErrorCode, e.Message.Contains("DATA frame on stream 0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_8_1_no_head_within_the_response_timeout_is_timeout_and_the_stream_is_cancelled()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.ReceiveResponseTimeout = TimeSpan.FromMilliseconds(300));

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal(Http2ErrorCode.Cancel, await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Rfc_9113_8_1_server_closes_in_the_middle_of_the_body_is_response_truncated()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(r.StreamId, "abc"u8.ToArray(), endStream: false);
        });
        using HttpSession session = Http2Wire.Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        await AssertFailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rfc_9113_5_4_1_a_connection_error_fails_every_open_stream_with_the_same_error()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            for (int i = 0; i < 3; i++)
            {
                await c.ReadRequestAsync();
            }
            await c.SendFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 0, "bad"u8.ToArray());
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        Task<string>[] requests = new[] { "/a", "/b", "/c" }.Select(p => session.GetStringAsync(server.Uri(p))).ToArray();
        TypedHttpException[] failures = await Task.WhenAll(requests.Select(async t => await Assert.ThrowsAsync<TypedHttpException>(() => t)));

        Assert.Equal("InvalidServerResponse/ReceiveHeaders/1: HTTP/2 connection error PROTOCOL_ERROR: A DATA frame",
            string.Join(" | ", failures.Select(e => $"{e.Error}/{e.Phase}/{e.ProtocolErrorCode}: {e.Message[..e.Message.IndexOf(" on", StringComparison.Ordinal)]}").Distinct()));
    }

    [Fact]
    public async Task Rfc_9113_5_1_2_max_concurrent_streams_1_requests_queue_on_one_connection()
    {
        int violations = 0;
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxConcurrentStreams, 1u));
            await c.ServeOneAsync(); // our SETTINGS are applied from here on
            int responded = 0;
            var arrived = Channel.CreateUnbounded<Http2ReceivedRequest>();
            var reader = Task.Run(async () =>
            {
                for (int i = 0; i < 5; i++)
                {
                    Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
                    if (Volatile.Read(ref responded) < i)
                    {
                        Interlocked.Increment(ref violations); // a stream opened while another was still open
                    }
                    arrived.Writer.TryWrite(r);
                }
            });
            for (int i = 0; i < 5; i++)
            {
                Http2ReceivedRequest r = await arrived.Reader.ReadAsync();
                await Task.Delay(40);
                Volatile.Write(ref responded, i + 1);
                await c.RespondAsync(r.StreamId, r.Path!);
            }
            await reader;
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri("/warm-up"));

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => session.GetStringAsync(server.Uri($"/{i}"))));

        Assert.Equal(("/0,/1,/2,/3,/4", 0, 1), (string.Join(",", bodies), Volatile.Read(ref violations), server.AcceptedCount));
    }

    [Fact]
    public async Task Rfc_9113_8_1_cancelled_before_the_head_resets_with_cancel()
    {
        var got = new TaskCompletionSource();
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            got.SetResult();
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        using var cts = new CancellationTokenSource();
        Task<TypedHttpResponse> pending = session.GetAsync(server.Uri(), cts.Token).AsTask();
        await got.Task.WaitAsync(TimeSpan.FromSeconds(5));

        cts.Cancel();

        OperationCanceledException e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal((Http2ErrorCode.Cancel, cts.Token), (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.CancellationToken));
    }

    [Fact]
    public async Task Rfc_9113_8_1_body_disposed_early_resets_with_cancel_and_the_connection_serves_the_next_request()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(r.StreamId, new byte[1000], endStream: false);
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.ServeOneAsync("second");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        TypedHttpResponse first = await session.GetAsync(server.Uri());
        await first.Body.ReadExactlyAsync(new byte[10]);

        await first.DisposeAsync();
        string second = await session.GetStringAsync(server.Uri());

        Assert.Equal((Http2ErrorCode.Cancel, "second", 1), (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), second, server.AcceptedCount));
    }

    [Fact]
    public async Task Rfc_9113_6_7_server_ping_is_answered_with_the_same_payload()
    {
        var answer = new TaskCompletionSource<string>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            await c.SendPingAsync(0x0102030405060708);
            Http2ReceivedFrame ack = await c.ExpectFrameAsync(f => f.Header.Type == Http2FrameType.Ping, "the PING ACK");
            answer.SetResult($"{(int)ack.Header.Flags} {Convert.ToHexString(ack.Payload)}");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri());

        Assert.Equal("1 0102030405060708", await answer.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task H2_6_keep_alive_ping_never_answered_closes_the_connection_with_timeout()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.WaitForClientCloseAsync(); // reads the PINGs, never answers
        });
        using HttpSession session = Http2Wire.Session(o =>
        {
            o.Http2KeepAlivePingDelay = TimeSpan.FromMilliseconds(200);
            o.Http2KeepAlivePingTimeout = TimeSpan.FromMilliseconds(300);
        });
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Contains("keep-alive PING", e.Message);
    }

    [Fact]
    public async Task H2_6_keep_alive_ping_answered_keeps_a_silent_exchange_alive()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            DateTime deadline = DateTime.UtcNow.AddMilliseconds(900);
            while (DateTime.UtcNow < deadline)
            {
                Http2ReceivedFrame ping = await c.ExpectFrameAsync(f => f.Header.Type == Http2FrameType.Ping, "a keep-alive PING");
                await c.SendPingAsync(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ping.Payload), ack: true);
            }
            await c.SendDataAsync(r.StreamId, "late"u8.ToArray(), endStream: true);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o =>
        {
            o.Http2KeepAlivePingDelay = TimeSpan.FromMilliseconds(150);
            o.Http2KeepAlivePingTimeout = TimeSpan.FromSeconds(1.5); // the answers come at once; room for a loaded machine
        });
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        Assert.Equal("late", await response.ReadAsStringAsync());
    }
}
