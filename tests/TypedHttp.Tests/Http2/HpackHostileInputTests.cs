using System;
using System.Collections.Generic;
using TypedHttp.Http2.Hpack;
using static TypedHttp.Tests.Http2.HpackTestSupport;

namespace TypedHttp.Tests.Http2;

/// <summary>Malformed and hostile header blocks: each one is a precise <see cref="HpackException"/>, never another exception or a wrong field.</summary>
public sealed class HpackHostileInputTests
{
    private static HpackException Reject(string hex, int maxTableSize = 4096, int maxHeaderListSize = 64 * 1024)
    {
        var decoder = new HpackDecoder(maxTableSize, maxHeaderListSize);
        return Assert.Throws<HpackException>(() => decoder.Decode(Hex(hex), new FieldCollector()));
    }

    [Theory]
    [InlineData("80", "index 0 (RFC 7541 §6.1)")]                                   // indexed field, index 0
    [InlineData("be", "Index 62 is past the end")]                                  // §2.3.3: empty dynamic table
    [InlineData("ff80 01", "Index 255 is past the end")]                            // multi-octet index, still past the end
    [InlineData("7f00 0161", "Index 63 is past the end")]                           // literal whose indexed name is past the end
    [InlineData("ff80 8080 8008", "exceeds 2^31-1")]                                 // 127 + 8·2^28 > 2^31 - 1 (§5.1)
    [InlineData("ff80 8080 8080 00", "more continuation octets")]                   // six continuation octets (§5.1)
    [InlineData("ff", "ends inside a prefix-coded integer")]                        // truncated integer
    [InlineData("ff80", "ends inside a prefix-coded integer")]
    [InlineData("400a 6375", "longer than the 2 octets left")]                      // name length 10, two octets follow
    [InlineData("4001 61", "ends where a string literal should start")]             // the value is missing
    [InlineData("0084 ffff ffff 0161", "contains the EOS symbol")]                  // Huffman name: 30 ones are EOS (§5.2)
    [InlineData("0081 ff01 61", "padding longer than 7 bits")]                      // Huffman name of 8 padding bits (§5.2)
    [InlineData("0082 1fff 0161", "padding longer than 7 bits")]                    // 'a' then 11 bits of ones
    [InlineData("0081 1801 61", "not the most significant bits of EOS")]           // 'a' (00011) then 000 (§5.2)
    [InlineData("0081 1e01 61", "not the most significant bits of EOS")]           // 'a' then 110
    [InlineData("823f e11f", "must be at the start of the block")]                  // size update after a field (§4.2)
    [InlineData("4001 6101 623f e11f", "must be at the start of the block")]
    [InlineData("3fe2 1f", "size update to 4097 exceeds the limit of 4096")]        // §6.3
    public void Decoder_RejectsMalformedBlock(string hex, string problem)
    {
        HpackException e = Reject(hex);
        Assert.Equal((HpackErrorKind.Malformed, true), (e.Kind, e.Message.Contains(problem, StringComparison.Ordinal)));
    }

