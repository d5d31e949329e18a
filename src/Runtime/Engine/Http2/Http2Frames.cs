using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace TypedHttp.Http2;

/// <summary>The frame types of RFC 9113 §6. Other values are extension frames, which a receiver ignores (§4.1, §5.5).</summary>
internal enum Http2FrameType : byte
{
    /// <summary>DATA (§6.1).</summary>
    Data = 0,

    /// <summary>HEADERS (§6.2).</summary>
    Headers = 1,

    /// <summary>PRIORITY (§6.3, deprecated; still parsed and validated).</summary>
    Priority = 2,

    /// <summary>RST_STREAM (§6.4).</summary>
    RstStream = 3,

    /// <summary>SETTINGS (§6.5).</summary>
    Settings = 4,

    /// <summary>PUSH_PROMISE (§6.6).</summary>
    PushPromise = 5,

    /// <summary>PING (§6.7).</summary>
    Ping = 6,

    /// <summary>GOAWAY (§6.8).</summary>
    GoAway = 7,

    /// <summary>WINDOW_UPDATE (§6.9).</summary>
    WindowUpdate = 8,

    /// <summary>CONTINUATION (§6.10).</summary>
    Continuation = 9,
}

/// <summary>Frame flags (RFC 9113 §6). Their meaning depends on the frame type; undefined flags are ignored (§4.1).</summary>
[Flags]
internal enum Http2FrameFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>END_STREAM on DATA and HEADERS (§6.1, §6.2).</summary>
    EndStream = 0x1,

    /// <summary>ACK on SETTINGS and PING (§6.5, §6.7); the same bit as <see cref="EndStream"/>.</summary>
    Ack = 0x1,

    /// <summary>END_HEADERS on HEADERS, PUSH_PROMISE and CONTINUATION (§6.2, §6.6, §6.10).</summary>
    EndHeaders = 0x4,

    /// <summary>PADDED on DATA, HEADERS and PUSH_PROMISE (§6.1, §6.2, §6.6).</summary>
    Padded = 0x8,

    /// <summary>PRIORITY on HEADERS (§6.2).</summary>
    Priority = 0x20,
}

/// <summary>The error codes of RFC 9113 §7, carried by RST_STREAM and GOAWAY.</summary>
internal enum Http2ErrorCode : uint
{
    /// <summary>NO_ERROR.</summary>
    NoError = 0,

    /// <summary>PROTOCOL_ERROR.</summary>
    ProtocolError = 1,

    /// <summary>INTERNAL_ERROR.</summary>
    InternalError = 2,

    /// <summary>FLOW_CONTROL_ERROR.</summary>
    FlowControlError = 3,

    /// <summary>SETTINGS_TIMEOUT.</summary>
    SettingsTimeout = 4,

    /// <summary>STREAM_CLOSED.</summary>
    StreamClosed = 5,

    /// <summary>FRAME_SIZE_ERROR.</summary>
    FrameSizeError = 6,

    /// <summary>REFUSED_STREAM.</summary>
    RefusedStream = 7,

    /// <summary>CANCEL.</summary>
    Cancel = 8,

    /// <summary>COMPRESSION_ERROR.</summary>
    CompressionError = 9,

    /// <summary>CONNECT_ERROR.</summary>
    ConnectError = 0xa,

    /// <summary>ENHANCE_YOUR_CALM.</summary>
    EnhanceYourCalm = 0xb,

    /// <summary>INADEQUATE_SECURITY.</summary>
    InadequateSecurity = 0xc,

    /// <summary>HTTP_1_1_REQUIRED.</summary>
    Http11Required = 0xd,
}

/// <summary>The settings of RFC 9113 §6.5.2. Other identifiers are ignored by a receiver.</summary>
internal enum Http2SettingId : ushort
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE (initially 4096).</summary>
    HeaderTableSize = 1,

    /// <summary>SETTINGS_ENABLE_PUSH (0 or 1, initially 1).</summary>
    EnablePush = 2,

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS (initially unlimited).</summary>
    MaxConcurrentStreams = 3,

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE (at most 2^31-1, initially 65535).</summary>
    InitialWindowSize = 4,

    /// <summary>SETTINGS_MAX_FRAME_SIZE (16384 to 16777215, initially 16384).</summary>
    MaxFrameSize = 5,

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE (initially unlimited).</summary>
    MaxHeaderListSize = 6,

    /// <summary>SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3: 1 when the server takes extended CONNECT, initially 0).</summary>
    EnableConnectProtocol = 8,
}

