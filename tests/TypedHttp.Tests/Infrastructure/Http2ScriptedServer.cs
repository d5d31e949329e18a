using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Http2.Hpack;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// An HTTP/2 server for wire tests, in the spirit of <see cref="ScriptedServer"/>: it listens on 127.0.0.1 and an
/// ephemeral port (optionally over TLS, offering ALPN "h2"), and runs a script for every accepted connection. A
/// script reads the client's frames and writes exactly the frames a case needs — hostile ones included — through
/// <see cref="Http2ServerConnection"/>. Exceptions thrown by scripts (assertions, read timeouts) are kept in
/// <see cref="Faults"/>, rethrown by <see cref="WaitForScriptsAsync"/>, and by <see cref="DisposeAsync"/> when
/// nothing observed them.
/// </summary>
/// <example>
/// <code>
/// await using var server = Http2ScriptedServer.Start(async c =>
/// {
///     await c.HandshakeAsync();
///     Http2ReceivedRequest request = (await c.ReadRequestAsync())!;
///     await c.SendHeadersAsync(request.StreamId, [(":status", "200")], endStream: false);
///     await c.SendDataAsync(request.StreamId, "hi"u8.ToArray(), endStream: true);
///     await c.WaitForClientCloseAsync();
/// });
/// </code>
/// </example>
internal sealed class Http2ScriptedServer : IAsyncDisposable
{
    private readonly LoopbackListener<Http2ServerConnection> _listener;
    private readonly Func<Http2ServerConnection, Task> _script;
    private readonly X509Certificate2? _certificate;
    private readonly List<Http2ServerConnection> _connections = new();
    private readonly List<Exception> _faults = new();
    private bool _faultsObserved;

    private Http2ScriptedServer(Func<Http2ServerConnection, Task> script, X509Certificate2? certificate)
    {
        _script = script;
        _certificate = certificate;
        _listener = new LoopbackListener<Http2ServerConnection>(Accept, RunScriptAsync, c => c.CloseQuietly());
    }

    /// <summary>Starts a server that runs <paramref name="script"/> for every accepted connection.</summary>
    /// <param name="script">The per-connection script; when it returns, the server closes the connection (FIN).</param>
    /// <param name="certificate">A server certificate (see <see cref="TestCertificates"/>) for TLS with ALPN "h2"; null for cleartext (prior knowledge).</param>
    public static Http2ScriptedServer Start(Func<Http2ServerConnection, Task> script, X509Certificate2? certificate = null) => new(script, certificate);

    /// <summary>The port listened on.</summary>
    public int Port => _listener.Port;

    /// <summary>The number of connections accepted so far.</summary>
    public int AcceptedCount => _listener.AcceptedCount;

