using System;

namespace TypedHttp.Http2.Hpack;

/// <summary>
/// The static Huffman code of RFC 7541 Appendix B (§5.2). The code is canonical: within one length the codes
/// count up in symbol order, and the first code of a length follows the last code of the length before. So the
/// 257 code lengths of Appendix B determine every code, and a decoder needs only, per length, the first code,
/// the number of codes and where their symbols start in a symbol list sorted by (length, symbol).
/// </summary>
internal static class HpackHuffman
{
    /// <summary>The end-of-string symbol (§5.2): it must never appear inside a string.</summary>
    public const int Eos = 256;

    private const int MaxCodeLength = 30;
    private const int MinCodeLength = 5;

    /// <summary>The code length in bits of each symbol 0–256, from the "len in bits" column of Appendix B.</summary>
    private static ReadOnlySpan<byte> Lengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,         // 32-47  ' ' ! " # $ % & ' ( ) * + , - . /
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,              // 48-63  0-9 : ; < = > ?
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                // 64-79  @ A-O
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,             // 80-95  P-Z [ \ ] ^ _
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                // 96-111 ` a-o
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,            // 112-127 p-z { | } ~ DEL
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30,                                                             // 256 EOS
    ];

    private static readonly uint[] s_codes = new uint[257];
    private static readonly uint[] s_firstCode = new uint[MaxCodeLength + 1];
    private static readonly int[] s_countAtLength = new int[MaxCodeLength + 1];
    private static readonly int[] s_firstSymbolAtLength = new int[MaxCodeLength + 1];
    private static readonly ushort[] s_sortedSymbols = BuildTables();

    /// <summary>The code of <paramref name="symbol"/>, aligned to the least significant bit (the "code as hex" column).</summary>
    /// <param name="symbol">0 to 256.</param>
    public static uint CodeOf(int symbol) => s_codes[symbol];

    /// <summary>The code length in bits of <paramref name="symbol"/>.</summary>
    /// <param name="symbol">0 to 256.</param>
    public static int LengthOf(int symbol) => Lengths[symbol];

    /// <summary>The number of octets <see cref="Encode"/> writes for <paramref name="source"/> (padding included).</summary>
    /// <param name="source">The octets to encode.</param>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        ReadOnlySpan<byte> lengths = Lengths;
        long bits = 0;
        foreach (byte b in source)
        {
            bits += lengths[b];
        }
        return (int)((bits + 7) >> 3);
    }

    /// <summary>The most octets a Huffman string of <paramref name="encodedLength"/> octets decodes to (the shortest code has 5 bits).</summary>
    /// <param name="encodedLength">The encoded length.</param>
    public static int GetMaxDecodedLength(int encodedLength) => (int)(((long)encodedLength * 8) / MinCodeLength);

    /// <summary>
    /// Encodes <paramref name="source"/> and pads the last octet with the most significant bits of EOS (all ones, §5.2).
    /// </summary>
    /// <param name="source">The octets to encode.</param>
    /// <param name="destination">At least <see cref="GetEncodedLength"/> octets.</param>
    /// <returns>The number of octets written.</returns>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ReadOnlySpan<byte> lengths = Lengths;
        uint[] codes = s_codes;
        ulong pending = 0;
        int pendingBits = 0;
        int written = 0;
        foreach (byte b in source)
        {
            int length = lengths[b];
            pending = (pending << length) | codes[b];
            pendingBits += length;
            while (pendingBits >= 8)
            {
                pendingBits -= 8;
                destination[written++] = (byte)(pending >> pendingBits);
            }
        }
        if (pendingBits > 0)
        {
            destination[written++] = (byte)((pending << (8 - pendingBits)) | (0xffu >> pendingBits));
        }
        return written;
    }

    /// <summary>
    /// Decodes a Huffman-coded string. Per §5.2 the string must not contain EOS, and the bits after the last symbol
    /// must be at most 7 and all ones; anything else is a decoding error.
    /// </summary>
    /// <param name="source">The encoded octets.</param>
    /// <param name="destination">At least <see cref="GetMaxDecodedLength"/> octets.</param>
    /// <returns>The number of octets written.</returns>
    /// <exception cref="HpackException">EOS inside the string, or invalid padding.</exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        uint[] firstCode = s_firstCode;
        int[] countAtLength = s_countAtLength;
        int[] firstSymbol = s_firstSymbolAtLength;
        ushort[] sorted = s_sortedSymbols;
        uint code = 0;
        int length = 0;
        int written = 0;
        foreach (byte b in source)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                if (length < MinCodeLength)
                {
                    continue;
                }
                uint offset = code - firstCode[length];
                if (offset < (uint)countAtLength[length])
                {
                    int symbol = sorted[firstSymbol[length] + (int)offset];
                    if (symbol == Eos)
                    {
                        throw new HpackException("A Huffman-coded string contains the EOS symbol (RFC 7541 §5.2).");
                    }
                    if (written >= destination.Length)
                    {
                        throw new HpackException("A Huffman-coded string decodes to more octets than the destination holds.");
                    }
                    destination[written++] = (byte)symbol;
                    code = 0;
                    length = 0;
                }
            }
        }
        if (length > 7)
        {
            throw new HpackException("A Huffman-coded string ends with padding longer than 7 bits (RFC 7541 §5.2).");
        }
        if (code != (1u << length) - 1)
        {
            throw new HpackException("A Huffman-coded string ends with padding that is not the most significant bits of EOS (RFC 7541 §5.2).");
        }
        return written;
    }

    private static ushort[] BuildTables()
    {
        ReadOnlySpan<byte> lengths = Lengths;
        ushort[] sorted = new ushort[257];
        int n = 0;
        uint next = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            next <<= 1;
            s_firstCode[length] = next;
            s_firstSymbolAtLength[length] = n;
            for (int symbol = 0; symbol <= Eos; symbol++)
            {
                if (lengths[symbol] == length)
                {
                    s_codes[symbol] = next++;
                    sorted[n++] = (ushort)symbol;
                    s_countAtLength[length]++;
                }
            }
        }
        return sorted;
    }
}
