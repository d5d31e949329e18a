using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.WebSockets;

/// <summary>
/// The server end of a WebSocket over HTTP/2 (RFC 8441) on <see cref="Http2ScriptedServer"/>: after the script answered
/// the extended CONNECT, this stream carries the stream's DATA both ways under HTTP/2 flow control (our send window from
/// the client's SETTINGS and WINDOW_UPDATEs, the client's window given back as DATA is read), so that .NET's server-side
/// WebSocket can run over it while the script still sees every frame (<see cref="Http2ServerConnection.ReceivedFrames"/>).
/// One pump reads all frames; this stream owns the connection's reads from its creation on.
/// </summary>
internal sealed class Http2TunnelPeer : Stream
{
    private readonly Http2ServerConnection _connection;
    private readonly int _streamId;
    private readonly Channel<byte[]> _data = Channel.CreateUnbounded<byte[]>();
    private readonly object _sync = new();
    private readonly Task _pump;
    private byte[] _current = [];
    private int _offset;
    private long _sendWindow;
    private long _connectionWindow = 65535;
    private TaskCompletionSource _windowChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Http2TunnelPeer(Http2ServerConnection connection, int streamId)
    {
        _connection = connection;
        _streamId = streamId;
        uint initial = 65535;
        foreach ((Http2SettingId id, uint value) in connection.ClientSettings)
        {
            if (id == Http2SettingId.InitialWindowSize)
            {
                initial = value;
            }
        }
        _sendWindow = initial;
        // The client's WINDOW_UPDATEs read before the tunnel took over the connection's reads.
        foreach ((int id, int increment) in connection.WindowUpdates)
        {
            if (id == 0)
            {
                _connectionWindow += increment;
            }
            else if (id == streamId)
            {
                _sendWindow += increment;
            }
        }
        _pump = PumpAsync();
    }

    /// <summary>The RST_STREAM code the client sent on the stream, if any.</summary>
    public Http2ErrorCode? ResetCode { get; private set; }

    /// <summary>Whether the client ended its side with END_STREAM.</summary>
    public bool EndStreamReceived { get; private set; }

    /// <summary>Ends when the client ended or reset the stream or closed the connection.</summary>
    public Task Ended => _data.Reader.Completion;

    /// <summary>Answers the extended CONNECT on <paramref name="request"/> with 200 (and <paramref name="extra"/> fields) and starts carrying its DATA.</summary>
    public static async Task<Http2TunnelPeer> AcceptAsync(Http2ServerConnection connection, Http2ReceivedRequest request, params (string, string)[] extra)
    {
        await connection.SendHeadersAsync(request.StreamId, new[] { (":status", "200") }.Concat(extra), endStream: false);
        return new Http2TunnelPeer(connection, request.StreamId);
    }

