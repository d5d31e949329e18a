using System;
using System.Buffers;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Http2.Hpack;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>Responses as the scripted server writes them (RFC 9113 §8.1, §6.1, §6.2, §6.10, H2-8, H2-10): interim heads, CONTINUATION, padding, trailers, malformed and hostile input.</summary>
public sealed class Http2ResponseWireTests
{
    /// <summary>A server that reads one request and runs <paramref name="respond"/> for it, then waits for the client to close.</summary>
    private static Http2ScriptedServer Server(Func<Http2ServerConnection, int, Task> respond, params (Http2SettingId, uint)[] settings) =>
        Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync(settings);
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await respond(c, r.StreamId);
            await c.WaitForClientCloseAsync();
        });

    [Fact]
    public async Task Rfc_9113_8_1_interim_response_103_is_skipped()
    {
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendHeadersAsync(id, [(":status", "103"), ("link", "</style.css>; rel=preload")], endStream: false);
            await c.RespondAsync(id, "final");
        });
        using HttpSession session = Http2Wire.Session();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        Assert.Equal((200, "final", false), (response.StatusCode, await response.ReadAsStringAsync(), response.Headers.Contains("link")));
    }

    [Fact]
    public async Task Rfc_9113_8_1_too_many_interim_responses_fail_the_stream()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            for (int i = 0; i < 4; i++)
            {
                await c.SendHeadersAsync(id, [(":status", "103")], endStream: false);
            }
            reset.SetResult(await c.ExpectResetAsync(id));
        });
        using HttpSession session = Http2Wire.Session(o => o.MaxInterimResponses = 3);

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.ProtocolError, true), (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.Message.Contains("more than 3 interim", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_6_10_header_block_in_many_small_continuations_is_decoded()
    {
        string value = new('v', 300);
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendHeadersAsync(id, [(":status", "200"), ("x-long", value), ("x-other", "o")], endStream: false, maxFrameSize: 8);
            await c.SendDataAsync(id, "b"u8.ToArray(), endStream: true);
        });
        using HttpSession session = Http2Wire.Session();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        Assert.Equal((value, "o", "b"), (response.Headers.GetValue("x-long"), response.Headers.GetValue("x-other"), await response.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Rfc_9113_6_1_6_2_padded_headers_and_data_are_read()
    {
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            byte[] block = c.Block(HpackIndexing.Incremental, (":status", "200"), ("x-padded", "yes"));
            byte[] payload = new byte[1 + block.Length + 20];
            payload[0] = 20;
            block.CopyTo(payload, 1);
            await c.SendFrameAsync(Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded, id, payload);
            await c.SendDataAsync(id, "abc"u8.ToArray(), endStream: false, padLength: 255);
            await c.SendDataAsync(id, "def"u8.ToArray(), endStream: true, padLength: 1);
        });
        using HttpSession session = Http2Wire.Session();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        Assert.Equal(("yes", "abcdef"), (response.Headers.GetValue("x-padded"), await response.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Rfc_9113_8_1_trailers_are_on_the_response_after_the_body()
    {
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendHeadersAsync(id, [(":status", "200"), ("content-type", "application/grpc")], endStream: false);
            await c.SendDataAsync(id, "payload"u8.ToArray(), endStream: false);
            await c.SendHeadersAsync(id, [("grpc-status", "0"), ("grpc-message", "fine")], endStream: true);
        });
        using HttpSession session = Http2Wire.Session();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri());
        string body = await response.ReadAsStringAsync();

        Assert.Equal(("payload", "0", "fine"), (body, response.Trailers.GetValue("grpc-status"), response.Trailers.GetValue("grpc-message")));
    }

    [Fact]
    public async Task Rfc_9113_8_1_1_body_shorter_than_content_length_is_response_truncated()
    {
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendHeadersAsync(id, [(":status", "200"), ("content-length", "10")], endStream: false);
            await c.SendDataAsync(id, "12345"u8.ToArray(), endStream: true);
        });
        using HttpSession session = Http2Wire.Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Contains("5 of the 10 bytes", e.Message);
    }

    [Fact]
    public async Task Rfc_9113_8_1_1_body_longer_than_content_length_is_malformed()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendHeadersAsync(id, [(":status", "200"), ("content-length", "3")], endStream: false);
            await c.SendDataAsync(id, "1234567890"u8.ToArray(), endStream: true);
            reset.SetResult(await c.ExpectResetAsync(id));
        });
        using HttpSession session = Http2Wire.Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Equal((Http2ErrorCode.ProtocolError, (long?)Http2ErrorCode.ProtocolError, true),
            (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode, e.Message.Contains("longer than its Content-Length of 3", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_8_1_data_before_headers_resets_the_stream_with_protocol_error()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await c.SendDataAsync(id, "early"u8.ToArray(), endStream: false);
            reset.SetResult(await c.ExpectResetAsync(id));
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.ProtocolError, true), (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.Message.Contains("DATA arrived before the response head", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("uppercase", "not a lower-case token")]
    [InlineData("no-status", "has no ':status'")]
    [InlineData("status-twice", "not a single ':status'")]
    [InlineData("connection", "connection-specific field 'connection'")]
    [InlineData("transfer-encoding", "connection-specific field 'transfer-encoding'")]
    [InlineData("pseudo-after-regular", "not a single ':status' before the regular fields")]
    [InlineData("bad-status", "not a 3-digit status code")]
    public async Task Rfc_9113_8_1_1_malformed_response_is_a_stream_protocol_error(string kind, string named)
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            (string, string)[] fields = kind switch
            {
                "uppercase" => [(":status", "200"), ("X-Upper", "1")],
                "no-status" => [("content-type", "text/plain")],
                "status-twice" => [(":status", "200"), (":status", "204")],
                "connection" => [(":status", "200"), ("connection", "close")],
                "transfer-encoding" => [(":status", "200"), ("transfer-encoding", "chunked")],
                "pseudo-after-regular" => [("server", "x"), (":status", "200")],
                _ => [(":status", "20x")],
            };
            await c.SendHeaderBlockAsync(id, Http2Wire.RawBlock(fields), endStream: false);
            reset.SetResult(await c.ExpectResetAsync(id));
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.ProtocolError, (long?)Http2ErrorCode.ProtocolError, true),
            (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode, e.Message.Contains(named, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_6_5_2_headers_over_max_response_headers_length_fail_only_that_stream_and_hpack_stays_in_step()
    {
        string a = new('a', 700), b = new('b', 700);
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest first = (await c.ReadRequestAsync())!;
            // Both fields enter the server's table (and must enter the client's, though the list is too large).
            await c.SendHeaderBlockAsync(first.StreamId, c.Block(HpackIndexing.Incremental, (":status", "200"), ("x-a", a), ("x-b", b)), endStream: true);
            Http2ReceivedRequest second = (await c.ReadRequestAsync())!;
            byte[] block = c.Block(HpackIndexing.Incremental, (":status", "200"), ("x-a", a));
            Assert.True(block.Length < 10, $"the second block refers to the table ({block.Length} bytes)");
            await c.SendHeaderBlockAsync(second.StreamId, block, endStream: true);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.MaxResponseHeadersLength = 1000);
        TypedHttpException e = await AssertFailsAsync(HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));

        await using TypedHttpResponse next = await session.GetAsync(server.Uri("/next"));

        Assert.Equal((200, a, 1), (next.StatusCode, next.Headers.GetValue("x-a"), server.AcceptedCount));
    }

    [Fact]
    public async Task Rfc_9113_6_10_continuation_flood_is_connection_error_enhance_your_calm()
    {
        var goAway = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            var frames = new ArrayBufferWriter<byte>();
            byte[] start = c.Block(HpackIndexing.WithoutIndexing, (":status", "200"));
            Http2Frame.WriteFrameHeader(frames, start.Length, Http2FrameType.Headers, Http2FrameFlags.None, id);
            frames.Write(start);
            for (int i = 0; i < 200; i++)
            {
                byte[] piece = c.Block(HpackIndexing.WithoutIndexing, ("x-flood", "f"));
                Http2Frame.WriteFrameHeader(frames, piece.Length, Http2FrameType.Continuation, Http2FrameFlags.None, id);
                frames.Write(piece);
            }
            await c.SendRawAsync(frames.WrittenSpan.ToArray());
            goAway.SetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.EnhanceYourCalm, (long?)Http2ErrorCode.EnhanceYourCalm, true),
            (await goAway.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode, e.Message.Contains("CONTINUATION", StringComparison.Ordinal)));
    }

    /// <summary>A frame that breaks a connection rule: the client sends GOAWAY with <paramref name="code"/> and the request fails naming it.</summary>
    private static async Task AssertConnectionErrorAsync(Func<Http2ServerConnection, int, Task> send, Http2ErrorCode code, string named)
    {
        var goAway = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = Server(async (c, id) =>
        {
            await send(c, id);
            goAway.SetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((code, (long?)code, true), (await goAway.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode, e.Message.Contains(named, StringComparison.Ordinal)));
    }

    [Fact]
    public Task Rfc_9113_8_4_push_promise_is_connection_protocol_error() => AssertConnectionErrorAsync(async (c, id) =>
    {
        byte[] block = c.Block(HpackIndexing.WithoutIndexing, (":method", "GET"), (":scheme", "http"), (":path", "/pushed"), (":authority", "x"));
        byte[] payload = new byte[4 + block.Length];
        payload[3] = 2; // promised stream 2
        block.CopyTo(payload, 4);
        await c.SendFrameAsync(Http2FrameType.PushPromise, Http2FrameFlags.EndHeaders, id, payload);
    }, Http2ErrorCode.ProtocolError, "PUSH_PROMISE");

    [Fact]
    public Task Rfc_9113_6_1_data_on_stream_0_is_connection_protocol_error() =>
        AssertConnectionErrorAsync((c, id) => c.SendFrameAsync(Http2FrameType.Data, Http2FrameFlags.None, 0, "x"u8.ToArray()), Http2ErrorCode.ProtocolError, "DATA");

    [Fact]
    public Task Rfc_9113_5_1_data_on_a_stream_never_opened_is_connection_protocol_error() =>
        AssertConnectionErrorAsync((c, id) => c.SendDataAsync(id + 6, "x"u8.ToArray(), endStream: false), Http2ErrorCode.ProtocolError, "never opened");

    [Fact]
    public Task Rfc_9113_5_1_headers_on_a_server_initiated_stream_is_connection_protocol_error() =>
        AssertConnectionErrorAsync((c, id) => c.SendHeadersAsync(2, [(":status", "200")], endStream: true), Http2ErrorCode.ProtocolError, "never opened");

    [Fact]
    public Task Rfc_9113_4_2_frame_larger_than_16384_is_connection_frame_size_error() =>
        AssertConnectionErrorAsync((c, id) => c.SendDataAsync(id, new byte[16385], endStream: true), Http2ErrorCode.FrameSizeError, "16385");
}
