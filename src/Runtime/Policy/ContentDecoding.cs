using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.IO.Hashing;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Policy;

/// <summary>
/// What the bridge stage asks of response decompression (T-7). The session holds an instance only when
/// <see cref="HttpSessionOptions.AutomaticDecompression"/> was turned on, and only that setter creates one: an
/// application that never turns decompression on carries no GZip, Deflate or Brotli code in a trimmed or Native AOT
/// binary (docs/engine.md).
/// </summary>
internal abstract class ResponseDecoder
{
    /// <summary>The Accept-Encoding value sent when decompression is on; it replaces the caller's (T-7, HD-4).</summary>
    public abstract string AcceptEncoding { get; }

    /// <summary>See <see cref="ContentDecoding.TryDecode"/>.</summary>
    /// <param name="headers">The response headers.</param>
    /// <param name="body">The framed (de-chunked) response body.</param>
    /// <param name="limits">The bomb guard.</param>
    /// <param name="decoded">The decoded body; it owns <paramref name="body"/> and disposes it.</param>
    public abstract bool TryDecode(HttpHeaderCollection headers, Stream body, DecompressionLimits limits, out Stream decoded);
}

/// <summary>The decoder of gzip, deflate and br: <see cref="ContentDecoding"/> behind <see cref="ResponseDecoder"/>.</summary>
internal sealed class GzipDeflateBrotliDecoder : ResponseDecoder
{
    /// <summary>The one instance; referenced only where decompression is turned on.</summary>
    public static readonly GzipDeflateBrotliDecoder Instance = new();

    private GzipDeflateBrotliDecoder()
    {
    }

    /// <inheritdoc />
    public override string AcceptEncoding => ContentDecoding.AcceptEncoding;

    /// <inheritdoc />
    public override bool TryDecode(HttpHeaderCollection headers, Stream body, DecompressionLimits limits, out Stream decoded) =>
        ContentDecoding.TryDecode(headers, body, limits, out decoded);
}

/// <summary>
/// Transparent response decompression for the bridge stage (T-7; docs/behaviour.md): gzip (and x-gzip), deflate
/// (zlib-wrapped or raw, detected from the first two bytes), br, and stacked codings, with limits on decoded size
/// and ratio. A body with any coding we do not know (compress, zstd, …) is left alone, headers and all.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The Accept-Encoding value we send when decompression is on; it replaces the caller's (T-7, HD-4).</summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    /// <summary>
    /// When the response's Content-Encoding is one we decode, returns the decoding stream over
    /// <paramref name="body"/> and removes Content-Encoding and Content-Length from <paramref name="headers"/> (T-7).
    /// Otherwise returns false and changes nothing.
    /// </summary>
    /// <param name="headers">The response headers.</param>
    /// <param name="body">The framed (de-chunked) response body.</param>
    /// <param name="limits">The bomb guard.</param>
    /// <param name="decoded">The decoded body; it owns <paramref name="body"/> and disposes it.</param>
    public static bool TryDecode(HttpHeaderCollection headers, Stream body, DecompressionLimits limits, out Stream decoded)
    {
        ArgumentNullException.ThrowIfNull(headers);
        IReadOnlyList<string> values = headers.GetValues("Content-Encoding");
        string? contentEncoding = values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => string.Join(", ", values),
        };
        if (!TryCreateDecodingStream(body, contentEncoding, limits, out decoded))
        {
            return false;
        }
        if (!ReferenceEquals(decoded, body))
        {
            headers.Remove("Content-Encoding");
            headers.Remove("Content-Length");
        }
        return true;
    }

    /// <summary>
    /// Builds the decoding stream for <paramref name="contentEncoding"/> (codings listed in the order they were
    /// applied, RFC 9110 §8.4, so they are undone last first). No coding, or only identity: the body itself.
    /// </summary>
    /// <param name="body">The encoded body.</param>
    /// <param name="contentEncoding">The Content-Encoding value, or null.</param>
    /// <param name="limits">The bomb guard.</param>
    /// <param name="decoded">The stream to read.</param>
    /// <returns>False when a coding is unknown: the body is then to be passed through unchanged.</returns>
    public static bool TryCreateDecodingStream(Stream body, string? contentEncoding, DecompressionLimits limits, out Stream decoded)
    {
        ArgumentNullException.ThrowIfNull(body);
        decoded = body;
        if (string.IsNullOrWhiteSpace(contentEncoding))
        {
            return true;
        }
        Span<Coding> codings = stackalloc Coding[8];
        int count = 0;
        ReadOnlySpan<char> list = contentEncoding;
        foreach (Range r in list.Split(','))
        {
            ReadOnlySpan<char> token = list[r].Trim(" \t");
            if (token.IsEmpty || token.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            Coding c = token.Equals("gzip", StringComparison.OrdinalIgnoreCase) || token.Equals("x-gzip", StringComparison.OrdinalIgnoreCase) ? Coding.Gzip
                : token.Equals("deflate", StringComparison.OrdinalIgnoreCase) ? Coding.Deflate
                : token.Equals("br", StringComparison.OrdinalIgnoreCase) ? Coding.Brotli
                : Coding.Unknown;
            if (c == Coding.Unknown || count == codings.Length)
            {
                return false; // unknown coding, or an absurd stack: leave the body alone
            }
            codings[count++] = c;
        }
        if (count == 0)
        {
            return true;
        }
        var counted = new CountingReadStream(body);
        Stream s = counted;
        string description = contentEncoding.Trim();
        for (int i = count - 1; i >= 0; i--)
        {
            // T-8: every layer checks that its coded data reached its own end, since the .NET decoders report the end
            // of their input as the end of the data.
            var input = new EncodedTail(s, trackGzipHeaders: codings[i] == Coding.Gzip);
            s = codings[i] switch
            {
                Coding.Gzip => new CodingEndCheckStream(new GZipStream(input, CompressionMode.Decompress, leaveOpen: false), input, zlib: null),
                Coding.Brotli => new BrotliDecodingStream(input),
                _ => new CodingEndCheckStream(new DeflateDetectingStream(input), input, zlib: true),
            };
        }
        decoded = new LimitedDecodingStream(s, counted, limits, description);
        return true;
    }

    /// <summary>The error of a coded body that stops before its coding's end (T-8).</summary>
    /// <param name="coding">The coding whose data is incomplete.</param>
    /// <param name="detail">What was missing.</param>
    internal static TypedHttpException Truncated(string coding, string detail) =>
        new(HttpError.ResponseTruncated, HttpPhase.ReceiveBody,
            $"The response body ended inside its {coding} data ({detail}): the server sent an incomplete body, so it is not returned short.");

    private enum Coding : byte
    {
        Unknown,
        Gzip,
        Deflate,
        Brotli,
    }
}

