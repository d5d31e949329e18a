using System;

namespace TypedHttp.Http2.Hpack;

/// <summary>The prefix-coded integers of RFC 7541 §5.1.</summary>
internal static class HpackInteger
{
    /// <summary>The most octets <see cref="Write"/> produces (a 1-bit prefix and <see cref="int.MaxValue"/>).</summary>
    public const int MaxLength = 6;

    /// <summary>
    /// Writes <paramref name="value"/> with an N-bit prefix into the first octet (whose high bits are
    /// <paramref name="flags"/>) and continuation octets after it.
    /// </summary>
    /// <param name="destination">At least <see cref="MaxLength"/> octets, or as many as the value needs.</param>
    /// <param name="value">A non-negative value.</param>
    /// <param name="prefixBits">N, 1 to 8.</param>
    /// <param name="flags">The bits above the prefix in the first octet.</param>
    /// <returns>The number of octets written.</returns>
    public static int Write(Span<byte> destination, int value, int prefixBits, byte flags)
    {
        System.Diagnostics.Debug.Assert(value >= 0 && prefixBits is >= 1 and <= 8);
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(flags | value);
            return 1;
        }
        destination[0] = (byte)(flags | max);
        uint rest = (uint)(value - max);
        int i = 1;
        while (rest >= 0x80)
        {
            destination[i++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[i++] = (byte)rest;
        return i;
    }

    /// <summary>
    /// Reads an integer with an N-bit prefix at <paramref name="position"/> and moves past it. Values above
    /// <see cref="int.MaxValue"/> and encodings longer than five continuation octets are decoding errors (§5.1:
    /// "integer encodings that exceed implementation limits ... MUST be treated as decoding errors").
    /// </summary>
    /// <param name="source">The header block.</param>
    /// <param name="position">The offset of the prefix octet; on return, the offset after the integer.</param>
    /// <param name="prefixBits">N, 1 to 8.</param>
    /// <returns>The value.</returns>
    /// <exception cref="HpackException">The integer is truncated or too large.</exception>
    public static int Read(ReadOnlySpan<byte> source, ref int position, int prefixBits)
    {
        int max = (1 << prefixBits) - 1;
        int value = source[position++] & max;
        if (value < max)
        {
            return value;
        }
        long total = value;
        for (int shift = 0; ; shift += 7)
        {
            if (position >= source.Length)
            {
                throw new HpackException("The block ends inside a prefix-coded integer (RFC 7541 §5.1).");
            }
            if (shift > 28)
            {
                throw new HpackException("A prefix-coded integer has more continuation octets than a 31-bit value needs (RFC 7541 §5.1).");
            }
            byte b = source[position++];
            total += (long)(b & 0x7f) << shift;
            if (total > int.MaxValue)
            {
                throw new HpackException("A prefix-coded integer exceeds 2^31-1 (RFC 7541 §5.1).");
            }
            if ((b & 0x80) == 0)
            {
                return (int)total;
            }
        }
    }
}
