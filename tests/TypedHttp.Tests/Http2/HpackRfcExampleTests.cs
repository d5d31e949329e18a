using System;
using System.Buffers;
using System.Collections.Generic;
using TypedHttp.Http2.Hpack;
using static TypedHttp.Tests.Http2.HpackTestSupport;

namespace TypedHttp.Tests.Http2;

/// <summary>
/// Every example of RFC 7541 Appendix C, decoded (fields, then the dynamic table and its size after each block)
/// and, for the request and response sequences, encoded.
/// </summary>
public sealed class HpackRfcExampleTests
{
    // ---- C.1 integer representation (§5.1)

    [Theory]
    [InlineData(10, 5, "0a")]       // C.1.1
    [InlineData(1337, 5, "1f9a0a")] // C.1.2
    [InlineData(42, 8, "2a")]       // C.1.3
    public void Integer_WritesRfc7541C1_Examples(int value, int prefixBits, string hex)
    {
        byte[] buffer = new byte[HpackInteger.MaxLength];
        int written = HpackInteger.Write(buffer, value, prefixBits, 0);
        Assert.Equal(hex, ToHex(buffer.AsSpan(0, written)));
    }

    [Theory]
    [InlineData("0a", 5, 10)]
    [InlineData("1f9a0a", 5, 1337)]
    [InlineData("2a", 8, 42)]
    [InlineData("ea", 5, 10)] // C.1.1 with the three flag bits set: they are not part of the value
    public void Integer_ReadsRfc7541C1_Examples(string hex, int prefixBits, int expected)
    {
        int position = 0;
        int value = HpackInteger.Read(Hex(hex), ref position, prefixBits);
        Assert.Equal((expected, hex.Length / 2), (value, position));
    }

    [Fact]
    public void Integer_round_trips_the_largest_int_32_in_six_octets()
    {
        byte[] buffer = new byte[HpackInteger.MaxLength];
        int written = HpackInteger.Write(buffer, int.MaxValue, 1, 0);
        int position = 0;
        Assert.Equal((6, int.MaxValue), (written, HpackInteger.Read(buffer, ref position, 1)));
    }

    // ---- C.2 header field representations

    [Fact]
    public void Decoder_reads_rfc_7541_c_21_literal_with_indexing()
    {
        var decoder = new HpackDecoder();
        string step = DecodeStep(decoder, Hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        Assert.Equal(Step([("custom-key", "custom-header")], [("custom-key", "custom-header")], 55), step);
    }

    [Fact]
    public void Decoder_reads_rfc_7541_c_22_literal_without_indexing_leaving_the_table_empty()
    {
        var decoder = new HpackDecoder();
        string step = DecodeStep(decoder, Hex("040c 2f73 616d 706c 652f 7061 7468"));
        Assert.Equal(Step([(":path", "/sample/path")], [], 0), step);
    }

    [Fact]
    public void Decoder_reads_rfc_7541_c_23_literal_never_indexed_leaving_the_table_empty()
    {
        var decoder = new HpackDecoder();
        string step = DecodeStep(decoder, Hex("1008 7061 7373 776f 7264 0673 6563 7265 74"));
        Assert.Equal(Step([("password", "secret")], [], 0), step);
    }

    [Fact]
    public void Decoder_reads_rfc_7541_c_24_indexed_field()
    {
        var decoder = new HpackDecoder();
        string step = DecodeStep(decoder, Hex("82"));
        Assert.Equal(Step([(":method", "GET")], [], 0), step);
    }

    [Theory]
    [InlineData(nameof(HpackIndexing.Incremental), "custom-key", "custom-header", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")]
    [InlineData(nameof(HpackIndexing.WithoutIndexing), ":path", "/sample/path", "040c 2f73 616d 706c 652f 7061 7468")]
    [InlineData(nameof(HpackIndexing.NeverIndexed), "password", "secret", "1008 7061 7373 776f 7264 0673 6563 7265 74")]
    [InlineData(nameof(HpackIndexing.Incremental), ":method", "GET", "82")]
    public void Encoder_writes_rfc_7541_c_2_representations(string indexing, string name, string value, string hex)
    {
        var encoder = new HpackEncoder { UseHuffman = false };
        Assert.Equal(ToHex(Hex(hex)), ToHex(EncodeBlock(encoder, Enum.Parse<HpackIndexing>(indexing), (name, value))));
    }

    // ---- C.3 / C.4 requests

    private static readonly (string, string)[] s_request1 = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
    private static readonly (string, string)[] s_request2 = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")];
    private static readonly (string, string)[] s_request3 = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")];

    private static readonly (string, string)[] s_table1 = [(":authority", "www.example.com")];
    private static readonly (string, string)[] s_table2 = [("cache-control", "no-cache"), (":authority", "www.example.com")];
    private static readonly (string, string)[] s_table3 = [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")];

    private const string C31 = "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
    private const string C32 = "8286 84be 5808 6e6f 2d63 6163 6865";
    private const string C33 = "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65";
    private const string C41 = "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff";
    private const string C42 = "8286 84be 5886 a8eb 1064 9cbf";
    private const string C43 = "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf";

    [Fact]
    public void Decoder_reads_rfc_7541_c_3_requests_without_huffman()
    {
        var decoder = new HpackDecoder();
        var steps = new List<string>();
        foreach (string block in new[] { C31, C32, C33 })
        {
            steps.Add(DecodeStep(decoder, Hex(block)));
        }
        Assert.Equal(new[]
        {
            Step(s_request1, s_table1, 57),
            Step(s_request2, s_table2, 110),
            Step(s_request3, s_table3, 164),
        }, steps);
    }

    [Fact]
    public void Decoder_reads_rfc_7541_c_4_requests_with_huffman()
    {
        var decoder = new HpackDecoder();
        var steps = new List<string>();
        foreach (string block in new[] { C41, C42, C43 })
        {
            steps.Add(DecodeStep(decoder, Hex(block)));
        }
        Assert.Equal(new[]
        {
            Step(s_request1, s_table1, 57),
            Step(s_request2, s_table2, 110),
            Step(s_request3, s_table3, 164),
        }, steps);
    }

    [Fact]
    public void Encoder_writes_rfc_7541_c_3_requests_without_huffman()
    {
        var encoder = new HpackEncoder { UseHuffman = false };
        string[] blocks =
        [
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request1)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request2)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request3)),
        ];
        Assert.Equal(new[] { ToHex(Hex(C31)), ToHex(Hex(C32)), ToHex(Hex(C33)) }, blocks);
        Assert.Equal(164, encoder.DynamicTableSize);
    }

