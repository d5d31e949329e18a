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
    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var window = new ReadWindow(body);
        int scanned = 0; // pending bytes already known to hold no newline
        int lineNumber = 0;
        while (true)
        {
            int newline = window.Pending[scanned..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = scanned + newline;
                scanned = 0;
                lineNumber++;
                int lineStart = window.Start;
                window.Consume(length + 1);
                if (TryParse(window.Buffer.AsSpan(lineStart, length), typeInfo, lineNumber, out T? item))
                {
                    yield return item!;
                }
                continue;
            }
            scanned = window.End - window.Start;
            if (window.Final)
            {
                lineNumber++;
                if (TryParse(window.Pending, typeInfo, lineNumber, out T? last))
                {
                    yield return last!;
                }
                yield break;
            }
            await window.FillAsync(cancellationToken).ConfigureAwait(false);
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
