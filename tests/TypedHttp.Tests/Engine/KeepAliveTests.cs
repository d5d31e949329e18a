using System;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>The connection pool (C-2, C-3, C-4, T-6) and the stale-connection retry (C-5, a departure), counted on the server side.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task C2_fully_read_response_returns_its_connection_for_the_next_request()
    {
        await using var server = ScriptedServer.Respond(Ok("one"), Ok("two"), Ok("three"));
        using HttpSession session = Session();

        Assert.Equal("one", await session.GetStringAsync(server.Uri("/1")));
        Assert.Equal("two", await session.GetStringAsync(server.Uri("/2")));
        Assert.Equal("three", await session.GetStringAsync(server.Uri("/3")));

        Assert.Equal(1, server.AcceptedCount);
        Assert.Equal(3, server.Connections[0].Requests.Count);
    }

    [Fact]
    public async Task C2_chunked_response_returns_its_connection()
    {
        const string Chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        await using var server = ScriptedServer.Respond(Chunked, Chunked);
        using HttpSession session = Session();

        Assert.Equal("abc", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("abc", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task C2_no_body_responses_return_their_connection_at_once()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", Ok("x"));
        using HttpSession session = Session();

        (await session.GetAsync(server.Uri("/"))).Dispose();
        (await session.GetAsync(server.Uri("/"))).Dispose();
        Assert.Equal("x", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(1, server.AcceptedCount);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx")]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 1\r\n\r\nx")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")]
    public async Task C2_connection_not_reused_after(string response)
    {
        await using var server = ScriptedServer.Respond(response, response);
        using HttpSession session = Session();

        Assert.Equal("x", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("x", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
        Assert.Single(server.Connections[0].Requests);
    }

    [Fact]
    public async Task C2_http10_with_keep_alive_is_reused()
    {
        const string Response = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx";
        await using var server = ScriptedServer.Respond(Response, Response);
        using HttpSession session = Session();

        Assert.Equal("x", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("x", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task C2_request_with_connection_close_is_not_reused()
    {
        await using var server = ScriptedServer.Respond(Ok("a"), Ok("b"));
        using HttpSession session = Session();
        for (int i = 0; i < 2; i++)
        {
            var request = new TypedHttpRequest("GET", server.Uri("/"));
            request.Headers.Add("Connection", "close");
            await using TypedHttpResponse response = await session.SendAsync(request);
            await response.ReadAsStringAsync();
        }
        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task Bytes_beyond_content_length_never_leak_into_the_next_response()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is null)
            {
                return;
            }
            // One write: the declared body, then bytes that look like a whole second response.
            await c.SendAsync(c.Index == 0
                ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"
                : Ok("genuine"));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("genuine", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Theory]
    [InlineData("GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 6\r\n\r\nforged")]
    public async Task Bytes_after_the_framed_end_never_leak_into_the_next_response(string method, string firstResponse)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is null)
            {
                return;
            }
            await c.SendAsync(c.Index == 0 ? firstResponse : Ok("genuine"));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();

        await using (TypedHttpResponse first = await session.SendAsync(new TypedHttpRequest(method, server.Uri("/"))))
        {
            await first.ReadAsStringAsync();
        }
        await Task.Delay(20);
        Assert.Equal("genuine", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task C4_bytes_arriving_on_an_idle_connection_discard_it()
    {
        var garbageSent = new TaskCompletionSource();
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is null)
            {
                return;
            }
            await c.SendAsync(c.Index == 0 ? Ok("first") : Ok("second"));
            if (c.Index == 0)
            {
                await Task.Delay(50);
                await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged");
                garbageSent.SetResult();
            }
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        await garbageSent.Task;
        await Task.Delay(50);
        Assert.Equal("second", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
        Assert.Single(server.Connections[0].Requests);
    }

    [Fact]
    public async Task C4_idle_connection_closed_by_the_server_is_not_used()
    {
        var closed = new TaskCompletionSource();
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is null)
            {
                return;
            }
            await c.SendAsync(Ok(c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (c.Index == 0)
            {
                c.Close();
                closed.SetResult();
                return;
            }
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();

        Assert.Equal("0", await session.GetStringAsync(server.Uri("/")));
        await closed.Task;
        await Task.Delay(50);
        Assert.Equal("1", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task C4_idle_timeout_closes_pooled_connections()
    {
        await using var server = ScriptedServer.Respond(Ok("a"), Ok("b"));
        using HttpSession session = Session(o => o.PooledConnectionIdleTimeout = TimeSpan.FromMilliseconds(100));

        Assert.Equal("a", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(1, session.IdleConnectionCount);
        await WaitUntilAsync(() => session.IdleConnectionCount == 0, "the idle sweep closed the connection");
        Assert.Equal("a", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task Stale_reused_connection_idempotent_request_is_retried_once_on_a_fresh_connection()
    {
        await using ScriptedServer server = StaleAfterFirst("retried");
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("retried", await session.GetStringAsync(server.Uri("/again")));

        Assert.Equal(2, server.AcceptedCount);
        Assert.Equal("GET /again HTTP/1.1", server.Connections[1].Requests[0].RequestLine);
    }

    [Fact]
    public async Task Stale_reused_connection_reset_instead_of_close_is_retried_too()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (c.Index == 0)
            {
                await c.ReadRequestAsync();
                await c.SendAsync(Ok("first"));
                await c.ReadRequestAsync();
                c.Reset();
                return;
            }
            await c.ServeAsync(Ok("retried"));
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/")) { Content = new StringRequestContent("replayable body") });

        Assert.Equal("retried", await response.ReadAsStringAsync());
        Assert.Equal("replayable body", server.Connections[1].Requests[0].BodyText);
    }

    [Fact]
    public async Task Stale_reused_connection_non_replayable_body_is_not_retried()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(Ok("first"));
            await c.ReadRequestAsync();
            c.Close();
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        var request = new TypedHttpRequest("PUT", server.Uri("/")) { Content = new OneShotContent("once"u8.ToArray()) };
        await AssertFailsAsync(HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, async () => await session.SendAsync(request));

        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Stale_reused_connection_post_without_body_is_not_retried()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(Ok("first"));
            await c.ReadRequestAsync();
            c.Close();
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        await AssertFailsAsync(HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, async () => await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/"))));
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Fresh_connection_failure_is_not_retried()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            c.Close();
        });
        using HttpSession session = Session();

        await AssertFailsAsync(HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Failure_after_response_bytes_is_not_retried()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(Ok("first"));
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-");
            c.Close();
        });
        using HttpSession session = Session();

        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task T6_disposing_an_unread_body_drains_it_and_reuses_the_connection()
    {
        string big = new('d', 200_000);
        await using var server = ScriptedServer.Respond(Ok(big), Ok("next"));
        using HttpSession session = Session();

        await using (TypedHttpResponse response = await session.GetAsync(server.Uri("/")))
        {
            Assert.Equal(200, response.StatusCode);
        }
        Assert.Equal("next", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task T6_body_over_the_drain_limit_closes_the_connection()
    {
        string big = new('d', 200_000);
        await using var server = ScriptedServer.Start(c => c.Index == 0 ? c.ServeAsync(Ok(big)) : c.ServeAsync(Ok("next")));
        using HttpSession session = Session(o => o.MaxResponseDrainSize = 10_000);

        await using (TypedHttpResponse response = await session.GetAsync(server.Uri("/")))
        {
            Assert.Equal(200, response.StatusCode);
        }
        Assert.Equal("next", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task Synchronous_dispose_of_an_unread_streamed_body_closes_the_connection()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (await c.ReadRequestAsync() is null)
            {
                return;
            }
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
            if (c.Index == 0)
            {
                await Task.Delay(100);
                await c.SendAsync("cdefghij");
            }
            else
            {
                await c.SendAsync("cdefghij");
            }
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();

        (await session.GetAsync(server.Uri("/"))).Dispose();
        Assert.Equal("abcdefghij", await session.GetStringAsync(server.Uri("/")));

        Assert.Equal(2, server.AcceptedCount);
    }

    [Fact]
    public async Task C3_MaxConnectionsPerServer_makes_requests_wait_for_a_free_connection()
    {
        await using var server = ScriptedServer.Respond(Ok("a"), Ok("b"), Ok("c"));
        using HttpSession session = Session(o => o.MaxConnectionsPerServer = 1);

        ValueTask<TypedHttpResponse> first = session.GetAsync(server.Uri("/1"));
        Task<string> second = session.GetStringAsync(server.Uri("/2"));
        Task<string> third = session.GetStringAsync(server.Uri("/3"));
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        await using (TypedHttpResponse response = await first)
        {
            Assert.Equal("a", await response.ReadAsStringAsync());
        }
        Assert.Equal("b", await second);
        Assert.Equal("c", await third);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task C3_waiting_for_a_connection_honours_cancellation()
    {
        await using var server = ScriptedServer.Respond(Ok("a"));
        using HttpSession session = Session(o => o.MaxConnectionsPerServer = 1);
        await using TypedHttpResponse held = await session.GetAsync(server.Uri("/"));
        using var cts = new CancellationTokenSource(100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.GetAsync(server.Uri("/"), cts.Token));
    }

    [Fact]
    public async Task C3_connection_closed_instead_of_returned_hands_its_slot_to_a_waiter()
    {
        await using var server = ScriptedServer.Start(c => c.ServeAsync("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"));
        using HttpSession session = Session(o => o.MaxConnectionsPerServer = 1);

        var all = new Task<string>[4];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = session.GetStringAsync(server.Uri("/"));
        }
        foreach (Task<string> t in all)
        {
            Assert.Equal("x", await t);
        }
        Assert.Equal(4, server.AcceptedCount);
    }

    [Fact]
    public async Task Disposing_the_session_fails_requests_waiting_for_a_connection_with_OperationCancelled()
    {
        await using var server = ScriptedServer.Respond(Ok("a"));
        HttpSession session = Session(o => o.MaxConnectionsPerServer = 1);
        await using TypedHttpResponse held = await session.GetAsync(server.Uri("/"));
        ValueTask<TypedHttpResponse> waiting = session.GetAsync(server.Uri("/"));

        session.Dispose();

        await AssertFailsAsync(HttpError.OperationCancelled, HttpPhase.Connect, async () => await waiting);
    }

    [Fact]
    public async Task Concurrent_requests_on_one_session_all_succeed()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            while (await c.ReadRequestAsync() is ScriptedRequest r)
            {
                await c.SendAsync(Ok(r.RequestLine));
            }
        });
        using HttpSession session = Session();
        var tasks = new Task<string>[20];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = session.GetStringAsync(server.Uri("/" + i));
        }
        for (int i = 0; i < tasks.Length; i++)
        {
            Assert.Equal($"GET /{i} HTTP/1.1", await tasks[i]);
        }
        Assert.True(server.AcceptedCount <= 20);
    }

    [Fact]
    public async Task Disposed_session_closes_idle_connections_and_refuses_requests()
    {
        var clientClosed = new TaskCompletionSource();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ServeAsync(Ok("a"));
            clientClosed.TrySetResult();
        });
        HttpSession session = Session();
        Assert.Equal("a", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal(1, session.IdleConnectionCount);
        Assert.False(clientClosed.Task.IsCompleted);

        session.Dispose();

        await clientClosed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Throws<ObjectDisposedException>(() => { _ = session.GetAsync(server.Uri("/")); });
    }
}
