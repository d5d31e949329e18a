using System;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>Reading the status line and headers (T-4, T-5, OM-13, RFC 9112 §2.2, §4, §5).</summary>
public sealed class ResponseHeadTests
{
    private static async Task<TypedHttpResponse> GetOnceAsync(string rawResponse, Action<HttpSessionOptions>? configure = null)
    {
        await using var server = ScriptedServer.Respond(rawResponse);
        using HttpSession session = Session(configure);
        return await session.GetAsync(server.Uri("/"));
    }

    private static async Task<TypedHttpException> FailsAsync(HttpError error, HttpPhase phase, Func<ScriptedConnection, Task> script, Action<HttpSessionOptions>? configure = null)
    {
        await using var server = ScriptedServer.Start(script);
        using HttpSession session = Session(configure);
        return await AssertFailsAsync(error, phase, async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            await response.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task Status_line_headers_and_reason_phrase_are_parsed()
    {
        await using TypedHttpResponse response = await GetOnceAsync("HTTP/1.1 201 Created Just Now\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\nX-Empty:\r\nX-Spaces:   padded value \t \r\n\r\n");

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("Created Just Now", response.ReasonPhrase);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(new[] { "1", "2" }, response.Headers.GetValues("X-A"));
        Assert.Equal("", response.Headers.GetValue("X-Empty"));
        Assert.Equal("padded value", response.Headers.GetValue("X-Spaces"));
        Assert.Equal("x-a", response.Headers[1].Key);
    }

    [Theory]
    [InlineData("HTTP/1.1 200\r\n")]     // no reason phrase, no second space
    [InlineData("HTTP/1.1 200 \r\n")]    // empty reason phrase
    [InlineData("HTTP/1.1 200 OK\n")]    // bare LF
    public async Task Status_line_tolerable_forms(string statusLine)
    {
        await using TypedHttpResponse response = await GetOnceAsync(statusLine + "Content-Length: 2\r\n\r\nok");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("ok", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bare_lf_line_ends_throughout_are_accepted()
    {
        await using TypedHttpResponse response = await GetOnceAsync("HTTP/1.1 200 OK\nA: 1\nContent-Length: 3\n\nabc");
        Assert.Equal("1", response.Headers.GetValue("A"));
        Assert.Equal("abc", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Obs_fold_is_replaced_by_single_space()
    {
        await using TypedHttpResponse response = await GetOnceAsync("HTTP/1.1 200 OK\r\nX-Folded: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal("first second third", response.Headers.GetValue("X-Folded"));
        Assert.Equal(2, response.Headers.Count);
    }

    [Fact]
    public async Task Http10_status_line_is_version10()
    {
        await using TypedHttpResponse response = await GetOnceAsync("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(HttpVersion.Version10, response.Version);
    }

    [Theory]
    [InlineData("HTTP/1.1 20 OK\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n")]
    [InlineData("HTTP/1.1  200 OK\r\n")]
    [InlineData("HTTP/1.1200 OK\r\n")]
    [InlineData("HTTP/2 200 OK\r\n")]
    [InlineData("HTTP/1.x 200 OK\r\n")]
    [InlineData("http/1.1 200 OK\r\n")]
    [InlineData("ICY 200 OK\r\n")]
    [InlineData("garbage\r\n")]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n")]
    public async Task T5_malformed_status_line_is_InvalidServerResponse(string statusLine)
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, c => c.ServeAsync(statusLine + "Content-Length: 0\r\n\r\n"));
    }

    [Theory]
    [InlineData("Bad Name: x\r\n")]          // space inside a name
    [InlineData("Name : x\r\n")]             // whitespace before the colon (RFC 9112 §5.1)
    [InlineData("NoColon\r\n")]
    [InlineData(": empty name\r\n")]
    [InlineData("X-Nul: a\0b\r\n")]
    [InlineData("X-Cr: a\rb\r\n")]
    [InlineData("X-Del: a\u007Fb\r\n")]
    public async Task Malformed_header_line_is_InvalidServerResponse(string headerLine)
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, c => c.ServeAsync("HTTP/1.1 200 OK\r\n" + headerLine + "Content-Length: 0\r\n\r\n"));
    }

    [Fact]
    public async Task Continuation_line_right_after_status_line_is_InvalidServerResponse()
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, c => c.ServeAsync("HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 0\r\n\r\n"));
    }

    [Fact]
    public async Task T5_close_before_any_response_byte_is_EmptyResponse()
    {
        TypedHttpException e = await FailsAsync(HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, async c =>
        {
            await c.ReadRequestAsync();
            c.Close();
        });
        Assert.Contains("without sending any response", e.Message);
    }

    [Fact]
    public async Task Close_mid_headers_is_InvalidServerResponse()
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Le");
            c.Close();
        });
    }

    [Fact]
    public async Task Reset_before_status_line_is_ConnectionError()
    {
        await FailsAsync(HttpError.ConnectionError, HttpPhase.ReceiveHeaders, async c =>
        {
            await c.ReadRequestAsync();
            c.Reset();
        });
    }

    [Fact]
    public async Task Head_dripped_byte_by_byte_is_assembled()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.DripAsync("HTTP/1.1 200 OK\r\nX-Slow: yes\r\nContent-Length: 4\r\n\r\nbody", 1, TimeSpan.FromMilliseconds(1));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("yes", response.Headers.GetValue("X-Slow"));
        Assert.Equal("body", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task T4_headers_over_64_KiB_are_HeaderSizeOverflow()
    {
        string big = "X-Big: " + new string('a', 70 * 1024) + "\r\n";
        await FailsAsync(HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders, c => c.ServeAsync("HTTP/1.1 200 OK\r\n" + big + "Content-Length: 0\r\n\r\n"));
    }

    [Fact]
    public async Task T4_many_small_headers_over_the_limit_are_HeaderSizeOverflow()
    {
        var sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 100; i++)
        {
            sb.Append("X-H").Append(i).Append(": ").Append('v', 20).Append("\r\n");
        }
        await FailsAsync(HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders, c => c.ServeAsync(sb + "Content-Length: 0\r\n\r\n"), o => o.MaxResponseHeadersLength = 1024);
    }

    [Fact]
    public async Task T4_headers_just_under_the_limit_are_accepted()
    {
        string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
        string filler = "X-Fill: " + new string('f', 1024 - head.Length - "X-Fill: \r\n\r\n".Length) + "\r\n";
        string response = head + filler + "\r\n";
        Assert.Equal(1024, response.Length);
        await using TypedHttpResponse r = await GetOnceAsync(response, o => o.MaxResponseHeadersLength = 1024);
        Assert.Equal(200, r.StatusCode);
    }

    [Fact]
    public async Task T4_too_many_headers_are_HeaderCountExceeded()
    {
        var sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 10; i++)
        {
            sb.Append("X-H").Append(i).Append(": v\r\n");
        }
        await FailsAsync(HttpError.HeaderCountExceeded, HttpPhase.ReceiveHeaders, c => c.ServeAsync(sb + "Content-Length: 0\r\n\r\n"), o => o.MaxResponseHeaderCount = 10);
    }

    [Fact]
    public async Task OM13_interim_responses_are_skipped()
    {
        await using TypedHttpResponse response = await GetOnceAsync(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX-I: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"));
        Assert.Equal("final", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task OM13_more_than_ten_interim_responses_are_InvalidServerResponse()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 11; i++)
        {
            sb.Append("HTTP/1.1 100 Continue\r\n\r\n");
        }
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, c => c.ServeAsync(sb + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    }

    [Fact]
    public async Task OM13_exactly_ten_interim_responses_are_accepted()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            sb.Append("HTTP/1.1 100 Continue\r\n\r\n");
        }
        await using TypedHttpResponse response = await GetOnceAsync(sb + "HTTP/1.1 204 No Content\r\n\r\n");
        Assert.Equal(204, response.StatusCode);
    }
}
