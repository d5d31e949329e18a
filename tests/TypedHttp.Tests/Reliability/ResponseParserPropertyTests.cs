using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CsCheck;

namespace TypedHttp.Tests.Reliability;

/// <summary>
/// Property tests of the response parser and the chunked decoder, driven through the real engine over loopback
/// (<see cref="ReplayServer"/>): generated responses, sent in generated slices, decode to exactly what was encoded;
/// a response cut anywhere is never reported as complete; limits hold to the byte; damaged responses end in a
/// response or a <see cref="TypedHttpException"/>, never another exception and never a wait.
/// </summary>
public sealed class ResponseParserPropertyTests : IAsyncLifetime
{
    private const int Iterations = 250;
    private readonly ReplayServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpSession NewSession(Action<HttpSessionOptions>? configure = null) =>
        Engine.EngineTest.Session(options =>
        {
            options.ReceiveResponseTimeout = TimeSpan.FromSeconds(5);
            options.RedirectPolicy = RedirectPolicy.Never;
            options.UseCookies = false;
            configure?.Invoke(options);
        });

    /// <summary>What one exchange produced: the response (or null), the body bytes read before the end or the failure, and the failure.</summary>
    private sealed record Outcome(TypedHttpResponse? Response, byte[] Body, TypedHttpException? Failure);

    private static async Task<Outcome> FetchAsync(HttpSession session, Uri uri, string method = "GET")
    {
        var body = new MemoryStream();
        TypedHttpResponse? response = null;
        try
        {
            response = await session.SendAsync(new TypedHttpRequest(method, uri));
            byte[] buffer = new byte[1024];
            int n;
            while ((n = await response.Body.ReadAsync(buffer)) > 0)
            {
                body.Write(buffer, 0, n);
            }
            await response.DisposeAsync();
            return new Outcome(response, body.ToArray(), null);
        }
        catch (TypedHttpException e)
        {
            if (response is not null)
            {
                await response.DisposeAsync();
            }
            return new Outcome(response, body.ToArray(), e);
        }
    }

    // ------------------------------------------------------------------ generators

    private static readonly Gen<int[]> Slices = Gen.Int[1, 64].Array[1, 8];

    private static readonly Gen<string> Token = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~"], 1, 12];

    /// <summary>Field values the engine must keep byte for byte: visible Latin-1 with inner SP/HTAB, no leading or trailing whitespace.</summary>
    private static readonly Gen<string> FieldValue =
        Gen.Char.Where(c => (c > 0x20 && c < 0x7F) || (c >= 0x80 && c <= 0xFF)).Array[0, 20]
            .Select(Gen.Int[0, 20], Gen.Bool, (chars, at, tab) =>
            {
                string s = new(chars);
                return s.Length < 2 ? s : s.Insert(1 + at % (s.Length - 1), tab ? "\t" : " ");
            });

    /// <summary>One chunk's encoding choices: the size in hex case, leading zeros, an extension and the line end.</summary>
    private sealed record ChunkStyle(bool Upper, int Zeros, string? Extension, bool BareLf);

    private static readonly Gen<ChunkStyle> Style =
        Gen.Select(Gen.Bool, Gen.Int[0, 3], Gen.OneOf<string?>(null, ";a=b", " ; x", ";q=\"a;b\"", "\t;ext"), Gen.Int[0, 4],
            (upper, zeros, ext, lf) => new ChunkStyle(upper, zeros, ext, lf == 0));

