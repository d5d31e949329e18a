using System;
using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace TypedHttp.Http2.Hpack;

/// <summary>
/// Encodes the header blocks of one connection (RFC 7541 §3), keeping the encoder's copy of the peer decoder's
/// dynamic table. One instance per connection, used by one writer at a time (not thread-safe): the blocks must
/// reach the peer in the order they were encoded.
/// </summary>
/// <remarks>
/// Strategy per field: a full static-table match is an indexed field (§6.1); so is a full dynamic-table match
/// (except for <see cref="HpackIndexing.NeverIndexed"/> fields, which stay literal); otherwise a literal (§6.2)
/// that refers to the name's index when the static table (first) or the dynamic table has the name.
/// <see cref="HpackIndexing.Incremental"/> adds the field to the dynamic table, evicting as §4.4 says, unless the
/// field alone is larger than the table: it is then sent without indexing, which keeps the table's entries
/// instead of emptying it. Strings are Huffman-coded (§5.2) when that is strictly shorter.
/// </remarks>
internal sealed class HpackEncoder
{
    /// <summary>The SETTINGS_HEADER_TABLE_SIZE a peer has until its SETTINGS say otherwise (RFC 9113 §6.5.2).</summary>
    public const int DefaultPeerTableSize = 4096;

    /// <summary>Values longer than this many octets are sent without indexing by <see cref="DefaultIndexingFor(string, int)"/>.</summary>
    public const int LargeValueThreshold = 512;

    private const int StackBufferSize = 512;

    private readonly int _ownLimit;
    private readonly HpackDynamicTable _table;
    private bool _updatePending;
    private int _pendingMinimum;
    private int _pendingFinal;

    /// <summary>Creates an encoder.</summary>
    /// <param name="maxTableSize">
    /// The most memory this encoder lets the dynamic table use; the table's size is the smaller of this and the
    /// peer's SETTINGS_HEADER_TABLE_SIZE. Below 4096, the first block starts with a size update.
    /// </param>
    public HpackEncoder(int maxTableSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _ownLimit = maxTableSize;
        _table = new HpackDynamicTable(DefaultPeerTableSize);
        if (maxTableSize != DefaultPeerTableSize)
        {
            SetPeerMaxTableSize(DefaultPeerTableSize);
        }
    }

    /// <summary>Whether strings may be Huffman-coded (when strictly shorter). True by default; false writes every string as raw octets.</summary>
    public bool UseHuffman { get; set; } = true;

    /// <summary>The current size of the dynamic table in RFC 7541 §4.1 octets.</summary>
    public int DynamicTableSize => _table.Size;

    /// <summary>The dynamic table's current maximum size (as last signalled to the peer).</summary>
    public int DynamicTableMaxSize => _table.MaxSize;

    /// <summary>The number of dynamic table entries.</summary>
    public int DynamicTableCount => _table.Count;

    /// <summary>
    /// The indexing a field gets by default: <see cref="HpackIndexing.NeverIndexed"/> for credentials and cookies
    /// (<c>authorization</c>, <c>proxy-authorization</c>, <c>cookie</c>, <c>set-cookie</c>; RFC 7541 §7.1.3),
    /// <see cref="HpackIndexing.Incremental"/> otherwise.
    /// </summary>
    /// <param name="lowerCaseName">The lower-case field name.</param>
    public static HpackIndexing DefaultIndexingFor(string lowerCaseName) => lowerCaseName switch
    {
        "authorization" or "proxy-authorization" or "cookie" or "set-cookie" => HpackIndexing.NeverIndexed,
        _ => HpackIndexing.Incremental,
    };

    /// <summary>
    /// As <see cref="DefaultIndexingFor(string)"/>, and <see cref="HpackIndexing.WithoutIndexing"/> for a value
    /// longer than <see cref="LargeValueThreshold"/> octets (a long <c>:path</c> with a query, a large token): such
    /// a value rarely repeats and would evict much of a 4096-octet table.
    /// </summary>
    /// <param name="lowerCaseName">The lower-case field name.</param>
    /// <param name="valueLength">The value's length in octets.</param>
    public static HpackIndexing DefaultIndexingFor(string lowerCaseName, int valueLength)
    {
        HpackIndexing indexing = DefaultIndexingFor(lowerCaseName);
        return indexing == HpackIndexing.Incremental && valueLength > LargeValueThreshold ? HpackIndexing.WithoutIndexing : indexing;
    }