    /// <summary>The accepted connections, in order.</summary>
    public IReadOnlyList<Http2ServerConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.ToArray();
            }
        }
    }

    /// <summary>
    /// Exceptions thrown by scripts, other than those caused by stopping the server or by the client resetting
    /// the connection (an <see cref="IOException"/> over a <see cref="SocketException"/>).
    /// </summary>
    public IReadOnlyList<Exception> Faults
    {
        get
        {
            lock (_faults)
            {
                return _faults.ToArray();
            }
        }
    }

    /// <summary>A URI for this server: <c>http://127.0.0.1:port/path</c>, or https when it runs TLS.</summary>
    /// <param name="pathAndQuery">The path and query, starting with '/'.</param>
    /// <param name="host">The host name to put in the URI (the certificate's name for TLS).</param>
    public Uri Uri(string pathAndQuery = "/", string host = "127.0.0.1") =>
        _listener.Uri(pathAndQuery, _certificate is null ? "http" : "https", host);

    /// <summary>
    /// Waits until at least <paramref name="connections"/> connections were accepted and every script started so
    /// far returned, then rethrows the first script fault, if any.
    /// </summary>
    /// <param name="connections">The number of connections to wait for.</param>
    /// <param name="timeout">How long to wait; 10 s by default.</param>
    /// <exception cref="TimeoutException">The scripts did not finish in time.</exception>
    public async Task WaitForScriptsAsync(int connections = 1, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (AcceptedCount < connections)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server accepted {AcceptedCount} connections, not {connections}.");
            }
            await Task.Delay(10).ConfigureAwait(false);
        }
        TimeSpan left = deadline - DateTime.UtcNow;
        await _listener.WhenServedAsync().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        ThrowFirstFault();
    }

    private void ThrowFirstFault()
    {
        lock (_faults)
        {
            _faultsObserved = true;
            if (_faults.Count > 0)
            {
                ExceptionDispatchInfo.Capture(_faults[0]).Throw();
            }
        }
    }

    private Http2ServerConnection Accept(Socket socket, int index, CancellationToken stopping)
    {
        socket.NoDelay = true;
        var connection = new Http2ServerConnection(socket, index, stopping);
        lock (_connections)
        {
            _connections.Add(connection);
        }
        return connection;
    }

    private async Task RunScriptAsync(Http2ServerConnection connection)
    {
        try
        {
            if (_certificate is not null)
            {
                await connection.AuthenticateAsync(_certificate).ConfigureAwait(false);
            }
            await _script(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFault(connection, e))
        {
            lock (_faults)
            {
                _faults.Add(e);
            }
        }
        catch (Exception)
        {
            // Stopping, or the client reset the connection: not the script's fault.
        }
        finally
        {
            connection.CloseQuietly();
        }
    }

    private static bool IsFault(Http2ServerConnection connection, Exception e) =>
        !connection.Stopping.IsCancellationRequested
        && e is not (ObjectDisposedException or SocketException or AuthenticationException)
        && !(e is IOException && e.InnerException is SocketException);

    /// <summary>Stops listening, closes every connection, waits (briefly) for the scripts, and rethrows unobserved script faults.</summary>
    public async ValueTask DisposeAsync()
    {
        // Let scripts that are about to finish on their own finish before the connections are cut.
        await _listener.StopAsync(grace: TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        lock (_faults)
        {
            if (!_faultsObserved && _faults.Count > 0)
            {
                throw new AggregateException("An HTTP/2 server script failed.", _faults);
            }
        }
    }
}

/// <summary>A frame the server read: its header and a copy of its payload.</summary>
/// <param name="Header">The frame header.</param>
/// <param name="Payload">The payload octets.</param>
internal sealed record Http2ReceivedFrame(Http2FrameHeader Header, byte[] Payload)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Http2Frame.Name(Header.Type)} stream {Header.StreamId.ToString(CultureInfo.InvariantCulture)} flags 0x{((byte)Header.Flags).ToString("x2", CultureInfo.InvariantCulture)} length {Header.Length.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A request as <see cref="Http2ServerConnection.ReadRequestAsync"/> assembles it from HEADERS, CONTINUATION and DATA frames.</summary>
internal sealed class Http2ReceivedRequest
{
    private readonly MemoryStream _body = new();

    internal Http2ReceivedRequest(int streamId) => StreamId = streamId;

    /// <summary>The stream id.</summary>
    public int StreamId { get; }

    /// <summary>The decoded header fields, pseudo-headers included, in order (names and values as Latin-1 text).</summary>
    public List<(string Name, string Value)> Fields { get; } = new();

    /// <summary>The decoded trailer fields, if a second HEADERS frame ended the stream.</summary>
    public List<(string Name, string Value)> Trailers { get; } = new();

    /// <summary>The DATA payloads (padding removed), concatenated.</summary>
    public byte[] Body => _body.ToArray();

    /// <summary>The number of DATA frames received.</summary>
    public int DataFrames { get; private set; }

    /// <summary>Whether END_STREAM arrived.</summary>
    public bool EndStream { get; internal set; }