/// <summary>The 9-octet frame header of RFC 9113 §4.1.</summary>
/// <param name="Length">The payload length (24 bits).</param>
/// <param name="Type">The frame type (any octet; unknown types are extension frames).</param>
/// <param name="Flags">The flags.</param>
/// <param name="StreamId">The stream identifier (31 bits; the reserved bit is not part of it).</param>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    /// <summary>The size of a frame header in octets.</summary>
    public const int Size = 9;

    /// <summary>The largest payload length the 24-bit field holds, and the largest SETTINGS_MAX_FRAME_SIZE (§4.2).</summary>
    public const int MaxLength = 16_777_215;

    /// <summary>Reads a frame header. The reserved bit is ignored (§4.1: "MUST be ignored when receiving").</summary>
    /// <param name="nineBytes">At least <see cref="Size"/> octets.</param>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> nineBytes)
    {
        int length = (nineBytes[0] << 16) | (nineBytes[1] << 8) | nineBytes[2];
        int streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(nineBytes.Slice(5)) & 0x7fffffffu);
        return new Http2FrameHeader(length, (Http2FrameType)nineBytes[3], (Http2FrameFlags)nineBytes[4], streamId);
    }

    /// <summary>Whether <paramref name="flag"/> is set.</summary>
    /// <param name="flag">The flag.</param>
    public bool HasFlag(Http2FrameFlags flag) => (Flags & flag) != 0;

    /// <summary>Writes the header, with the reserved bit unset (§4.1).</summary>
    /// <param name="destination">At least <see cref="Size"/> octets.</param>
    public void WriteTo(Span<byte> destination)
    {
        if ((uint)Length > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(Length), Length, "A frame payload is at most 2^24-1 octets (RFC 9113 §4.1).");
        }
        if (StreamId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StreamId), StreamId, "A stream identifier is 31 bits (RFC 9113 §4.1).");
        }
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(5), (uint)StreamId);
    }
}

/// <summary>
/// A violation of RFC 9113 found in what the peer sent: either a connection error (§5.4.1: send GOAWAY with
/// <see cref="Code"/> and close) or a stream error (§5.4.2: send RST_STREAM on <see cref="StreamId"/>).
/// </summary>
internal sealed class Http2ProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The error code to send.</param>
    /// <param name="isConnectionError">True for a connection error, false for a stream error.</param>
    /// <param name="streamId">The stream of a stream error (0 for a connection error).</param>
    /// <param name="message">The rule broken, with its RFC section.</param>
    public Http2ProtocolException(Http2ErrorCode code, bool isConnectionError, int streamId, string message)
        : base(message)
    {
        Code = code;
        IsConnectionError = isConnectionError;
        StreamId = streamId;
    }

    /// <summary>The error code to send in GOAWAY or RST_STREAM.</summary>
    public Http2ErrorCode Code { get; }

    /// <summary>True for a connection error (§5.4.1), false for a stream error (§5.4.2).</summary>
    public bool IsConnectionError { get; }

    /// <summary>The stream a stream error concerns; 0 for a connection error.</summary>
    public int StreamId { get; }

    /// <summary>A connection error.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="message">The rule broken, with its RFC section.</param>
    public static Http2ProtocolException Connection(Http2ErrorCode code, string message) => new(code, true, 0, message);

    /// <summary>A stream error.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="code">The error code.</param>
    /// <param name="message">The rule broken, with its RFC section.</param>
    public static Http2ProtocolException Stream(int streamId, Http2ErrorCode code, string message) => new(code, false, streamId, message);
}

