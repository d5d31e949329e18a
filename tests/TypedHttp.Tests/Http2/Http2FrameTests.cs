using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using CsCheck;
using TypedHttp.Http2;
using static TypedHttp.Tests.Http2.HpackTestSupport;

namespace TypedHttp.Tests.Http2;

/// <summary>Frames of RFC 9113 §4 and §6: byte-exact writing, parsing, and every validation rule with its error code and scope.</summary>
public sealed class Http2FrameTests
{
    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return ToHex(output.WrittenSpan);
    }

    /// <summary>What a peer observes of a rejected frame: the code, the scope and the RFC section in the message.</summary>
    private static string Rejection(Action read, string section)
    {
        Http2ProtocolException e = Assert.Throws<Http2ProtocolException>(read);
        string scope = e.IsConnectionError ? "connection" : "stream " + Str(e.StreamId);
        return $"{e.Code} {scope}{(e.Message.Contains(section, StringComparison.Ordinal) ? "" : " (message lacks " + section + ": " + e.Message + ")")}";
    }

    private static Http2FrameHeader H(Http2FrameType type, int length, int streamId, Http2FrameFlags flags = Http2FrameFlags.None) =>
        new(length, type, flags, streamId);

    // ---------------------------------------------------------------- frame header (§4.1)

    [Fact]
    public void Header_writes_nine_octets_big_endian()
    {
        byte[] buffer = new byte[Http2FrameHeader.Size];
        new Http2FrameHeader(0x123456, Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.EndStream, 0x7fffffff).WriteTo(buffer);
        Assert.Equal("123456" + "01" + "05" + "7fffffff", ToHex(buffer));
    }

    [Fact]
    public void Header_read_ignores_the_reserved_bit()
    {
        var header = Http2FrameHeader.Read(Hex("000010 00 01 80000003"));
        Assert.Equal(new Http2FrameHeader(16, Http2FrameType.Data, Http2FrameFlags.EndStream, 3), header);
    }

    [Fact]
    public void Header_read_keeps_unknown_types_and_flags()
    {
        var header = Http2FrameHeader.Read(Hex("000000 fa ff 00000000"));
        Assert.Equal(((byte)0xfa, (byte)0xff), ((byte)header.Type, (byte)header.Flags));
    }

    [Fact]
    public void Header_round_trips_for_any_length_type_flags_and_stream()
    {
        Gen.Select(Gen.Int[0, Http2FrameHeader.MaxLength], Gen.Byte, Gen.Byte, Gen.Int[0, int.MaxValue]).Sample((length, type, flags, stream) =>
        {
            var header = new Http2FrameHeader(length, (Http2FrameType)type, (Http2FrameFlags)flags, stream);
            byte[] buffer = new byte[Http2FrameHeader.Size];
            header.WriteTo(buffer);
            Assert.Equal(header, Http2FrameHeader.Read(buffer));
        }, iter: 2000);
    }

    [Fact]
    public void Client_preface_is_the_twenty_four_octets_of_section_3_4()
    {
        Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Encoding.ASCII.GetString(Http2Frame.ClientPreface));
    }

    // ---------------------------------------------------------------- writing (§6)

    [Fact]
    public void Write_settings_writes_each_setting_as_six_octets()
    {
        string hex = Written(o => Http2Frame.WriteSettings(o, [(Http2SettingId.HeaderTableSize, 4096u), (Http2SettingId.EnablePush, 0u)]));
        Assert.Equal("00000c0400" + "00000000" + "000100001000" + "000200000000", hex);
    }

    [Fact]
    public void Write_settings_with_no_settings_writes_an_empty_frame()
    {
        Assert.Equal("000000040000000000", Written(o => Http2Frame.WriteSettings(o, ReadOnlySpan<(Http2SettingId, uint)>.Empty)));
    }

    [Fact]
    public void Write_settings_ack_writes_an_empty_frame_with_ack()
    {
        Assert.Equal("000000040100000000", Written(Http2Frame.WriteSettingsAck));
    }

    [Theory]
    [InlineData(false, "0000080600000000000102030405060708")]
    [InlineData(true, "0000080601000000000102030405060708")]
    public void Write_ping_writes_eight_opaque_octets(bool ack, string hex)
    {
        Assert.Equal(hex, Written(o => Http2Frame.WritePing(o, 0x0102030405060708UL, ack)));
    }

    [Fact]
    public void Write_window_update_writes_the_increment()
    {
        Assert.Equal("000004080000000003" + "0000ffff", Written(o => Http2Frame.WriteWindowUpdate(o, 3, 65535)));
    }

    [Fact]
    public void Write_window_update_refuses_a_zero_increment()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Written(o => Http2Frame.WriteWindowUpdate(o, 0, 0)));
    }

    [Fact]
    public void Write_rst_stream_writes_the_error_code()
    {
        Assert.Equal("000004030000000005" + "00000008", Written(o => Http2Frame.WriteRstStream(o, 5, Http2ErrorCode.Cancel)));
    }

    [Fact]
    public void Write_go_away_writes_last_stream_code_and_debug_data()
    {
        Assert.Equal("00000a070000000000" + "00000007" + "00000001" + "6869", Written(o => Http2Frame.WriteGoAway(o, 7, Http2ErrorCode.ProtocolError, "hi"u8)));
    }

    [Theory]
    [InlineData(true, "000005000100000001")]
    [InlineData(false, "000005000000000001")]
    public void Write_data_header_writes_only_the_header(bool endStream, string hex)
    {
        Assert.Equal(hex, Written(o => Http2Frame.WriteDataHeader(o, 1, 5, endStream)));
    }

    [Fact]
    public void Write_headers_fits_one_frame_with_end_headers_and_end_stream()
    {
        Assert.Equal("000002010500000001" + "8286", Written(o => Http2Frame.WriteHeaders(o, 1, Hex("8286"), endStream: true, maxFrameSize: 16384)));
    }

    [Fact]
    public void Write_headers_splits_into_continuation_frames_end_headers_on_the_last()
    {
        string hex = Written(o => Http2Frame.WriteHeaders(o, 3, Hex("00010203040506070809"), endStream: true, maxFrameSize: 4));
        Assert.Equal(
            "000004010100000003" + "00010203" +  // HEADERS, END_STREAM only
            "000004090000000003" + "04050607" +  // CONTINUATION
            "000002090400000003" + "0809",       // CONTINUATION, END_HEADERS
            hex);
    }

    [Fact]
    public void Write_headers_exact_multiple_of_the_frame_size_has_no_empty_continuation()
    {
        string hex = Written(o => Http2Frame.WriteHeaders(o, 1, Hex("00010203"), endStream: false, maxFrameSize: 2));
        Assert.Equal("000002010000000001" + "0001" + "000002090400000001" + "0203", hex);
    }

    [Fact]
    public void Write_headers_empty_block_is_one_empty_headers_frame()
    {
        Assert.Equal("000000010400000001", Written(o => Http2Frame.WriteHeaders(o, 1, ReadOnlySpan<byte>.Empty, endStream: false, maxFrameSize: 16384)));
    }

    // ---------------------------------------------------------------- padding (§6.1) and HEADERS (§6.2)

    [Fact]
    public void Remove_padding_strips_the_pad_length_and_the_padding()
    {
        byte[] data = Http2Frame.RemovePadding(H(Http2FrameType.Data, 5, 1, Http2FrameFlags.Padded), Hex("02 6869 0000")).ToArray();
        Assert.Equal("hi", Encoding.ASCII.GetString(data));
    }

    [Fact]
    public void Remove_padding_without_the_padded_flag_returns_the_payload()
    {
        byte[] data = Http2Frame.RemovePadding(H(Http2FrameType.Data, 3, 1), Hex("02 6869")).ToArray();
        Assert.Equal("026869", ToHex(data));
    }

    [Fact]
    public void Remove_padding_allows_padding_that_fills_the_rest_of_the_payload()
    {
        byte[] data = Http2Frame.RemovePadding(H(Http2FrameType.Data, 4, 1, Http2FrameFlags.Padded), Hex("03 000000")).ToArray();
        Assert.Empty(data);
    }

    [Theory]
    [InlineData("04 6869 00")]   // pad length 4 = payload length
    [InlineData("ff 00")]        // pad length far beyond
    public void RemovePadding_RejectsPaddingAsLongAsThePayload_ConnectionProtocolError(string payload)
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.RemovePadding(H(Http2FrameType.Data, payload.Length / 2, 1, Http2FrameFlags.Padded), Hex(payload)), "§6.1"));
    }

    [Fact]
    public void Remove_padding_rejects_a_padded_frame_without_pad_length()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Http2Frame.RemovePadding(H(Http2FrameType.Data, 0, 1, Http2FrameFlags.Padded), ReadOnlySpan<byte>.Empty), "§6.1"));
    }

    [Fact]
    public void Read_headers_skips_the_priority_fields()
    {
        byte[] fragment = Http2Frame.ReadHeaders(H(Http2FrameType.Headers, 6, 1, Http2FrameFlags.Priority), Hex("80000003 10 82")).ToArray();
        Assert.Equal("82", ToHex(fragment));
    }

    [Fact]
    public void Read_headers_skips_padding_and_priority_fields()
    {
        byte[] fragment = Http2Frame.ReadHeaders(H(Http2FrameType.Headers, 10, 1, Http2FrameFlags.Priority | Http2FrameFlags.Padded), Hex("02 00000003 10 8286 0000")).ToArray();
        Assert.Equal("8286", ToHex(fragment));
    }

    [Fact]
    public void Read_headers_rejects_padding_that_eats_the_priority_fields()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ReadHeaders(H(Http2FrameType.Headers, 6, 1, Http2FrameFlags.Priority | Http2FrameFlags.Padded), Hex("01 00000003 10")), "§6.2"));
    }

    [Theory]
    [InlineData("00000003 10 82")]
    [InlineData("80000003 10 82")] // exclusive bit set: the dependency is still stream 3
    public void ReadHeaders_RejectsAStreamDependingOnItself_StreamProtocolError(string payload)
    {
        Assert.Equal("ProtocolError stream 3", Rejection(() => Http2Frame.ReadHeaders(H(Http2FrameType.Headers, 6, 3, Http2FrameFlags.Priority), Hex(payload)), "§5.3.1"));
    }

    [Fact]
    public void Read_priority_rejects_a_stream_depending_on_itself_stream_protocol_error()
    {
        Assert.Equal("ProtocolError stream 5", Rejection(() => Http2Frame.ReadPriority(H(Http2FrameType.Priority, 5, 5), Hex("00000005 10")), "§5.3.1"));
    }

    [Fact]
    public void Read_priority_returns_the_dependency()
    {
        Assert.Equal(3, Http2Frame.ReadPriority(H(Http2FrameType.Priority, 5, 5), Hex("80000003 10")));
    }

    // ---------------------------------------------------------------- SETTINGS (§6.5)

    private static string Settings(string payload, Http2FrameFlags flags = Http2FrameFlags.None, int streamId = 0)
    {
        byte[] bytes = Hex(payload);
        var text = new StringBuilder();
        foreach ((Http2SettingId id, uint value) in Http2Frame.ReadSettings(H(Http2FrameType.Settings, bytes.Length, streamId, flags), bytes))
        {
            text.Append(id).Append('=').Append(Str((int)value)).Append(';');
        }
        return text.ToString();
    }

    [Fact]
    public void Read_settings_reads_every_known_setting_in_order()
    {
        string settings = Settings("0001 00001000 0002 00000000 0003 00000064 0004 0000ffff 0005 00004000 0006 00010000");
        Assert.Equal("HeaderTableSize=4096;EnablePush=0;MaxConcurrentStreams=100;InitialWindowSize=65535;MaxFrameSize=16384;MaxHeaderListSize=65536;", settings);
    }

    [Fact]
    public void Read_settings_ignores_unknown_identifiers()
    {
        Assert.Equal("MaxConcurrentStreams=1;", Settings("0000 00000001 0007 ffffffff 0003 00000001 ff00 00000000"));
    }

    [Theory]
    [InlineData("0005 00004000", "MaxFrameSize=16384;")]
    [InlineData("0005 00ffffff", "MaxFrameSize=16777215;")]
    [InlineData("0004 7fffffff", "InitialWindowSize=2147483647;")]
    [InlineData("0002 00000001", "EnablePush=1;")]
    public void Read_settings_accepts_the_limits_of_each_range(string payload, string expected)
    {
        Assert.Equal(expected, Settings(payload));
    }

    [Theory]
    [InlineData("0002 00000002", "ProtocolError connection")]      // ENABLE_PUSH not 0/1
    [InlineData("0004 80000000", "FlowControlError connection")]   // INITIAL_WINDOW_SIZE > 2^31-1
    [InlineData("0005 00003fff", "ProtocolError connection")]      // MAX_FRAME_SIZE < 16384
    [InlineData("0005 01000000", "ProtocolError connection")]      // MAX_FRAME_SIZE > 2^24-1
    public void ReadSettings_RejectsValuesOutOfRange(string payload, string expected)
    {
        Assert.Equal(expected, Rejection(() => Settings(payload), "§6.5.2"));
    }

    [Fact]
    public void Read_settings_rejects_a_length_not_a_multiple_of_six_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Settings("0001 000010"), "§6.5"));
    }

    [Fact]
    public void Read_settings_rejects_an_ack_with_payload_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Settings("0001 00001000", Http2FrameFlags.Ack), "§6.5"));
    }

    [Fact]
    public void Read_settings_rejects_a_stream_other_than_zero_protocol_error()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Settings("", streamId: 1), "§6.5"));
    }

    [Fact]
    public void Settings_round_trip_for_any_valid_list()
    {
        var setting = Gen.OneOf(
            Gen.UInt.Select(v => (Http2SettingId.HeaderTableSize, v)),
            Gen.UInt[0, 1].Select(v => (Http2SettingId.EnablePush, v)),
            Gen.UInt.Select(v => (Http2SettingId.MaxConcurrentStreams, v)),
            Gen.UInt[0, int.MaxValue].Select(v => (Http2SettingId.InitialWindowSize, v)),
            Gen.UInt[16384, 16777215].Select(v => (Http2SettingId.MaxFrameSize, v)),
            Gen.UInt.Select(v => (Http2SettingId.MaxHeaderListSize, v)));
        setting.Array[0, 12].Sample(settings =>
        {
            var output = new ArrayBufferWriter<byte>();
            Http2Frame.WriteSettings(output, settings);
            var header = Http2FrameHeader.Read(output.WrittenSpan);
            Http2Frame.ValidateHeader(header, Http2Frame.DefaultMaxFrameSize);
            var read = new List<(Http2SettingId, uint)>();
            foreach ((Http2SettingId, uint) s in Http2Frame.ReadSettings(header, output.WrittenSpan.Slice(Http2FrameHeader.Size)))
            {
                read.Add(s);
            }
            Assert.Equal(settings, read);
        }, iter: 1000);
    }

    // ---------------------------------------------------------------- WINDOW_UPDATE (§6.9), RST_STREAM (§6.4), GOAWAY (§6.8), PING (§6.7)

    [Fact]
    public void Read_window_update_ignores_the_reserved_bit()
    {
        Assert.Equal(1, Http2Frame.ReadWindowUpdate(H(Http2FrameType.WindowUpdate, 4, 0), Hex("80000001")));
    }

    [Fact]
    public void Read_window_update_zero_increment_on_the_connection_is_a_connection_protocol_error()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ReadWindowUpdate(H(Http2FrameType.WindowUpdate, 4, 0), Hex("00000000")), "§6.9"));
    }

    [Fact]
    public void Read_window_update_zero_increment_on_a_stream_is_a_stream_protocol_error()
    {
        Assert.Equal("ProtocolError stream 7", Rejection(() => Http2Frame.ReadWindowUpdate(H(Http2FrameType.WindowUpdate, 4, 7), Hex("80000000")), "§6.9"));
    }

    [Fact]
    public void Read_window_update_rejects_a_length_other_than_four_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Http2Frame.ReadWindowUpdate(H(Http2FrameType.WindowUpdate, 5, 1), Hex("0000000100")), "§6.9"));
    }

    [Fact]
    public void Read_rst_stream_reads_the_error_code()
    {
        Assert.Equal(Http2ErrorCode.RefusedStream, Http2Frame.ReadRstStream(H(Http2FrameType.RstStream, 4, 1), Hex("00000007")));
    }

    [Fact]
    public void Read_rst_stream_rejects_a_length_other_than_four_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Http2Frame.ReadRstStream(H(Http2FrameType.RstStream, 3, 1), Hex("000007")), "§6.4"));
    }

    [Fact]
    public void Read_rst_stream_rejects_stream_zero_protocol_error()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ReadRstStream(H(Http2FrameType.RstStream, 4, 0), Hex("00000007")), "§6.4"));
    }

    [Fact]
    public void Read_go_away_reads_last_stream_code_and_debug_data()
    {
        Http2GoAway goAway = Http2Frame.ReadGoAway(H(Http2FrameType.GoAway, 10, 0), Hex("80000005 0000000b 6869"));
        Assert.Equal((5, Http2ErrorCode.EnhanceYourCalm, "hi"), (goAway.LastStreamId, goAway.Code, Encoding.ASCII.GetString(goAway.DebugData)));
    }

    [Fact]
    public void Read_go_away_rejects_fewer_than_eight_octets_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Http2Frame.ReadGoAway(H(Http2FrameType.GoAway, 7, 0), Hex("00000005 000000")), "§6.8"));
    }

    [Fact]
    public void Read_go_away_rejects_a_stream_other_than_zero_protocol_error()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ReadGoAway(H(Http2FrameType.GoAway, 8, 1), Hex("00000005 00000000")), "§6.8"));
    }

    [Fact]
    public void Read_ping_reads_the_opaque_data()
    {
        Assert.Equal(0x0102030405060708UL, Http2Frame.ReadPing(H(Http2FrameType.Ping, 8, 0), Hex("0102030405060708")));
    }

    [Fact]
    public void Read_ping_rejects_a_length_other_than_eight_frame_size_error()
    {
        Assert.Equal("FrameSizeError connection", Rejection(() => Http2Frame.ReadPing(H(Http2FrameType.Ping, 9, 0), Hex("010203040506070809")), "§6.7"));
    }

    [Fact]
    public void Read_ping_rejects_a_stream_other_than_zero_protocol_error()
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ReadPing(H(Http2FrameType.Ping, 8, 1), Hex("0102030405060708")), "§6.7"));
    }

    // ---------------------------------------------------------------- ValidateHeader: stream ids (§6.x) and sizes (§4.2)

    [Theory]
    [InlineData((byte)Http2FrameType.Data, 0, "§6.1")]
    [InlineData((byte)Http2FrameType.Headers, 0, "§6.2")]
    [InlineData((byte)Http2FrameType.Priority, 5, "§6.3")]
    [InlineData((byte)Http2FrameType.RstStream, 4, "§6.4")]
    [InlineData((byte)Http2FrameType.PushPromise, 4, "§6.6")]
    [InlineData((byte)Http2FrameType.Continuation, 0, "§6.10")]
    public void Validate_header_rejects_stream_frames_on_stream_zero_connection_protocol_error(byte type, int length, string section)
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ValidateHeader(H((Http2FrameType)type, length, 0), 16384), section));
    }

    [Theory]
    [InlineData((byte)Http2FrameType.Settings, 0, "§6.5")]
    [InlineData((byte)Http2FrameType.Ping, 8, "§6.7")]
    [InlineData((byte)Http2FrameType.GoAway, 8, "§6.8")]
    public void Validate_header_rejects_connection_frames_on_a_stream_connection_protocol_error(byte type, int length, string section)
    {
        Assert.Equal("ProtocolError connection", Rejection(() => Http2Frame.ValidateHeader(H((Http2FrameType)type, length, 1), 16384), section));
    }

    [Theory]
    [InlineData((byte)Http2FrameType.Headers, 1, "FrameSizeError connection")]   // carries a field block
    [InlineData((byte)Http2FrameType.Continuation, 1, "FrameSizeError connection")]
    [InlineData((byte)Http2FrameType.Settings, 0, "FrameSizeError connection")]
    [InlineData((byte)Http2FrameType.Data, 1, "FrameSizeError stream 1")]        // only the stream is affected
    [InlineData((byte)0xfa, 0, "FrameSizeError connection")]                      // stream 0: connection state
    public void ValidateHeader_RejectsFramesOverTheMaxFrameSize(byte type, int streamId, string expected)
    {
        Assert.Equal(expected, Rejection(() => Http2Frame.ValidateHeader(H((Http2FrameType)type, 16385, streamId), 16384), "§4.2"));
    }

    [Fact]
    public void Validate_header_rejects_a_priority_frame_of_the_wrong_length_stream_frame_size_error()
    {
        Assert.Equal("FrameSizeError stream 3", Rejection(() => Http2Frame.ValidateHeader(H(Http2FrameType.Priority, 4, 3), 16384), "§6.3"));
    }

    [Fact]
    public void Validate_header_lets_unknown_frame_types_through()
    {
        Http2Frame.ValidateHeader(H((Http2FrameType)0xfa, 100, 0), 16384);
        Http2Frame.ValidateHeader(H((Http2FrameType)0xfa, 100, 7), 16384);
        Assert.Equal("type 0xfa", Http2Frame.Name((Http2FrameType)0xfa));
    }

    [Fact]
    public void Validate_header_accepts_a_frame_of_exactly_the_max_frame_size()
    {
        Http2FrameHeader header = H(Http2FrameType.Data, 16384, 1);
        Http2Frame.ValidateHeader(header, 16384);
        Assert.Equal("DATA", Http2Frame.Name(header.Type));
    }
}
