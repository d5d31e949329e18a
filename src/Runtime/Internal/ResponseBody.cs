using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// Reads a whole response body as bytes or text, whatever its framing. A body whose bytes are all at hand (already
/// received into the connection's buffer, or held by a memory stream) is taken in place; a body of known length is
/// read into an array of exactly that length; anything else (chunked, read to close, decoded, another transport's
/// stream) is collected into one pooled buffer that grows as it fills, then copied or decoded once.
/// </summary>
internal static class ResponseBody
{
    /// <summary>The first buffer for a body of unknown length: a typical JSON response fits, one rent from the pool.</summary>
    internal const int UnknownLengthCapacity = 16 * 1024;

    /// <summary>The first buffer's size for a body announced as <paramref name="lengthHint"/> bytes (-1: not announced).</summary>
    /// <remarks>
    /// One byte more than announced, so that the read that sees the end needs no second buffer; never more than
    /// <see cref="JsonBody.MaxBufferedLength"/>, since the announcement is not trusted (a decoded body, a wrong header).
    /// </remarks>
    internal static int InitialCapacity(long lengthHint) =>
        lengthHint < 0 ? UnknownLengthCapacity : (int)Math.Min(lengthHint + 1, JsonBody.MaxBufferedLength);

    public static ValueTask<byte[]> ReadBytesAsync(Stream body, long lengthHint, CancellationToken cancellationToken)
    {
        switch (body)
        {
            case ContentLengthBodyStream framed:
                if (framed.TryPeekRest(out ReadOnlyMemory<byte> rest))
                {
                    byte[] bytes = rest.ToArray();
                    framed.ConsumeBuffered();
                    return new ValueTask<byte[]>(bytes);
                }
                if (framed.Remaining <= Array.MaxLength)
                {
                    return ReadExactlyAsync(framed, (int)framed.Remaining, cancellationToken);
                }
                break;
            case MemoryStream memory when memory.TryGetBuffer(out ArraySegment<byte> segment):
            {
                int position = (int)memory.Position;
                byte[] bytes = segment.AsSpan(position, Math.Max(0, (int)memory.Length - position)).ToArray();
                memory.Position = memory.Length;
                return new ValueTask<byte[]>(bytes);
            }
        }
        return CollectBytesAsync(body, lengthHint, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<byte[]> ReadExactlyAsync(ContentLengthBodyStream body, int length, CancellationToken cancellationToken)
    {
        byte[] bytes = length == 0 ? Array.Empty<byte>() : new byte[length];
        // A body cut short throws ResponseTruncated from the body stream itself.
        await body.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<byte[]> CollectBytesAsync(Stream body, long lengthHint, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(InitialCapacity(lengthHint));
        await buffer.ReadToEndAsync(body, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The whole body as text in <paramref name="encoding"/>; a byte order mark wins, as with <see cref="StreamReader"/>.</summary>
    public static ValueTask<string> ReadTextAsync(Stream body, Encoding encoding, long lengthHint, CancellationToken cancellationToken)
    {
        switch (body)
        {
            case ContentLengthBodyStream framed when framed.TryPeekRest(out ReadOnlyMemory<byte> rest):
            {
                // Decode before consuming: consuming may hand the connection (and its buffer) to another request.
                string text = Decode(rest.Span, encoding);
                framed.ConsumeBuffered();
                return new ValueTask<string>(text);
            }
            case MemoryStream memory when memory.TryGetBuffer(out ArraySegment<byte> segment):
            {
                int position = (int)memory.Position;
                string text = Decode(segment.AsSpan(position, Math.Max(0, (int)memory.Length - position)), encoding);
                memory.Position = memory.Length;
                return new ValueTask<string>(text);
            }
        }
        if (body is ContentLengthBodyStream known)
        {
            lengthHint = known.Remaining;
        }
        return CollectTextAsync(body, encoding, lengthHint, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<string> CollectTextAsync(Stream body, Encoding encoding, long lengthHint, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(lengthHint < 0 ? UnknownLengthCapacity : (int)Math.Min(lengthHint + 1, Array.MaxLength));
        await buffer.ReadToEndAsync(body, int.MaxValue, cancellationToken).ConfigureAwait(false);
        return Decode(buffer.WrittenSpan, encoding);
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/>: a UTF-8, UTF-16 or UTF-32 byte order mark chooses the encoding and is
    /// dropped (what <see cref="StreamReader"/> does with <c>detectEncodingFromByteOrderMarks</c>); otherwise
    /// <paramref name="encoding"/>. Invalid sequences become U+FFFD, as the encodings' decoders do.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, Encoding encoding)
    {
        if (bytes.Length >= 2)
        {
            if (bytes[0] == 0xFE && bytes[1] == 0xFF)
            {
                return Encoding.BigEndianUnicode.GetString(bytes[2..]);
            }
            if (bytes[0] == 0xFF && bytes[1] == 0xFE)
            {
                return bytes.Length >= 4 && bytes[2] == 0 && bytes[3] == 0
                    ? Encoding.UTF32.GetString(bytes[4..])
                    : Encoding.Unicode.GetString(bytes[2..]);
            }
            if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            {
                return Encoding.UTF8.GetString(bytes[3..]);
            }
            if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF)
            {
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(bytes[4..]);
            }
        }
        return encoding.GetString(bytes);
    }
}
