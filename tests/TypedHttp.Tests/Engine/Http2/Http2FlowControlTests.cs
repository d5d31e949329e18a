using System;
using System.Buffers.Binary;
using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>Flow control on the receiving side and WINDOW_UPDATE rules (RFC 9113 §5.2, §6.9, H2-7).</summary>
public sealed class Http2FlowControlTests
{
    private const int Window = 65535;

    [Fact]
    public async Task Rfc_9113_6_9_large_body_the_client_gives_the_window_back_as_the_caller_reads()
    {
        const int Total = 1_000_000;
        var stalls = new TaskCompletionSource<int>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            int sent = 0;
            // The windows as the client set them: its SETTINGS, then every WINDOW_UPDATE it sent (all recorded frames).
            long Granted(int streamId) => c.ReceivedFrames.Where(f => f.Header.Type == Http2FrameType.WindowUpdate && f.Header.StreamId == streamId)
                .Sum(f => (long)(BinaryPrimitives.ReadUInt32BigEndian(f.Payload) & 0x7fffffff));
            while (sent < Total)
            {
                long streamWindow = Window + Granted(r.StreamId) - sent, connectionWindow = 65535 + Granted(0) - sent;
                int n = (int)Math.Min(Math.Min(16384, Total - sent), Math.Min(streamWindow, connectionWindow));
                if (n <= 0)
                {
                    await c.ExpectAsync(Http2FrameType.WindowUpdate);
                    continue;
                }
                await c.SendDataAsync(r.StreamId, new byte[n], endStream: sent + n == Total);
                sent += n;
            }
            stalls.SetResult(c.ReceivedFrames.Count(f => f.Header.Type == Http2FrameType.WindowUpdate && f.Header.StreamId == r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.Http2StreamWindowSize = Window);

        await using TypedHttpResponse response = await session.GetAsync(server.Uri());
        byte[] buffer = new byte[8192];
        long read = 0;
        for (int n; (n = await response.Body.ReadAsync(buffer)) > 0;)
        {
            read += n;
        }

        // Each update gives back at least half a window: about Total / (Window / 2) of them, never one per frame.
        int updates = await stalls.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((Total, true), (read, updates >= (Total - Window) / Window && updates <= Total / (Window / 2) + 1));
    }

    [Fact]
    public async Task Rfc_9113_6_9_1_data_beyond_the_stream_window_resets_with_flow_control_error()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            for (int sent = 0; sent <= Window; sent += 16384)
            {
                await c.SendDataAsync(r.StreamId, new byte[16384], endStream: false);
            }
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.Http2StreamWindowSize = Window);
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());
        Http2ErrorCode code = await reset.Task.WaitAsync(TimeSpan.FromSeconds(5));

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Equal((Http2ErrorCode.FlowControlError, (long?)Http2ErrorCode.FlowControlError), (code, e.ProtocolErrorCode));
    }

    [Fact]
    public async Task Rfc_9113_6_9_1_stream_window_update_overflow_resets_with_flow_control_error()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendWindowUpdateAsync(r.StreamId, int.MaxValue);
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.FlowControlError, HttpError.InvalidServerResponse, (long?)Http2ErrorCode.FlowControlError, true),
            (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.Error, e.ProtocolErrorCode, e.Message.Contains("2^31-1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_6_9_1_connection_window_update_overflow_is_go_away_flow_control_error()
    {
        var goAway = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendWindowUpdateAsync(0, int.MaxValue);
            goAway.SetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.FlowControlError, (long?)Http2ErrorCode.FlowControlError), (await goAway.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode));
    }

    [Fact]
    public async Task Rfc_9113_6_9_stream_window_update_of_zero_resets_with_protocol_error()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendFrameAsync(Http2FrameType.WindowUpdate, Http2FrameFlags.None, r.StreamId, new byte[4]);
            reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.ProtocolError, (long?)Http2ErrorCode.ProtocolError, true),
            (await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode, e.Message.Contains("increment of 0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rfc_9113_6_9_connection_window_update_of_zero_is_go_away_protocol_error()
    {
        var goAway = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendFrameAsync(Http2FrameType.WindowUpdate, Http2FrameFlags.None, 0, new byte[4]);
            goAway.SetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal((Http2ErrorCode.ProtocolError, (long?)Http2ErrorCode.ProtocolError), (await goAway.Task.WaitAsync(TimeSpan.FromSeconds(5)), e.ProtocolErrorCode));
    }
}
