using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using CsCheck;
using TypedHttp.Http2.Hpack;
using static TypedHttp.Tests.Http2.HpackTestSupport;

namespace TypedHttp.Tests.Http2;

/// <summary>
/// Property tests: random header lists round-trip from one <see cref="HpackEncoder"/> to one
/// <see cref="HpackDecoder"/> over several blocks sharing their tables, while the peer's table size changes
/// (0 included) between blocks.
/// </summary>
public sealed class HpackPropertyTests
{
    private static readonly string[] s_names =
    [
        ":method", ":path", ":authority", ":status", "accept-encoding", "cache-control", "content-type", "cookie",
        "authorization", "user-agent", "x-request-id", "x-a", "date",
    ];

    private static readonly Gen<byte[]> s_name = Gen.OneOf(
        Gen.OneOf(s_names).Select(n => Encoding.ASCII.GetBytes(n)),
        Gen.Byte[(byte)'a', (byte)'z'].Array[1, 12]);

    private static readonly Gen<byte[]> s_value = Gen.OneOf(
        Gen.OneOf("GET", "/", "gzip, deflate", "200", "", "no-cache").Select(v => Encoding.ASCII.GetBytes(v)),
        Gen.Byte.Array[0, 40],
        Gen.Byte[(byte)' ', (byte)'~'].Array[0, 80],
        Gen.Byte.Array[1000, 5000]);

    private static readonly Gen<(byte[] Name, byte[] Value, HpackIndexing Indexing)> s_field =
        Gen.Select(s_name, s_value, Gen.Enum<HpackIndexing>(), (n, v, i) => (n, v, i));

    // -1: the peer's setting does not change before this block.
    private static readonly Gen<int> s_peerSize = Gen.OneOf(Gen.Const(-1), Gen.Const(-1), Gen.Const(0), Gen.Int[1, 8192], Gen.Const(4096));

    private static readonly Gen<(int[] PeerSizes, (byte[] Name, byte[] Value, HpackIndexing Indexing)[] Fields)[]> s_blocks =
        Gen.Select(s_peerSize.Array[0, 3], s_field.Array[0, 12]).Array[1, 6];

    [Fact]
    public void Random_header_lists_round_trip_across_blocks_sharing_one_table_pair()
    {
        Gen.Select(Gen.OneOf(0, 256, 4096, 8192), s_blocks).Sample((ownLimit, blocks) =>
        {
            var encoder = new HpackEncoder(ownLimit) { UseHuffman = ownLimit != 256 };
            var decoder = new HpackDecoder(maxTableSize: 8192, maxHeaderListSize: int.MaxValue);
            var expected = new StringBuilder();
            var actual = new StringBuilder();
            var output = new ArrayBufferWriter<byte>();
            foreach ((int[] peerSizes, (byte[] Name, byte[] Value, HpackIndexing Indexing)[] fields) in blocks)
            {
                foreach (int size in peerSizes)
                {
                    if (size >= 0)
                    {
                        encoder.SetPeerMaxTableSize(size);
                    }
                }
                output.Clear();
                encoder.BeginBlock(output);
                foreach ((byte[] name, byte[] value, HpackIndexing indexing) in fields)
                {
                    encoder.Encode(output, name, value, indexing);
                    expected.Append(ToHex(name)).Append('=').Append(ToHex(value)).Append(';');
                }
                var sink = new FieldCollector();
                decoder.Decode(output.WrittenSpan, sink);
                foreach ((byte[] name, byte[] value) in sink.Fields)
                {
                    actual.Append(ToHex(name)).Append('=').Append(ToHex(value)).Append(';');
                }
                expected.Append(" table ").Append(Str(encoder.DynamicTableSize)).Append('/').Append(Str(encoder.DynamicTableMaxSize)).Append('\n');
                actual.Append(" table ").Append(Str(decoder.DynamicTableSize)).Append('/').Append(Str(decoder.DynamicTableMaxSize)).Append('\n');
            }
            Assert.Equal(expected.ToString(), actual.ToString());
        }, iter: 400);
    }