    private static byte[] EncodeChunked(byte[] body, int[] cuts, ChunkStyle[] styles, List<KeyValuePair<string, string>> trailers)
    {
        var output = new MemoryStream();
        void Ascii(string s) => output.Write(Encoding.Latin1.GetBytes(s));
        Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        int offset = 0, i = 0;
        while (offset < body.Length)
        {
            int size = Math.Min(body.Length - offset, Math.Max(1, cuts[i % cuts.Length]));
            ChunkStyle s = styles[i % styles.Length];
            string eol = s.BareLf ? "\n" : "\r\n";
            Ascii(new string('0', s.Zeros) + size.ToString(s.Upper ? "X" : "x", CultureInfo.InvariantCulture) + (s.Extension ?? "") + eol);
            output.Write(body, offset, size);
            Ascii(eol);
            offset += size;
            i++;
        }
        Ascii("0\r\n");
        foreach (KeyValuePair<string, string> t in trailers)
        {
            Ascii($"{t.Key}: {t.Value}\r\n");
        }
        Ascii("\r\n");
        return output.ToArray();
    }

    private static readonly Gen<List<KeyValuePair<string, string>>> Trailers =
        Gen.Select(Token, FieldValue, (n, v) => (n, v)).Array[0, 3]
            .Select(a => a.Select((t, i) => new KeyValuePair<string, string>($"T{i}-{t.n}", t.v)).ToList());

    // ------------------------------------------------------------------ properties

