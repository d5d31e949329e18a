using System;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>What the engine puts on the wire for a request (HD-4, HD-5, OM-2, OM-5, OM-6), byte for byte.</summary>
public sealed class RequestWritingTests
{
    [Fact]
    public async Task Get_writes_request_line_host_user_agent_and_nothing_else()
    {
        await using var server = ScriptedServer.Respond(Ok("hi"));
        using HttpSession session = Session();

        Assert.Equal("hi", await session.GetStringAsync(server.Uri("/a/b?x=1&y=2")));

        Assert.Equal($"GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUser-Agent: TypedHttp/0.1\r\n\r\n", server.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task OM2_caller_user_agent_is_kept_and_null_agent_sends_none()
    {
        await using var server = ScriptedServer.Respond(Ok("1"), Ok("2"));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.Add("User-Agent", "mine/2");
        request.Headers.Add("Accept", "application/json");
        await (await session.SendAsync(request)).DisposeAsync();

        using HttpSession silent = Session(o => o.UserAgent = null);
        await using var server2 = ScriptedServer.Respond(Ok("1"));
        await (await silent.GetAsync(server2.Uri("/"))).DisposeAsync();

        Assert.Equal($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUser-Agent: mine/2\r\nAccept: application/json\r\n\r\n", server.Connections[0].Requests[0].Head);
        Assert.Equal($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server2.Port}\r\n\r\n", server2.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task Small_body_goes_out_with_the_head_with_content_type_and_length()
    {
        await using var server = ScriptedServer.Respond(Ok("ok"));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/items"))
        {
            Content = new StringRequestContent("{\"a\":1}", "application/json"),
        };

        await (await session.SendAsync(request)).DisposeAsync();

        Assert.Equal(
            $"POST /items HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUser-Agent: TypedHttp/0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{{\"a\":1}}",
            Encoding.Latin1.GetString(server.Connections[0].Requests[0].Raw));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    public async Task HD4_empty_post_or_put_sends_content_length_zero(string method)
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session(o => o.UserAgent = null);

        await (await session.SendAsync(new TypedHttpRequest(method, server.Uri("/")))).DisposeAsync();

        Assert.Equal($"{method} / HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Length: 0\r\n\r\n", server.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task HD4_empty_delete_sends_no_content_length()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session(o => o.UserAgent = null);

        await (await session.SendAsync(new TypedHttpRequest("DELETE", server.Uri("/x")))).DisposeAsync();

        Assert.Equal($"DELETE /x HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n", server.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task Unknown_length_is_sent_chunked()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session(o => o.UserAgent = null);
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new PiecewiseContent(2, 3, announcedLength: null) };

        await (await session.SendAsync(request)).DisposeAsync();

        ScriptedRequest received = server.Connections[0].Requests[0];
        Assert.Equal($"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n", Encoding.Latin1.GetString(received.Raw));
        Assert.Equal("abcabc", received.BodyText);
    }

    [Fact]
    public async Task Large_body_is_streamed_with_content_length()
    {
        await using var server = ScriptedServer.Respond(Ok("done"));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("PUT", server.Uri("/")) { Content = new PiecewiseContent(10, 10_000, announcedLength: 100_000) };

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal("done", await response.ReadAsStringAsync());
        ScriptedRequest received = server.Connections[0].Requests[0];
        Assert.Equal("100000", received.Header("Content-Length"));
        Assert.Equal(100_000, received.Body.Length);
    }

    [Theory]
    [InlineData(1, 10, 11L)]       // small body, inline path: wrote fewer than announced
    [InlineData(5, 10_000, 40_000L)] // streamed path: wrote more than announced
    [InlineData(2, 10_000, 30_000L)] // streamed path: wrote fewer than announced
    public async Task Content_that_lies_about_its_length_is_InvalidRequest(int pieces, int size, long announced)
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new PiecewiseContent(pieces, size, announced) };

        await AssertFailsAsync(HttpError.InvalidRequest, HttpPhase.Send, async () => await session.SendAsync(request));
    }

    [Fact]
    public async Task Http10_request_line_and_keep_alive_asked()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
        using HttpSession session = Session(o => o.UserAgent = null);

        await (await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/")) { Version = HttpVersion.Version10 })).DisposeAsync();

        Assert.Equal($"GET / HTTP/1.0\r\nHost: 127.0.0.1:{server.Port}\r\nConnection: keep-alive\r\n\r\n", server.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task Http10_with_unknown_length_body_is_refused_before_sending()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Version = HttpVersion.Version10, Content = new PiecewiseContent(1, 1, null) };

        await AssertFailsAsync(HttpError.InvalidRequest, HttpPhase.Request, async () => await session.SendAsync(request));
        Assert.Equal(0, server.AcceptedCount);
    }

    [Fact]
    public async Task OM6_request_target_never_carries_raw_space_control_or_non_ascii()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session();

        await (await session.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/a b/é?q=x y&r={{1}}|^`\"<>[]&p=%2F"))).DisposeAsync();

        Assert.Equal("GET /a%20b/%C3%A9?q=x%20y&r=%7B1%7D%7C%5E%60%22%3C%3E%5B%5D&p=%2F HTTP/1.1", server.Connections[0].Requests[0].RequestLine);
    }

    [Fact]
    public async Task HD5_non_ascii_header_value_is_sent_as_utf8()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.Add("X-Name", "Zoë");

        await (await session.SendAsync(request)).DisposeAsync();

        Assert.Contains("X-Name: Zo\u00C3\u00AB\r\n", server.Connections[0].Requests[0].Head);
    }

    [Fact]
    public async Task Caller_host_header_replaces_the_computed_one()
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session(o => o.UserAgent = null);
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.Add("Host", "api.example");

        await (await session.SendAsync(request)).DisposeAsync();

        Assert.Equal("GET / HTTP/1.1\r\nHost: api.example\r\n\r\n", server.Connections[0].Requests[0].Head);
    }

    [Theory]
    [InlineData("X-Evil", "a\r\nInjected: yes")]
    [InlineData("X-Evil", "a\nb")]
    [InlineData("X-Evil", "a\0b")]
    [InlineData("Bad Name", "v")]
    [InlineData("Bad:Name", "v")]
    [InlineData("Content-Length", "5")]
    [InlineData("Transfer-Encoding", "chunked")]
    public async Task Header_injection_is_refused_before_any_byte_is_sent(string name, string value)
    {
        await using var server = ScriptedServer.Respond(Ok(""));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.AddUnchecked(name, value); // bypasses the collection's own validation on purpose

        await AssertFailsAsync(HttpError.InvalidRequest, HttpPhase.Request, async () => await session.SendAsync(request));
        await Task.Delay(50);
        Assert.Equal(0, server.AcceptedCount);
    }

    [Theory]
    [InlineData("GE T")]
    [InlineData("GET\r\n")]
    public async Task Bad_method_is_InvalidRequest(string method)
    {
        using HttpSession session = Session();
        await AssertFailsAsync(HttpError.InvalidRequest, HttpPhase.Request, async () => await session.SendAsync(new TypedHttpRequest(method, new Uri("http://127.0.0.1:1/"))));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/file", HttpError.UnrecognizedScheme)]
    [InlineData("file:///etc/passwd", HttpError.UnrecognizedScheme)]
    [InlineData("/relative/path", HttpError.InvalidUrl)]
    public async Task Uri_other_than_absolute_http_is_refused(string uri, HttpError error)
    {
        using HttpSession session = Session();
        await AssertFailsAsync(error, HttpPhase.Request, async () => await session.SendAsync(new TypedHttpRequest("GET", new Uri(uri, UriKind.RelativeOrAbsolute))));
    }

    [Fact]
    public async Task Expect_continue_body_follows_the_100()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest head = (await c.ReadRequestAsync(readBody: false))!;
            await c.SendAsync("HTTP/1.1 100 Continue\r\n\r\n");
            await c.ReadBodyAsync(head);
            await c.SendAsync(Ok(head.BodyText));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session(o => o.ExpectContinueTimeout = TimeSpan.FromSeconds(30));
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new StringRequestContent("payload") };
        request.Headers.Add("Expect", "100-continue");

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("payload", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Expect_continue_server_silent_body_is_sent_after_the_wait()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            ScriptedRequest head = (await c.ReadRequestAsync(readBody: false))!;
            await c.ReadBodyAsync(head);
            await c.SendAsync(Ok(head.BodyText));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session(o => o.ExpectContinueTimeout = TimeSpan.FromMilliseconds(100));
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new StringRequestContent("late") };
        request.Headers.Add("Expect", "100-continue");

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal("late", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Expect_continue_final_status_first_body_is_never_sent_and_connection_not_reused()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync(readBody: false);
            await c.SendAsync("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session(o => o.ExpectContinueTimeout = TimeSpan.FromSeconds(30));
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new StringRequestContent("never") };
        request.Headers.Add("Expect", "100-continue");

        await using (TypedHttpResponse response = await session.SendAsync(request))
        {
            Assert.Equal(417, response.StatusCode);
        }

        await WaitUntilAsync(() => server.Connections[0].ReceivedText.Length > 0, "the head arrived");
        await Task.Delay(100);
        Assert.DoesNotContain("never", server.Connections[0].ReceivedText);
        Assert.Equal(0, session.IdleConnectionCount);
    }
}