    [Fact]
    public void Decoder_rejects_size_update_above_a_small_advertised_limit()
    {
        HpackException e = Reject("3f02", maxTableSize: 32); // 33 > 32
        Assert.Contains("size update to 33 exceeds the limit of 32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoder_accepts_size_updates_up_to_the_limit_at_the_start_of_a_block()
    {
        // Two updates at the start (the "lower then raise" of §4.2): to 0, then to 4096.
        var decoder = new HpackDecoder();
        DecodeText(decoder, Hex("4001 6101 62"));
        DecodeText(decoder, Hex("203f e11f 82"));
        Assert.Equal((0, 0, 4096), (decoder.DynamicTableCount, decoder.DynamicTableSize, decoder.DynamicTableMaxSize));
    }

    [Fact]
    public void Decoder_starts_at_4096_even_when_it_advertises_more_and_grows_on_a_size_update()
    {
        var decoder = new HpackDecoder(maxTableSize: 8192);
        int before = decoder.DynamicTableMaxSize;
        DecodeText(decoder, Hex("3fe1 3f")); // 31 + 0x61 + 0x3f·128 = 8192
        Assert.Equal((4096, 8192), (before, decoder.DynamicTableMaxSize));
    }

    [Fact]
    public void Decoder_requires_a_size_update_after_its_limit_was_lowered()
    {
        var decoder = new HpackDecoder();
        DecodeText(decoder, Hex("4001 6101 62"));
        decoder.SetMaxTableSize(1024);
        HpackException e = Assert.Throws<HpackException>(() => decoder.Decode(Hex("82"), new FieldCollector()));
        Assert.Contains("does not start with the dynamic table size update required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoder_accepts_the_required_size_update_after_its_limit_was_lowered()
    {
        var decoder = new HpackDecoder();
        DecodeText(decoder, Hex("4001 6101 62"));
        decoder.SetMaxTableSize(1024);
        List<(string Name, string Value)> fields = DecodeText(decoder, Hex("3fe1 0782 be")); // update to 1024, then :method GET and the entry a: b
        Assert.Equal(":method: GET; a: b; ", Lines(fields));
    }

    [Fact]
    public void Decoder_rejects_an_index_just_past_the_dynamic_table()
    {
        var decoder = new HpackDecoder();
        DecodeText(decoder, Hex("4001 6101 62")); // one entry: index 62
        HpackException e = Assert.Throws<HpackException>(() => decoder.Decode(Hex("bf"), new FieldCollector()));
        Assert.Contains("Index 63 is past the end of the static and dynamic tables (62 entries)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoder_keeps_the_referenced_name_when_adding_the_field_evicts_its_entry()
    {
        // RFC 7541 §4.4: the new entry names entry 62, which must be evicted to make room for it.
        var decoder = new HpackDecoder(maxTableSize: 64);
        DecodeText(decoder, Hex("4001 6101 62"));                         // a: b (34 octets)
        string value = new('x', 30);
        byte[] block = Hex("7e1e" + ToHex(System.Text.Encoding.ASCII.GetBytes(value))); // name index 62, 30-octet value
        string step = DecodeStep(decoder, block);
        Assert.Equal(Step([("a", value)], [("a", value)], 63), step);
    }

    [Fact]
    public void Decoder_empties_the_table_for_an_entry_larger_than_the_table()
    {
        var decoder = new HpackDecoder(maxTableSize: 40);
        DecodeText(decoder, Hex("4001 6101 62"));
        string step = DecodeStep(decoder, Hex("4001 6308 3031 3233 3435 3637")); // c: 01234567 is 41 octets
        Assert.Equal(Step([("c", "01234567")], [], 0), step);
    }

    [Fact]
    public void Decoder_reports_a_header_list_over_the_limit_as_its_own_kind()
    {
        // Limit 40: "a: b" counts 34, the second field crosses it.
        HpackException e = Reject("4001 6101 6240 0163 0164", maxHeaderListSize: 40);
        Assert.Equal((HpackErrorKind.HeaderListTooLarge, true), (e.Kind, e.Message.Contains("over the limit of 40", StringComparison.Ordinal)));
    }

    [Fact]
    public void Decoder_stops_calling_the_sink_once_the_header_list_is_over_the_limit()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 40);
        var sink = new FieldCollector();
        Assert.Throws<HpackException>(() => decoder.Decode(Hex("4001 6101 6240 0163 0164 82"), sink));
        Assert.Equal("a: b; ", Lines(sink.Text));
    }

    [Fact]
    public void Decoder_keeps_its_table_in_sync_after_a_header_list_over_the_limit()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 40);
        Assert.Throws<HpackException>(() => decoder.Decode(Hex("4001 6101 6240 0163 0164"), new FieldCollector()));
        // Both fields were added to the table (c: d newest) although the sink never saw c: d.
        string next = Lines(DecodeText(decoder, Hex("be"))) + Lines(DecodeText(decoder, Hex("bf")));
        Assert.Equal("c: d; a: b; ", next);
    }

    [Fact]
    public void Decoder_rejects_huffman_strings_with_eos_even_when_padded()
    {
        // EOS (30 ones) followed by the 2 remaining ones of the octet: still EOS inside the string (§5.2).
        HpackException e = Reject("0084 ffff ffff 0161");
        Assert.Equal(HpackErrorKind.Malformed, e.Kind);
    }

    [Fact]
    public void Decoder_accepts_an_empty_block()
    {
        List<(string Name, string Value)> fields = DecodeText(new HpackDecoder(), Array.Empty<byte>());
        Assert.Empty(fields);
    }

    [Fact]
    public void Decoder_accepts_an_empty_huffman_string()
    {
        List<(string Name, string Value)> fields = DecodeText(new HpackDecoder(), Hex("0080 0161"));
        Assert.Equal(new List<(string, string)> { ("", "a") }, fields);
    }
}
