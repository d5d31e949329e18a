using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;

namespace TypedHttp.Internal;

/// <summary>Reads JSON Lines (one JSON value a line, blank lines skipped) from a stream as the lines arrive.</summary>
internal static class JsonLines
{
    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        int start = 0;
        int end = 0;
        int lineNumber = 0;
        try
        {
            while (true)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline >= 0)
                {
                    lineNumber++;
                    if (TryParse(buffer.AsSpan(start, newline - start), typeInfo, lineNumber, out T? item))
                    {
                        yield return item!;
                    }
                    start = newline + 1;
                    continue;
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
                    lineNumber++;
                    if (TryParse(buffer.AsSpan(start, end - start), typeInfo, lineNumber, out T? last))
                    {
                        yield return last!;
                    }
                    yield break;
                }
                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