    [Fact]
    public void Lowering_then_raising_the_peer_size_signals_the_minimum_then_the_final_size()
    {
        var encoder = new HpackEncoder();
        EncodeBlock(encoder, HpackIndexing.Incremental, ("x-a", "1"));
        encoder.SetPeerMaxTableSize(100);
        encoder.SetPeerMaxTableSize(0);
        encoder.SetPeerMaxTableSize(4096);
        byte[] block = EncodeBlock(encoder, HpackIndexing.Incremental);
        Assert.Equal("203fe11f", ToHex(block)); // §4.2: update to 0, then to 4096
    }

    [Fact]
    public void Lowering_the_peer_size_signals_the_new_size_once()
    {
        var encoder = new HpackEncoder();
        encoder.SetPeerMaxTableSize(2048);
        encoder.SetPeerMaxTableSize(1024);
        byte[] block = EncodeBlock(encoder, HpackIndexing.Incremental, (":method", "GET"));
        Assert.Equal("3fe10782", ToHex(block)); // update to 1024, :method GET
    }

    [Fact]
    public void Raising_the_peer_size_above_the_own_limit_keeps_the_own_limit_and_signals_nothing()
    {
        var encoder = new HpackEncoder(maxTableSize: 4096);
        encoder.SetPeerMaxTableSize(65536);
        byte[] block = EncodeBlock(encoder, HpackIndexing.Incremental, (":method", "GET"));
        Assert.Equal(("82", 4096), (ToHex(block), encoder.DynamicTableMaxSize));
    }

    [Fact]
    public void An_encoder_with_a_smaller_table_signals_it_in_its_first_block()
    {
        var encoder = new HpackEncoder(maxTableSize: 0);
        byte[] block = EncodeBlock(encoder, HpackIndexing.Incremental, ("x-a", "1"));
        Assert.Equal("2000" + "03" + ToHex("x-a"u8) + "0131", ToHex(block)); // update to 0, then a literal without indexing
    }

    [Fact]
    public void A_field_larger_than_the_table_is_sent_without_indexing_keeping_the_table()
    {
        var encoder = new HpackEncoder { UseHuffman = false };
        EncodeBlock(encoder, HpackIndexing.Incremental, ("x-a", "1"));
        byte[] block = EncodeBlock(encoder, HpackIndexing.Incremental, ("x-big", new string('v', 5000)));
        Assert.Equal(("00", 1), (ToHex(block.AsSpan(0, 1)), encoder.DynamicTableCount));
    }

    [Fact]
    public void Never_indexed_fields_stay_literal_even_when_the_table_has_them()
    {
        var encoder = new HpackEncoder { UseHuffman = false };
        EncodeBlock(encoder, HpackIndexing.Incremental, ("cookie", "a=1"));
        byte[] block = EncodeBlock(encoder, HpackIndexing.NeverIndexed, ("cookie", "a=1"));
        Assert.Equal("1f11" + "03" + ToHex("a=1"u8), ToHex(block)); // §6.2.3 with the static name index 32 (15 + 17)
    }

    [Theory]
    [InlineData("authorization", 10, nameof(HpackIndexing.NeverIndexed))]
    [InlineData("proxy-authorization", 10, nameof(HpackIndexing.NeverIndexed))]
    [InlineData("cookie", 10, nameof(HpackIndexing.NeverIndexed))]
    [InlineData("set-cookie", 10, nameof(HpackIndexing.NeverIndexed))]
    [InlineData(":path", 10, nameof(HpackIndexing.Incremental))]
    [InlineData(":path", 513, nameof(HpackIndexing.WithoutIndexing))]
    [InlineData("cookie", 513, nameof(HpackIndexing.NeverIndexed))]
    [InlineData("user-agent", 512, nameof(HpackIndexing.Incremental))]
    public void Default_indexing_protects_credentials_and_skips_long_values(string name, int valueLength, string expected)
    {
        Assert.Equal(expected, HpackEncoder.DefaultIndexingFor(name, valueLength).ToString());
    }

    [Fact]
    public void String_overload_writes_the_value_as_utf_8()
    {
        var encoder = new HpackEncoder { UseHuffman = false };
        var decoder = new HpackDecoder();
        var sink = new FieldCollector();
        decoder.Decode(EncodeBlock(encoder, HpackIndexing.WithoutIndexing, ("x-name", "caf\u00e9 \u2603")), sink);
        Assert.Equal("caf\u00e9 \u2603", Encoding.UTF8.GetString(sink.Fields[0].Value));
    }
}