/// <summary>A read-only pass-through stream that counts the bytes read (the encoded size).</summary>
internal sealed class CountingReadStream : ReadOnlyWrapperStream
{

    public CountingReadStream(Stream inner)
        : base(inner)
    {
    }

    public long BytesRead { get; private set; }

    /// <summary>Set when the body stream itself threw: that failure is the transport's, not corrupt compressed data.</summary>
    public bool InnerFailed { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(buffer);
        }
        catch (Exception) when (MarkFailed())
        {
            throw; // not reached: the filter returns false and the exception flows on unchanged
        }
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (MarkFailed())
        {
            throw;
        }
        BytesRead += n;
        return n;
    }

    private bool MarkFailed()
    {
        InnerFailed = true;
        return false;
    }

    /// <summary>Disposes the encoded body asynchronously: an engine body drains what is left, so its connection is reused (T-6).</summary>
    public ValueTask DisposeInnerAsync() => Inner.DisposeAsync();
}

/// <summary>
/// "deflate" as servers really send it: RFC 9110 says zlib-wrapped (RFC 1950), some servers send raw deflate
/// (RFC 1951). The first two bytes decide: a valid zlib header (CM = 8, CINFO ≤ 7, header check divisible by 31)
/// means zlib, anything else raw deflate.
/// </summary>
internal sealed class DeflateDetectingStream : ReadOnlyWrapperStream
{
    private Stream? _decoder;

    public DeflateDetectingStream(Stream inner)
        : base(inner)
    {
    }

    /// <summary>True once the first bytes said zlib (RFC 1950, which ends with an Adler-32 the end check compares), false for raw deflate.</summary>
    public bool IsZlib { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (_decoder is null)
        {
            Span<byte> head = stackalloc byte[2];
            int n = 0;
            while (n < 2)
            {
                int r = Inner.Read(head[n..]);
                if (r == 0)
                {
                    break;
                }
                n += r;
            }
            _decoder = CreateDecoder(head[..n].ToArray());
        }
        return _decoder.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_decoder is null)
        {
            byte[] head = new byte[2];
            int n = 0;
            while (n < 2)
            {
                int r = await Inner.ReadAsync(head.AsMemory(n), cancellationToken).ConfigureAwait(false);
                if (r == 0)
                {
                    break;
                }
                n += r;
            }
            _decoder = CreateDecoder(n == 2 ? head : head[..n]);
        }
        return await _decoder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    private Stream CreateDecoder(byte[] head)
    {
        if (head.Length == 0)
        {
            return Null; // an empty body decodes to nothing
        }
        bool zlib = head.Length == 2 && (head[0] & 0x0F) == 8 && (head[0] >> 4) <= 7 && ((head[0] << 8) | head[1]) % 31 == 0;
        IsZlib = zlib;
        var replay = new PrefixedReadStream(head, Inner);
        return zlib ? new ZLibStream(replay, CompressionMode.Decompress) : new DeflateStream(replay, CompressionMode.Decompress);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_decoder is not null)
            {
                _decoder.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// The coded input of one decoding layer (T-8): passes the bytes through and keeps how many there were, the last
/// eight (where gzip and zlib put their checks) and, for gzip, whether a later gzip member header appeared.
/// </summary>
internal sealed class EncodedTail : ReadOnlyWrapperStream
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b, 0x08];

