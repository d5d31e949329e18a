using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>WinHTTP's keep-alive minimum (WS-19), the connection after a protocol error (WS-20) and the upgrade's trace URI (WS-21).</summary>
public sealed class WebSocketLifetimeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(14_999)]
    public void WS_19_a_keep_alive_interval_below_WinHTTPs_15_s_minimum_is_refused(int milliseconds)
    {
        var options = new WebSocketConnectOptions();
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => options.KeepAliveInterval = TimeSpan.FromMilliseconds(milliseconds));
        Assert.Contains("WinHTTP's minimum of 15 s", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15_000)]
    [InlineData(0)]
    [InlineData(-1)]
    public void WS_19_15_s_zero_and_infinite_are_taken_as_given(int milliseconds)
    {
        var options = new WebSocketConnectOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(milliseconds) };
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.KeepAliveInterval);
    }

    [Fact]
    public void WS_19_the_default_keep_alive_interval_is_WinHTTPs_30_s()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new WebSocketConnectOptions().KeepAliveInterval);
    }

    [Fact]
    public void WS_18_the_default_version_is_HTTP_1_1_or_lower_as_ClientWebSockets()
    {
        var options = new WebSocketConnectOptions();
        Assert.Equal((System.Net.HttpVersion.Version11, System.Net.Http.HttpVersionPolicy.RequestVersionOrLower), (options.HttpVersion, options.HttpVersionPolicy));
    }

    [Fact]
    public void WS_18_a_version_other_than_1_1_and_2_0_is_refused()
    {
        var options = new WebSocketConnectOptions();
        Assert.Throws<ArgumentException>(() => options.HttpVersion = System.Net.HttpVersion.Version30);
    }

    [Fact]
    public async Task WS_20_a_masked_server_frame_aborts_the_WebSocket_and_closes_its_connection()
    {
        var closed = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is { } request)
            {
                // RFC 6455 §5.1: a server must not mask; the frame comes in the 101's segment.
                byte[] masked = [0x81, 0x82, 1, 2, 3, 4, (byte)('h' ^ 1), (byte)('i' ^ 2)];
                await c.SendAsync(Concat(SwitchingProtocols(request), masked));
                int before = c.Received.Length;
                await c.WaitForClientCloseAsync();
                closed.TrySetResult(c.Received.AsSpan(before).ToArray());
            }
        });
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline());
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ReceiveTextAsync());
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the client closed the TCP connection without being disposed
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public async Task WS_21_the_WebSocketUpgraded_event_names_the_ws_uri()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is { } request)
            {
                await c.SendAsync(SwitchingProtocols(request));
                await c.WaitForClientCloseAsync();
            }
        });
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = events.Enqueue);
        using (WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat?room=1"), cancellationToken: Deadline()))
        {
        }
        HttpTraceEvent upgraded = events.Single(e => e.Kind == HttpTraceEventKind.WebSocketUpgraded);
        Assert.Equal(($"ws://127.0.0.1:{server.Port}/chat?room=1", $"WebSocket open to ws://127.0.0.1:{server.Port}/chat"), (upgraded.RequestUri!.AbsoluteUri, upgraded.Message));
    }
}
