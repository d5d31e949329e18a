using System;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Engine.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Http2;

/// <summary>
/// TO-2 for HTTP/2 response bodies: a read that waits for DATA longer than the receive timeout fails, found by the
/// connection's deadline scan (no timer per read).
/// </summary>
public sealed class Http2BodyReadTimeoutTests
{
    private static Http2ScriptedServer StalledBodyServer(TaskCompletionSource<Http2ErrorCode>? reset = null) =>
        Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            await c.SendDataAsync(r.StreamId, "first part"u8.ToArray(), endStream: false);
            if (reset is not null)
            {
                reset.SetResult(await c.ExpectResetAsync(r.StreamId));
            }
            await c.WaitForClientCloseAsync();
        });

    [Fact]
    public async Task TO2_http2_body_that_stalls_past_the_receive_timeout_is_Timeout_in_ReceiveBody()
    {
        await using Http2ScriptedServer server = StalledBodyServer();
        using HttpSession session = Http2Wire.Session(o => o.ReceiveTimeout = TimeSpan.FromSeconds(1)); // the head must come within it too: room for a loaded machine
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        Assert.Contains("receive timeout", e.Message);
    }

    [Fact]
    public async Task TO2_http2_body_that_stalls_past_the_receive_timeout_resets_the_stream_with_cancel()
    {
        var reset = new TaskCompletionSource<Http2ErrorCode>();
        await using Http2ScriptedServer server = StalledBodyServer(reset);
        using HttpSession session = Http2Wire.Session(o => o.ReceiveTimeout = TimeSpan.FromSeconds(1)); // the head must come within it too: room for a loaded machine
        await using TypedHttpResponse response = await session.GetAsync(server.Uri());
        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());

        Assert.Equal(Http2ErrorCode.Cancel, await reset.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TO2_http2_body_that_keeps_arriving_within_the_receive_timeout_is_read_whole()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.SendHeadersAsync(r.StreamId, [(":status", "200")], endStream: false);
            for (int i = 0; i < 14; i++)
            {
                await Task.Delay(100); // each gap is well under the timeout; the whole body takes longer than it
                await c.SendDataAsync(r.StreamId, "part;"u8.ToArray(), endStream: i == 13);
            }
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.ReceiveTimeout = TimeSpan.FromMilliseconds(1000));

        Assert.Equal(string.Concat(System.Linq.Enumerable.Repeat("part;", 14)), await session.GetStringAsync(server.Uri()));
    }
}
