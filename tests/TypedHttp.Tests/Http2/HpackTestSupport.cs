using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using TypedHttp.Http2.Hpack;

namespace TypedHttp.Tests.Http2;

/// <summary>Helpers shared by the HPACK and frame tests.</summary>
internal static class HpackTestSupport
{
    /// <summary>Parses hex as RFC 7541 Appendix C prints it ("8286 8441 ..."); spaces and line breaks are ignored.</summary>
    public static byte[] Hex(string hex)
    {
        var digits = new StringBuilder(hex.Length);
        foreach (char c in hex)
        {
            if (!char.IsWhiteSpace(c) && c != '|')
            {
                digits.Append(c);
            }
        }
        return Convert.FromHexString(digits.ToString());
    }

    /// <summary>Lower-case hex without separators, for readable assertion failures.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Decodes one block and returns its fields as Latin-1 text pairs.</summary>
    public static List<(string Name, string Value)> DecodeText(HpackDecoder decoder, byte[] block)
    {
        var sink = new FieldCollector();
        decoder.Decode(block, sink);
        return sink.Text;
    }

    /// <summary>The decoder's dynamic table, newest first, as text pairs.</summary>
    public static List<(string Name, string Value)> TableOf(HpackDecoder decoder)
    {
        var entries = new List<(string, string)>();
        for (int i = 0; i < decoder.DynamicTableCount; i++)
        {
            entries.Add((Encoding.Latin1.GetString(decoder.DynamicTableName(i)), Encoding.Latin1.GetString(decoder.DynamicTableValue(i))));
        }
        return entries;
    }

    /// <summary>Encodes one block of text fields with <paramref name="indexing"/>.</summary>
    public static byte[] EncodeBlock(HpackEncoder encoder, HpackIndexing indexing, params (string Name, string Value)[] fields)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.BeginBlock(output);
        foreach ((string name, string value) in fields)
        {
            encoder.Encode(output, name, value, indexing);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Fields as one line: "a: b; c: d".</summary>
    public static string Lines(IEnumerable<(string Name, string Value)> fields)
    {
        var text = new StringBuilder();
        foreach ((string name, string value) in fields)
        {
            text.Append(name).Append(": ").Append(value).Append("; ");
        }
        return text.ToString();
    }

    /// <summary>Decodes one block and describes what a test observes: the fields, then the table (newest first) and its size.</summary>
    public static string DecodeStep(HpackDecoder decoder, byte[] block) =>
        Step(DecodeText(decoder, block), TableOf(decoder), decoder.DynamicTableSize);

    /// <summary>The description <see cref="DecodeStep"/> gives for an expected outcome.</summary>
    public static string Step(IEnumerable<(string, string)> fields, IEnumerable<(string, string)> table, int size) =>
        "fields " + Lines(fields) + "| table " + Lines(table) + "| size " + Str(size);

    /// <summary>Formats an int for messages.</summary>
    public static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An <see cref="IHpackFieldSink"/> that keeps every field.</summary>
internal sealed class FieldCollector : IHpackFieldSink
{
    /// <summary>The fields as octets, in order.</summary>
    public List<(byte[] Name, byte[] Value)> Fields { get; } = new();

    /// <summary>The fields as Latin-1 text.</summary>
    public List<(string Name, string Value)> Text
    {
        get
        {
            var text = new List<(string, string)>(Fields.Count);
            foreach ((byte[] name, byte[] value) in Fields)
            {
                text.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
            }
            return text;
        }
    }

    public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Fields.Add((name.ToArray(), value.ToArray()));
}
