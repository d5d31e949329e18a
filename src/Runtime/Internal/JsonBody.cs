using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// Reads a JSON response body. A body whose bytes are all at hand (already received into the connection's buffer,
/// or held by a memory stream) is deserialized in place with the synchronous reader; a body of known length up to
/// <see cref="MaxBufferedLength"/> is read into one pooled buffer first; anything else streams through
/// <see cref="JsonSerializer.DeserializeAsync{TValue}(Stream, JsonTypeInfo{TValue}, CancellationToken)"/>.
/// The synchronous reader avoids the resumable (async) converters, which cost more per value.
/// </summary>
internal static class JsonBody
{
    /// <summary>The longest body of known length read into one buffer before deserializing.</summary>
    internal const int MaxBufferedLength = 1024 * 1024;

    public static ValueTask<T?> DeserializeAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        switch (body)
        {
            case ContentLengthBodyStream framed:
                if (framed.TryPeekRest(out ReadOnlyMemory<byte> rest))
                {
                    // Parse before consuming: consuming may hand the connection (and its buffer) to another request.
                    T? value = Deserialize(rest.Span, typeInfo);
                    framed.ConsumeBuffered();
                    return new ValueTask<T?>(value);
                }
                if (framed.Remaining <= MaxBufferedLength)
                {
                    return ReadThenDeserializeAsync(framed, (int)framed.Remaining, typeInfo, cancellationToken);
                }
                break;
            case MemoryStream memory when memory.TryGetBuffer(out ArraySegment<byte> segment):
                {
                    int position = (int)memory.Position;
                    T? value = Deserialize(segment.AsSpan(position, Math.Max(0, (int)memory.Length - position)), typeInfo);
                    memory.Position = memory.Length;
                    return new ValueTask<T?>(value);
                }
        }
        return JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken);
    }

    private static async ValueTask<T?> ReadThenDeserializeAsync<T>(Stream body, int length, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            // A body cut short throws ResponseTruncated from the body stream itself.
            int read = await body.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: true, cancellationToken).ConfigureAwait(false);
            return Deserialize(buffer.AsSpan(0, read), typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T? Deserialize<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo)
    {
        // The streaming deserializer skips a UTF-8 byte order mark; the span reader does not.
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        return JsonSerializer.Deserialize(utf8, typeInfo);
    }
}
