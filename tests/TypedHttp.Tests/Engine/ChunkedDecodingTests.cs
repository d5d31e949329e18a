using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>
/// How one body read decodes a chunked body (T-2): several chunks per read when their framing is already
/// buffered, framing split across socket reads, errors found behind data already decoded, chunks larger than
/// the read buffer.
/// </summary>
public sealed class ChunkedDecodingTests
{
    private const string ChunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    private static async Task<int> ReadOnceAsync(TypedHttpResponse response, byte[] buffer) =>
        await response.Body.ReadAsync(buffer.AsMemory());

    [Fact]
    public async Task One_read_returns_several_chunks_when_their_framing_is_buffered()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(ChunkedHead);
            await Task.Delay(50);
            await c.SendAsync("3\r\nabc\r\n4;ext=1\r\ndefg\r\n2\r\nhi\r\n0\r\n\r\n");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        byte[] buffer = new byte[1024];
        int n = await ReadOnceAsync(response, buffer);
        Assert.Equal("abcdefghi", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(0, await ReadOnceAsync(response, buffer));
        Assert.Empty(response.Trailers);
    }

    [Fact]
    public async Task One_read_stops_where_the_callers_buffer_is_full()
    {
        await using var server = ScriptedServer.Respond(ChunkedHead + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        byte[] buffer = new byte[5];
        var reads = new List<string>();
        int n;
        while ((n = await ReadOnceAsync(response, buffer)) > 0)
        {
            reads.Add(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.Equal(["abcde", "fg"], reads);
    }

    [Theory]
    [InlineData("3\r\nabc\r\n1", "0\r\n0123456789abcdef\r\n0\r\n\r\n")] // size line split
    [InlineData("3\r\nabc\r", "\n10\r\n0123456789abcdef\r\n0\r\n\r\n")] // CRLF after the data split
    [InlineData("3\r\nabc", "\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")] // CRLF after the data not yet sent
    [InlineData("3\r\nabc\r\n10;a=", "b\r\n0123456789abcdef\r\n0\r\n\r\n")] // extension split
    [InlineData("3\r\nabc\r\n10\r\n01234567", "89abcdef\r\n0\r\n\r\n")] // data split
    [InlineData("3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n", "X: 1\r\n\r\n")] // trailers split
    public async Task Framing_split_across_socket_reads_after_decoded_data_decodes(string first, string second)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(ChunkedHead + first);
            await Task.Delay(100);
            await c.SendAsync(second);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("abc0123456789abcdef", await response.ReadAsStringAsync());
        Assert.Equal(second.Contains("X: 1", StringComparison.Ordinal) ? "1" : null, response.Trailers.GetValue("X"));
    }

    [Theory]
    [InlineData("3\r\nabc\r\nzz\r\nhello\r\n0\r\n\r\n", HttpError.InvalidServerResponse, null)] // bad size after a chunk
    [InlineData("3\r\nabcd\r\n0\r\n\r\n", HttpError.InvalidServerResponse, null)] // data longer than its size
    [InlineData("3\r\nabc\r\n5;abcdefghij\r\nhello\r\n0\r\n\r\n", HttpError.ChunkedEncodingHeaderSizeOverflow, 8)] // over-long size line
    public async Task Framing_error_after_decoded_data_delivers_the_data_first_then_fails(string chunks, HttpError error, int? maxLine)
    {
        await using var server = ScriptedServer.Respond(ChunkedHead + chunks);
        using HttpSession session = Session(o =>
        {
            if (maxLine is int max)
            {
                o.MaxChunkSizeLineLength = max;
            }
        });
        TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        byte[] buffer = new byte[1024];
        int n = await ReadOnceAsync(response, buffer);
        Assert.Equal("abc", Encoding.ASCII.GetString(buffer, 0, n));
        await AssertFailsAsync(error, HttpPhase.ReceiveBody, async () => await ReadOnceAsync(response, buffer));
        // Every later read fails the same way.
        await AssertFailsAsync(error, HttpPhase.ReceiveBody, async () => await ReadOnceAsync(response, buffer));
        await response.DisposeAsync();
    }

    [Fact]
    public async Task Eof_after_decoded_data_is_ResponseTruncated_after_the_data()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(ChunkedHead + "3\r\nabc\r\n4\r\nde");
            c.Close();
        });
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        var body = new MemoryStream();
        await AssertFailsAsync(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, () => response.Body.CopyToAsync(body));
        Assert.Equal("abcde", Encoding.ASCII.GetString(body.ToArray()));
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(16 * 1024)]
    [InlineData(1000)]
    public async Task Chunks_larger_than_the_read_buffer_decode_and_the_connection_is_reused(int readSize)
    {
        // 200 KiB, 5 KiB, 150 KiB + 1 and a last 1-byte chunk, with a trailer; the body is served twice on one connection.
        var random = new Random(42);
        byte[] expected = new byte[200 * 1024 + 5 * 1024 + 150 * 1024 + 1 + 1];
        random.NextBytes(expected);
        var wire = new MemoryStream();
        wire.Write(Encoding.ASCII.GetBytes(ChunkedHead));
        int offset = 0;
        foreach (int size in new[] { 200 * 1024, 5 * 1024, 150 * 1024 + 1, 1 })
        {
            wire.Write(Encoding.ASCII.GetBytes(size.ToString("X") + "\r\n"));
            wire.Write(expected, offset, size);
            wire.Write("\r\n"u8);
            offset += size;
        }
        wire.Write("0\r\nX-Sum: ok\r\n\r\n"u8);
        string response = Encoding.Latin1.GetString(wire.ToArray());
        await using var server = ScriptedServer.Respond(response, response);
        using HttpSession session = Session();
        for (int round = 0; round < 2; round++)
        {
            await using TypedHttpResponse r = await session.GetAsync(server.Uri("/"));
            byte[] buffer = new byte[readSize];
            var body = new MemoryStream();
            int n;
            while ((n = await r.Body.ReadAsync(buffer)) > 0)
            {
                body.Write(buffer, 0, n);
            }
            Assert.Equal(expected, body.ToArray());
            Assert.Equal("ok", r.Trailers.GetValue("X-Sum"));
        }
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Response_without_trailers_has_one_empty_trailer_collection()
    {
        await using var server = ScriptedServer.Respond(Ok("hi"));
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        Assert.Equal("hi", await response.ReadAsStringAsync());
        Assert.NotNull(response.Trailers);
        Assert.Empty(response.Trailers);
        Assert.Same(response.Trailers, response.Trailers);
    }
}
