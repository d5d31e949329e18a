using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Internal;
using TypedHttp.Testing;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Client;

/// <summary>
/// Every body framing a response can arrive in, each read as every result kind a generated method can ask for:
/// the same values whatever the framing (and however the bytes are split), a body cut short is ResponseTruncated
/// (never a shorter body), and a body that is not the expected JSON is a JsonException naming where.
/// </summary>
public sealed class ResponseFramingTests
{
    /// <summary>How the body reaches the client.</summary>
    public enum Framing
    {
        /// <summary>The engine; Content-Length (a scripted server).</summary>
        ContentLength,

        /// <summary>The engine; chunked in 1000-byte chunks (a scripted server).</summary>
        Chunked,

        /// <summary>The engine; no length, the body ends when the server closes (a scripted server).</summary>
        ReadToClose,

        /// <summary>The engine with AutomaticDecompression; gzip, chunked (a scripted server).</summary>
        Gzip,

        /// <summary>The engine; Kestrel writing the body in pieces, so chunked as ASP.NET Core sends JSON.</summary>
        KestrelChunked,

        /// <summary>HttpClientTransport over Kestrel writing the body in pieces (chunked).</summary>
        HttpClientTransport,

        /// <summary>InMemoryTransport with a stream of unknown length that returns 7 bytes a read.</summary>
        InMemoryUnknownLength,
    }

    /// <summary>The framings that can tell a body cut short from a whole one.</summary>
    public static TheoryData<Framing> Truncatable => new() { Framing.ContentLength, Framing.Chunked, Framing.Gzip, Framing.HttpClientTransport, Framing.InMemoryUnknownLength };

    public static TheoryData<Framing> AllFramings => new(Enum.GetValues<Framing>());

    private static readonly List<Item> Items = Enumerable.Range(1, 300).Select(i => new Item(i, "item ü ✓ " + i)).ToList();

    private static byte[] ArrayJson => JsonSerializer.SerializeToUtf8Bytes(Items, JsonBodyContext.Default.ListItem);