    [Fact]
    public void Encoder_writes_rfc_7541_c_4_requests_with_huffman()
    {
        var encoder = new HpackEncoder();
        string[] blocks =
        [
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request1)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request2)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_request3)),
        ];
        Assert.Equal(new[] { ToHex(Hex(C41)), ToHex(Hex(C42)), ToHex(Hex(C43)) }, blocks);
        Assert.Equal(164, encoder.DynamicTableSize);
    }

    // ---- C.5 / C.6 responses, dynamic table of 256 octets

    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Location = "https://www.example.com";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly (string, string)[] s_response1 = [(":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", Location)];
    private static readonly (string, string)[] s_response2 = [(":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", Location)];
    private static readonly (string, string)[] s_response3 = [(":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", Location), ("content-encoding", "gzip"), ("set-cookie", Cookie)];

    private static readonly (string, string)[] s_responseTable1 = [("location", Location), ("date", Date1), ("cache-control", "private"), (":status", "302")];
    private static readonly (string, string)[] s_responseTable2 = [(":status", "307"), ("location", Location), ("date", Date1), ("cache-control", "private")];
    private static readonly (string, string)[] s_responseTable3 = [("set-cookie", Cookie), ("content-encoding", "gzip"), ("date", Date2)];

    private const string C51 = "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
    private const string C52 = "4803 3330 37c1 c0bf";
    private const string C53 = "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31";
    private const string C61 = "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
    private const string C62 = "4883 640e ffc1 c0bf";
    private const string C63 = "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07";

    [Theory]
    [InlineData(C51, C52, C53)] // C.5 without Huffman
    [InlineData(C61, C62, C63)] // C.6 with Huffman
    public void Decoder_ReadsRfc7541C5AndC6_ResponsesWithEviction(string block1, string block2, string block3)
    {
        var decoder = new HpackDecoder(maxTableSize: 256);
        var steps = new List<string>();
        foreach (string block in new[] { block1, block2, block3 })
        {
            steps.Add(DecodeStep(decoder, Hex(block)));
        }
        Assert.Equal(new[]
        {
            Step(s_response1, s_responseTable1, 222),
            Step(s_response2, s_responseTable2, 222),
            Step(s_response3, s_responseTable3, 215),
        }, steps);
    }

    [Fact]
    public void Encoder_writes_rfc_7541_c_5_responses_after_signalling_its_smaller_table()
    {
        // The examples assume both tables start at 256 octets; an encoder limited to 256 must first tell a
        // decoder that starts at the default 4096 (RFC 7541 §4.2): 3f e1 01 is a size update to 256.
        var encoder = new HpackEncoder(maxTableSize: 256) { UseHuffman = false };
        string[] blocks =
        [
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response1)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response2)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response3)),
        ];
        Assert.Equal(new[] { "3fe101" + ToHex(Hex(C51)), ToHex(Hex(C52)), ToHex(Hex(C53)) }, blocks);
    }

    [Fact]
    public void Encoder_writes_rfc_7541_c_6_responses_except_where_huffman_is_not_shorter()
    {
        // C.6.2 Huffman-codes "307" into 3 octets (64 0e ff), no shorter than the raw 3 octets; this encoder
        // Huffman-codes only when strictly shorter, so it sends 48 03 "307" there. Everything else is C.6 byte for byte.
        var encoder = new HpackEncoder(maxTableSize: 256);
        string[] blocks =
        [
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response1)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response2)),
            ToHex(EncodeBlock(encoder, HpackIndexing.Incremental, s_response3)),
        ];
        Assert.Equal(new[] { "3fe101" + ToHex(Hex(C61)), ToHex(Hex("4803 3330 37c1 c0bf")), ToHex(Hex(C63)) }, blocks);
    }

    [Fact]
    public void Decoder_keeps_in_step_with_the_encoder_over_the_c_6_responses()
    {
        var encoder = new HpackEncoder(maxTableSize: 256);
        var decoder = new HpackDecoder(maxTableSize: 4096);
        var steps = new List<string>();
        foreach ((string, string)[] response in new[] { s_response1, s_response2, s_response3 })
        {
            steps.Add(DecodeStep(decoder, EncodeBlock(encoder, HpackIndexing.Incremental, response)));
        }
        Assert.Equal(new[] { Step(s_response1, s_responseTable1, 222), Step(s_response2, s_responseTable2, 222), Step(s_response3, s_responseTable3, 215) }, steps);
    }
}