    private readonly bool _trackGzipHeaders;
    private readonly byte[] _last = new byte[8];

    public EncodedTail(Stream inner, bool trackGzipHeaders)
        : base(inner)
    {
        _trackGzipHeaders = trackGzipHeaders;
    }

    /// <summary>The coded bytes read so far.</summary>
    public long Count { get; private set; }

    /// <summary>Whether the bytes after the first held another gzip member header (RFC 1952 §2.2, several members).</summary>
    public bool SawLaterGzipHeader { get; private set; }

    /// <summary>The last eight coded bytes (fewer at the start when <see cref="Count"/> is below eight).</summary>
    public ReadOnlySpan<byte> Last => _last.AsSpan(8 - (int)Math.Min(8, Count));

    public override int Read(Span<byte> buffer)
    {
        int n = Inner.Read(buffer);
        Observe(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..n]);
        return n;
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (_trackGzipHeaders && !SawLaterGzipHeader)
        {
            SawLaterGzipHeader = Count == 0 ? data[1..].IndexOf(GzipMagic) >= 0 : data.IndexOf(GzipMagic) >= 0 || StraddlesSeam(data);
        }
        if (data.Length >= 8)
        {
            data[^8..].CopyTo(_last);
        }
        else
        {
            _last.AsSpan(data.Length).CopyTo(_last);
            data.CopyTo(_last.AsSpan(8 - data.Length));
        }
        Count += data.Length;
    }

    // A header that starts in the (up to two) bytes kept from the reads before and ends in this one.
    private bool StraddlesSeam(ReadOnlySpan<byte> data)
    {
        int before = (int)Math.Min(2, Count);
        int after = Math.Min(2, data.Length);
        Span<byte> seam = stackalloc byte[4];
        _last.AsSpan(8 - before).CopyTo(seam);
        data[..after].CopyTo(seam[before..]);
        int at = seam[..(before + after)].IndexOf(GzipMagic);
        return at >= 0 && at < before;
    }
}

/// <summary>
/// T-8: the end of a gzip or zlib layer. GZipStream, ZLibStream and DeflateStream return the end of their input as
/// the end of the data, so a body cut inside its compressed data (while the framing below says it is whole) would
/// read as a shorter body. This stream hashes what the decoder returns and, when the decoder ends, compares the
/// check the format puts last: gzip's CRC-32 and length (RFC 1952 §2.3.1), zlib's Adler-32 (RFC 1950 §2.2). Raw
/// deflate (RFC 1951) ends with no check, so nothing can be compared there (docs/engine.md, "Known limits").
/// </summary>
internal sealed class CodingEndCheckStream : ReadOnlyWrapperStream
{
    private const uint AdlerModulus = 65521;

    private readonly EncodedTail _input;
    private readonly bool _deflate;
    private readonly Crc32? _crc;
    private uint _adlerA = 1;
    private uint _adlerB;
    private long _length;
    private bool _ended;

    /// <param name="decoder">The decoder reading <paramref name="input"/>.</param>
    /// <param name="input">The layer's coded input.</param>
    /// <param name="zlib">True for "deflate" (checked when its first bytes say zlib); null for gzip.</param>
    public CodingEndCheckStream(Stream decoder, EncodedTail input, bool? zlib)
        : base(decoder)
    {
        _input = input;
        _deflate = zlib is not null;
        _crc = _deflate ? null : new Crc32();
    }

