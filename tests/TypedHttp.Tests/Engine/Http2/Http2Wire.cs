using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Http2.Hpack;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>Helpers for the HTTP/2 wire tests against <see cref="Http2ScriptedServer"/>: h2c sessions, frame waits, HPACK representations, the engine's internals.</summary>
internal static class Http2Wire
{
    /// <summary>
    /// An h2c (prior knowledge) session whose timeouts end a broken case in seconds; a green case never waits for
    /// them, so they leave room for a loaded machine (the whole suite on 2 cores once starved a 4 s read).
    /// </summary>
    public static HttpSession Session(Action<HttpSessionOptions>? configure = null) => EngineTest.Session(o =>
    {
        o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        o.SendTimeout = TimeSpan.FromSeconds(8);
        o.ReceiveTimeout = TimeSpan.FromSeconds(8);
        o.ReceiveResponseTimeout = TimeSpan.FromSeconds(8);
        configure?.Invoke(o);
    });

    /// <summary>A 200 response with <paramref name="body"/> in one DATA frame that ends the stream.</summary>
    public static async Task RespondAsync(this Http2ServerConnection c, int streamId, string body, params (string, string)[] extra)
    {
        await c.SendHeadersAsync(streamId, new[] { (":status", "200") }.Concat(extra), endStream: false);
        await c.SendDataAsync(streamId, Encoding.Latin1.GetBytes(body), endStream: true);
    }

    /// <summary>Reads the next request (it must come) and answers it with <paramref name="body"/>.</summary>
    public static async Task<Http2ReceivedRequest> ServeOneAsync(this Http2ServerConnection c, string body = "ok")
    {
        Http2ReceivedRequest request = await c.ReadRequestAsync() ?? throw new InvalidOperationException("The client closed instead of sending a request.");
        await c.RespondAsync(request.StreamId, body);
        return request;
    }

    /// <summary>
    /// Reads raw frames until one matches; frames in between are only recorded (never HEADERS: their blocks would be
    /// left undecoded and the HPACK table out of step).
    /// </summary>
    public static async Task<Http2ReceivedFrame> ExpectFrameAsync(this Http2ServerConnection c, Func<Http2ReceivedFrame, bool> match, string what)
    {
        while (true)
        {
            Http2ReceivedFrame frame = await c.TryReadFrameAsync() ?? throw new InvalidOperationException($"The client closed the connection before {what}.");
            if (match(frame))
            {
                return frame;
            }
            if (frame.Header.Type is Http2FrameType.Headers or Http2FrameType.Continuation)
            {
                throw new InvalidOperationException($"A {frame} arrived while the script waited for {what}.");
            }
        }
    }

    public static Task<Http2ReceivedFrame> ExpectAsync(this Http2ServerConnection c, Http2FrameType type, int streamId = -1) =>
        c.ExpectFrameAsync(f => f.Header.Type == type && (streamId < 0 || f.Header.StreamId == streamId), $"{Http2Frame.Name(type)}{(streamId < 0 ? "" : $" on stream {streamId}")}");

