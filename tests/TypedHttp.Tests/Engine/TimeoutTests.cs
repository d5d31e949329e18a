using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>The four WinHTTP timeouts (TO-1, TO-2) and the caller's cancellation token.</summary>
public sealed class TimeoutTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void TO1_defaults()
    {
        var options = new HttpSessionOptions();
        Assert.Equal(Timeout.InfiniteTimeSpan, options.ResolveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ReceiveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), options.ReceiveResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PooledConnectionIdleTimeout);
        Assert.Equal(int.MaxValue, options.MaxConnectionsPerServer);
        Assert.Equal(64 * 1024, options.MaxResponseHeadersLength);
        Assert.Equal(1024 * 1024, options.MaxResponseDrainSize);
        Assert.Equal(10, options.MaxInterimResponses);
    }

    [Fact]
    public void TO1_zero_or_negative_timeouts_are_refused_and_options_freeze_with_the_session()
    {
        var options = new HttpSessionOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ReceiveTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ConnectTimeout = TimeSpan.FromSeconds(-2));
        options.SendTimeout = Timeout.InfiniteTimeSpan;
        using var session = new HttpSession(options);
        Assert.Throws<InvalidOperationException>(() => options.SendTimeout = TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task TO2_silent_server_is_receive_timeout_in_ReceiveHeaders()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session(o => o.ReceiveTimeout = Short);

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
    }

    [Fact]
    public async Task TO2_head_dripped_slower_than_the_receive_response_timeout_is_Timeout()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            // Each byte comes well within the receive timeout; the whole head never completes in time.
            await c.DripAsync("HTTP/1.1 200 OK\r\nX-Slow: " + new string('s', 200) + "\r\n\r\n", 1, TimeSpan.FromMilliseconds(20));
        });
        using HttpSession session = Session(o =>
        {
            o.ReceiveTimeout = TimeSpan.FromSeconds(5);
            o.ReceiveResponseTimeout = Short;
        });

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
    }

    [Fact]
    public async Task TO2_body_that_stalls_is_Timeout_in_ReceiveBody()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart");
            await c.StaySilentAsync();
        });
        using HttpSession session = Session(o => o.ReceiveTimeout = Short);
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
    }

    [Fact]
    public async Task TO2_server_that_never_reads_is_send_timeout()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await Task.Delay(Timeout.Infinite, c.Stopping);
        });
        using HttpSession session = Session(o => o.SendTimeout = Short);
        // 256 MiB offered; socket buffers fill long before that.
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new PiecewiseContent(4096, 64 * 1024, 4096L * 64 * 1024) };

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.Send, async () => await session.SendAsync(request));
    }

    [Fact]
    public async Task TO1_resolve_timeout_is_Timeout_in_Resolve()
    {
        using HttpSession session = Session(o =>
        {
            o.ResolveTimeout = Short;
            o.Resolver = static async (host, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return [];
            };
        });

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.Resolve, async () => await session.GetAsync(new Uri("http://never.test/")));
    }

    [Fact]
    public async Task TO2_tls_handshake_against_a_silent_server_is_Timeout_in_Tls()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session(o => o.ReceiveTimeout = Short);

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.Tls, async () => await session.GetAsync(server.Uri("/", "https")));
    }

    [Fact]
    public async Task Caller_cancellation_while_waiting_for_the_head_is_OperationCanceled()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session();
        using var cts = new CancellationTokenSource(Short);

        OperationCanceledException e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.GetAsync(server.Uri("/"), cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task Caller_cancellation_while_reading_the_body_is_OperationCanceled()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart");
            await c.StaySilentAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        using var cts = new CancellationTokenSource(Short);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await response.Body.CopyToAsync(Stream.Null, cts.Token));
    }

    [Fact]
    public async Task Caller_cancellation_during_resolve_is_OperationCanceled()
    {
        using HttpSession session = Session(o => o.Resolver = static async (host, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        });
        using var cts = new CancellationTokenSource(Short);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.GetAsync(new Uri("http://never.test/"), cts.Token));
    }

    [Fact]
    public async Task Already_cancelled_token_sends_nothing()
    {
        await using var server = ScriptedServer.Respond(Ok("x"));
        using HttpSession session = Session();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.GetAsync(server.Uri("/"), cts.Token));
        await Task.Delay(50);
        Assert.Equal(0, server.AcceptedCount);
    }

    [Fact]
    public async Task After_a_Timeout_the_session_keeps_working()
    {
        await using var server = ScriptedServer.Start(c => c.Index == 0 ? c.StaySilentAsync() : c.ServeAsync(Ok("fine")));
        using HttpSession session = Session(o => o.ReceiveTimeout = Short);

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
        Assert.Equal("fine", await session.GetStringAsync(server.Uri("/")));
    }
}
