using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;

namespace TypedHttp.Internal;

/// <summary>
/// Reads JSON Lines (one JSON value a line, blank lines skipped) from a stream as the lines arrive: bytes go into one
/// pooled buffer (grown only for a line longer than itself), each complete line is deserialized with the synchronous
/// reader. A body held by a memory stream is parsed in place.
/// </summary>
internal static class JsonLines
{
    private const int InitialBufferSize = 16 * 1024;

    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer;
        int start;
        int end;
        bool final;
        bool rented;
        if (body is MemoryStream memory && memory.TryGetBuffer(out ArraySegment<byte> segment))
        {
            buffer = segment.Array!;
            start = segment.Offset + (int)memory.Position;
            end = segment.Offset + Math.Max((int)memory.Position, (int)memory.Length);
            memory.Position = memory.Length;
            final = true;
            rented = false;
        }
        else
        {
            buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
            start = end = 0;
            final = false;
            rented = true;
        }
        int scanned = 0; // bytes from start already known to hold no newline
        int lineNumber = 0;
        try
        {
            while (true)
            {
                int newline = buffer.AsSpan(start + scanned, end - start - scanned).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    int length = scanned + newline;
                    scanned = 0;
                    lineNumber++;
                    int lineStart = start;
                    start += length + 1;
                    if (TryParse(buffer.AsSpan(lineStart, length), typeInfo, lineNumber, out T? item))
                    {
                        yield return item!;
                    }
                    continue;
                }
                scanned = end - start;
                if (final)
                {
                    lineNumber++;
                    if (TryParse(buffer.AsSpan(start, end - start), typeInfo, lineNumber, out T? last))
                    {
                        yield return last!;
                    }
                    yield break;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    final = true;
                }
                end += read;
            }
        }
        finally
        {
            if (rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static bool TryParse<T>(ReadOnlySpan<byte> line, JsonTypeInfo<T> typeInfo, int lineNumber, out T? item)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (line.Trim((byte)' ').IsEmpty)
        {
            item = default;
            return false;
        }
        try
        {
            item = JsonSerializer.Deserialize(line, typeInfo);
            return true;
        }
        catch (JsonException ex)
        {
            throw new JsonException($"Line {lineNumber} of the JSON Lines body is not valid JSON for '{typeof(T).FullName}': {ex.Message}", ex.Path, lineNumber - 1, ex.BytePositionInLine, ex);
        }
    }
}
