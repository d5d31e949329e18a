using System;
using System.Buffers;
using System.Collections.Generic;
using TypedHttp.Http2.Hpack;

namespace TypedHttp.Fuzz;

/// <summary>
/// One fuzz execution of the HPACK decoder (RFC 7541). The first input octet picks the limits: bits 0–1 the
/// advertised table size (0, 256, 4096, 8192), bits 2–3 the header list limit (64 KiB, 100, 1000, unlimited).
/// The rest is a sequence of header blocks, each a length octet and that many octets (the last one takes what is
/// left), decoded in order by one <see cref="HpackDecoder"/>, so the dynamic table carries over. Each decoded
/// list with lower-case names is also re-encoded by one <see cref="HpackEncoder"/> and decoded by a second decoder: a list that does
/// not come back identical throws <see cref="InvalidOperationException"/> (a crash). Only
/// <see cref="HpackException"/> is an expected outcome.
/// </summary>
internal sealed class HpackTarget
{
    private static readonly int[] s_tableSizes = [0, 256, 4096, 8192];
    private static readonly int[] s_listLimits = [64 * 1024, 100, 1000, int.MaxValue];

    /// <summary>Runs one input; returns a short description of the outcome.</summary>
    public string Run(byte[] input)
    {
        int config = input.Length > 0 ? input[0] : 0;
        var decoder = new HpackDecoder(s_tableSizes[config & 3], s_listLimits[(config >> 2) & 3]);
        var encoder = new HpackEncoder(4096);
        var mirror = new HpackDecoder(4096, int.MaxValue);
        var fields = new Collector();
        var mirrored = new Collector();
        var block = new ArrayBufferWriter<byte>();
        int blocks = 0;
        int total = 0;
        int position = 1;
        try
        {
            while (position < input.Length)
            {
                int length = Math.Min(input[position], input.Length - position - 1);
                ReadOnlySpan<byte> raw = input.AsSpan(position + 1, length);
                position += 1 + length;
                fields.Clear();
                decoder.Decode(raw, fields);
                blocks++;
                total += fields.Count;
                if (!fields.AllNamesLowerCase())
                {
                    continue; // the encoder takes lower-case names only (RFC 9113 §8.2.1; the connection rejects others)
                }

                block.Clear();
                encoder.BeginBlock(block);
                for (int i = 0; i < fields.Count; i++)
                {
                    encoder.Encode(block, fields.Name(i), fields.Value(i), (HpackIndexing)(i % 3));
                }
                mirrored.Clear();
                mirror.Decode(block.WrittenSpan, mirrored);
                if (!fields.SameAs(mirrored))
                {
                    throw new InvalidOperationException("A decoded header list did not survive re-encoding.");
                }
            }
        }
        catch (HpackException e)
        {
            return $"{e.Kind} after {blocks} blocks: {e.Message}";
        }
        return $"{blocks} blocks, {total} fields, table {decoder.DynamicTableSize}";
    }

    /// <summary>Keeps the fields of one block.</summary>
    private sealed class Collector : IHpackFieldSink
    {
        private readonly List<(byte[] Name, byte[] Value)> _fields = new();

        public int Count => _fields.Count;

        public ReadOnlySpan<byte> Name(int i) => _fields[i].Name;

        public ReadOnlySpan<byte> Value(int i) => _fields[i].Value;

        public void Clear() => _fields.Clear();

        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => _fields.Add((name.ToArray(), value.ToArray()));

        public bool AllNamesLowerCase()
        {
            foreach ((byte[] name, _) in _fields)
            {
                foreach (byte b in name)
                {
                    if (b is >= (byte)'A' and <= (byte)'Z')
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        public bool SameAs(Collector other)
        {
            if (other.Count != Count)
            {
                return false;
            }
            for (int i = 0; i < Count; i++)
            {
                if (!Name(i).SequenceEqual(other.Name(i)) || !Value(i).SequenceEqual(other.Value(i)))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
