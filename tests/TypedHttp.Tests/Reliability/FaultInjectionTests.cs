using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Reliability;

/// <summary>
/// The fault matrix (docs/reliability.md): a server that closes (FIN) or resets (RST) at every phase of a response,
/// on a fresh and on a reused connection, plus slow drips, a server that never reads, half-open pooled connections
/// and names that do not resolve. Every cell asserts the error kind and phase, that no partial body is reported as
/// complete, that the pool keeps no broken connection, and that the next request succeeds on a fresh connection.
/// </summary>
public sealed class FaultInjectionTests
{
    private const string Chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    public enum Cut
    {
        BeforeStatusLine,
        MidStatusLine,
        MidHeaders,
        MidContentLengthBody,
        MidChunk,
        BetweenChunks,
        AfterLastChunkSizeLine,
        MidCloseDelimitedBody,
        AfterCompleteResponse,
    }

    private static string Prefix(Cut cut) => cut switch
    {
        Cut.BeforeStatusLine => "",
        Cut.MidStatusLine => "HTTP/1.1 20",
        Cut.MidHeaders => "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b",
        Cut.MidContentLengthBody => "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe",
        Cut.MidChunk => Chunked + "5\r\nhel",
        Cut.BetweenChunks => Chunked + "5\r\nhello\r\n",
        Cut.AfterLastChunkSizeLine => Chunked + "5\r\nhello\r\n0\r\n",
        Cut.MidCloseDelimitedBody => "HTTP/1.1 200 OK\r\n\r\nhel",
        _ => Chunked + "5\r\nhello\r\n0\r\n\r\n",
    };

    /// <summary>The expected outcome: null error means the request succeeds with <c>body</c>.</summary>
    private static (HttpError? Error, HttpPhase Phase, string? Body) Expected(Cut cut, bool reset, bool reused)
    {
        if (cut == Cut.BeforeStatusLine && reused)
        {
            return (null, default, "fresh"); // a reused connection that dies before any response byte: retried (GET is idempotent)
        }
        return (cut, reset) switch
        {
            (Cut.AfterCompleteResponse, _) => (null, default, "hello"),
            (Cut.MidCloseDelimitedBody, false) => (null, default, "hel"), // FIN is how such a body ends
            // Nothing at all before the close is an empty reply (curl's 52); a cut status line or head is malformed.
            (Cut.BeforeStatusLine, false) => (HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, null),
            (Cut.MidStatusLine or Cut.MidHeaders, false) => (HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, null),
            (Cut.BeforeStatusLine or Cut.MidStatusLine or Cut.MidHeaders, true) => (HttpError.ConnectionError, HttpPhase.ReceiveHeaders, null),
            (_, false) => (HttpError.ResponseTruncated, HttpPhase.ReceiveBody, null),
            (_, true) => (HttpError.ConnectionError, HttpPhase.ReceiveBody, null),
        };
    }

