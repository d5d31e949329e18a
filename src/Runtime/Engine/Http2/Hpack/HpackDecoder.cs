using System;
using System.Globalization;
using System.Numerics;

namespace TypedHttp.Http2.Hpack;

/// <summary>
/// Decodes the header blocks of one connection (RFC 7541 §3), keeping the connection's dynamic table. One
/// instance per connection, used by the reader loop only (not thread-safe). Huffman-coded strings decode into two
/// scratch buffers (name, value) that grow to the longest string seen and live as long as the decoder; literal
/// strings are handed to the sink straight from the block.
/// </summary>
internal sealed class HpackDecoder
{
    private readonly HpackDynamicTable _table;
    private readonly int _maxHeaderListSize;
    private int _maxTableSize;
    private bool _sizeUpdateRequired;
    private byte[] _nameScratch = Array.Empty<byte>();
    private byte[] _valueScratch = Array.Empty<byte>();

    /// <summary>Creates a decoder.</summary>
    /// <param name="maxTableSize">
    /// The SETTINGS_HEADER_TABLE_SIZE this endpoint advertises (RFC 9113 §6.5.2): the limit for dynamic table size
    /// updates (RFC 7541 §6.3). The table itself starts at the smaller of this and 4096.
    /// </param>
    /// <param name="maxHeaderListSize">The decoded header list limit, counted as RFC 9113 §6.5.2 counts (name + value + 32 per field).</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeaderListSize);
        _maxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        // HTTP/2 starts every dynamic table at 4096 octets (RFC 9113 §6.5.2); an encoder takes more only after
        // signalling it with a size update, so the table starts at the smaller of the two.
        _table = new HpackDynamicTable(Math.Min(maxTableSize, InitialTableSize));
    }

    /// <summary>The dynamic table size both ends assume before any size update (the initial SETTINGS_HEADER_TABLE_SIZE).</summary>
    public const int InitialTableSize = 4096;

    /// <summary>The current size of the dynamic table in RFC 7541 §4.1 octets.</summary>
    public int DynamicTableSize => _table.Size;

    /// <summary>The dynamic table's current maximum size (the last size update, or the initial limit).</summary>
    public int DynamicTableMaxSize => _table.MaxSize;

    /// <summary>The number of dynamic table entries.</summary>
    public int DynamicTableCount => _table.Count;

    /// <summary>The limit for dynamic table size updates (the advertised SETTINGS_HEADER_TABLE_SIZE).</summary>
    public int MaxTableSize => _maxTableSize;

    /// <summary>The name of dynamic table entry <paramref name="index"/>, 0 being the newest (HPACK index 62). For tests and traces.</summary>
    /// <param name="index">0 to <see cref="DynamicTableCount"/> - 1.</param>
    public ReadOnlySpan<byte> DynamicTableName(int index) => _table.Name(index);

    /// <summary>The value of dynamic table entry <paramref name="index"/>, 0 being the newest. For tests and traces.</summary>
    /// <param name="index">0 to <see cref="DynamicTableCount"/> - 1.</param>
    public ReadOnlySpan<byte> DynamicTableValue(int index) => _table.Value(index);

    /// <summary>
    /// Applies a new advertised SETTINGS_HEADER_TABLE_SIZE once the peer acknowledged it. When it is below the
    /// table's current maximum size, the peer's next header block must start with a dynamic table size update
    /// within the new limit (RFC 7541 §4.2); a block without one is a decoding error.
    /// </summary>
    /// <param name="maxTableSize">The new limit.</param>
    public void SetMaxTableSize(int maxTableSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxTableSize);
        _maxTableSize = maxTableSize;
        if (maxTableSize < _table.MaxSize)
        {
            _sizeUpdateRequired = true;
        }
    }

    /// <summary>
    /// Decodes one complete header block (the HEADERS or PUSH_PROMISE fragment and its CONTINUATION fragments,
    /// concatenated, padding removed), calling <paramref name="sink"/> for each field in order.
    /// </summary>
    /// <param name="block">The header block.</param>
    /// <param name="sink">Receives the fields.</param>
    /// <exception cref="HpackException">
    /// <see cref="HpackErrorKind.Malformed"/> for any decoding error (RFC 7541 §2.3.3, §4.2, §5.1, §5.2, §6);
    /// <see cref="HpackErrorKind.HeaderListTooLarge"/> when the whole block decoded (the dynamic table is in sync)
    /// but the header list exceeds the limit; the sink then saw only the fields before the limit was crossed.
    /// </exception>
    public void Decode(ReadOnlySpan<byte> block, IHpackFieldSink sink)
    {
        int position = 0;
        bool sizeUpdateAllowed = true;
        long listSize = 0;
        bool tooLarge = false;
        if (_sizeUpdateRequired && (block.IsEmpty || (block[0] & 0xe0) != 0x20))
        {
            throw new HpackException(string.Create(CultureInfo.InvariantCulture,
                $"The header block does not start with the dynamic table size update required after the table size limit was lowered to {_maxTableSize} (RFC 7541 §4.2)."));
        }
        while (position < block.Length)
        {
            byte first = block[position];
            ReadOnlySpan<byte> name;
            ReadOnlySpan<byte> value;
            if ((first & 0x80) != 0)
            {
                // §6.1 indexed header field
                int index = HpackInteger.Read(block, ref position, 7);
                if (index == 0)
                {
                    throw new HpackException("An indexed header field uses index 0 (RFC 7541 §6.1).");
                }
                name = NameAt(index);
                value = ValueAt(index);
            }
            else if ((first & 0xe0) == 0x20)
            {
                // §6.3 dynamic table size update
                if (!sizeUpdateAllowed)
                {
                    throw new HpackException("A dynamic table size update follows a header field representation; it must be at the start of the block (RFC 7541 §4.2).");
                }
                int size = HpackInteger.Read(block, ref position, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackException(string.Create(CultureInfo.InvariantCulture,
                        $"A dynamic table size update to {size} exceeds the limit of {_maxTableSize} (RFC 7541 §6.3)."));
                }
                _table.SetMaxSize(size);
                _sizeUpdateRequired = false;
                continue;
            }
            else
            {
                // §6.2.1 (01xxxxxx, 6-bit prefix), §6.2.2 (0000xxxx) and §6.2.3 (0001xxxx, 4-bit prefix)
                bool incremental = (first & 0x40) != 0;
                int index = HpackInteger.Read(block, ref position, incremental ? 6 : 4);
                if (index == 0)
                {
                    name = ReadString(block, ref position, ref _nameScratch);
                }
                else if (incremental && index > HpackStaticTable.Count)
                {
                    // The entry may be evicted by the addition below (§4.4): keep a copy of its name.
                    ReadOnlySpan<byte> tableName = NameAt(index);
                    EnsureScratch(ref _nameScratch, tableName.Length);
                    tableName.CopyTo(_nameScratch);
                    name = _nameScratch.AsSpan(0, tableName.Length);
                }
                else
                {
                    name = NameAt(index);
                }
                value = ReadString(block, ref position, ref _valueScratch);
                if (incremental)
                {
                    Emit(sink, name, value, ref listSize, ref tooLarge);
                    _table.Add(name, value);
                    sizeUpdateAllowed = false;
                    continue;
                }
            }
            sizeUpdateAllowed = false;
            Emit(sink, name, value, ref listSize, ref tooLarge);
        }
        if (tooLarge)
        {
            throw new HpackException(HpackErrorKind.HeaderListTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"The decoded header list is {listSize} octets, over the limit of {_maxHeaderListSize} (RFC 9113 §6.5.2)."));
        }
    }

    private void Emit(IHpackFieldSink sink, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref long listSize, ref bool tooLarge)
    {
        listSize += name.Length + value.Length + HpackDynamicTable.EntryOverhead;
        if (listSize > _maxHeaderListSize)
        {
            tooLarge = true;
        }
        if (!tooLarge)
        {
            sink.OnField(name, value);
        }
    }

    private ReadOnlySpan<byte> NameAt(int index)
    {
        if (index <= HpackStaticTable.Count)
        {
            return HpackStaticTable.Name(index);
        }
        return _table.Name(CheckDynamic(index));
    }

    private ReadOnlySpan<byte> ValueAt(int index)
    {
        if (index <= HpackStaticTable.Count)
        {
            return HpackStaticTable.Value(index);
        }
        return _table.Value(CheckDynamic(index));
    }

    private int CheckDynamic(int index)
    {
        int dynamicIndex = index - HpackStaticTable.Count - 1;
        if (dynamicIndex >= _table.Count)
        {
            throw new HpackException(string.Create(CultureInfo.InvariantCulture,
                $"Index {index} is past the end of the static and dynamic tables ({HpackStaticTable.Count + _table.Count} entries) (RFC 7541 §2.3.3)."));
        }
        return dynamicIndex;
    }

    private static ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> block, scoped ref int position, scoped ref byte[] scratch)
    {
        if (position >= block.Length)
        {
            throw new HpackException("The block ends where a string literal should start (RFC 7541 §5.2).");
        }
        bool huffman = (block[position] & 0x80) != 0;
        int length = HpackInteger.Read(block, ref position, 7);
        if (length > block.Length - position)
        {
            throw new HpackException(string.Create(CultureInfo.InvariantCulture,
                $"A string literal of {length} octets is longer than the {block.Length - position} octets left in the block (RFC 7541 §5.2)."));
        }
        ReadOnlySpan<byte> raw = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            return raw;
        }
        EnsureScratch(ref scratch, HpackHuffman.GetMaxDecodedLength(length));
        int decoded = HpackHuffman.Decode(raw, scratch);
        return scratch.AsSpan(0, decoded);
    }

    private static void EnsureScratch(ref byte[] scratch, int length)
    {
        if (scratch.Length >= length)
        {
            return;
        }
        scratch = new byte[Math.Max((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)length), (uint)Array.MaxLength), 256)];
    }
}
