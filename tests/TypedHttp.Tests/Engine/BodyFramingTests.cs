using System;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>How the end of a response body is found (T-1, T-2, T-3 departure, RFC 9112 §6, §7).</summary>
public sealed class BodyFramingTests
{
    private static async Task<(string Body, TypedHttpResponse Response)> FetchAsync(string rawResponse, string method = "GET", Action<HttpSessionOptions>? configure = null)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(rawResponse);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session(configure);
        TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest(method, server.Uri("/")));
        string body = await response.ReadAsStringAsync();
        await response.DisposeAsync();
        return (body, response);
    }

    private static async Task FailsAsync(HttpError error, HttpPhase phase, string rawResponse, bool closeAfter = true, Action<HttpSessionOptions>? configure = null)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(rawResponse);
            if (closeAfter)
            {
                c.Close();
            }
            else
            {
                await c.WaitForClientCloseAsync();
            }
        });
        using HttpSession session = Session(configure);
        await AssertFailsAsync(error, phase, async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            await response.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task Content_length_body_ends_there()
    {
        (string? body, TypedHttpResponse? response) = await FetchAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        Assert.Equal("hello", body);
        Assert.Equal(5, response.Body.Length);
    }

    [Fact]
    public async Task Repeated_identical_content_length_is_accepted()
    {
        (string? body, TypedHttpResponse _) = await FetchAsync("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc");
        Assert.Equal("abc", body);
    }

    [Theory]
    [InlineData("Content-Length: 3\r\nContent-Length: 4\r\n")]
    [InlineData("Content-Length: 3, 4\r\n")]
    [InlineData("Content-Length: -1\r\n")]
    [InlineData("Content-Length: +3\r\n")]
    [InlineData("Content-Length: 3a\r\n")]
    [InlineData("Content-Length: \r\n")]
    [InlineData("Content-Length: 99999999999999999999999\r\n")]
    public async Task Bad_content_length_is_InvalidServerResponse(string header)
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, "HTTP/1.1 200 OK\r\n" + header + "\r\nabcd");
    }

    [Fact]
    public async Task Eof_before_content_length_is_ResponseTruncated_never_a_short_body()
    {
        await FailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5");
    }

    [Fact]
    public async Task Reset_mid_body_is_ConnectionError()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart");
            await Task.Delay(50);
            c.Reset();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        await AssertFailsAsync(HttpError.ConnectionError, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Truncated_body_keeps_failing_on_later_reads()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            c.Close();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        await AssertFailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, () => response.ReadAsStringAsync());
        await AssertFailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, async () => _ = await response.Body.ReadAsync(new byte[10]));
    }

    [Fact]
    public async Task No_length_body_runs_to_close()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\n\r\nuntil the end");
            c.Close();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("until the end", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task T1_head_has_no_body_even_with_content_length()
    {
        (string? body, TypedHttpResponse? response) = await FetchAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "HEAD");
        Assert.Equal("", body);
        Assert.Equal("1000", response.Headers.GetValue("Content-Length"));
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public async Task T1_204_and_304_have_no_body(string raw)
    {
        (string? body, TypedHttpResponse _) = await FetchAsync(raw);
        Assert.Equal("", body);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\nB\r\n world, abc\r\n0\r\n\r\n", "hello world, abc")]
    [InlineData("5\r\nhello\r\nb\r\n world, abc\r\n0\r\n\r\n", "hello world, abc")]
    [InlineData("0005\r\nhello\r\n00006\r\n world\r\n000\r\n\r\n")]
    [InlineData("5;name=value\r\nhello\r\n6 ; a=\"quoted;x\"\r\n world\r\n0;last\r\n\r\n")]
    [InlineData("5\nhello\n6\n world\n0\n\n")]
    [InlineData("b\r\nhello world\r\n0\r\n\r\n")]
    public async Task T2_chunked_variants_decode(string chunks, string expected = "hello world")
    {
        (string? body, TypedHttpResponse _) = await FetchAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task T2_chunked_dripped_decodes()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.DripAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1;x=y\r\nd\r\n0\r\nT: 1\r\n\r\n", 2, TimeSpan.FromMilliseconds(1));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("abcd", await response.ReadAsStringAsync());
        Assert.Equal("1", response.Trailers.GetValue("T"));
    }

    [Fact]
    public async Task T2_trailers_are_stored_on_the_response()
    {
        (string? body, TypedHttpResponse? response) = await FetchAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc123\r\nX-Other: 2\r\n\r\n");
        Assert.Equal("ok", body);
        Assert.Equal("abc123", response.Trailers.GetValue("X-Checksum"));
        Assert.Equal(2, response.Trailers.Count);
    }

    [Fact]
    public async Task T2_trailers_before_the_end_are_empty()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");
            await Task.Delay(100);
            await c.SendAsync("0\r\nX-T: 1\r\n\r\n");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Empty(response.Trailers);
        Assert.Equal("ok", await response.ReadAsStringAsync());
        Assert.Equal("1", response.Trailers.GetValue("X-T"));
    }

    [Theory]
    [InlineData("x\r\nhello\r\n0\r\n\r\n")]              // not hex
    [InlineData("\r\nhello\r\n0\r\n\r\n")]               // empty size line
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]             // sign
    [InlineData("5 x\r\nhello\r\n0\r\n\r\n")]            // junk after the size
    [InlineData("1000000000000000\r\nhello\r\n0\r\n\r\n")] // 2^60: too large
    [InlineData("ffffffffffffffffff\r\nhello\r\n0\r\n\r\n")] // overflows 64 bits
    [InlineData("3\r\nhello\r\n0\r\n\r\n")]              // data longer than its size
    [InlineData("5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n")] // malformed trailer
    public async Task T2_invalid_chunking_is_InvalidServerResponse(string chunks)
    {
        await FailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks, closeAfter: false);
    }

    [Fact]
    public async Task T4_overlong_chunk_size_line_is_ChunkedEncodingHeaderSizeOverflow()
    {
        string line = "5;" + new string('e', 9000) + "\r\n";
        await FailsAsync(HttpError.ChunkedEncodingHeaderSizeOverflow, HttpPhase.ReceiveBody, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + line + "hello\r\n0\r\n\r\n", closeAfter: false);
    }

    [Fact]
    public async Task T4_chunk_size_line_limit_is_configurable()
    {
        await FailsAsync(HttpError.ChunkedEncodingHeaderSizeOverflow, HttpPhase.ReceiveBody, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;abcdefghij\r\nhello\r\n0\r\n\r\n", closeAfter: false, configure: o => o.MaxChunkSizeLineLength = 8);
    }

    [Theory]
    [InlineData("5\r\nhel")]             // mid chunk data
    [InlineData("5\r\nhello\r\n")]       // before the last chunk
    [InlineData("5\r\nhello")]           // before the chunk's CRLF
    [InlineData("5\r\nhello\r\n0\r\n")]  // inside the trailer section
    [InlineData("")]                     // before the first chunk
    public async Task Eof_before_last_chunk_is_ResponseTruncated(string chunks)
    {
        await FailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);
    }

    [Fact]
    public async Task T1_chunked_wins_over_content_length()
    {
        (string? body, TypedHttpResponse _) = await FetchAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        Assert.Equal("hello", body);
    }

    [Fact]
    public async Task Transfer_encoding_not_ending_in_chunked_runs_to_close()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nabcdef");
            c.Close();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("abcdef", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Small_reads_through_a_large_body_reassemble_it()
    {
        string payload = new('z', 100_000);
        await using var server = ScriptedServer.Respond(Ok(payload));
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        byte[] buffer = new byte[7];
        int total = 0, n;
        while ((n = await response.Body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }
        Assert.Equal(100_000, total);
    }

    [Fact]
    public async Task Synchronous_read_works()
    {
        await using var server = ScriptedServer.Respond(Ok("sync body"));
        using HttpSession session = Session();
        using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        using var reader = new System.IO.StreamReader(response.Body);
        Assert.Equal("sync body", reader.ReadToEnd());
    }
}