    /// <summary>The client's RST_STREAM code, if it reset the stream.</summary>
    public Http2ErrorCode? ResetCode { get; internal set; }

    /// <summary>The WINDOW_UPDATE increments the client sent for this stream, in order.</summary>
    public List<int> WindowUpdates { get; } = new();

    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The lower-case name.</param>
    public string? Header(string name)
    {
        foreach ((string n, string v) in Fields)
        {
            if (n == name)
            {
                return v;
            }
        }
        return null;
    }

    /// <summary>The :method pseudo-header.</summary>
    public string? Method => Header(":method");

    /// <summary>The :path pseudo-header.</summary>
    public string? Path => Header(":path");

    /// <summary>The :authority pseudo-header.</summary>
    public string? Authority => Header(":authority");

    /// <summary>The :scheme pseudo-header.</summary>
    public string? Scheme => Header(":scheme");

    internal bool HeadersComplete { get; set; }

    internal bool Returned { get; set; }

    internal void AppendData(ReadOnlySpan<byte> data)
    {
        _body.Write(data);
        DataFrames++;
    }
}

/// <summary>One accepted connection of an <see cref="Http2ScriptedServer"/>, as its script sees it.</summary>
internal sealed class Http2ServerConnection : IHpackFieldSink
{
    private readonly Socket _socket;
    private Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<Http2ReceivedFrame> _received = new();
    private readonly Dictionary<int, Http2ReceivedRequest> _open = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _closed;
    private List<(string, string)>? _fieldTarget;

    internal Http2ServerConnection(Socket socket, int index, CancellationToken stopping)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Index = index;
        Stopping = stopping;
    }

    /// <summary>The 0-based order in which the server accepted this connection.</summary>
    public int Index { get; }

    /// <summary>Cancelled when the server is disposed.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>How long a read waits for the client before failing the script with <see cref="TimeoutException"/>; 10 s by default.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The ALPN protocol negotiated over TLS ("h2"), or null for cleartext.</summary>
    public string? NegotiatedProtocol { get; private set; }

    /// <summary>The server's HPACK encoder (server to client).</summary>
    public HpackEncoder Encoder { get; } = new();

    /// <summary>The server's HPACK decoder (client to server), with a large header list limit.</summary>
    public HpackDecoder Decoder { get; } = new(maxTableSize: 4096, maxHeaderListSize: 1 << 20);

    /// <summary>The settings of the client's first SETTINGS frame, in order (unknown identifiers included).</summary>
    public IReadOnlyList<(Http2SettingId Id, uint Value)> ClientSettings { get; private set; } = Array.Empty<(Http2SettingId, uint)>();

    /// <summary>The number of SETTINGS frames with ACK the client sent.</summary>
    public int SettingsAcksReceived { get; private set; }

    /// <summary>Every WINDOW_UPDATE the client sent, as (stream id, increment), in order.</summary>
    public List<(int StreamId, int Increment)> WindowUpdates { get; } = new();

    /// <summary>Every PING the client sent (opaque data, ack flag), in order.</summary>
    public List<(ulong Data, bool Ack)> Pings { get; } = new();

    /// <summary>Every RST_STREAM the client sent, in order.</summary>
    public List<(int StreamId, Http2ErrorCode Code)> Resets { get; } = new();

    /// <summary>The client's GOAWAY (last stream id, code), if it sent one.</summary>
    public (int LastStreamId, Http2ErrorCode Code)? ClientGoAway { get; private set; }

    /// <summary>Whether <see cref="ReadRequestAsync"/> answers the client's PINGs with a PING ACK (true by default).</summary>
    public bool AnswerPings { get; set; } = true;

