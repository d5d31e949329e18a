using System;
using System.Buffers;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// Reads a JSON response body with the synchronous reader whatever its framing, because the resumable (async)
/// converters of <see cref="JsonSerializer.DeserializeAsync{TValue}(Stream, JsonTypeInfo{TValue}, CancellationToken)"/>
/// cost more per value. A body whose bytes are all at hand (already received into the connection's buffer, or held by
/// a memory stream) is deserialized in place; a body of known length up to <see cref="MaxBufferedLength"/> is read
/// into one pooled buffer of that length; a body of unknown length (chunked, read to close, decoded, another
/// transport's stream) is collected into a pooled buffer that grows up to <see cref="MaxBufferedLength"/>. Only a body
/// longer than that streams through the serializer, the bytes already collected first.
/// </summary>
internal static class JsonBody
{
    /// <summary>The longest body read into one buffer before deserializing.</summary>
    internal const int MaxBufferedLength = 1024 * 1024;

    /// <summary>Deserializes the body.</summary>
    /// <param name="body">The body.</param>
    /// <param name="typeInfo">The result's type information.</param>
    /// <param name="lengthHint">The announced length (Content-Length), or -1: sizes the first buffer, never trusted for framing.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static ValueTask<T?> DeserializeAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, long lengthHint, CancellationToken cancellationToken)
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
                return JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken);
            case MemoryStream memory when memory.TryGetBuffer(out ArraySegment<byte> segment):
            {
                int position = (int)memory.Position;
                T? value = Deserialize(segment.AsSpan(position, Math.Max(0, (int)memory.Length - position)), typeInfo);
                memory.Position = memory.Length;
                return new ValueTask<T?>(value);
            }
        }
        return CollectThenDeserializeAsync(body, typeInfo, lengthHint, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T?> CollectThenDeserializeAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, long lengthHint, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(ResponseBody.InitialCapacity(lengthHint));
        // A body cut short throws ResponseTruncated from the body stream itself (or, on another transport, its own
        // failure): never a short body parsed as if it were whole.
        if (await buffer.ReadToEndAsync(body, MaxBufferedLength, cancellationToken).ConfigureAwait(false))
        {
            return Deserialize(buffer.WrittenSpan, typeInfo);
        }
        // Past the limit: stream the rest through the serializer, the bytes already collected first.
        var joined = new TypedHttp.Policy.PrefixedReadStream(buffer.WrittenMemory, body, leaveOpen: true);
        return await JsonSerializer.DeserializeAsync(joined, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deserializes a whole body held in memory.</summary>
    internal static T? Deserialize<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo)
    {
        // The streaming deserializer skips a UTF-8 byte order mark; the span reader does not.
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        return JsonSerializer.Deserialize(utf8, typeInfo);
    }
}