    public override int Read(Span<byte> buffer)
    {
        int n = Inner.Read(buffer);
        Account(buffer[..n], buffer.IsEmpty);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n], buffer.IsEmpty);
        return n;
    }

    private void Account(ReadOnlySpan<byte> data, bool askedForNothing)
    {
        if (!data.IsEmpty)
        {
            _length += data.Length;
            if (_crc is not null)
            {
                _crc.Append(data);
            }
            else if (((DeflateDetectingStream)Inner).IsZlib)
            {
                Adler(data);
            }
        }
        else if (!askedForNothing && !_ended)
        {
            _ended = true;
            CheckEnd();
        }
    }

    private void CheckEnd()
    {
        if (_input.Count == 0)
        {
            return; // an empty body decodes to nothing (a coded empty body is common for 204-like answers)
        }
        ReadOnlySpan<byte> last = _input.Last;
        if (_deflate)
        {
            if (!((DeflateDetectingStream)Inner).IsZlib)
            {
                return;
            }
            uint adler = (_adlerB << 16) | _adlerA;
            if (last.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(last[^4..]) != adler)
            {
                throw ContentDecoding.Truncated("deflate", $"no Adler-32 for the {_length} bytes decoded at its end");
            }
            return;
        }
        if (last.Length < 8)
        {
            throw ContentDecoding.Truncated("gzip", "shorter than a gzip trailer");
        }
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(last);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(last[4..]);
        if (crc == _crc!.GetCurrentHashAsUInt32() && size == unchecked((uint)_length))
        {
            return;
        }
        // Several members: the decoder checked each member's trailer as it passed it, and the whole output's CRC is
        // not the last member's. What can still be seen is that the last eight bytes are a plausible trailer.
        if (_input.SawLaterGzipHeader && size <= _length)
        {
            return;
        }
        throw ContentDecoding.Truncated("gzip", $"no trailer with the CRC-32 and length of the {_length} bytes decoded at its end");
    }

    // RFC 1950 §8.2, with the modulo taken once per 5552 bytes (the most that cannot overflow 32 bits).
    private void Adler(ReadOnlySpan<byte> data)
    {
        uint a = _adlerA;
        uint b = _adlerB;
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, 5552);
            foreach (byte x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= AdlerModulus;
            b %= AdlerModulus;
            data = data[n..];
        }
        _adlerA = a;
        _adlerB = b;
    }
}

/// <summary>
/// br through <see cref="BrotliDecoder"/> rather than BrotliStream, because the decoder says whether the data reached
/// its end (<see cref="OperationStatus.Done"/>) or wanted more when the body ended (T-8): the latter is a truncated
/// body, not a short one.
/// </summary>
internal sealed class BrotliDecodingStream : ReadOnlyWrapperStream
{
    private BrotliDecoder _decoder;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private long _read;
    private bool _done;

    public BrotliDecodingStream(Stream inner)
        : base(inner)
    {
    }

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (Decode(buffer, out int written))
            {
                return written;
            }
            int n = Inner.Read(Room());
            if (n == 0)
            {
                return End();
            }
            Filled(n);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (Decode(buffer.Span, out int written))
            {
                return written;
            }
            int n = await Inner.ReadAsync(RoomMemory(), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return End();
            }
            Filled(n);
        }
    }

    // True when the read has its answer (bytes, or the end); false when the decoder needs more input.
    private bool Decode(Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.IsEmpty || _done)
        {
            return true;
        }
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        OperationStatus status = _decoder.Decompress(_buffer.AsSpan(_start, _end - _start), destination, out int consumed, out written);
        _start += consumed;
        switch (status)
        {
            case OperationStatus.Done:
                _done = true;
                return true;
            case OperationStatus.InvalidData:
                throw new InvalidDataException("The decoder found invalid brotli data.");
            case OperationStatus.DestinationTooSmall:
                return true;
            default:
                return written > 0;
        }
    }

    private Span<byte> Room() => RoomMemory().Span;

    private Memory<byte> RoomMemory()
    {
        byte[] buffer = _buffer!;
        if (_start > 0)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == buffer.Length)
        {
            throw new InvalidDataException("The brotli decoder took no input from a full buffer.");
        }
        return buffer.AsMemory(_end);
    }

    private void Filled(int n)
    {
        _end += n;
        _read += n;
    }

    private int End()
    {
        if (_read == 0)
        {
            _done = true;
            return 0; // an empty body decodes to nothing
        }
        throw ContentDecoding.Truncated("br", $"the brotli stream wanted more after {_read} bytes");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder.Dispose();
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
        base.Dispose(disposing);
    }
}

/// <summary>Replays a few already-read bytes, then reads on from the inner stream.</summary>
internal sealed class PrefixedReadStream : ReadOnlyWrapperStream
{
    private ReadOnlyMemory<byte> _prefix;

