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
/// Yields the items of a JSON array body as they arrive. The bytes are read into one pooled buffer; each item, once
/// all of its bytes are in, is deserialized with the synchronous reader (rather than the resumable converters of
/// <see cref="JsonSerializer.DeserializeAsyncEnumerable{TValue}(Stream, JsonTypeInfo{TValue}, CancellationToken)"/>),
/// and the buffer grows only for an item longer than itself. A body held by a memory stream is parsed in place.
/// A root <c>null</c> yields nothing; any other root that is not an array, bytes after the array and a body that
/// ends inside it are <see cref="JsonException"/>s.
/// </summary>
internal static class JsonArrayItems
{
    private enum Phase { BeforeArray, Items, AfterArray }

    private enum Step { NeedMore, Item, End }

    /// <summary>Where the parse stands between two buffers: the reader's state, the phase and the items seen.</summary>
    private struct Cursor
    {
        public JsonReaderState State;
        public Phase Phase;
        public int Index;
    }

    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        JsonSerializerOptions options = typeInfo.Options;
        var cursor = new Cursor
        {
            State = new JsonReaderState(new JsonReaderOptions
            {
                AllowTrailingCommas = options.AllowTrailingCommas,
                CommentHandling = options.ReadCommentHandling,
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            }),
        };
        using var window = new ReadWindow(body);
        while (true)
        {
            Step step = Next(window.Pending, window.Final, ref cursor, typeInfo, out T? item, out int consumed);
            window.Consume(consumed);
            if (step == Step.Item)
            {
                yield return item!;
                continue;
            }
            if (step == Step.End)
            {
                yield break;
            }
            if (window.Final)
            {
                throw new JsonException($"The JSON array body of '{typeof(T).FullName}' ends inside the array, after {cursor.Index} items.", "$[" + cursor.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", null, null);
            }
            await window.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Parses from <paramref name="data"/> (the bytes not consumed yet) up to the next item. Returns the item, the
    /// end of the array, or that more bytes are needed; <paramref name="consumed"/> is how many bytes are done with.
    /// </summary>
    private static Step Next<T>(ReadOnlySpan<byte> data, bool final, ref Cursor cursor, JsonTypeInfo<T> typeInfo, out T? item, out int consumed)
    {
        item = default;
        consumed = 0;
        int skipped = 0;
        if (cursor.Phase == Phase.BeforeArray)
        {
            // A UTF-8 byte order mark, skipped as the streaming deserializer does.
            ReadOnlySpan<byte> bom = "\uFEFF"u8;
            if (!final && data.Length < bom.Length && bom.StartsWith(data))
            {
                return Step.NeedMore;
            }
            if (data.StartsWith(bom))
            {
                skipped = bom.Length;
                data = data[bom.Length..];
                consumed = skipped;
            }
        }
        var reader = new Utf8JsonReader(data, final, cursor.State);
        int itemStart;
        int itemEnd;
        try
        {
            while (true)
            {
                if (cursor.Phase == Phase.Items)
                {
                    if (!reader.Read())
                    {
                        return Step.NeedMore;
                    }
                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        itemStart = (int)reader.TokenStartIndex;
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                        {
                            // Not all of the item is here yet.
                            return Step.NeedMore;
                        }
                        itemEnd = (int)reader.BytesConsumed;
                        break;
                    }
                    cursor.Phase = Phase.AfterArray;
                }
                else if (cursor.Phase == Phase.BeforeArray)
                {
                    if (!reader.Read())
                    {
                        return Step.NeedMore;
                    }
                    cursor.Phase = reader.TokenType switch
                    {
                        JsonTokenType.StartArray => Phase.Items,
                        JsonTokenType.Null => Phase.AfterArray,
                        _ => throw new JsonException($"The body is not a JSON array of '{typeof(T).FullName}': it starts with {reader.TokenType}.", "$", 0, reader.TokenStartIndex),
                    };
                }
                else
                {
                    if (reader.Read())
                    {
                        throw new JsonException($"The JSON array body has more after the array closes ({reader.TokenType}).", "$", 0, reader.TokenStartIndex);
                    }
                    cursor.State = reader.CurrentState;
                    consumed = skipped + (int)reader.BytesConsumed;
                    return final ? Step.End : Step.NeedMore;
                }
                cursor.State = reader.CurrentState;
                consumed = skipped + (int)reader.BytesConsumed;
            }
        }
        catch (JsonException ex)
        {
            // The reader's own failures (bad syntax, the body ending inside the array) name no item.
            throw new JsonException(
                $"The JSON array body of '{typeof(T).FullName}' is not valid JSON after {cursor.Index} items: {ex.Message}",
                ex.Path ?? "$[" + cursor.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", ex.LineNumber, ex.BytePositionInLine, ex);
        }
        item = DeserializeItem(data[itemStart..itemEnd], typeInfo, cursor.Index);
        cursor.Index++;
        cursor.State = reader.CurrentState;
        consumed = skipped + itemEnd;
        return Step.Item;
    }

    private static T? DeserializeItem<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> typeInfo, int index)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, typeInfo);
        }
        catch (JsonException ex)
        {
            string path = "$[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" + (ex.Path is { Length: > 1 } p ? p[1..] : "");
            throw new JsonException(
                $"Item {index} of the JSON array body is not valid JSON for '{typeof(T).FullName}' at {path}: {ex.Message}",
                path, ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }
}