    /// <summary>A server-side .NET WebSocket over this stream (no keep-alive).</summary>
    public WebSocket CreateWebSocket() => WebSocket.CreateFromStream(this, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                Http2ReceivedFrame? frame = await _connection.TryReadFrameAsync();
                if (frame is null)
                {
                    break;
                }
                Http2FrameHeader h = frame.Header;
                switch (h.Type)
                {
                    case Http2FrameType.Data when h.StreamId == _streamId:
                        byte[] payload = Http2Frame.RemovePadding(h, frame.Payload).ToArray();
                        if (h.Length > 0)
                        {
                            await _connection.SendWindowUpdateAsync(0, h.Length);
                            if (!h.HasFlag(Http2FrameFlags.EndStream))
                            {
                                await _connection.SendWindowUpdateAsync(_streamId, h.Length);
                            }
                        }
                        if (payload.Length > 0)
                        {
                            _data.Writer.TryWrite(payload);
                        }
                        if (h.HasFlag(Http2FrameFlags.EndStream))
                        {
                            EndStreamReceived = true;
                            _data.Writer.TryComplete();
                        }
                        break;
                    case Http2FrameType.WindowUpdate:
                        int increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) & 0x7fffffff);
                        lock (_sync)
                        {
                            if (h.StreamId == 0)
                            {
                                _connectionWindow += increment;
                            }
                            else if (h.StreamId == _streamId)
                            {
                                _sendWindow += increment;
                            }
                            _windowChanged.TrySetResult();
                            _windowChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                        break;
                    case Http2FrameType.RstStream when h.StreamId == _streamId:
                        ResetCode = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(frame.Payload);
                        _data.Writer.TryComplete(new IOException($"The client reset the stream with {ResetCode}."));
                        break;
                    case Http2FrameType.Settings when !h.HasFlag(Http2FrameFlags.Ack):
                        await _connection.SendSettingsAckAsync();
                        break;
                    case Http2FrameType.Ping when !h.HasFlag(Http2FrameFlags.Ack):
                        await _connection.SendPingAsync(BinaryPrimitives.ReadUInt64BigEndian(frame.Payload), ack: true);
                        break;
                    default:
                        break;
                }
            }
            _data.Writer.TryComplete(new EndOfStreamException("The client closed the connection."));
        }
        catch (Exception e)
        {
            _data.Writer.TryComplete(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset == _current.Length)
        {
            if (!await _data.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }
            _current = await _data.Reader.ReadAsync(cancellationToken);
            _offset = 0;
        }
        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            Task wait;
            int n;
            lock (_sync)
            {
                n = (int)Math.Min(Math.Min(_sendWindow, _connectionWindow), Math.Min(buffer.Length, 16384));
                if (n > 0)
                {
                    _sendWindow -= n;
                    _connectionWindow -= n;
                }
                wait = _windowChanged.Task;
            }
            if (n <= 0)
            {
                await wait.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                continue;
            }
            await _connection.SendDataAsync(_streamId, buffer.Slice(0, n).ToArray(), endStream: false);
            buffer = buffer.Slice(n);
        }
    }

    /// <summary>Ends the server's side with an empty DATA frame carrying END_STREAM.</summary>
    public Task EndAsync() => _connection.SendDataAsync(_streamId, [], endStream: true);

    /// <summary>The pump's end (the client closed the connection or the test's server stopped).</summary>
    public Task Pump => _pump;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
}

/// <summary>What the HTTP/2 WebSocket tests share.</summary>
internal static class Http2WebSocketTest
{
    /// <summary>Options that demand HTTP/2 (h2c by prior knowledge for ws://).</summary>
    public static WebSocketConnectOptions Http2Only(Action<WebSocketConnectOptions>? configure = null)
    {
        var options = new WebSocketConnectOptions { HttpVersion = System.Net.HttpVersion.Version20, HttpVersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The server's SETTINGS with extended CONNECT allowed (RFC 8441 §3).</summary>
    public static readonly (Http2SettingId, uint)[] ExtendedConnect = [(Http2SettingId.EnableConnectProtocol, 1)];

    /// <summary>The ws URI of the scripted server.</summary>
    public static Uri WsUri(this Http2ScriptedServer server, string path = "/chat") => new($"ws://127.0.0.1:{server.Port}{path}");

    /// <summary>The request's header block, one field a line.</summary>
    public static string Fields(Http2ReceivedRequest request) => string.Join("\n", request.Fields.Select(f => $"{f.Name}: {f.Value}"));

    /// <summary>Reads the client's frames until <paramref name="request"/> has <paramref name="bytes"/> bytes of DATA.</summary>
    public static async Task WaitForDataAsync(Http2ServerConnection c, Http2ReceivedRequest request, int bytes)
    {
        while (request.Body.Length < bytes)
        {
            Http2ReceivedFrame frame = await c.ReadFrameAsync();
            if (frame.Header.Type == Http2FrameType.Data && frame.Header.StreamId == request.StreamId)
            {
                request.AppendData(Http2Frame.RemovePadding(frame.Header, frame.Payload));
            }
        }
    }

    /// <summary>Unmasks a client frame (RFC 6455 §5.3) with a payload under 126 bytes: (opcode, payload).</summary>
    public static (int Opcode, byte[] Payload) ClientFrame(ReadOnlySpan<byte> frame)
    {
        int length = frame[1] & 0x7f;
        ReadOnlySpan<byte> mask = frame.Slice(2, 4);
        byte[] payload = frame.Slice(6, length).ToArray();
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] ^= mask[i % 4];
        }
        return (frame[0] & 0x0f, payload);
    }
}