/// <summary>The GOAWAY payload (RFC 9113 §6.8), as <see cref="Http2Frame.ReadGoAway"/> reads it.</summary>
/// <param name="lastStreamId">The highest stream the sender may have processed.</param>
/// <param name="code">Why the connection is going away.</param>
/// <param name="debugData">Opaque diagnostic data; valid as long as the payload is.</param>
internal readonly ref struct Http2GoAway(int lastStreamId, Http2ErrorCode code, ReadOnlySpan<byte> debugData)
{
    /// <summary>The highest stream the sender may have processed.</summary>
    public int LastStreamId { get; } = lastStreamId;

    /// <summary>Why the connection is going away.</summary>
    public Http2ErrorCode Code { get; } = code;

    /// <summary>Opaque diagnostic data.</summary>
    public ReadOnlySpan<byte> DebugData { get; } = debugData;
}

/// <summary>
/// Enumerates the settings of a SETTINGS payload (RFC 9113 §6.5.1), validating each known value per §6.5.2 and
/// skipping unknown identifiers. Use with <c>foreach</c>; allocates nothing.
/// </summary>
internal ref struct Http2SettingsEnumerator
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _offset;

    internal Http2SettingsEnumerator(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        _offset = -Http2Frame.SettingSize;
        Current = default;
    }

    /// <summary>The current setting.</summary>
    public (Http2SettingId Id, uint Value) Current { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly Http2SettingsEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next known setting.</summary>
    /// <exception cref="Http2ProtocolException">A value outside its range (§6.5.2).</exception>
    public bool MoveNext()
    {
        while (true)
        {
            _offset += Http2Frame.SettingSize;
            if (_offset >= _payload.Length)
            {
                return false;
            }
            var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(_payload.Slice(_offset));
            uint value = BinaryPrimitives.ReadUInt32BigEndian(_payload.Slice(_offset + 2));
            switch (id)
            {
                case Http2SettingId.EnablePush when value > 1:
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, Invariant($"SETTINGS_ENABLE_PUSH is {value}; only 0 and 1 are allowed (RFC 9113 §6.5.2)."));
                case Http2SettingId.InitialWindowSize when value > Http2Frame.MaxWindowSize:
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FlowControlError, Invariant($"SETTINGS_INITIAL_WINDOW_SIZE is {value}, above the maximum window size 2^31-1 (RFC 9113 §6.5.2)."));
                case Http2SettingId.MaxFrameSize when value is < Http2Frame.DefaultMaxFrameSize or > Http2FrameHeader.MaxLength:
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, Invariant($"SETTINGS_MAX_FRAME_SIZE is {value}, outside 16384..16777215 (RFC 9113 §6.5.2)."));
                case Http2SettingId.HeaderTableSize or Http2SettingId.EnablePush or Http2SettingId.MaxConcurrentStreams
                    or Http2SettingId.InitialWindowSize or Http2SettingId.MaxFrameSize or Http2SettingId.MaxHeaderListSize
                    or Http2SettingId.EnableConnectProtocol:
                    Current = (id, value);
                    return true;
                default:
                    continue; // §6.5.2: "An endpoint that receives a SETTINGS frame with any unknown or unsupported identifier MUST ignore that setting."
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Writing and reading the frames of RFC 9113 §6. The readers validate a frame against the rules of its section
/// and throw <see cref="Http2ProtocolException"/> with the error code and scope (connection or stream) the RFC
/// names; the writers produce frames byte for byte as §6 lays them out.
/// </summary>
internal static class Http2Frame
{
    /// <summary>The initial and smallest SETTINGS_MAX_FRAME_SIZE (§4.2, §6.5.2).</summary>
    public const int DefaultMaxFrameSize = 16_384;

    /// <summary>The largest flow-control window, and the largest WINDOW_UPDATE increment (§6.9).</summary>
    public const int MaxWindowSize = int.MaxValue;

    /// <summary>The initial flow-control window of a stream and of the connection (§6.9.2).</summary>
    public const int DefaultInitialWindowSize = 65_535;

    /// <summary>The size of one setting in a SETTINGS payload (§6.5.1).</summary>
    public const int SettingSize = 6;

    /// <summary>The client connection preface (§3.4): "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", followed by a SETTINGS frame.</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    // ---------------------------------------------------------------- writing

    /// <summary>Writes a frame header.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="length">The payload length.</param>
    /// <param name="type">The type.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="streamId">The stream.</param>
    public static void WriteFrameHeader(IBufferWriter<byte> output, int length, Http2FrameType type, Http2FrameFlags flags, int streamId)
    {
        new Http2FrameHeader(length, type, flags, streamId).WriteTo(output.GetSpan(Http2FrameHeader.Size));
        output.Advance(Http2FrameHeader.Size);
    }

    /// <summary>Writes a SETTINGS frame (§6.5) with <paramref name="settings"/> in order.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="settings">The settings.</param>
    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<(Http2SettingId Id, uint Value)> settings)
    {
        int length = settings.Length * SettingSize;
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
        new Http2FrameHeader(length, Http2FrameType.Settings, Http2FrameFlags.None, 0).WriteTo(span);
        int offset = Http2FrameHeader.Size;
        foreach ((Http2SettingId id, uint value) in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(offset), (ushort)id);
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(offset + 2), value);
            offset += SettingSize;
        }
        output.Advance(offset);
    }

    /// <summary>Writes a SETTINGS frame with the ACK flag and no payload (§6.5).</summary>
    /// <param name="output">The destination.</param>
    public static void WriteSettingsAck(IBufferWriter<byte> output) =>
        WriteFrameHeader(output, 0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0);

    /// <summary>Writes a PING frame (§6.7).</summary>
    /// <param name="output">The destination.</param>
    /// <param name="opaqueData">The 8 octets of opaque data, big-endian.</param>
    /// <param name="ack">True for a PING response.</param>
    public static void WritePing(IBufferWriter<byte> output, ulong opaqueData, bool ack)
    {
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 8);
        new Http2FrameHeader(8, Http2FrameType.Ping, ack ? Http2FrameFlags.Ack : Http2FrameFlags.None, 0).WriteTo(span);
        BinaryPrimitives.WriteUInt64BigEndian(span.Slice(Http2FrameHeader.Size), opaqueData);
        output.Advance(Http2FrameHeader.Size + 8);
    }

    /// <summary>Writes a WINDOW_UPDATE frame (§6.9).</summary>
    /// <param name="output">The destination.</param>
    /// <param name="streamId">The stream, or 0 for the connection window.</param>
    /// <param name="increment">1 to 2^31-1.</param>
    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(increment, 1);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 4);
        new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId).WriteTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(Http2FrameHeader.Size), (uint)increment);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    /// <summary>Writes a RST_STREAM frame (§6.4).</summary>
    /// <param name="output">The destination.</param>
    /// <param name="streamId">The stream (not 0).</param>
    /// <param name="code">The error code.</param>
    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode code)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streamId, 1);
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + 4);
        new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId).WriteTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(Http2FrameHeader.Size), (uint)code);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    /// <summary>Writes a GOAWAY frame (§6.8).</summary>
    /// <param name="output">The destination.</param>
    /// <param name="lastStreamId">The highest peer-initiated stream processed.</param>
    /// <param name="code">The error code.</param>
    /// <param name="debugData">Opaque diagnostic data (may be empty).</param>
    public static void WriteGoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode code, ReadOnlySpan<byte> debugData)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastStreamId);
        int length = 8 + debugData.Length;
        Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
        new Http2FrameHeader(length, Http2FrameType.GoAway, Http2FrameFlags.None, 0).WriteTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(Http2FrameHeader.Size), (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(span.Slice(Http2FrameHeader.Size + 4), (uint)code);
        debugData.CopyTo(span.Slice(Http2FrameHeader.Size + 8));
        output.Advance(Http2FrameHeader.Size + length);
    }

    /// <summary>Writes the header of an unpadded DATA frame (§6.1); the caller appends the <paramref name="length"/> payload octets.</summary>
    /// <param name="output">The destination.</param>
    /// <param name="streamId">The stream (not 0).</param>
    /// <param name="length">The payload length.</param>
    /// <param name="endStream">Whether this is the last frame of the stream.</param>
    public static void WriteDataHeader(IBufferWriter<byte> output, int streamId, int length, bool endStream)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streamId, 1);
        WriteFrameHeader(output, length, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId);
    }

    /// <summary>
    /// Writes a header block as one HEADERS frame followed by as many CONTINUATION frames as
    /// <paramref name="maxFrameSize"/> requires (§4.3, §6.2, §6.10); END_HEADERS is on the last frame, END_STREAM
    /// (when asked) on the HEADERS frame. The frames are contiguous, as §4.3 requires.
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="streamId">The stream (not 0).</param>
    /// <param name="block">The encoded header block.</param>
    /// <param name="endStream">Whether the stream ends with this header block.</param>
    /// <param name="maxFrameSize">The peer's SETTINGS_MAX_FRAME_SIZE.</param>
    public static void WriteHeaders(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streamId, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        Http2FrameType type = Http2FrameType.Headers;
        Http2FrameFlags flags = endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None;
        do
        {
            int length = Math.Min(block.Length, maxFrameSize);
            Http2FrameFlags frameFlags = length == block.Length ? flags | Http2FrameFlags.EndHeaders : flags;
            Span<byte> span = output.GetSpan(Http2FrameHeader.Size + length);
            new Http2FrameHeader(length, type, frameFlags, streamId).WriteTo(span);
            block.Slice(0, length).CopyTo(span.Slice(Http2FrameHeader.Size));
            output.Advance(Http2FrameHeader.Size + length);
            block = block.Slice(length);
            type = Http2FrameType.Continuation;
            flags = Http2FrameFlags.None;
        }
        while (!block.IsEmpty);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>
    /// Checks a received frame header before its payload is read: the size limit (§4.2) and the stream identifier
    /// and fixed payload length its type requires (§6.1–§6.10). Unknown types pass (§5.5: they are ignored).
    /// </summary>
    /// <param name="header">The frame header.</param>
    /// <param name="maxFrameSize">The SETTINGS_MAX_FRAME_SIZE this endpoint advertised.</param>
    /// <exception cref="Http2ProtocolException">The frame breaks a rule.</exception>
    public static void ValidateHeader(in Http2FrameHeader header, int maxFrameSize)
    {
        if (header.Length > maxFrameSize)
        {
            // §4.2: a frame that could alter connection state (field blocks, SETTINGS, stream 0) is a connection error.
            bool connection = header.StreamId == 0 || header.Type is Http2FrameType.Headers or Http2FrameType.PushPromise
                or Http2FrameType.Continuation or Http2FrameType.Settings;
            string message = Invariant($"A {Name(header.Type)} frame of {header.Length} octets exceeds SETTINGS_MAX_FRAME_SIZE {maxFrameSize} (RFC 9113 §4.2).");
            throw connection
                ? Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, message)
                : Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.FrameSizeError, message);
        }
        switch (header.Type)
        {
            case Http2FrameType.Data:
                RequireStream(header, "§6.1");
                break;
            case Http2FrameType.Headers:
                RequireStream(header, "§6.2");
                break;
            case Http2FrameType.Priority:
                RequireStream(header, "§6.3");
                if (header.Length != 5)
                {
                    throw Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.FrameSizeError, Invariant($"A PRIORITY frame is 5 octets, not {header.Length} (RFC 9113 §6.3)."));
                }
                break;
            case Http2FrameType.RstStream:
                RequireStream(header, "§6.4");
                RequireLength(header, 4, "§6.4");
                break;
            case Http2FrameType.Settings:
                RequireConnection(header, "§6.5");
                if (header.HasFlag(Http2FrameFlags.Ack) && header.Length != 0)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A SETTINGS frame with ACK carries {header.Length} payload octets; it must be empty (RFC 9113 §6.5)."));
                }
                if (header.Length % SettingSize != 0)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A SETTINGS payload of {header.Length} octets is not a multiple of 6 (RFC 9113 §6.5)."));
                }
                break;
            case Http2FrameType.PushPromise:
                RequireStream(header, "§6.6");
                break;
            case Http2FrameType.Ping:
                RequireConnection(header, "§6.7");
                RequireLength(header, 8, "§6.7");
                break;
            case Http2FrameType.GoAway:
                RequireConnection(header, "§6.8");
                if (header.Length < 8)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A GOAWAY frame of {header.Length} octets is shorter than its 8 fixed octets (RFC 9113 §6.8)."));
                }
                break;
            case Http2FrameType.WindowUpdate:
                RequireLength(header, 4, "§6.9");
                break;
            case Http2FrameType.Continuation:
                RequireStream(header, "§6.10");
                break;
        }
    }

    /// <summary>
    /// Removes the padding of a DATA (or PUSH_PROMISE) payload when the PADDED flag is set (§6.1); otherwise returns
    /// the payload as it is.
    /// </summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">The whole payload.</param>
    /// <returns>The data without the pad length octet and the padding.</returns>
    /// <exception cref="Http2ProtocolException">PROTOCOL_ERROR (connection) when the padding is as long as the payload or longer.</exception>
    public static ReadOnlySpan<byte> RemovePadding(in Http2FrameHeader header, ReadOnlySpan<byte> payload) =>
        RemovePadding(header, payload, 0);

    /// <summary>
    /// Reads a HEADERS payload (§6.2): removes the padding and skips the priority fields (present with the
    /// PRIORITY flag; deprecated by §5.3.2 but still validated).
    /// </summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">The whole payload.</param>
    /// <returns>The header block fragment.</returns>
    /// <exception cref="Http2ProtocolException">
    /// PROTOCOL_ERROR (connection) for padding longer than what remains; PROTOCOL_ERROR (stream) for a stream that
    /// depends on itself (§5.3.1).
    /// </exception>
    public static ReadOnlySpan<byte> ReadHeaders(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        bool priority = header.HasFlag(Http2FrameFlags.Priority);
        ReadOnlySpan<byte> rest = RemovePadding(header, payload, priority ? 5 : 0);
        if (!priority)
        {
            return rest;
        }
        CheckDependency(header.StreamId, rest);
        return rest.Slice(5);
    }

    /// <summary>Reads a PRIORITY payload (§6.3), checking only that the stream does not depend on itself (§5.3.1).</summary>
    /// <param name="header">The frame header (validated by <see cref="ValidateHeader"/>).</param>
    /// <param name="payload">The 5-octet payload.</param>
    /// <returns>The stream dependency.</returns>
    public static int ReadPriority(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 5)
        {
            throw Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.FrameSizeError, Invariant($"A PRIORITY frame is 5 octets, not {payload.Length} (RFC 9113 §6.3)."));
        }
        return CheckDependency(header.StreamId, payload);
    }

    /// <summary>
    /// Reads a SETTINGS payload (§6.5): checks the stream, the ACK rule and the length, and returns an enumerator
    /// that validates each known value (§6.5.2) and skips unknown identifiers.
    /// </summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">The payload.</param>
    /// <exception cref="Http2ProtocolException">FRAME_SIZE_ERROR or PROTOCOL_ERROR (connection) for a bad frame; the enumerator throws for bad values.</exception>
    public static Http2SettingsEnumerator ReadSettings(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(header with { Length = payload.Length }, Http2FrameHeader.MaxLength);
        return new Http2SettingsEnumerator(payload);
    }

    /// <summary>Reads a WINDOW_UPDATE payload (§6.9).</summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">The 4-octet payload.</param>
    /// <returns>The increment, 1 to 2^31-1 (the reserved bit ignored).</returns>
    /// <exception cref="Http2ProtocolException">
    /// FRAME_SIZE_ERROR (connection) for a length other than 4; PROTOCOL_ERROR for a 0 increment — a connection error
    /// on stream 0, a stream error otherwise.
    /// </exception>
    public static int ReadWindowUpdate(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(header with { Length = payload.Length }, Http2FrameHeader.MaxLength);
        int increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffffu);
        if (increment == 0)
        {
            const string Message = "A WINDOW_UPDATE frame has a flow-control window increment of 0 (RFC 9113 §6.9).";
            throw header.StreamId == 0
                ? Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, Message)
                : Http2ProtocolException.Stream(header.StreamId, Http2ErrorCode.ProtocolError, Message);
        }
        return increment;
    }

    /// <summary>Reads a RST_STREAM payload (§6.4).</summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">The 4-octet payload.</param>
    /// <returns>The error code (unknown codes are returned as they are; §7 says not to treat them specially).</returns>
    public static Http2ErrorCode ReadRstStream(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(header with { Length = payload.Length }, Http2FrameHeader.MaxLength);
        return (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    /// <summary>Reads a GOAWAY payload (§6.8).</summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">At least 8 octets.</param>
    /// <returns>The last stream id (reserved bit ignored), the error code and the debug data.</returns>
    public static Http2GoAway ReadGoAway(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(header with { Length = payload.Length }, Http2FrameHeader.MaxLength);
        int lastStreamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffffu);
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4));
        return new Http2GoAway(lastStreamId, code, payload.Slice(8));
    }

    /// <summary>Reads a PING payload (§6.7).</summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">Exactly 8 octets.</param>
    /// <returns>The opaque data, big-endian.</returns>
    public static ulong ReadPing(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ValidateHeader(header with { Length = payload.Length }, Http2FrameHeader.MaxLength);
        return BinaryPrimitives.ReadUInt64BigEndian(payload);
    }

    /// <summary>The RFC name of a frame type ("HEADERS", "WINDOW_UPDATE", ...), or "type 0x.." for an extension type.</summary>
    /// <param name="type">The type.</param>
    public static string Name(Http2FrameType type) => type switch
    {
        Http2FrameType.Data => "DATA",
        Http2FrameType.Headers => "HEADERS",
        Http2FrameType.Priority => "PRIORITY",
        Http2FrameType.RstStream => "RST_STREAM",
        Http2FrameType.Settings => "SETTINGS",
        Http2FrameType.PushPromise => "PUSH_PROMISE",
        Http2FrameType.Ping => "PING",
        Http2FrameType.GoAway => "GOAWAY",
        Http2FrameType.WindowUpdate => "WINDOW_UPDATE",
        Http2FrameType.Continuation => "CONTINUATION",
        _ => "type 0x" + ((byte)type).ToString("x2", CultureInfo.InvariantCulture),
    };

    private static ReadOnlySpan<byte> RemovePadding(in Http2FrameHeader header, ReadOnlySpan<byte> payload, int fixedFields)
    {
        if (!header.HasFlag(Http2FrameFlags.Padded))
        {
            if (payload.Length < fixedFields)
            {
                throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A {Name(header.Type)} payload of {payload.Length} octets is too short for its priority fields (RFC 9113 §6.2)."));
            }
            return payload;
        }
        if (payload.IsEmpty)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A padded {Name(header.Type)} frame has no pad length octet (RFC 9113 §6.1)."));
        }
        int padLength = payload[0];
        if (padLength + fixedFields >= payload.Length)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, Invariant($"A {Name(header.Type)} frame's padding of {padLength} octets is as long as the rest of its {payload.Length}-octet payload or longer (RFC 9113 §6.1, §6.2)."));
        }
        return payload.Slice(1, payload.Length - 1 - padLength);
    }

    private static int CheckDependency(int streamId, ReadOnlySpan<byte> priorityFields)
    {
        int dependency = (int)(BinaryPrimitives.ReadUInt32BigEndian(priorityFields) & 0x7fffffffu);
        if (dependency == streamId)
        {
            throw Http2ProtocolException.Stream(streamId, Http2ErrorCode.ProtocolError, Invariant($"Stream {streamId} depends on itself (RFC 9113 §5.3.1)."));
        }
        return dependency;
    }

    private static void RequireStream(in Http2FrameHeader header, string section)
    {
        if (header.StreamId == 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, $"A {Name(header.Type)} frame on stream 0; it must belong to a stream (RFC 9113 {section}).");
        }
    }

    private static void RequireConnection(in Http2FrameHeader header, string section)
    {
        if (header.StreamId != 0)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, Invariant($"A {Name(header.Type)} frame on stream {header.StreamId}; it must be on stream 0 (RFC 9113 {section})."));
        }
    }

    private static void RequireLength(in Http2FrameHeader header, int length, string section)
    {
        if (header.Length != length)
        {
            throw Http2ProtocolException.Connection(Http2ErrorCode.FrameSizeError, Invariant($"A {Name(header.Type)} frame is {length} octets, not {header.Length} (RFC 9113 {section})."));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
