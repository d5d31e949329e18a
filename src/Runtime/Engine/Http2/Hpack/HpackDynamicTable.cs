using System;

namespace TypedHttp.Http2.Hpack;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of fields, newest first, whose size (§4.1: name octets +
/// value octets + 32 per entry) never exceeds the maximum size. The octets live in one buffer: entries are
/// appended at its end and evicted from its start, and when the end has no room the live octets move to the
/// front, so adding a field allocates nothing once the buffer reached the maximum size.
/// </summary>
internal sealed class HpackDynamicTable
{
    /// <summary>The per-entry overhead of §4.1.</summary>
    public const int EntryOverhead = 32;

    private byte[] _bytes = Array.Empty<byte>();
    private Entry[] _entries = new Entry[8];
    private int _oldest; // ring index of the oldest entry
    private int _count;
    private int _liveStart; // offset of the oldest entry's octets
    private int _liveEnd;   // offset after the newest entry's octets

    /// <summary>Creates an empty table.</summary>
    /// <param name="maxSize">The maximum size in §4.1 octets.</param>
    public HpackDynamicTable(int maxSize) => MaxSize = maxSize;

    /// <summary>The maximum size (§4.2).</summary>
    public int MaxSize { get; private set; }

    /// <summary>The current size: the sum of the entry sizes (§4.1).</summary>
    public int Size { get; private set; }

    /// <summary>The number of entries.</summary>
    public int Count => _count;

    /// <summary>The name of entry <paramref name="index"/>, 0 being the newest (HPACK index 62).</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    public ReadOnlySpan<byte> Name(int index)
    {
        ref Entry e = ref At(index);
        return _bytes.AsSpan(e.Offset, e.NameLength);
    }

    /// <summary>The value of entry <paramref name="index"/>, 0 being the newest.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    public ReadOnlySpan<byte> Value(int index)
    {
        ref Entry e = ref At(index);
        return _bytes.AsSpan(e.Offset + e.NameLength, e.ValueLength);
    }

    /// <summary>
    /// Looks a field up, newest first: the index of an entry with the same name and value
    /// (<paramref name="fullMatch"/> true), else of the newest entry with the same name, else -1.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <param name="fullMatch">True when the value matches too.</param>
    public int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out bool fullMatch)
    {
        int nameIndex = -1;
        for (int i = 0; i < _count; i++)
        {
            ref Entry e = ref At(i);
            if (e.NameLength != name.Length || !_bytes.AsSpan(e.Offset, e.NameLength).SequenceEqual(name))
            {
                continue;
            }
            if (e.ValueLength == value.Length && _bytes.AsSpan(e.Offset + e.NameLength, e.ValueLength).SequenceEqual(value))
            {
                fullMatch = true;
                return i;
            }
            if (nameIndex < 0)
            {
                nameIndex = i;
            }
        }
        fullMatch = false;
        return nameIndex;
    }

    /// <summary>
    /// Adds a field as the newest entry, evicting the oldest entries until it fits (§4.4). A field larger than
    /// the maximum size empties the table and is not added. The spans must not point into this table.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the field was added.</returns>
    public bool Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        long entrySize = (long)name.Length + value.Length + EntryOverhead;
        if (entrySize > MaxSize)
        {
            Clear();
            return false;
        }
        while (Size + entrySize > MaxSize)
        {
            EvictOldest();
        }
        int octets = name.Length + value.Length;
        if (_bytes.Length - _liveEnd < octets)
        {
            Compact(_bytes.Length >= MaxSize ? _bytes : new byte[MaxSize]);
        }
        if (_count == _entries.Length)
        {
            var bigger = new Entry[_entries.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                bigger[i] = _entries[(_oldest + i) % _entries.Length];
            }
            _entries = bigger;
            _oldest = 0;
        }
        name.CopyTo(_bytes.AsSpan(_liveEnd));
        value.CopyTo(_bytes.AsSpan(_liveEnd + name.Length));
        _entries[(_oldest + _count) % _entries.Length] = new Entry(_liveEnd, name.Length, value.Length);
        if (_count == 0)
        {
            _liveStart = _liveEnd;
        }
        _count++;
        _liveEnd += octets;
        Size += (int)entrySize;
        return true;
    }

    /// <summary>Changes the maximum size, evicting the oldest entries until the table fits (§4.3).</summary>
    /// <param name="maxSize">The new maximum size.</param>
    public void SetMaxSize(int maxSize)
    {
        while (Size > maxSize)
        {
            EvictOldest();
        }
        MaxSize = maxSize;
    }

    private void Clear()
    {
        _count = 0;
        _oldest = 0;
        _liveStart = 0;
        _liveEnd = 0;
        Size = 0;
    }

    private void EvictOldest()
    {
        ref Entry e = ref _entries[_oldest];
        Size -= e.NameLength + e.ValueLength + EntryOverhead;
        _liveStart = e.Offset + e.NameLength + e.ValueLength;
        _oldest = (_oldest + 1) % _entries.Length;
        _count--;
        if (_count == 0)
        {
            _liveStart = 0;
            _liveEnd = 0;
            _oldest = 0;
        }
    }

    private void Compact(byte[] target)
    {
        int live = _liveEnd - _liveStart;
        _bytes.AsSpan(_liveStart, live).CopyTo(target);
        int shift = _liveStart;
        for (int i = 0; i < _count; i++)
        {
            _entries[(_oldest + i) % _entries.Length].Offset -= shift;
        }
        _bytes = target;
        _liveStart = 0;
        _liveEnd = live;
    }

    private ref Entry At(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        return ref _entries[(_oldest + _count - 1 - index) % _entries.Length];
    }

    private struct Entry(int offset, int nameLength, int valueLength)
    {
        public int Offset = offset;
        public readonly int NameLength = nameLength;
        public readonly int ValueLength = valueLength;
    }
}