    /// <summary>
    /// Takes the peer's new SETTINGS_HEADER_TABLE_SIZE. The table's maximum size becomes the smaller of the
    /// encoder's own limit and <paramref name="size"/>, signalled by a dynamic table size update at the start of
    /// the next block (RFC 7541 §4.2, §6.3); when the size went down and up again between two blocks, the smallest
    /// size is signalled first, then the final one.
    /// </summary>
    /// <param name="size">The peer's setting.</param>
    public void SetPeerMaxTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        int effective = Math.Min(_ownLimit, size);
        _pendingMinimum = _updatePending ? Math.Min(_pendingMinimum, effective) : effective;
        _pendingFinal = effective;
        _updatePending = true;
    }

    /// <summary>Starts a header block: writes the pending dynamic table size updates, if any.</summary>
    /// <param name="output">Receives the block.</param>
    public void BeginBlock(IBufferWriter<byte> output)
    {
        if (!_updatePending)
        {
            return;
        }
        _updatePending = false;
        if (_pendingMinimum < _pendingFinal)
        {
            WriteSizeUpdate(output, _pendingMinimum);
            WriteSizeUpdate(output, _pendingFinal);
        }
        else if (_pendingFinal != _table.MaxSize)
        {
            WriteSizeUpdate(output, _pendingFinal);
        }
    }

    /// <summary>Encodes one field; <paramref name="value"/> is written as UTF-8 octets.</summary>
    /// <param name="output">Receives the block.</param>
    /// <param name="name">The lower-case ASCII field name (the caller guarantees it).</param>
    /// <param name="value">The field value.</param>
    /// <param name="indexing">How a literal is represented.</param>
    public void Encode(IBufferWriter<byte> output, string name, string value, HpackIndexing indexing = HpackIndexing.Incremental)
    {
        int max = name.Length + Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int nameLength = Encoding.ASCII.GetBytes(name, buffer);
            int valueLength = Encoding.UTF8.GetBytes(value, buffer[nameLength..]);
            Encode(output, buffer[..nameLength], buffer.Slice(nameLength, valueLength), indexing);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Encodes one field.</summary>
    /// <param name="output">Receives the block.</param>
    /// <param name="name">The lower-case ASCII field name (the caller guarantees it).</param>
    /// <param name="value">The field value octets.</param>
    /// <param name="indexing">How a literal is represented.</param>
    public void Encode(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HpackIndexing indexing)
    {
        Debug.Assert(IsLowerCase(name), "HPACK field names are lower case (RFC 9113 §8.2.1).");
        BeginBlock(output);
        int staticIndex = HpackStaticTable.Find(name, value, out bool staticFull);
        if (staticFull)
        {
            WriteIndexed(output, staticIndex);
            return;
        }
        int dynamicIndex = _table.Find(name, value, out bool dynamicFull);
        if (dynamicFull && indexing != HpackIndexing.NeverIndexed)
        {
            WriteIndexed(output, dynamicIndex + HpackStaticTable.Count + 1);
            return;
        }
        int nameIndex = staticIndex != 0 ? staticIndex : dynamicIndex >= 0 ? dynamicIndex + HpackStaticTable.Count + 1 : 0;
        if (indexing == HpackIndexing.Incremental && (long)name.Length + value.Length + HpackDynamicTable.EntryOverhead > _table.MaxSize)
        {
            indexing = HpackIndexing.WithoutIndexing;
        }
        Span<byte> prefix = output.GetSpan(HpackInteger.MaxLength);
        int written = indexing switch
        {
            HpackIndexing.Incremental => HpackInteger.Write(prefix, nameIndex, 6, 0x40),
            HpackIndexing.NeverIndexed => HpackInteger.Write(prefix, nameIndex, 4, 0x10),
            _ => HpackInteger.Write(prefix, nameIndex, 4, 0x00),
        };
        output.Advance(written);
        if (nameIndex == 0)
        {
            WriteString(output, name);
        }
        WriteString(output, value);
        if (indexing == HpackIndexing.Incremental)
        {
            _table.Add(name, value);
        }
    }

    private void WriteSizeUpdate(IBufferWriter<byte> output, int size)
    {
        Span<byte> span = output.GetSpan(HpackInteger.MaxLength);
        output.Advance(HpackInteger.Write(span, size, 5, 0x20));
        _table.SetMaxSize(size);
    }

    private static void WriteIndexed(IBufferWriter<byte> output, int index)
    {
        Span<byte> span = output.GetSpan(HpackInteger.MaxLength);
        output.Advance(HpackInteger.Write(span, index, 7, 0x80));
    }

    private void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> octets)
    {
        int huffmanLength = UseHuffman ? HpackHuffman.GetEncodedLength(octets) : int.MaxValue;
        bool huffman = huffmanLength < octets.Length;
        int length = huffman ? huffmanLength : octets.Length;
        Span<byte> span = output.GetSpan(HpackInteger.MaxLength + length);
        int written = HpackInteger.Write(span, length, 7, huffman ? (byte)0x80 : (byte)0x00);
        if (huffman)
        {
            written += HpackHuffman.Encode(octets, span[written..]);
        }
        else
        {
            octets.CopyTo(span[written..]);
            written += octets.Length;
        }
        output.Advance(written);
    }

    private static bool IsLowerCase(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                return false;
            }
        }
        return true;
    }
}