    [Fact]
    public async Task Any_body_chunked_any_way_and_sent_in_any_slices_decodes_to_itself_with_its_trailers()
    {
        using HttpSession session = NewSession();
        await Gen.Select(Gen.Byte.Array[0, 3000], Gen.Int[1, 700].Array[1, 6], Style.Array[1, 4], Trailers, Slices)
            .SampleAsync(async (body, cuts, styles, trailers, slices) =>
            {
                byte[] raw = EncodeChunked(body, cuts, styles, trailers);
                Outcome o = await FetchAsync(session, _server.Add(raw, slices));
                Assert.Null(o.Failure);
                Assert.Equal(body, o.Body);
                Assert.Equal(trailers.Count, o.Response!.Trailers.Count);
                foreach (KeyValuePair<string, string> t in trailers)
                {
                    Assert.Equal(t.Value, o.Response.Trailers.GetValue(t.Key));
                }
            }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task A_chunked_response_cut_anywhere_in_its_body_is_ResponseTruncated_and_never_reported_complete()
    {
        using HttpSession session = NewSession();
        await Gen.Select(Gen.Byte.Array[1, 2000], Gen.Int[1, 500].Array[1, 4], Style.Array[1, 3], Gen.Double[0, 1], Slices)
            .SampleAsync(async (body, cuts, styles, where, slices) =>
            {
                byte[] raw = EncodeChunked(body, cuts, styles, new());
                int headLength = raw.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
                // Anywhere from the first byte after the head to just before the final CRLF of the last chunk.
                int cut = headLength + (int)(where * (raw.Length - 1 - headLength));
                Outcome o = await FetchAsync(session, _server.Add(raw[..cut], slices));
                Assert.NotNull(o.Failure);
                Assert.True(o.Failure!.Error == HttpError.ResponseTruncated && o.Failure.Phase == HttpPhase.ReceiveBody, $"{o.Failure.Error}/{o.Failure.Phase} at {cut} of {raw.Length}");
                Assert.True(o.Body.Length <= body.Length && body.AsSpan(0, o.Body.Length).SequenceEqual(o.Body), "the bytes delivered are a prefix of the body");
            }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task A_Content_Length_body_round_trips_and_any_cut_is_ResponseTruncated_with_a_true_prefix()
    {
        using HttpSession session = NewSession();
        await Gen.Select(Gen.Byte.Array[0, 4000], Gen.Double[0, 1.2], Slices)
            .SampleAsync(async (body, where, slices) =>
            {
                byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n");
                int keep = where >= 1 ? body.Length : (int)(where * body.Length);
                Outcome o = await FetchAsync(session, _server.Add([.. head, .. body.AsSpan(0, keep)], slices));
                if (keep == body.Length)
                {
                    Assert.Null(o.Failure);
                    Assert.Equal(body, o.Body);
                }
                else
                {
                    Assert.True(o.Failure is { Error: HttpError.ResponseTruncated, Phase: HttpPhase.ReceiveBody }, o.Failure?.ToString() ?? "no failure on a truncated body");
                    Assert.Equal(body.AsSpan(0, o.Body.Length).ToArray(), o.Body);
                    Assert.True(o.Body.Length <= keep);
                }
            }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task Any_status_line_and_header_fields_parse_to_exactly_what_was_sent()
    {
        using HttpSession session = NewSession();
        Gen<List<KeyValuePair<string, string>>> fields = Gen.Select(Token, FieldValue, Gen.OneOf("", " ", "\t", "  "), Gen.OneOf("", " ", "\t"),
            (n, v, before, after) => new KeyValuePair<string, string>($"X-{n}:{before}{v}{after}", v)).List[0, 12];
        Gen<string> reason = Gen.Char.Where(c => c == ' ' || c == '\t' || (c > 0x20 && c < 0x7F) || (c >= 0x80 && c <= 0xFF)).Array[0, 30].Select(a => new string(a));
        await Gen.Select(Gen.Int[200, 599], reason, fields, Gen.Bool, Slices)
            .SampleAsync(async (status, phrase, lines, bareLf, slices) =>
            {
                if (status is 204 or 304)
                {
                    status = 200;
                }
                string eol = bareLf ? "\n" : "\r\n";
                var text = new StringBuilder($"HTTP/1.1 {status} {phrase}{eol}");
                foreach (KeyValuePair<string, string> line in lines)
                {
                    text.Append(line.Key).Append(eol);
                }
                text.Append("Content-Length: 0").Append(eol).Append(eol);
                Outcome o = await FetchAsync(session, _server.Add(Encoding.Latin1.GetBytes(text.ToString()), slices));
                Assert.Null(o.Failure);
                TypedHttpResponse r = o.Response!;
                Assert.Equal(status, r.StatusCode);
                Assert.Equal(phrase, r.ReasonPhrase);
                Assert.Equal(lines.Count + 1, r.Headers.Count);
                int i = 0;
                foreach (KeyValuePair<string, string> field in r.Headers)
                {
                    if (i < lines.Count)
                    {
                        Assert.Equal(lines[i].Key[..lines[i].Key.IndexOf(':')], field.Key, ignoreCase: true);
                        Assert.Equal(lines[i].Value, field.Value);
                    }
                    i++;
                }
            }, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task The_head_size_limit_holds_to_the_byte()
    {
        await Gen.Select(Gen.Int[64, 2048], Gen.Int[0, 40].Array[0, 30], Gen.Int[-3, 3])
            .SampleAsync(async (limit, sizes, nudge) =>
            {
                var text = new StringBuilder("HTTP/1.1 200 OK\r\n");
                for (int i = 0; i < sizes.Length; i++)
                {
                    text.Append("X-").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": ").Append('v', sizes[i]).Append("\r\n");
                }
                text.Append("Content-Length: 0\r\n\r\n");
                int headLength = text.Length;
                // Aim near the boundary half of the time.
                int max = nudge == 0 ? limit : Math.Max(1, headLength + nudge);
                using HttpSession session = NewSession(o => o.MaxResponseHeadersLength = max);
                Outcome o = await FetchAsync(session, _server.Add(Encoding.ASCII.GetBytes(text.ToString())));
                if (headLength <= max)
                {
                    Assert.Null(o.Failure);
                }
                else
                {
                    Assert.True(o.Failure is { Error: HttpError.HeaderSizeOverflow, Phase: HttpPhase.ReceiveHeaders }, $"head {headLength} limit {max}: {o.Failure?.Error}");
                }
            }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task The_chunk_size_line_limit_holds_to_the_byte()
    {
        await Gen.Select(Gen.Int[8, 200], Gen.Int[0, 220], Gen.Bool)
            .SampleAsync(async (limit, extension, bareLf) =>
            {
                string eol = bareLf ? "\n" : "\r\n";
                string sizeLine = "5;" + new string('e', extension) + eol;
                string raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + sizeLine + "hello\r\n0\r\n\r\n";
                using HttpSession session = NewSession(o => o.MaxChunkSizeLineLength = limit);
                Outcome o = await FetchAsync(session, _server.Add(Encoding.ASCII.GetBytes(raw)));
                if (sizeLine.Length <= limit)
                {
                    Assert.Null(o.Failure);
                    Assert.Equal("hello"u8.ToArray(), o.Body);
                }
                else
                {
                    Assert.True(o.Failure is { Error: HttpError.ChunkedEncodingHeaderSizeOverflow, Phase: HttpPhase.ReceiveBody }, $"line {sizeLine.Length} limit {limit}: {o.Failure?.Error}");
                    Assert.Empty(o.Body);
                }
            }, iter: 150, threads: 1);
    }

    private static readonly string[] ValidResponses =
    [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n5\r\nhello\r\n6;e=1\r\n world\r\n0\r\nT: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.0 200 OK\r\nServer: s\r\n\r\nto the close",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    ];

    private static readonly byte[] Nasty = "\r\n\0 \t:;-0123456789abcdefABCDEF,\"\x7f\xff"u8.ToArray();

    /// <summary>A mutation: 0 flip a byte, 1 insert a nasty byte, 2 delete a range, 3 duplicate a range, 4 truncate.</summary>
    private static byte[] Mutate(byte[] bytes, (int Kind, double At, double Length, int Pick)[] mutations)
    {
        var list = new List<byte>(bytes);
        foreach ((int kind, double at, double length, int pick) in mutations)
        {
            if (list.Count == 0)
            {
                break;
            }
            int i = (int)(at * (list.Count - 1));
            int n = Math.Min(list.Count - i, 1 + (int)(length * 16));
            switch (kind)
            {
                case 0: list[i] = (byte)pick; break;
                case 1: list.Insert(i, Nasty[pick % Nasty.Length]); break;
                case 2: list.RemoveRange(i, n); break;
                case 3: list.InsertRange(i, list.GetRange(i, n)); break;
                default: list.RemoveRange(i, list.Count - i); break;
            }
        }
        return list.ToArray();
    }

    [Fact]
    public async Task Damaged_responses_end_in_a_response_or_our_error_within_bounded_time_and_never_a_short_body()
    {
        using HttpSession session = NewSession(o =>
        {
            o.ReceiveTimeout = TimeSpan.FromSeconds(3);
            o.ReceiveResponseTimeout = TimeSpan.FromSeconds(3);
        });
        var mutation = Gen.Select(Gen.Int[0, 4], Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[0, 255]);
        await Gen.Select(Gen.Int[0, ValidResponses.Length - 1], mutation.Array[1, 4], Gen.Bool, Slices)
            .SampleAsync(async (which, mutations, head, slices) =>
            {
                byte[] raw = Mutate(Encoding.Latin1.GetBytes(ValidResponses[which]), mutations);
                var clock = Stopwatch.StartNew();
                Outcome o;
                try
                {
                    o = await FetchAsync(session, _server.Add(raw, slices), head ? "HEAD" : "GET");
                }
                catch (Exception e) when (e is not TypedHttpException)
                {
                    throw new Xunit.Sdk.XunitException($"Not our error type for {Convert.ToHexString(raw)}: {e}");
                }
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"took {clock.Elapsed} for {Convert.ToHexString(raw)}");
                Assert.True(o.Failure?.Error != HttpError.Timeout, "the server closed: nothing may wait for more");
                if (o.Failure is null && !head && o.Response!.StatusCode >= 200 && o.Response.StatusCode is not (204 or 304) && o.Response.Headers.GetValue("Transfer-Encoding") is null
                    && o.Response.Headers.GetValue("Content-Length") is string declared && long.TryParse(declared, out long length))
                {
                    Assert.Equal(length, o.Body.Length);
                }
            }, iter: 400, threads: 1);
    }
}