    private static byte[] LinesJson => Encoding.UTF8.GetBytes(string.Concat(Items.Select(i => JsonSerializer.Serialize(i, JsonBodyContext.Default.Item) + "\n")));

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Typed_json_reads_the_whole_list(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/json");

        List<Item> got = await served.Core.SendJsonAsync(served.Get(), JsonBodyContext.Default.ListItem, CancellationToken.None);

        Assert.Equal(Items, got);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task A_json_array_streams_every_item(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/json");

        List<Item> got = await ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Equal(Items, got);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Json_lines_stream_every_item(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, LinesJson, "application/x-ndjson");

        List<Item> got = await ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Equal(Items, got);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Text_is_the_whole_body_decoded(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "text/plain; charset=utf-8");

        string got = await served.Core.SendStringAsync(served.Get(), CancellationToken.None);

        Assert.Equal(Encoding.UTF8.GetString(ArrayJson), got);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Bytes_are_the_whole_body(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/octet-stream");

        byte[] got = await served.Core.SendForBytesAsync(served.Get(), CancellationToken.None);

        Assert.Equal(ArrayJson, got);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task A_stream_result_reads_the_whole_body(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/octet-stream");

        await using Stream body = await served.Core.SendForStreamAsync(served.Get(), CancellationToken.None);
        var copy = new MemoryStream();
        await body.CopyToAsync(copy);

        Assert.Equal(ArrayJson, copy.ToArray());
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task Typed_json_of_a_body_cut_short_is_ResponseTruncated(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/json", truncate: true);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => served.Core.SendJsonAsync(served.Get(), JsonBodyContext.Default.ListItem, CancellationToken.None));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task A_json_array_cut_short_is_ResponseTruncated(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/json", truncate: true);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task Json_lines_cut_short_are_ResponseTruncated(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, LinesJson, "application/x-ndjson", truncate: true);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task Text_of_a_body_cut_short_is_ResponseTruncated(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "text/plain", truncate: true);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => served.Core.SendStringAsync(served.Get(), CancellationToken.None));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task Bytes_of_a_body_cut_short_are_ResponseTruncated(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/octet-stream", truncate: true);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => served.Core.SendForBytesAsync(served.Get(), CancellationToken.None));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(Truncatable))]
    public async Task A_stream_result_cut_short_is_ResponseTruncated_when_read(Framing framing)
    {
        await using Served served = await Served.StartAsync(framing, ArrayJson, "application/octet-stream", truncate: true);
        await using Stream body = await served.Core.SendForStreamAsync(served.Get(), CancellationToken.None);

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(() => body.CopyToAsync(Stream.Null));

        AssertTruncated(ex);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Typed_json_with_a_wrong_value_names_its_path(Framing framing)
    {
        byte[] bad = Replace(ArrayJson, "{\"Id\":250,", "{\"Id\":\"250\",");
        await using Served served = await Served.StartAsync(framing, bad, "application/json");

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => served.Core.SendJsonAsync(served.Get(), JsonBodyContext.Default.ListItem, CancellationToken.None));

        Assert.Equal("$[249].Id", ex.Path);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task A_json_array_with_a_wrong_item_names_the_item_after_yielding_those_before(Framing framing)
    {
        byte[] bad = Replace(ArrayJson, "{\"Id\":250,", "{\"Id\":\"250\",");
        await using Served served = await Served.StartAsync(framing, bad, "application/json");
        var seen = new List<Item>();

        JsonException ex = await Assert.ThrowsAsync<JsonException>(async () =>
        {
            await foreach (Item item in served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None))
            {
                seen.Add(item);
            }
        });

        Assert.Equal(("$[249].Id", 249), (ex.Path, seen.Count));
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task A_json_array_with_broken_syntax_is_a_json_error(Framing framing)
    {
        byte[] bad = Replace(ArrayJson, "{\"Id\":100,", "{\"Id\":100,,");
        await using Served served = await Served.StartAsync(framing, bad, "application/json");

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        Assert.Contains("after 99 items", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllFramings))]
    public async Task Json_lines_with_a_bad_line_name_the_line(Framing framing)
    {
        byte[] bad = Replace(LinesJson, "{\"Id\":120,", "{\"Id\":\"x\",");
        await using Served served = await Served.StartAsync(framing, bad, "application/x-ndjson");

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        Assert.StartsWith("Line 120 of the JSON Lines body", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Framing.ReadToClose)]
    [InlineData(Framing.InMemoryUnknownLength)]
    public async Task A_json_array_that_ends_inside_the_array_is_a_json_error(Framing framing)
    {
        byte[] cut = ArrayJson[..(ArrayJson.Length / 2)];
        await using Served served = await Served.StartAsync(framing, cut, "application/json");

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        Assert.Contains("JSON array body", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_one_buffer_limit_streams_and_parses_the_same()
    {
        var many = Enumerable.Range(1, 60_000).Select(i => new Item(i, "item ü " + i)).ToList();
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(many, JsonBodyContext.Default.ListItem);
        Assert.True(json.Length > JsonBody.MaxBufferedLength);
        await using Served served = await Served.StartAsync(Framing.Chunked, json, "application/json");

        List<Item> got = await served.Core.SendJsonAsync(served.Get(), JsonBodyContext.Default.ListItem, CancellationToken.None);

        Assert.Equal(many, got);
    }

    [Fact]
    public async Task A_json_array_item_longer_than_the_read_buffer_is_read_whole()
    {
        var big = new List<Item> { new(1, "a"), new(2, new string('ü', 40_000)), new(3, "c") };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(big, JsonBodyContext.Default.ListItem);
        await using Served served = await Served.StartAsync(Framing.Chunked, json, "application/json");

        List<Item> got = await ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Equal(big, got);
    }

    [Fact]
    public async Task A_root_null_streams_no_items()
    {
        await using Served served = await Served.StartAsync(Framing.Chunked, "null"u8.ToArray(), "application/json");

        List<Item> got = await ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Empty(got);
    }

    [Fact]
    public async Task A_root_object_is_not_a_json_array()
    {
        await using Served served = await Served.StartAsync(Framing.Chunked, "{\"Id\":1}"u8.ToArray(), "application/json");

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));

        Assert.Contains("not a JSON array", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_after_the_json_array_are_refused()
    {
        await using Served served = await Served.StartAsync(Framing.Chunked, "[{\"Id\":1,\"Name\":\"a\"}] [1]"u8.ToArray(), "application/json");

        await Assert.ThrowsAsync<JsonException>(() => ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None)));
    }

    [Theory]
    [InlineData(Framing.Chunked)]
    [InlineData(Framing.InMemoryUnknownLength)]
    public async Task A_json_array_after_a_utf8_byte_order_mark_streams(Framing framing)
    {
        byte[] json = [0xEF, 0xBB, 0xBF, .. ArrayJson];
        await using Served served = await Served.StartAsync(framing, json, "application/json");

        List<Item> got = await ToListAsync(served.Core.StreamJsonAsync(served.Get(), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Equal(Items, got);
    }

    [Theory]
    [InlineData(Framing.Chunked)]
    [InlineData(Framing.InMemoryUnknownLength)]
    public async Task Text_with_a_utf16_byte_order_mark_is_decoded_as_utf16(Framing framing)
    {
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("grüße ✓")];
        await using Served served = await Served.StartAsync(framing, utf16, "text/plain; charset=iso-8859-1");

        string got = await served.Core.SendStringAsync(served.Get(), CancellationToken.None);

        Assert.Equal("grüße ✓", got);
    }

    [Fact]
    public async Task The_connection_serves_the_next_response_after_a_chunked_body_read_as_json()
    {
        byte[] one = JsonSerializer.SerializeToUtf8Bytes(Items, JsonBodyContext.Default.ListItem);
        await using var server = ScriptedServer.Respond(Latin1(Served.ChunkedResponse(one, "application/json")), Latin1(Served.ChunkedResponse("{\"Id\":7,\"Name\":\"after\"}"u8.ToArray(), "application/json")));
        using HttpSession session = Engine.EngineTest.Session();
        ClientCore core = Served.CoreOver(session, server.Uri("/"));

        List<Item> first = await core.SendJsonAsync(new TypedHttpRequest("GET", server.Uri("/a")), JsonBodyContext.Default.ListItem, CancellationToken.None);
        Item second = await core.SendJsonAsync(new TypedHttpRequest("GET", server.Uri("/b")), JsonBodyContext.Default.Item, CancellationToken.None);

        Assert.Equal((300, new Item(7, "after"), 1), (first.Count, second, server.AcceptedCount));
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static byte[] Replace(byte[] json, string what, string with)
    {
        string text = Encoding.UTF8.GetString(json);
        Assert.Contains(what, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace(what, with, StringComparison.Ordinal));
    }

    private static void AssertTruncated(TypedHttpException ex)
    {
        Assert.Equal((HttpError.ResponseTruncated, HttpPhase.ReceiveBody), (ex.Error, ex.Phase));
        Assert.Matches("(?i)chunk|content-length|cut short|ended", ex.Message);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }
        return list;
    }

    /// <summary>A body served in one framing, and the client core that reads it.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private readonly Func<ValueTask> _dispose;

        private Served(ClientCore core, Uri uri, Func<ValueTask> dispose)
        {
            Core = core;
            Uri = uri;
            _dispose = dispose;
        }

        public ClientCore Core { get; }

        public Uri Uri { get; }

        public TypedHttpRequest Get() => new("GET", Uri);

        public ValueTask DisposeAsync() => _dispose();

        public static ClientCore CoreOver(HttpTransport transport, Uri baseAddress) =>
            new(new TypedHttpClientOptions { BaseAddress = baseAddress, Transport = transport, JsonSerializerOptions = JsonBodyContext.Default.Options }, "Tests.IItems");

        public static async Task<Served> StartAsync(Framing framing, byte[] body, string contentType, bool truncate = false)
        {
            switch (framing)
            {
                case Framing.ContentLength:
                {
                    string head = $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length + (truncate ? 10 : 0)}\r\n\r\n";
                    return Scripted([.. Encoding.Latin1.GetBytes(head), .. body], close: truncate, configure: null);
                }
                case Framing.Chunked:
                {
                    byte[] response = ChunkedResponse(body, contentType);
                    return Scripted(truncate ? response[..^5] : response, close: truncate, configure: null);
                }
                case Framing.ReadToClose:
                {
                    string head = $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nConnection: close\r\n\r\n";
                    return Scripted([.. Encoding.Latin1.GetBytes(head), .. body], close: true, configure: null);
                }
                case Framing.Gzip:
                {
                    var compressed = new MemoryStream();
                    using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        gzip.Write(body);
                    }
                    byte[] gz = compressed.ToArray();
                    byte[] response = ChunkedResponse(truncate ? gz[..(gz.Length / 2)] : gz, contentType, "Content-Encoding: gzip\r\n");
                    return Scripted(truncate ? response[..^5] : response, close: truncate, configure: o => o.AutomaticDecompression = true);
                }
                case Framing.KestrelChunked:
                {
                    KestrelServer kestrel = await KestrelServer.StartAsync(context => WritePiecesAsync(context, body, contentType));
                    HttpSession session = Engine.EngineTest.Session();
                    return new Served(CoreOver(session, kestrel.Uri()), kestrel.Uri(path: "/items"), async () =>
                    {
                        session.Dispose();
                        await kestrel.DisposeAsync();
                    });
                }
                case Framing.HttpClientTransport when truncate:
                {
                    // Kestrel cannot end a body early without a reset (which loses the bytes before it): a scripted
                    // server announces 10 bytes more than it sends, then closes.
                    string head = $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length + 10}\r\n\r\n";
                    byte[] response = [.. Encoding.Latin1.GetBytes(head), .. body];
                    var server = ScriptedServer.Start(async c =>
                    {
                        await c.ReadRequestAsync();
                        await c.SendAsync(response);
                        c.Close();
                    });
                    var client = new HttpClient();
                    return new Served(CoreOver(new HttpClientTransport(client), server.Uri("/")), server.Uri("/items"), async () =>
                    {
                        client.Dispose();
                        await server.DisposeAsync();
                    });
                }
                case Framing.HttpClientTransport:
                {
                    KestrelServer kestrel = await KestrelServer.StartAsync(context => WritePiecesAsync(context, body, contentType));
                    var client = new HttpClient();
                    return new Served(CoreOver(new HttpClientTransport(client), kestrel.Uri()), kestrel.Uri(path: "/items"), async () =>
                    {
                        client.Dispose();
                        await kestrel.DisposeAsync();
                    });
                }
                default:
                {
                    var headers = new HttpHeaderCollection(1);
                    headers.Add("Content-Type", contentType);
                    var transport = new InMemoryTransport((request, _) =>
                        ValueTask.FromResult(new TypedHttpResponse(200, "OK", HttpVersion.Version11, headers, new PieceStream(body, 7, truncate), request.Uri)));
                    var uri = new Uri("http://items.test/items");
                    return new Served(CoreOver(transport, uri), uri, () => ValueTask.CompletedTask);
                }
            }
        }

        public static ClientCore CoreOver(HttpSession session, Uri baseAddress) =>
            new(new TypedHttpClientOptions { BaseAddress = baseAddress, Session = session, JsonSerializerOptions = JsonBodyContext.Default.Options }, "Tests.IItems");

        private static Served Scripted(byte[] response, bool close, Action<HttpSessionOptions>? configure)
        {
            var server = ScriptedServer.Start(async c =>
            {
                await c.ReadRequestAsync();
                await c.SendAsync(response);
                if (close)
                {
                    c.Close();
                }
                else
                {
                    await c.WaitForClientCloseAsync();
                }
            });
            HttpSession session = Engine.EngineTest.Session(configure);
            return new Served(CoreOver(session, server.Uri("/")), server.Uri("/items"), async () =>
            {
                session.Dispose();
                await server.DisposeAsync();
            });
        }

        public static byte[] ChunkedResponse(byte[] body, string contentType, string extraHeaders = "")
        {
            var wire = new MemoryStream();
            wire.Write(Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\n{extraHeaders}Transfer-Encoding: chunked\r\n\r\n"));
            for (int offset = 0; offset < body.Length; offset += 1000)
            {
                int n = Math.Min(1000, body.Length - offset);
                wire.Write(Encoding.Latin1.GetBytes($"{n:x}\r\n"));
                wire.Write(body, offset, n);
                wire.Write("\r\n"u8);
            }
            wire.Write("0\r\n\r\n"u8);
            return wire.ToArray();
        }

        private static async Task WritePiecesAsync(HttpContext context, byte[] body, string contentType)
        {
            context.Response.ContentType = contentType;
            for (int offset = 0; offset < body.Length; offset += 1500)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(1500, body.Length - offset)));
                await context.Response.Body.FlushAsync();
            }
        }
    }

    /// <summary>
    /// A body of unknown length from another transport: no Length, a few bytes a read, and, when cut short, the
    /// transport's ResponseTruncated after the bytes it had.
    /// </summary>
    private sealed class PieceStream(byte[] bytes, int pieceSize, bool truncate) : Stream
    {
        private readonly int _length = truncate ? bytes.Length / 2 : bytes.Length;
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position == _length && truncate)
            {
                throw new TypedHttpException(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, "The transport's body ended before its last chunk.");
            }
            int n = Math.Min(Math.Min(buffer.Length, pieceSize), _length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