    /// <summary>Every frame read so far, in order.</summary>
    public IReadOnlyList<Http2ReceivedFrame> ReceivedFrames
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    internal async Task AuthenticateAsync(X509Certificate2 certificate)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        cts.CancelAfter(ReadTimeout);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        }, cts.Token).ConfigureAwait(false);
        _stream = tls;
        NegotiatedProtocol = tls.NegotiatedApplicationProtocol.Protocol.Length == 0 ? null : tls.NegotiatedApplicationProtocol.ToString();
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads the 24-octet client preface (RFC 9113 §3.4).</summary>
    /// <exception cref="InvalidDataException">The client sent something else.</exception>
    public async Task ReadPrefaceAsync()
    {
        byte[] preface = await ReadExactAsync(Http2Frame.ClientPreface.Length).ConfigureAwait(false);
        if (!preface.AsSpan().SequenceEqual(Http2Frame.ClientPreface))
        {
            throw new InvalidDataException("The client preface is wrong: " + Encoding.Latin1.GetString(preface));
        }
    }

    /// <summary>Reads one frame. Fails with <see cref="TimeoutException"/> after <see cref="ReadTimeout"/>, with <see cref="EndOfStreamException"/> when the client closed.</summary>
    public async Task<Http2ReceivedFrame> ReadFrameAsync() =>
        await TryReadFrameAsync().ConfigureAwait(false) ?? throw new EndOfStreamException("The client closed the connection.");

    /// <summary>Reads one frame, or returns null when the client closed the connection at a frame boundary.</summary>
    public async Task<Http2ReceivedFrame?> TryReadFrameAsync()
    {
        if (!await FillAsync(Http2FrameHeader.Size, allowEof: true).ConfigureAwait(false))
        {
            return null;
        }
        var header = Http2FrameHeader.Read(_buffer.AsSpan(_start));
        _start += Http2FrameHeader.Size;
        byte[] payload = await ReadExactAsync(header.Length).ConfigureAwait(false);
        var frame = new Http2ReceivedFrame(header, payload);
        lock (_received)
        {
            _received.Add(frame);
        }
        return frame;
    }

    /// <summary>Reads the next frame, which must be a SETTINGS frame without ACK, and returns its settings (unknown identifiers included).</summary>
    public async Task<IReadOnlyList<(Http2SettingId Id, uint Value)>> ExpectSettingsAsync()
    {
        Http2ReceivedFrame frame = await ReadFrameAsync().ConfigureAwait(false);
        if (frame.Header.Type != Http2FrameType.Settings || frame.Header.HasFlag(Http2FrameFlags.Ack) || frame.Payload.Length % 6 != 0)
        {
            throw new InvalidDataException("Expected the client's SETTINGS frame, got " + frame);
        }
        return ParseSettings(frame.Payload);
    }

    /// <summary>
    /// The connection start (RFC 9113 §3.4): reads the preface and the client's SETTINGS, sends
    /// <paramref name="settings"/> and the ACK of the client's. The client's ACK of ours is consumed whenever it
    /// arrives, by <see cref="ReadRequestAsync"/>.
    /// </summary>
    /// <param name="settings">The server's settings.</param>
    public async Task HandshakeAsync(params (Http2SettingId Id, uint Value)[] settings)
    {
        await ReadPrefaceAsync().ConfigureAwait(false);
        ClientSettings = await ExpectSettingsAsync().ConfigureAwait(false);
        await SendSettingsAsync(settings).ConfigureAwait(false);
        await SendSettingsAckAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Reads frames until a request is complete — its header block (HEADERS + CONTINUATION) decoded and, when
    /// <paramref name="waitForEndStream"/>, END_STREAM received or the stream reset — and returns it. Frames of
    /// other streams go to their own requests (returned by later calls); SETTINGS ACK, WINDOW_UPDATE, PING
    /// (answered when <see cref="AnswerPings"/>), PRIORITY and further SETTINGS (acknowledged) are recorded and
    /// skipped. Returns null when the client closed the connection or sent GOAWAY.
    /// </summary>
    /// <param name="waitForEndStream">False to return as soon as the header block is decoded; later DATA still lands in the returned object.</param>
    public async Task<Http2ReceivedRequest?> ReadRequestAsync(bool waitForEndStream = true)
    {
        while (true)
        {
            foreach (Http2ReceivedRequest pending in _open.Values)
            {
                if (pending.HeadersComplete && !pending.Returned && (!waitForEndStream || pending.EndStream || pending.ResetCode is not null))
                {
                    pending.Returned = true;
                    return pending;
                }
            }
            Http2ReceivedFrame? frame = await TryReadFrameAsync().ConfigureAwait(false);
            if (frame is null)
            {
                return null;
            }
            Http2FrameHeader h = frame.Header;
            switch (h.Type)
            {
                case Http2FrameType.Headers:
                    await ReadHeaderBlockAsync(frame).ConfigureAwait(false);
                    break;
                case Http2FrameType.Data:
                    if (_open.TryGetValue(h.StreamId, out Http2ReceivedRequest? request))
                    {
                        request.AppendData(Http2Frame.RemovePadding(h, frame.Payload));
                        request.EndStream |= h.HasFlag(Http2FrameFlags.EndStream);
                    }
                    break;
                case Http2FrameType.Settings:
                    if (h.HasFlag(Http2FrameFlags.Ack))
                    {
                        SettingsAcksReceived++;
                    }
                    else
                    {
                        await SendSettingsAckAsync().ConfigureAwait(false);
                    }
                    break;
                case Http2FrameType.WindowUpdate:
                    int increment = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) & 0x7fffffff);
                    WindowUpdates.Add((h.StreamId, increment));
                    if (_open.TryGetValue(h.StreamId, out Http2ReceivedRequest? updated))
                    {
                        updated.WindowUpdates.Add(increment);
                    }
                    break;
                case Http2FrameType.Ping:
                    ulong data = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.Payload);
                    Pings.Add((data, h.HasFlag(Http2FrameFlags.Ack)));
                    if (AnswerPings && !h.HasFlag(Http2FrameFlags.Ack))
                    {
                        await SendPingAsync(data, ack: true).ConfigureAwait(false);
                    }
                    break;
                case Http2FrameType.RstStream:
                    var code = (Http2ErrorCode)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Payload);
                    Resets.Add((h.StreamId, code));
                    if (_open.TryGetValue(h.StreamId, out Http2ReceivedRequest? reset))
                    {
                        reset.ResetCode = code;
                    }
                    break;
                case Http2FrameType.GoAway:
                    ClientGoAway = ((int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) & 0x7fffffff),
                        (Http2ErrorCode)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.AsSpan(4)));
                    return null;
                default:
                    break; // PRIORITY, extension frames
            }
        }
    }

    /// <summary>Reads and records whatever the client sends, until it closes the connection or the server stops.</summary>
    public async Task WaitForClientCloseAsync()
    {
        try
        {
            while (await TryReadFrameAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task ReadHeaderBlockAsync(Http2ReceivedFrame first)
    {
        int streamId = first.Header.StreamId;
        var block = new ArrayBufferWriter<byte>();
        block.Write(Http2Frame.ReadHeaders(first.Header, first.Payload));
        bool endStream = first.Header.HasFlag(Http2FrameFlags.EndStream);
        Http2FrameHeader last = first.Header;
        while (!last.HasFlag(Http2FrameFlags.EndHeaders))
        {
            Http2ReceivedFrame next = await ReadFrameAsync().ConfigureAwait(false);
            if (next.Header.Type != Http2FrameType.Continuation || next.Header.StreamId != streamId)
            {
                throw new InvalidDataException($"Expected CONTINUATION on stream {streamId.ToString(CultureInfo.InvariantCulture)}, got {next} (RFC 9113 §6.10).");
            }
            block.Write(next.Payload);
            last = next.Header;
        }
        if (!_open.TryGetValue(streamId, out Http2ReceivedRequest? request))
        {
            request = new Http2ReceivedRequest(streamId);
            _open.Add(streamId, request);
            _fieldTarget = request.Fields;
        }
        else
        {
            _fieldTarget = request.Trailers;
        }
        Decoder.Decode(block.WrittenSpan, this);
        _fieldTarget = null;
        request.HeadersComplete = true;
        request.EndStream |= endStream;
    }

    void IHpackFieldSink.OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        _fieldTarget?.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));

    private static List<(Http2SettingId, uint)> ParseSettings(byte[] payload)
    {
        var settings = new List<(Http2SettingId, uint)>();
        for (int i = 0; i + 6 <= payload.Length; i += 6)
        {
            settings.Add(((Http2SettingId)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i)),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2))));
        }
        return settings;
    }

    private async Task<Http2ReceivedFrame?> TryReadFrameAsync(TimeSpan timeout)
    {
        TimeSpan saved = ReadTimeout;
        ReadTimeout = timeout;
        try
        {
            return await TryReadFrameAsync().ConfigureAwait(false);
        }
        finally
        {
            ReadTimeout = saved;
        }
    }

    private async Task<byte[]> ReadExactAsync(int count)
    {
        await FillAsync(count, allowEof: false).ConfigureAwait(false);
        byte[] bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private async Task<bool> FillAsync(int count, bool allowEof)
    {
        if (_end - _start >= count)
        {
            return true;
        }
        if (_buffer.Length - _start < count)
        {
            byte[] bigger = new byte[Math.Max(_buffer.Length, count)];
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            _end -= _start;
            _start = 0;
            _buffer = bigger;
        }
        else if (_buffer.Length - _end < count - (_end - _start))
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        if (ReadTimeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(ReadTimeout);
        }
        while (_end - _start < count)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!Stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"The client sent nothing for {ReadTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s while the script waited for {count.ToString(CultureInfo.InvariantCulture)} octets.");
            }
            if (n == 0)
            {
                if (allowEof && _end == _start)
                {
                    return false;
                }
                throw new EndOfStreamException("The client closed the connection in the middle of a frame.");
            }
            _end += n;
        }
        return true;
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Sends a SETTINGS frame with <paramref name="settings"/>.</summary>
    /// <param name="settings">The settings, in order.</param>
    public Task SendSettingsAsync(params (Http2SettingId Id, uint Value)[] settings) =>
        SendAsync(o => Http2Frame.WriteSettings(o, settings));

    /// <summary>Sends a SETTINGS ACK.</summary>
    public Task SendSettingsAckAsync() => SendAsync(Http2Frame.WriteSettingsAck);

    /// <summary>
    /// Encodes <paramref name="fields"/> with <see cref="Encoder"/> (each with its default indexing) and sends the
    /// block as HEADERS, split into CONTINUATION frames of at most <paramref name="maxFrameSize"/> octets.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="fields">Lower-case names and values, pseudo-headers first.</param>
    /// <param name="endStream">Whether to set END_STREAM.</param>
    /// <param name="maxFrameSize">The largest fragment per frame.</param>
    public Task SendHeadersAsync(int streamId, IEnumerable<(string Name, string Value)> fields, bool endStream, int maxFrameSize = Http2Frame.DefaultMaxFrameSize)
    {
        var block = new ArrayBufferWriter<byte>();
        Encoder.BeginBlock(block);
        foreach ((string name, string value) in fields)
        {
            Encoder.Encode(block, name, value, HpackEncoder.DefaultIndexingFor(name, value.Length));
        }
        return SendHeaderBlockAsync(streamId, block.WrittenSpan.ToArray(), endStream, maxFrameSize);
    }

    /// <summary>Sends a raw header block (hostile ones included) as HEADERS + CONTINUATION frames of at most <paramref name="maxFrameSize"/> octets.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="block">The header block.</param>
    /// <param name="endStream">Whether to set END_STREAM.</param>
    /// <param name="maxFrameSize">The largest fragment per frame.</param>
    public Task SendHeaderBlockAsync(int streamId, byte[] block, bool endStream, int maxFrameSize = Http2Frame.DefaultMaxFrameSize) =>
        SendAsync(o => Http2Frame.WriteHeaders(o, streamId, block, endStream, maxFrameSize));

    /// <summary>Sends a DATA frame, padded with <paramref name="padLength"/> zero octets when it is above 0.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="data">The data.</param>
    /// <param name="endStream">Whether to set END_STREAM.</param>
    /// <param name="padLength">0 for no PADDED flag; otherwise the padding length, 1 to 255.</param>
    public Task SendDataAsync(int streamId, byte[] data, bool endStream, int padLength = 0)
    {
        Http2FrameFlags flags = endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None;
        if (padLength == 0)
        {
            return SendFrameAsync(Http2FrameType.Data, flags, streamId, data);
        }
        byte[] payload = new byte[1 + data.Length + padLength];
        payload[0] = checked((byte)padLength);
        data.CopyTo(payload, 1);
        return SendFrameAsync(Http2FrameType.Data, flags | Http2FrameFlags.Padded, streamId, payload);
    }

    /// <summary>Sends one frame exactly as given (any type, flags and stream; no validation).</summary>
    /// <param name="type">The type (any octet).</param>
    /// <param name="flags">The flags.</param>
    /// <param name="streamId">The stream.</param>
    /// <param name="payload">The payload.</param>
    public Task SendFrameAsync(Http2FrameType type, Http2FrameFlags flags, int streamId, byte[] payload) =>
        SendAsync(o =>
        {
            Http2Frame.WriteFrameHeader(o, payload.Length, type, flags, streamId);
            o.Write(payload);
        });

    /// <summary>Sends a RST_STREAM frame.</summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="code">The error code.</param>
    public Task SendRstStreamAsync(int streamId, Http2ErrorCode code) => SendAsync(o => Http2Frame.WriteRstStream(o, streamId, code));

    /// <summary>Sends a GOAWAY frame.</summary>
    /// <param name="lastStreamId">The last stream id.</param>
    /// <param name="code">The error code.</param>
    /// <param name="debugData">Debug data, as Latin-1 text.</param>
    public Task SendGoAwayAsync(int lastStreamId, Http2ErrorCode code, string debugData = "") =>
        SendAsync(o => Http2Frame.WriteGoAway(o, lastStreamId, code, Encoding.Latin1.GetBytes(debugData)));

    /// <summary>Sends a PING frame.</summary>
    /// <param name="data">The opaque data.</param>
    /// <param name="ack">True for a PING ACK.</param>
    public Task SendPingAsync(ulong data, bool ack = false) => SendAsync(o => Http2Frame.WritePing(o, data, ack));

    /// <summary>Sends a WINDOW_UPDATE frame (any increment ≥ 1; use <see cref="SendFrameAsync"/> for a 0 increment).</summary>
    /// <param name="streamId">The stream, or 0 for the connection.</param>
    /// <param name="increment">The increment.</param>
    public Task SendWindowUpdateAsync(int streamId, int increment) => SendAsync(o => Http2Frame.WriteWindowUpdate(o, streamId, increment));

    /// <summary>Sends <paramref name="bytes"/> exactly.</summary>
    /// <param name="bytes">The bytes.</param>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync(Stopping).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, Stopping).ConfigureAwait(false);
            await _stream.FlushAsync(Stopping).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task SendAsync(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return SendRawAsync(output.WrittenSpan.ToArray());
    }

    /// <summary>Closes gracefully: TLS close_notify when over TLS, then FIN.</summary>
    public async Task CloseAsync()
    {
        if (_stream is SslStream tls && Volatile.Read(ref _closed) == 0)
        {
            try
            {
                await tls.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
        CloseQuietly();
    }

    /// <summary>Aborts the connection with a TCP reset (linger 0).</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
    }

    internal void CloseQuietly()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _stream.Dispose();
        _socket.Dispose();
    }
}