    /// <summary>Waits for the client's RST_STREAM on <paramref name="streamId"/> and returns its code.</summary>
    public static async Task<Http2ErrorCode> ExpectResetAsync(this Http2ServerConnection c, int streamId) =>
        (Http2ErrorCode)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await c.ExpectAsync(Http2FrameType.RstStream, streamId)).Payload);

    /// <summary>Waits for the client's GOAWAY and returns its code.</summary>
    public static async Task<Http2ErrorCode> ExpectGoAwayAsync(this Http2ServerConnection c) =>
        (Http2ErrorCode)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await c.ExpectAsync(Http2FrameType.GoAway)).Payload.AsSpan(4));

    /// <summary>Waits for the client's SETTINGS ACK (after the script sent SETTINGS mid-connection).</summary>
    public static Task ExpectSettingsAckAsync(this Http2ServerConnection c) =>
        c.ExpectFrameAsync(f => f.Header.Type == Http2FrameType.Settings && f.Header.HasFlag(Http2FrameFlags.Ack), "the SETTINGS ACK");

    /// <summary>The header block (HEADERS + CONTINUATION payloads) the client sent on <paramref name="streamId"/>, first block only.</summary>
    public static byte[] HeaderBlock(this Http2ServerConnection c, int streamId)
    {
        var block = new ArrayBufferWriter<byte>();
        bool inBlock = false;
        foreach (Http2ReceivedFrame f in c.ReceivedFrames)
        {
            if (f.Header.StreamId != streamId)
            {
                continue;
            }
            if (!inBlock && f.Header.Type == Http2FrameType.Headers)
            {
                block.Write(Http2Frame.ReadHeaders(f.Header, f.Payload));
                inBlock = true;
            }
            else if (inBlock && f.Header.Type == Http2FrameType.Continuation)
            {
                block.Write(f.Payload);
            }
            else
            {
                continue;
            }
            if (f.Header.HasFlag(Http2FrameFlags.EndHeaders))
            {
                break;
            }
        }
        return block.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The HPACK representations of a block in order (RFC 7541 §6): "indexed", "incremental", "without", "never", or
    /// "size-update N". Field representations line up with the decoded fields of the request.
    /// </summary>
    public static List<string> Representations(byte[] block)
    {
        var kinds = new List<string>();
        int pos = 0;
        while (pos < block.Length)
        {
            byte b = block[pos];
            if ((b & 0x80) != 0)
            {
                HpackInteger.Read(block, ref pos, 7);
                kinds.Add("indexed");
            }
            else if ((b & 0xC0) == 0x40)
            {
                if (HpackInteger.Read(block, ref pos, 6) == 0)
                {
                    SkipString(block, ref pos);
                }
                SkipString(block, ref pos);
                kinds.Add("incremental");
            }
            else if ((b & 0xE0) == 0x20)
            {
                kinds.Add($"size-update {HpackInteger.Read(block, ref pos, 5)}");
            }
            else
            {
                bool never = (b & 0x10) != 0;
                if (HpackInteger.Read(block, ref pos, 4) == 0)
                {
                    SkipString(block, ref pos);
                }
                SkipString(block, ref pos);
                kinds.Add(never ? "never" : "without");
            }
        }
        return kinds;
    }

    private static void SkipString(byte[] block, ref int pos)
    {
        int length = HpackInteger.Read(block, ref pos, 7);
        pos += length;
    }

    /// <summary>
    /// A header block of literal fields without indexing and without Huffman coding, written byte by byte: names
    /// the encoder would refuse (upper case) included.
    /// </summary>
    public static byte[] RawBlock(params (string Name, string Value)[] fields)
    {
        var block = new List<byte>();
        foreach ((string name, string value) in fields)
        {
            block.Add(0x00);
            foreach (string s in new[] { name, value })
            {
                byte[] bytes = Encoding.Latin1.GetBytes(s);
                if (bytes.Length >= 127)
                {
                    throw new ArgumentException("RawBlock takes strings under 127 octets.");
                }
                block.Add((byte)bytes.Length);
                block.AddRange(bytes);
            }
        }
        return block.ToArray();
    }

    /// <summary>A header block encoded by the server's encoder with the given indexing for every field (hostile names included).</summary>
    public static byte[] Block(this Http2ServerConnection c, HpackIndexing indexing, params (string Name, string Value)[] fields)
    {
        var block = new ArrayBufferWriter<byte>();
        c.Encoder.BeginBlock(block);
        foreach ((string name, string value) in fields)
        {
            c.Encoder.Encode(block, Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value), indexing);
        }
        return block.WrittenSpan.ToArray();
    }

    /// <summary>DATA payload lengths the client sent on <paramref name="streamId"/>, in order.</summary>
    public static List<int> DataLengths(this Http2ServerConnection c, int streamId) =>
        c.ReceivedFrames.Where(f => f.Header.Type == Http2FrameType.Data && f.Header.StreamId == streamId).Select(f => f.Header.Length).ToList();

    /// <summary>The session's HTTP/2 connections (all pools), through the engine's internals.</summary>
    public static Http2Connection[] Connections(HttpSession session)
    {
        var pools = (ConcurrentDictionary<PoolKey, HttpConnectionPool>)typeof(HttpSession).GetField("_pools", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(session)!;
        FieldInfo list = typeof(HttpConnectionPool).GetField("_http2", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var result = new List<Http2Connection>();
        foreach (HttpConnectionPool pool in pools.Values)
        {
            var connections = (List<Http2Connection>)list.GetValue(pool)!;
            lock (pool.GetType().GetField("_lock", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(pool)!)
            {
                result.AddRange(connections);
            }
        }
        return result.ToArray();
    }

    /// <summary>
    /// Serves requests concurrently: one background reader hands each complete request to <paramref name="handler"/>
    /// (run on its own task). Handlers send HEADERS through <see cref="ConcurrentResponder.SendHeadersAsync"/>, which
    /// keeps the server's HPACK encoder in the order of the writes. Returns when <paramref name="count"/> requests were handled
    /// (a negative count: when the client closed the connection).
    /// </summary>
    public static async Task ServeConcurrentlyAsync(this Http2ServerConnection c, int count, Func<ConcurrentResponder, Http2ReceivedRequest, int, Task> handler)
    {
        var responder = new ConcurrentResponder(c);
        var handlers = new List<Task>();
        for (int i = 0; count < 0 || i < count; i++)
        {
            Http2ReceivedRequest? request = await c.ReadRequestAsync();
            if (request is null && count < 0)
            {
                break;
            }
            if (request is null)
            {
                throw new InvalidOperationException($"The client closed after {i} of {count} requests.");
            }
            int index = i;
            handlers.Add(Task.Run(() => handler(responder, request, index)));
        }
        await Task.WhenAll(handlers);
    }
}

/// <summary>Writes responses from several tasks at once while one reader reads (see <see cref="Http2Wire.ServeConcurrentlyAsync"/>).</summary>
internal sealed class ConcurrentResponder(Http2ServerConnection connection)
{
    private readonly SemaphoreSlim _headers = new(1, 1);

    public Http2ServerConnection Connection => connection;

    public async Task SendHeadersAsync(int streamId, IEnumerable<(string, string)> fields, bool endStream)
    {
        await _headers.WaitAsync();
        try
        {
            await connection.SendHeadersAsync(streamId, fields, endStream);
        }
        finally
        {
            _headers.Release();
        }
    }

    public async Task RespondAsync(int streamId, string body)
    {
        await SendHeadersAsync(streamId, [(":status", "200")], endStream: false);
        await connection.SendDataAsync(streamId, Encoding.Latin1.GetBytes(body), endStream: true);
    }
}
