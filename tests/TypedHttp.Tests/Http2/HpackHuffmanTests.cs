using System;
using System.Text;
using CsCheck;
using TypedHttp.Http2.Hpack;
using static TypedHttp.Tests.Http2.HpackTestSupport;

namespace TypedHttp.Tests.Http2;

/// <summary>The Huffman code of RFC 7541 Appendix B: the derived codes, the examples of Appendix C, and round trips.</summary>
public sealed class HpackHuffmanTests
{
    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(1, 0x7fffd8u, 23)]
    [InlineData(10, 0x3ffffffcu, 30)]
    [InlineData(32, 0x14u, 6)]      // ' '
    [InlineData(48, 0x0u, 5)]       // '0'
    [InlineData(58, 0x5cu, 7)]      // ':'
    [InlineData(92, 0x7fff0u, 19)]  // '\'
    [InlineData(97, 0x3u, 5)]       // 'a'
    [InlineData(126, 0x1ffdu, 13)]  // '~'
    [InlineData(127, 0xffffffcu, 28)]
    [InlineData(128, 0xfffe6u, 20)]
    [InlineData(199, 0x1ffffecu, 25)]
    [InlineData(220, 0xffffffdu, 28)]
    [InlineData(254, 0x7fffff0u, 27)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)] // EOS
    public void Code_MatchesAppendixB(int symbol, uint code, int length)
    {
        Assert.Equal((code, length), (HpackHuffman.CodeOf(symbol), HpackHuffman.LengthOf(symbol)));
    }

    [Fact]
    public void Code_is_complete_the_kraft_sum_is_exactly_one()
    {
        long sum = 0;
        for (int symbol = 0; symbol <= HpackHuffman.Eos; symbol++)
        {
            sum += 1L << (30 - HpackHuffman.LengthOf(symbol));
        }
        Assert.Equal(1L << 30, sum);
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]         // C.4.1
    [InlineData("no-cache", "a8eb 1064 9cbf")]                                 // C.4.2
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]                          // C.4.3
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]                     // C.4.3
    [InlineData("302", "6402")]                                                // C.6.1
    [InlineData("private", "aec3 771a 4b")]                                    // C.6.1
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")] // C.6.1
    [InlineData("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")]                 // C.6.1
    [InlineData("gzip", "9bd9 ab")]                                            // C.6.3
    public void Encode_ProducesTheAppendixCStrings(string text, string hex)
    {
        byte[] source = Encoding.ASCII.GetBytes(text);
        byte[] destination = new byte[HpackHuffman.GetEncodedLength(source)];
        int written = HpackHuffman.Encode(source, destination);
        Assert.Equal(ToHex(Hex(hex)), ToHex(destination.AsSpan(0, written)));
    }

    [Theory]
    [InlineData("f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com")]
    [InlineData("640e ff", "307")] // C.6.2: a Huffman string no shorter than the raw one is still valid
    [InlineData("", "")]
    public void Decode_ReadsTheAppendixCStrings(string hex, string text)
    {
        byte[] source = Hex(hex);
        byte[] destination = new byte[HpackHuffman.GetMaxDecodedLength(source.Length)];
        int written = HpackHuffman.Decode(source, destination);
        Assert.Equal(text, Encoding.ASCII.GetString(destination, 0, written));
    }

    [Fact]
    public void Every_octet_round_trips()
    {
        byte[] all = new byte[256];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (byte)i;
        }
        Assert.Equal(ToHex(all), ToHex(RoundTrip(all)));
    }

    [Fact]
    public void Random_octet_strings_round_trip_and_encode_to_the_announced_length()
    {
        Gen.OneOf(Gen.Byte.Array[0, 50], Gen.Byte[(byte)'a', (byte)'z'].Array[0, 300], Gen.Byte[0xc0, 0xff].Array[0, 20]).Sample(bytes =>
        {
            byte[] encoded = new byte[HpackHuffman.GetEncodedLength(bytes)];
            int written = HpackHuffman.Encode(bytes, encoded);
            byte[] decoded = new byte[HpackHuffman.GetMaxDecodedLength(written)];
            int n = HpackHuffman.Decode(encoded.AsSpan(0, written), decoded);
            Assert.Equal((encoded.Length, ToHex(bytes)), (written, ToHex(decoded.AsSpan(0, n))));
        }, iter: 2000);
    }

    [Fact]
    public void Decode_refuses_a_destination_that_is_too_short()
    {
        byte[] source = Hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff");
        byte[] destination = new byte[5];
        Assert.Throws<HpackException>(() => HpackHuffman.Decode(source, destination));
    }

    private static byte[] RoundTrip(byte[] bytes)
    {
        byte[] encoded = new byte[HpackHuffman.GetEncodedLength(bytes)];
        int written = HpackHuffman.Encode(bytes, encoded);
        byte[] decoded = new byte[HpackHuffman.GetMaxDecodedLength(written)];
        int n = HpackHuffman.Decode(encoded.AsSpan(0, written), decoded);
        return decoded.AsSpan(0, n).ToArray();
    }
}
