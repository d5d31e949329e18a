using System;
using System.Buffers;
using TypedHttp.Http2;
using TypedHttp.Http2.Hpack;

namespace TypedHttp.Fuzz;

/// <summary>
/// One fuzz execution of the HTTP/2 frame readers (RFC 9113 §4, §6): the input is a sequence of frames (9-octet
/// header, payload) as a server would send them after its preface. Each header goes through
/// <see cref="Http2Frame.ValidateHeader"/> (SETTINGS_MAX_FRAME_SIZE 16384), each payload through the reader of its
/// type, and header blocks (HEADERS + CONTINUATION, §4.3) through one <see cref="HpackDecoder"/>. A stream error
/// ends nothing (the next frame is read); a connection error or a decoding error ends the input. Only
/// <see cref="Http2ProtocolException"/> and <see cref="HpackException"/> are expected outcomes.
/// </summary>
internal sealed class FrameTarget
{
    private readonly IgnoringSink _sink = new();

    /// <summary>Runs one input; returns a short description of the outcome.</summary>
    public string Run(byte[] input)
    {
        var decoder = new HpackDecoder(4096, 16 * 1024);
        var block = new ArrayBufferWriter<byte>();
        int blockStream = 0; // the stream whose header block is open, 0 when none
        int frames = 0;
        int streamErrors = 0;
        int position = 0;
        try
        {
            while (input.Length - position >= Http2FrameHeader.Size)
            {
                var header = Http2FrameHeader.Read(input.AsSpan(position));
                position += Http2FrameHeader.Size;
                if (header.Length > input.Length - position)
                {
                    return $"{frames} frames, then a truncated {Http2Frame.Name(header.Type)}";
                }
                ReadOnlySpan<byte> payload = input.AsSpan(position, header.Length);
                position += header.Length;
                frames++;
                try
                {
                    if (blockStream != 0 && (header.Type != Http2FrameType.Continuation || header.StreamId != blockStream))
                    {
                        throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "A header block is interrupted by another frame (RFC 9113 §6.10).");
                    }
                    Http2Frame.ValidateHeader(header, Http2Frame.DefaultMaxFrameSize);
                    Read(header, payload, decoder, block, ref blockStream);
                }
                catch (Http2ProtocolException e) when (!e.IsConnectionError)
                {
                    streamErrors++;
                }
            }
        }
        catch (Http2ProtocolException e)
        {
            return $"{frames} frames, connection error {e.Code}: {e.Message}";
        }
        catch (HpackException e)
        {
            return $"{frames} frames, {e.Kind}: {e.Message}";
        }
        return $"{frames} frames, {streamErrors} stream errors";
    }

    private void Read(in Http2FrameHeader header, ReadOnlySpan<byte> payload, HpackDecoder decoder, ArrayBufferWriter<byte> block, ref int blockStream)
    {
        switch (header.Type)
        {
            case Http2FrameType.Data:
                Http2Frame.RemovePadding(header, payload);
                break;
            case Http2FrameType.Headers:
                block.Clear();
                block.Write(Http2Frame.ReadHeaders(header, payload));
                EndBlockIfComplete(header, decoder, block, ref blockStream);
                break;
            case Http2FrameType.Continuation:
                if (blockStream == 0)
                {
                    throw Http2ProtocolException.Connection(Http2ErrorCode.ProtocolError, "A CONTINUATION frame follows no open header block (RFC 9113 §6.10).");
                }
                block.Write(payload);
                EndBlockIfComplete(header, decoder, block, ref blockStream);
                break;
            case Http2FrameType.Priority:
                Http2Frame.ReadPriority(header, payload);
                break;
            case Http2FrameType.RstStream:
                Http2Frame.ReadRstStream(header, payload);
                break;
            case Http2FrameType.Settings:
                foreach ((Http2SettingId, uint) _ in Http2Frame.ReadSettings(header, payload))
                {
                }
                break;
            case Http2FrameType.Ping:
                Http2Frame.ReadPing(header, payload);
                break;
            case Http2FrameType.GoAway:
                Http2Frame.ReadGoAway(header, payload);
                break;
            case Http2FrameType.WindowUpdate:
                Http2Frame.ReadWindowUpdate(header, payload);
                break;
            default:
                break; // PUSH_PROMISE is refused by a client that disabled push; extension frames are ignored (§5.5)
        }
    }

    private void EndBlockIfComplete(in Http2FrameHeader header, HpackDecoder decoder, ArrayBufferWriter<byte> block, ref int blockStream)
    {
        if (!header.HasFlag(Http2FrameFlags.EndHeaders))
        {
            blockStream = header.StreamId;
            return;
        }
        blockStream = 0;
        try
        {
            decoder.Decode(block.WrittenSpan, _sink);
        }
        catch (HpackException e) when (e.Kind == HpackErrorKind.HeaderListTooLarge)
        {
            // A stream error: the table is in sync, the connection goes on.
        }
    }

    private sealed class IgnoringSink : IHpackFieldSink
    {
        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
        }
    }
}