    public static TheoryData<Cut, bool, bool> Matrix()
    {
        var data = new TheoryData<Cut, bool, bool>();
        foreach (Cut cut in Enum.GetValues<Cut>())
        {
            foreach (bool reset in new[] { false, true })
            {
                foreach (bool reused in new[] { false, true })
                {
                    data.Add(cut, reset, reused);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Close_or_reset_at_every_phase_gives_the_right_error_no_complete_partial_body_and_a_clean_pool(Cut cut, bool reset, bool reused)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (c.Index == 0)
            {
                if (reused)
                {
                    await c.ReadRequestAsync();
                    await c.SendAsync(Ok("first"));
                }
                await c.ReadRequestAsync();
                await c.SendAsync(Prefix(cut));
                await Task.Delay(100); // the client has read what was sent before the fault arrives
                if (reset)
                {
                    c.Reset();
                }
                else
                {
                    c.Close();
                }
                return;
            }
            await c.ServeAsync(Ok("fresh"), Ok("fresh"), Ok("fresh"));
        });
        using HttpSession session = Session();
        if (reused)
        {
            Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        }

        (HttpError? error, HttpPhase phase, string? body) = Expected(cut, reset, reused);
        var received = new MemoryStream();
        var clock = Stopwatch.StartNew();
        Exception? failure = null;
        try
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            await response.Body.CopyToAsync(received);
        }
        catch (Exception e)
        {
            failure = e;
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");

        if (error is null)
        {
            Assert.Null(failure);
            Assert.Equal(body, Encoding.Latin1.GetString(received.ToArray()));
        }
        else
        {
            TypedHttpException e = Assert.IsType<TypedHttpException>(failure);
            Assert.True(e.Error == error && e.Phase == phase, $"Expected {error}/{phase} but got {e.Error}/{e.Phase}: {e.Message}");
            // Whatever was delivered is a prefix of what the server sent, and the read ended in the error above:
            // a partial body never reads as complete.
            Assert.StartsWith(Encoding.Latin1.GetString(received.ToArray()), "hello", StringComparison.Ordinal);
        }

        // The pool keeps nothing broken: the next request succeeds, on a fresh connection.
        await WaitUntilAsync(() => server.AcceptedCount >= 1, "the fault connection was accepted");
        Assert.Equal("fresh", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(1, server.Connections[^1].Index);
        Assert.Empty(server.Faults);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task One_byte_per_interval_slower_than_the_receive_timeout_is_a_timeout_in_the_right_phase(bool inBody)
    {
        string head = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n";
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            if (c.Index == 0)
            {
                if (inBody)
                {
                    await c.SendAsync(head);
                }
                await c.DripAsync(inBody ? "abcdefghijklmnopqrst" : head, 1, TimeSpan.FromMilliseconds(400));
                return;
            }
            await c.SendAsync(Ok("fresh"));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session(o => o.ReceiveTimeout = TimeSpan.FromMilliseconds(200));
        var received = new MemoryStream();
        var clock = Stopwatch.StartNew();

        await AssertFailsAsync(HttpError.Timeout, inBody ? HttpPhase.ReceiveBody : HttpPhase.ReceiveHeaders, async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            await response.Body.CopyToAsync(received);
        });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.True(received.Length < 20);
        Assert.Equal(0, session.IdleConnectionCount);
        Assert.Equal("fresh", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task A_body_dripped_faster_than_the_receive_timeout_is_read_whole_however_slow()
    {
        // WinHTTP has no whole-body timeout (TO-1): only the gap between bytes counts.
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
            await c.DripAsync("abcdefgh", 1, TimeSpan.FromMilliseconds(150));
            await c.WaitForClientCloseAsync();
        });
        // 8 gaps of 150 ms take longer than the timeout in all, yet each gap is far below it (room for a busy machine).
        using HttpSession session = Session(o => o.ReceiveTimeout = TimeSpan.FromMilliseconds(1000));
        Assert.Equal("abcdefgh", await session.GetStringAsync(server.Uri("/")));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_reads_a_large_body_is_a_send_timeout_and_the_pool_stays_clean()
    {
        // Small receive buffers on the server make the client's writes block early; the first connection never reads.
        await using var server = ScriptedServer.Start(
            c => c.Index == 0 ? Task.Delay(Timeout.Infinite, c.Stopping) : c.ServeAsync(Ok("fresh")),
            receiveBufferSize: 4096);
        using HttpSession session = Session(o => o.SendTimeout = TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        var request = new TypedHttpRequest("POST", server.Uri("/upload")) { Content = new PiecewiseContent(256, 64 * 1024, 256L * 64 * 1024) };

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.Send, async () => await session.SendAsync(request));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(0, session.IdleConnectionCount);
        Assert.Equal("fresh", await session.GetStringAsync(server.Uri("/next")));
    }

    [Fact]
    public async Task A_pooled_connection_whose_server_went_silent_times_out_is_not_retried_and_is_not_kept()
    {
        // Half-open from the client's view: the peer neither answers nor closes.
        await using var server = ScriptedServer.Start(async c =>
        {
            if (c.Index == 0)
            {
                await c.ReadRequestAsync();
                await c.SendAsync(Ok("first"));
                await c.StaySilentAsync();
                return;
            }
            await c.ServeAsync(Ok("fresh"));
        });
        using HttpSession session = Session(o => o.ReceiveTimeout = TimeSpan.FromMilliseconds(300));
        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(1, session.IdleConnectionCount);

        await AssertFailsAsync(HttpError.Timeout, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));

        Assert.Equal(1, server.AcceptedCount); // timeouts are never retried
        Assert.Equal(0, session.IdleConnectionCount);
        Assert.Equal("fresh", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(2, server.AcceptedCount);
    }

    [Theory]
    [InlineData("socket")]
    [InlineData("other-exception")]
    [InlineData("empty")]
    [InlineData("null")]
    public async Task A_name_that_does_not_resolve_is_NameNotResolved_connects_nowhere_and_leaves_the_session_working(string how)
    {
        await using var server = ScriptedServer.Respond(Ok("fine"));
        int calls = 0;
        using HttpSession session = Session(o => o.Resolver = (host, _) =>
        {
            Interlocked.Increment(ref calls);
            if (host == "good.test")
            {
                return ValueTask.FromResult(new[] { IPAddress.Loopback });
            }
            return how switch
            {
                "socket" => throw new SocketException((int)SocketError.HostNotFound),
                "other-exception" => throw new InvalidOperationException("resolver broke"),
                "empty" => ValueTask.FromResult(Array.Empty<IPAddress>()),
                _ => ValueTask.FromResult<IPAddress[]>(null!),
            };
        });

        await AssertFailsAsync(HttpError.NameNotResolved, HttpPhase.Resolve, async () => await session.GetAsync(new Uri($"http://nowhere.test:{server.Port}/")));

        Assert.Equal(0, server.AcceptedCount);
        Assert.Equal("fine", await session.GetStringAsync(new Uri($"http://good.test:{server.Port}/")));
        Assert.Equal(2, calls);
    }
}
