using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
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
            s = codings[i] switch
            {
                Coding.Gzip => new GZipStream(s, CompressionMode.Decompress, leaveOpen: false),
                Coding.Brotli => new BrotliStream(s, CompressionMode.Decompress, leaveOpen: false),
                _ => new DeflateDetectingStream(s),
            };
        }
        decoded = new LimitedDecodingStream(s, counted, limits, description);
        return true;
    }

    private enum Coding : byte
    {
        Unknown,
        Gzip,
        Deflate,
        Brotli,
    }
}

/// <summary>A read-only pass-through stream that counts the bytes read (the encoded size).</summary>
internal sealed class CountingReadStream : ReadOnlyStreamBase
{
    private readonly Stream _inner;

    public CountingReadStream(Stream inner) => _inner = inner;

    public long BytesRead { get; private set; }

    /// <summary>Set when the body stream itself threw: that failure is the transport's, not corrupt compressed data.</summary>
    public bool InnerFailed { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
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
            n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
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
    public ValueTask DisposeInnerAsync() => _inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// "deflate" as servers really send it: RFC 9110 says zlib-wrapped (RFC 1950), some servers send raw deflate
/// (RFC 1951). The first two bytes decide: a valid zlib header (CM = 8, CINFO ≤ 7, header check divisible by 31)
/// means zlib, anything else raw deflate.
/// </summary>
internal sealed class DeflateDetectingStream : ReadOnlyStreamBase
{
    private readonly Stream _inner;
    private Stream? _decoder;

    public DeflateDetectingStream(Stream inner) => _inner = inner;

    public override int Read(Span<byte> buffer)
    {
        if (_decoder is null)
        {
            Span<byte> head = stackalloc byte[2];
            int n = 0;
            while (n < 2)
            {
                int r = _inner.Read(head[n..]);
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
                int r = await _inner.ReadAsync(head.AsMemory(n), cancellationToken).ConfigureAwait(false);
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
        var replay = new PrefixedReadStream(head, _inner);
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
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Replays a few already-read bytes, then reads on from the inner stream.</summary>
internal sealed class PrefixedReadStream : ReadOnlyStreamBase
{
    private readonly byte[] _prefix;
    private readonly Stream _inner;
    private int _offset;

    public PrefixedReadStream(byte[] prefix, Stream inner)
    {
        _prefix = prefix;
        _inner = inner;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_offset < _prefix.Length && !buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _prefix.Length - _offset);
            _prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return _inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset < _prefix.Length && !buffer.IsEmpty)
        {
            return new ValueTask<int>(Read(buffer.Span));
        }
        return _inner.ReadAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// The decoded body handed to the caller: it enforces <see cref="DecompressionLimits"/> and turns corrupt data into
/// our error: a limit gives <see cref="HttpError.DecompressionLimitExceeded"/>, corrupt data
/// <see cref="HttpError.InvalidServerResponse"/>, both in <see cref="HttpPhase.ReceiveBody"/> with a message that
/// names the limit or the coding.
/// </summary>
internal sealed class LimitedDecodingStream : ReadOnlyStreamBase
{
    private readonly Stream _decoder;
    private readonly CountingReadStream _encoded;
    private readonly DecompressionLimits _limits;
    private readonly string _codings;
    private long _decoded;

    public LimitedDecodingStream(Stream decoder, CountingReadStream encoded, DecompressionLimits limits, string codings)
    {
        _decoder = decoder;
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
            n = _decoder.Read(Clamp(buffer));
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
            n = await _decoder.ReadAsync(Clamp(buffer), cancellationToken).ConfigureAwait(false);
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder.Dispose();
        }
        base.Dispose(disposing);
    }

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