    /// <param name="prefix">The bytes already read.</param>
    /// <param name="inner">The rest of the stream.</param>
    /// <param name="leaveOpen">Whether disposing this stream leaves <paramref name="inner"/> open.</param>
    public PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream inner, bool leaveOpen = false)
        : base(inner, leaveOpen)
    {
        _prefix = prefix;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty || buffer.IsEmpty)
        {
            return Inner.Read(buffer);
        }
        int n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty || buffer.IsEmpty)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }
        return new ValueTask<int>(Read(buffer.Span));
    }
}

/// <summary>
/// The decoded body handed to the caller: it enforces <see cref="DecompressionLimits"/> and turns corrupt data into
/// our error: a limit gives <see cref="HttpError.DecompressionLimitExceeded"/>, corrupt data
/// <see cref="HttpError.InvalidServerResponse"/>, both in <see cref="HttpPhase.ReceiveBody"/> with a message that
/// names the limit or the coding.
/// </summary>
internal sealed class LimitedDecodingStream : ReadOnlyWrapperStream
{
    private readonly CountingReadStream _encoded;
    private readonly DecompressionLimits _limits;
    private readonly string _codings;
    private long _decoded;

    public LimitedDecodingStream(Stream decoder, CountingReadStream encoded, DecompressionLimits limits, string codings)
        : base(decoder)
    {
        _encoded = encoded;
        _limits = limits;
        _codings = codings;
    }

    /// <summary>The decoded bytes returned so far.</summary>
    public long DecodedBytes => _decoded;

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = Inner.Read(Clamp(buffer));
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw Corrupt(e);
        }
        return Account(n);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await Inner.ReadAsync(Clamp(buffer), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw Corrupt(e);
        }
        return Account(n);
    }

    // Never decode more than one byte past the limit, so the check fires before the caller sees too much.
    private Span<byte> Clamp(Span<byte> buffer) => buffer.Length > Room ? buffer[..(int)Room] : buffer;

    private Memory<byte> Clamp(Memory<byte> buffer) => buffer.Length > Room ? buffer[..(int)Room] : buffer;

    private long Room => _limits.MaxDecodedBytes == long.MaxValue ? int.MaxValue : Math.Max(1, _limits.MaxDecodedBytes - _decoded + 1);

    private int Account(int n)
    {
        _decoded += n;
        if (_decoded > _limits.MaxDecodedBytes)
        {
            throw new TypedHttpException(HttpError.DecompressionLimitExceeded, HttpPhase.ReceiveBody,
                $"The response body ({_codings}) decompresses to more than {_limits.MaxDecodedBytes} bytes, the decompression size limit; reading stopped.");
        }
        if (_limits.MaxRatio > 0 && _decoded > DecompressionLimits.RatioGraceBytes && _decoded > _limits.MaxRatio * Math.Max(1, _encoded.BytesRead))
        {
            throw new TypedHttpException(HttpError.DecompressionLimitExceeded, HttpPhase.ReceiveBody,
                $"The response body ({_codings}) expands more than {_limits.MaxRatio} times ({_encoded.BytesRead} bytes became over {_decoded}), the decompression ratio limit; reading stopped.");
        }
        return n;
    }

    // Any failure of the decoders that the body stream did not cause is corrupt data: GZipStream, DeflateStream and
    // ZLibStream throw InvalidDataException or (for some inputs, found by PolicyPropertyTests) the non-public
    // ZLibException; BrotliStream throws InvalidOperationException. Transport failures and cancellation flow on as they are.
    private bool IsCorruptData(Exception e) =>
        !_encoded.InnerFailed
        && e is not OperationCanceledException and not TypedHttpException and not ObjectDisposedException and not OutOfMemoryException;

    private TypedHttpException Corrupt(Exception e) =>
        new(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody, $"The response body is not valid {_codings} data: {e.Message}", e);

    /// <summary>
    /// Drains the framed body underneath first (within <see cref="HttpSessionOptions.MaxResponseDrainSize"/> of
    /// encoded bytes, T-6), as a plain body's <c>DisposeAsync</c> does, so that the connection goes back to the pool;
    /// then disposes the decoders. The synchronous <see cref="Stream.Dispose()"/> closes an unfinished connection instead.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await _encoded.DisposeInnerAsync().ConfigureAwait(false);
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>A read-only stream over another one, which it owns and disposes unless told to leave it open.</summary>
internal abstract class ReadOnlyWrapperStream : ReadOnlyStreamBase
{
    private readonly bool _leaveOpen;

    protected ReadOnlyWrapperStream(Stream inner, bool leaveOpen = false)
    {
        Inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The stream read from, disposed with this one.</summary>
    protected Stream Inner { get; }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            Inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>The non-seekable, read-only plumbing shared by the decoding streams.</summary>
internal abstract class ReadOnlyStreamBase : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public sealed override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
