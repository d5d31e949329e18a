using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2.Hpack;

namespace TypedHttp.Http2;

/// <summary>
/// One HTTP/2 connection (RFC 9113): many streams over one transport. One reader loop reads every frame and hands
/// it to its stream (this file); writers append under one lock and their socket writes are gathered, and frames the reader must answer with
/// (SETTINGS ACK, PING ACK, WINDOW_UPDATE, RST_STREAM) are queued and flushed without the reader ever waiting for
/// the socket (<c>Http2Connection.Writing.cs</c>). Streams are <see cref="Http2Stream"/>.
/// </summary>
/// <remarks>
/// Failures: a frame that breaks RFC 9113 is a connection error (GOAWAY with its code, every open stream fails with
/// <see cref="HttpError.InvalidServerResponse"/> naming the rule, H2-10) or a stream error (RST_STREAM, only that
/// request fails). Streams the server never processed (REFUSED_STREAM, above a GOAWAY's last stream id, or not sent
/// before the connection closed) fail with <see cref="Http2RetryException"/>, which the pool resends (H2-11).
/// </remarks>
internal sealed partial class Http2Connection
{
    /// <summary>The frame size we accept (SETTINGS_MAX_FRAME_SIZE, left at the RFC's default).</summary>
    internal const int OurMaxFrameSize = 16384;

    /// <summary>H2-8: how many CONTINUATION frames one header block may take before the connection is closed.</summary>
    internal const int MaxContinuationFrames = 64;

    private readonly HttpConnectionPool _pool;
    private readonly HttpSessionOptions _options;
    private readonly ConnectionTransport _transport;
    private readonly Stream _stream;
    private readonly object _sync = new();
    private readonly Dictionary<int, Http2Stream> _streams = new();
    private readonly HpackDecoder _decoder;
    private readonly Queue<TaskCompletionSource<bool>> _slotWaiters = new();
    private readonly int _streamWindowSize;
    private readonly int _connectionWindowSize;

    // Guarded by _sync.
    private int _reservedStreams;
    private int _maxConcurrentStreams = 100; // until the server's SETTINGS say otherwise (SocketsHttpHandler's assumption too)
    private int _peerInitialWindowSize = 65535;
    private int _connectionSendWindow = 65535;
    private int _lastStreamId; // the highest stream id we opened
    private int _goAwayLastStreamId = int.MaxValue;
    private bool _goAwayReceived;
    private Http2ErrorCode _goAwayCode;
    private string? _goAwayDescription;
    private Exception? _failure;
    private long _idleSince;
    private bool _announced;
    private bool _extendedConnect; // RFC 8441 §3: the server's SETTINGS_ENABLE_CONNECT_PROTOCOL
    private readonly TaskCompletionSource<bool> _peerSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile int _peerMaxFrameSize = 16384;
    private int _pendingPeerTableSize = -1;
    private int _connectionUnacked;
    private bool _settingsAcked;
    private bool _firstFrameSeen;
    private long _lastFrameTicks;
    private long _pingSentTicks;
    private ulong _pingPayload;

    private Http2Connection(HttpConnectionPool pool, ConnectionTransport transport)
    {
        _pool = pool;
        _options = pool.Options;
        _transport = transport;
        _stream = transport.Stream;
        Id = transport.Id;
        _streamWindowSize = _options.Http2StreamWindowSize;
        _connectionWindowSize = (int)Math.Min(int.MaxValue, 16L * _streamWindowSize);
        _decoder = new HpackDecoder(4096, _options.MaxResponseHeadersLength);
        _idleSince = Environment.TickCount64;
        _lastFrameTicks = _idleSince;
    }

    /// <summary>The connection's id in the trace.</summary>
    internal long Id { get; }

    /// <summary>The pool the connection belongs to.</summary>
    internal HttpConnectionPool Pool => _pool;

    internal HttpSessionOptions Options => _options;

    /// <summary>The receive window each stream starts with (our SETTINGS_INITIAL_WINDOW_SIZE).</summary>
    internal int StreamWindowSize => _streamWindowSize;

    /// <summary>The largest frame payload the server accepts (its SETTINGS_MAX_FRAME_SIZE).</summary>
    internal int PeerMaxFrameSize => _peerMaxFrameSize;

    /// <summary>Whether new streams may be opened: not failed, no GOAWAY, stream ids left.</summary>
    internal bool IsUsable
    {
        get
        {
            lock (_sync)
            {
                return IsUsableLocked;
            }
        }
    }

    private bool IsUsableLocked => _failure is null && !_goAwayReceived && _lastStreamId < int.MaxValue - 2;

    /// <summary>The number of streams reserved or open (tests).</summary>
    internal int ActiveStreamCount
    {
        get
        {
            lock (_sync)
            {
                return _reservedStreams;
            }
        }
    }

    /// <summary>
    /// Opens HTTP/2 on <paramref name="transport"/> (RFC 9113 §3.4): the client preface, our SETTINGS (push off,
    /// our stream window and header-list limit), a WINDOW_UPDATE that widens the connection window, and the reader
    /// loop. Requests may be sent at once: the server's SETTINGS are applied whenever they arrive.
    /// </summary>
    public static async ValueTask<Http2Connection> EstablishAsync(HttpConnectionPool pool, ConnectionTransport transport, CancellationToken cancellationToken)
    {
        var connection = new Http2Connection(pool, transport);
        try
        {
            await connection.WritePrefaceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection._transport.Close();
            throw;
        }
        connection.Announce();
        _ = connection.ReadLoopAsync();
        return connection;
    }

    private void Announce()
    {
        _announced = true;
        IPEndPoint? peer = null;
        try
        {
            peer = _transport.Socket.RemoteEndPoint as IPEndPoint;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
        _pool.Session.Observer.ConnectionOpened(Id, _pool.Key, peer);
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.Connected, Id, $"Using HTTP/2 to {_pool.Key.Host}:{_pool.Key.Port}{(_transport.Tls is null ? " (h2c, prior knowledge)" : " (ALPN h2)")}");
        }
    }

    // ---------------------------------------------------------------- stream slots (H2-5)

    /// <summary>Reserves a stream slot when the server's SETTINGS_MAX_CONCURRENT_STREAMS allows one more; false otherwise.</summary>
    internal bool TryReserveStream()
    {
        lock (_sync)
        {
            if (!IsUsableLocked || _reservedStreams >= _maxConcurrentStreams)
            {
                return false;
            }
            ReserveLocked();
            return true;
        }
    }

    private void ReserveLocked()
    {
        if (_reservedStreams++ == 0 && _announced)
        {
            _pool.Session.Observer.ConnectionStateChanged(Id, idle: false);
        }
    }

    /// <summary>
    /// Waits for a stream slot (H2-5: requests beyond the server's limit queue for one). True once one is reserved;
    /// false when the connection can no longer take streams (the caller goes back to the pool).
    /// </summary>
    internal async ValueTask<bool> WaitForStreamSlotAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_sync)
        {
            if (!IsUsableLocked)
            {
                return false;
            }
            if (_reservedStreams < _maxConcurrentStreams)
            {
                ReserveLocked();
                return true;
            }
            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _slotWaiters.Enqueue(waiter);
        }
        using (cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource<bool>)s!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new HttpCanceledException("The request was cancelled while waiting for an HTTP/2 stream slot (SETTINGS_MAX_CONCURRENT_STREAMS).", null, cancellationToken, HttpPhase.Connect);
            }
        }
    }

    /// <summary>A stream ended (or its reservation was given up): its slot goes to a waiter, or the connection may go idle.</summary>
    internal void ReleaseStreamSlot(Http2Stream? stream)
    {
        bool idle = false;
        bool drainedAfterGoAway = false;
        lock (_sync)
        {
            if (stream is not null)
            {
                _streams.Remove(stream.StreamId);
            }
            while (_slotWaiters.Count > 0 && IsUsableLocked)
            {
                // The slot passes straight to the waiter: the reservation count stays.
                if (_slotWaiters.Dequeue().TrySetResult(true))
                {
                    return;
                }
            }
            _reservedStreams--;
            if (_reservedStreams == 0)
            {
                _idleSince = Environment.TickCount64;
                idle = _failure is null;
                drainedAfterGoAway = _goAwayReceived;
            }
        }
        if (idle && _announced)
        {
            _pool.Session.Observer.ConnectionStateChanged(Id, idle: true);
            _pool.Session.EnsureSweeping();
        }
        if (drainedAfterGoAway)
        {
            Close(null); // H2-13: the server said GOAWAY and the last stream it took has ended
        }
    }

    /// <summary>Whether an idle connection should be closed by the sweep: no stream for longer than <paramref name="idleTimeout"/>, or unusable.</summary>
    internal bool ShouldRetire(long now, TimeSpan idleTimeout)
    {
        lock (_sync)
        {
            if (_failure is not null || (_goAwayReceived && _reservedStreams == 0))
            {
                return true;
            }
            return _reservedStreams == 0 && idleTimeout != Timeout.InfiniteTimeSpan && now - _idleSince >= (long)idleTimeout.TotalMilliseconds;
        }
    }

    /// <summary>Whether the connection is idle (no stream), for the sweep.</summary>
    internal bool IsIdle
    {
        get
        {
            lock (_sync)
            {
                return _reservedStreams == 0;
            }
        }
    }

    // ---------------------------------------------------------------- streams

    /// <summary>
    /// Sends a request on a reserved slot and returns its response once the final head has arrived. The slot is
    /// given back when the stream ends.
    /// </summary>
    internal ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        var stream = new Http2Stream(this, request, plan, null);
        return stream.SendAsync(cancellationToken);
    }

    /// <summary>
    /// As <see cref="SendAsync(TypedHttpRequest, RequestPlan, CancellationToken)"/>, for the pool's direct path: a
    /// request the server never processed is handed back to the pool by the stream (<paramref name="resend"/>), and
    /// the task ends with the outcome of sending it again (H2-11).
    /// </summary>
    internal ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, RequestPlan plan, Http2Resend resend, CancellationToken cancellationToken)
    {
        var stream = new Http2Stream(this, request, plan, resend);
        return stream.SendAsync(cancellationToken);
    }

    /// <summary>Registers <paramref name="stream"/> under a new stream id; called under the write lock, just before its HEADERS go out (ids rise in the order HEADERS are sent, RFC 9113 §5.1.1).</summary>
    internal int OpenStream(Http2Stream stream)
    {
        lock (_sync)
        {
            if (_failure is not null)
            {
                // A connection that failed before the server said anything (a TLS alert, a client certificate it
                // wanted, garbage instead of SETTINGS) fails its first request with that reason; one that worked
                // and then went away leaves the request unsent, to be sent elsewhere (H2-11).
                // A protocol violation we detected is not retried either: the same server would break it again.
                throw (_firstFrameSeen && _failure is not TypedHttpException { Error: HttpError.InvalidServerResponse }) || _failure is not TypedHttpException ? NotSent(_failure) : _failure;
            }
            if (_goAwayReceived || _lastStreamId >= int.MaxValue - 2)
            {
                throw new Http2RetryException("The connection stopped taking new streams (GOAWAY or stream ids used up) before the request was sent.", null);
            }
            int id = _lastStreamId == 0 ? 1 : _lastStreamId + 2;
            _lastStreamId = id;
            _streams.Add(id, stream);
            stream.InitializeWindows(id, _peerInitialWindowSize);
            return id;
        }
    }

    private static Http2RetryException NotSent(Exception failure) =>
        new("The HTTP/2 connection failed before the request was sent.", failure);

    /// <summary>Takes up to <paramref name="wanted"/> bytes of send window for <paramref name="stream"/> (both its window and the connection's); 0 when none is free (the stream then waits for a WINDOW_UPDATE).</summary>
    internal int TakeSendWindow(Http2Stream stream, int wanted)
    {
        lock (_sync)
        {
            int n = Math.Min(Math.Min(wanted, stream.SendWindow), Math.Min(_connectionSendWindow, _peerMaxFrameSize));
            if (n <= 0)
            {
                stream.ArmWindowWaiter();
                return 0;
            }
            stream.SendWindow -= n;
            _connectionSendWindow -= n;
            return n;
        }
    }

    // ---------------------------------------------------------------- failure and close

    /// <summary>
    /// Ends the connection: every open stream fails with <paramref name="failure"/> (or a retryable failure when it
    /// was above the GOAWAY line, H2-11), waiters are told, the transport closes. Null closes cleanly.
    /// </summary>
    internal void Close(Exception? failure)
    {
        Http2Stream[] streams;
        TaskCompletionSource<bool>[] waiters;
        lock (_sync)
        {
            if (_failure is not null)
            {
                return;
            }
            _failure = failure ?? new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveBody, "The HTTP/2 connection was closed.");
            streams = new Http2Stream[_streams.Count];
            _streams.Values.CopyTo(streams, 0);
            _streams.Clear();
            waiters = _slotWaiters.ToArray();
            _slotWaiters.Clear();
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.Closing, Id, failure is null ? "Closing the HTTP/2 connection" : $"Closing the HTTP/2 connection: {failure.Message}");
        }
        foreach (TaskCompletionSource<bool> w in waiters)
        {
            w.TrySetResult(false);
        }
        Exception streamFailure = _failure;
        foreach (Http2Stream s in streams)
        {
            s.Fail(s.StreamId > _goAwayLastStreamId ? new Http2RetryException($"The server's GOAWAY said it never processed stream {s.StreamId} (last stream id {_goAwayLastStreamId}).", null) : streamFailure);
        }
        _peerSettings.TrySetResult(false);
        _transport.Close();
        StopTimers();
        _pool.OnHttp2ConnectionUnusable(this);
        if (_announced)
        {
            _pool.Session.Observer.ConnectionClosed(Id);
        }
    }

    /// <summary>A connection error we detected (RFC 9113 §5.4.1): GOAWAY with <paramref name="code"/>, then close.</summary>
    private void ConnectionError(Http2ErrorCode code, string message)
    {
        int lastProcessed = 0; // we never accept server-initiated streams
        QueueGoAway(lastProcessed, code);
        var failure = new TypedHttpException(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, $"HTTP/2 connection error {Http2Errors.Name(code)}: {message}") { ProtocolErrorCode = (long)code };
        FlushControlThenClose(failure);
    }

    // ---------------------------------------------------------------- reader loop

    private async Task ReadLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size + OurMaxFrameSize + 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                // One complete frame (header + payload) in the buffer, else read more. A frame above our
                // SETTINGS_MAX_FRAME_SIZE is a connection error as soon as its header is in, whether or not its
                // payload has arrived too (RFC 9113 §4.2 allows a stream error for some; one answer, as SocketsHttpHandler).
                while (true)
                {
                    if (end - start >= Http2FrameHeader.Size)
                    {
                        int length = PeekLength(buffer, start);
                        if (length > OurMaxFrameSize)
                        {
                            CheckFirstFrame(buffer.AsSpan(start, end - start));
                            ConnectionError(Http2ErrorCode.FrameSizeError, $"a frame of {length} bytes exceeds our SETTINGS_MAX_FRAME_SIZE of {OurMaxFrameSize} (RFC 9113 §4.2).");
                            return;
                        }
                        if (end - start >= Http2FrameHeader.Size + length)
                        {
                            break;
                        }
                    }
                    if (start > 0 && buffer.Length - end < Http2FrameHeader.Size + OurMaxFrameSize)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    CompleteDeferredHeads();
                    int n;
                    try
                    {
                        n = await _stream.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
                    {
                        Close(ClientCertificateMissing(e) ?? new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveHeaders, $"The HTTP/2 connection failed: {e.Message}", e));
                        return;
                    }
                    if (n == 0)
                    {
                        OnEndOfStream(buffer.AsSpan(start, end - start));
                        return;
                    }
                    end += n;
                    Volatile.Write(ref _lastFrameTicks, Environment.TickCount64);
                }
                var header = Http2FrameHeader.Read(buffer.AsSpan(start, Http2FrameHeader.Size));
                ReadOnlySpan<byte> payload = buffer.AsSpan(start + Http2FrameHeader.Size, header.Length);
                start += Http2FrameHeader.Size + header.Length;
                if (start == end)
                {
                    start = end = 0;
                }
                bool goOn;
                try
                {
                    goOn = ProcessFrame(header, payload);
                }
                catch (Http2ProtocolException e) when (!e.IsConnectionError && e.StreamId != 0)
                {
                    // RFC 9113 §5.4.2: a stream error ends only that stream.
                    OnStreamError(e);
                    goOn = true;
                }
                if (!goOn)
                {
                    return;
                }
            }
        }
        catch (Http2ProtocolException e) when (e.IsConnectionError || e.StreamId == 0)
        {
            ConnectionError(e.Code, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not leave streams hanging: fail them all with what happened.
            Close(new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveHeaders, $"The HTTP/2 connection failed: {e.Message}", e));
        }
        finally
        {
            CompleteDeferredHeads();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Streams whose head arrived in the frames at hand; only the reader loop touches this list.
    private readonly List<Http2Stream> _deferredHeads = new();

    /// <summary>Called by a stream (on the reader loop) when its final head arrived.</summary>
    internal void DeferHeadCompletion(Http2Stream stream) => _deferredHeads.Add(stream);

    private void CompleteDeferredHeads()
    {
        for (int i = 0; i < _deferredHeads.Count; i++)
        {
            _deferredHeads[i].CompleteHead();
        }
        _deferredHeads.Clear();
    }

    private void OnStreamError(Http2ProtocolException e)
    {
        Http2Stream? stream;
        lock (_sync)
        {
            _streams.TryGetValue(e.StreamId, out stream);
        }
        if (stream is null)
        {
            QueueRstStream(e.StreamId, e.Code);
            return;
        }
        stream.ResetWithError(e.Code, new TypedHttpException(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders,
            $"HTTP/2 stream error {Http2Errors.Name(e.Code)} on stream {e.StreamId}: {e.Message} The stream was reset (H2-10).")
        { ProtocolErrorCode = (long)e.Code });
    }

    private static int PeekLength(byte[] buffer, int start) => (buffer[start] << 16) | (buffer[start + 1] << 8) | buffer[start + 2];

    /// <summary>S-4: the server's refusal of a connection without the client certificate it asked for, if that is what this was.</summary>
    private TypedHttpException? ClientCertificateMissing(Exception? inner) => _transport.Tls?.ClientCertificateRefusal(!_firstFrameSeen, inner);

    private void OnEndOfStream(ReadOnlySpan<byte> leftover)
    {
        if (ClientCertificateMissing(null) is { } missing)
        {
            Close(missing);
            return;
        }
        if (!_firstFrameSeen)
        {
            CheckFirstFrame(leftover);
            Close(new TypedHttpException(leftover.IsEmpty ? HttpError.EmptyResponse : HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders,
                leftover.IsEmpty ? "The server closed the connection without answering the HTTP/2 connection preface." : $"The server closed the connection after {leftover.Length} bytes that are not an HTTP/2 SETTINGS frame."));
            return;
        }
        bool goAway;
        string? description;
        Http2ErrorCode code;
        lock (_sync)
        {
            goAway = _goAwayReceived;
            description = _goAwayDescription;
            code = _goAwayCode;
        }
        // RFC 9113 §6.8: the streams the GOAWAY did not refuse fail with what the server said: its code and debug data.
        Close(new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveBody,
            goAway ? $"The server closed the HTTP/2 connection after its GOAWAY ({description})." : leftover.IsEmpty ? "The server closed the HTTP/2 connection." : "The server closed the HTTP/2 connection in the middle of a frame.")
        { ProtocolErrorCode = goAway && code != Http2ErrorCode.NoError ? (long)code : null });
    }

    /// <summary>
    /// H2-4: the server's first frame must be SETTINGS (RFC 9113 §3.4). An HTTP/1.x status line in its place means the
    /// server does not speak h2c; anything else is garbage. Either way a clear connection failure.
    /// </summary>
    private void CheckFirstFrame(ReadOnlySpan<byte> bytes)
    {
        if (_firstFrameSeen)
        {
            return;
        }
        if (bytes.StartsWith("HTTP/1."u8))
        {
            int lineEnd = bytes.IndexOf((byte)'\n');
            string line = HttpConnection.Printable(lineEnd > 0 ? bytes.Slice(0, lineEnd).TrimEnd((byte)'\r') : bytes);
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0,
                $"the server answered the HTTP/2 connection preface in HTTP/1.x ('{line}'): it does not speak HTTP/2 on this port (h2c with prior knowledge, H2-3).");
        }
        if (bytes.Length >= Http2FrameHeader.Size && ((bytes[0] << 16 | bytes[1] << 8 | bytes[2]) > OurMaxFrameSize || bytes[3] > (byte)Http2FrameType.Continuation))
        {
            // Not a frame header at all: say what came instead of judging its "length" (FRAME_SIZE_ERROR).
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0,
                $"the server's connection preface must start with a SETTINGS frame; its first bytes are not one ('{HttpConnection.Printable(bytes.Slice(0, Math.Min(bytes.Length, 32)))}', RFC 9113 §3.4, H2-4).");
        }
    }

    /// <summary>Handles one frame; false when the connection ended.</summary>
    private bool ProcessFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!_firstFrameSeen)
        {
            if (header.Type != Http2FrameType.Settings || (header.Flags & Http2FrameFlags.Ack) != 0)
            {
                Span<byte> first = stackalloc byte[Http2FrameHeader.Size];
                header.WriteTo(first);
                CheckFirstFrame(first);
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0,
                    $"the server's connection preface must start with a SETTINGS frame, not {header.Type} (RFC 9113 §3.4, H2-4).");
            }
            _firstFrameSeen = true;
        }
        Http2Frame.ValidateHeader(header, OurMaxFrameSize);
        if (_continuationStream != 0 && header.Type != Http2FrameType.Continuation)
        {
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0, $"a {header.Type} frame arrived in the middle of a header block of stream {_continuationStream} (RFC 9113 §6.10).");
        }
        switch (header.Type)
        {
            case Http2FrameType.Data:
                OnData(header, payload);
                break;
            case Http2FrameType.Headers:
                OnHeaders(header, payload);
                break;
            case Http2FrameType.Continuation:
                OnContinuation(header, payload);
                break;
            case Http2FrameType.Settings:
                OnSettings(header, payload);
                break;
            case Http2FrameType.Ping:
                OnPing(header, payload);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header, payload);
                break;
            case Http2FrameType.RstStream:
                OnRstStream(header, payload);
                break;
            case Http2FrameType.GoAway:
                OnGoAway(header, payload);
                break;
            case Http2FrameType.PushPromise:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0, "the server sent PUSH_PROMISE although our SETTINGS_ENABLE_PUSH is 0 (RFC 9113 §6.6, H2-4).");
            case Http2FrameType.Priority:
                Http2Frame.ReadPriority(header, payload);
                break;
            default:
                break; // RFC 9113 §4.1: frames of unknown types are ignored
        }
        return Volatile.Read(ref _failure) is null;
    }

    private Http2Stream? FindStream(int streamId, Http2FrameType type)
    {
        lock (_sync)
        {
            if (_streams.TryGetValue(streamId, out Http2Stream? stream))
            {
                return stream;
            }
            if ((streamId & 1) == 0 || streamId > _lastStreamId)
            {
                // RFC 9113 §5.1: a frame other than PRIORITY on a stream we never opened ("idle") is a connection error.
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, streamId, $"a {type} frame arrived on stream {streamId}, which was never opened (RFC 9113 §5.1).");
            }
            return null; // closed: its late frames are ignored
        }
    }

    private void OnData(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> data = Http2Frame.RemovePadding(header, payload);
        // H2-7: every DATA byte (padding too) counts against the connection window; it is given back at once,
        // since each stream's own window bounds what it buffers.
        lock (_sync)
        {
            _connectionUnacked += header.Length;
            if (_connectionUnacked > _connectionWindowSize)
            {
                throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, true, 0, $"the server sent more DATA than the connection window allows ({_connectionWindowSize} bytes, RFC 9113 §6.9.1).");
            }
            if (_connectionUnacked >= _connectionWindowSize / 2)
            {
                QueueWindowUpdate(0, _connectionUnacked);
                _connectionUnacked = 0;
            }
        }
        Http2Stream? stream = FindStream(header.StreamId, header.Type);
        if (stream is null)
        {
            return;
        }
        stream.OnData(data, header.Length - data.Length, (header.Flags & Http2FrameFlags.EndStream) != 0);
    }

    // Header block assembly (HEADERS + CONTINUATION), H2-8.
    private readonly HeaderSink _headerSink = new(); // reader loop only
    private byte[]? _headerBlock;
    private int _headerBlockLength;
    private int _continuationStream;
    private int _continuationCount;
    private bool _continuationEndStream;

    private void OnHeaders(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> fragment = Http2Frame.ReadHeaders(header, payload);
        bool endStream = (header.Flags & Http2FrameFlags.EndStream) != 0;
        if ((header.Flags & Http2FrameFlags.EndHeaders) != 0)
        {
            OnHeaderBlock(header.StreamId, fragment, endStream);
            return;
        }
        _continuationStream = header.StreamId;
        _continuationEndStream = endStream;
        _continuationCount = 0;
        _headerBlockLength = 0;
        AppendHeaderBlock(fragment);
    }

    private void OnContinuation(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_continuationStream == 0 || header.StreamId != _continuationStream)
        {
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0, $"a CONTINUATION frame on stream {header.StreamId} follows no unfinished header block of that stream (RFC 9113 §6.10).");
        }
        if (++_continuationCount > MaxContinuationFrames)
        {
            throw new Http2ProtocolException(Http2ErrorCode.EnhanceYourCalm, true, 0, $"a header block took more than {MaxContinuationFrames} CONTINUATION frames (H2-8: CONTINUATION flood).");
        }
        AppendHeaderBlock(payload);
        if ((header.Flags & Http2FrameFlags.EndHeaders) != 0)
        {
            int streamId = _continuationStream;
            _continuationStream = 0;
            OnHeaderBlock(streamId, _headerBlock.AsSpan(0, _headerBlockLength), _continuationEndStream);
        }
    }

    private void AppendHeaderBlock(ReadOnlySpan<byte> fragment)
    {
        // H2-8: the compressed block is bounded as well as the decoded list: twice the decoded limit plus a frame.
        int limit = 2 * _options.MaxResponseHeadersLength + OurMaxFrameSize;
        if (_headerBlockLength + fragment.Length > limit)
        {
            throw new Http2ProtocolException(Http2ErrorCode.EnhanceYourCalm, true, 0, $"a header block exceeds {limit} bytes before decoding (HttpSessionOptions.MaxResponseHeadersLength, H2-8).");
        }
        if (_headerBlock is null || _headerBlock.Length < _headerBlockLength + fragment.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (_headerBlockLength + fragment.Length) * 2));
            if (_headerBlock is not null)
            {
                Buffer.BlockCopy(_headerBlock, 0, bigger, 0, _headerBlockLength);
                ArrayPool<byte>.Shared.Return(_headerBlock);
            }
            _headerBlock = bigger;
        }
        fragment.CopyTo(_headerBlock.AsSpan(_headerBlockLength));
        _headerBlockLength += fragment.Length;
    }

    private void OnHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        // The block is decoded whatever becomes of it: the HPACK table must stay in step with the server's.
        Http2Stream? stream = FindStream(streamId, Http2FrameType.Headers);
        HeaderSink sink = _headerSink;
        sink.Reset(stream);
        try
        {
            _decoder.Decode(block, sink);
        }
        catch (HpackException e) when (e.Kind == HpackErrorKind.HeaderListTooLarge)
        {
            // The table is in sync: only this stream fails (RFC 9113 §6.5.2 allows a stream error).
            if (stream is not null)
            {
                stream.ResetWithError(Http2ErrorCode.Cancel, new TypedHttpException(HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders,
                    $"The response headers exceed {_options.MaxResponseHeadersLength} bytes (HttpSessionOptions.MaxResponseHeadersLength, counted as RFC 9113 §6.5.2 does, H2-8)."));
            }
            return;
        }
        catch (HpackException e)
        {
            throw new Http2ProtocolException(Http2ErrorCode.CompressionError, true, 0, $"the header block of stream {streamId} cannot be decoded: {e.Message} (RFC 7541, RFC 9113 §4.3).");
        }
        stream?.OnHeaders(sink, endStream);
    }

    private void OnSettings(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if ((header.Flags & Http2FrameFlags.Ack) != 0)
        {
            lock (_sync)
            {
                _settingsAcked = true;
            }
            return;
        }
        int initialWindow = -1, maxConcurrent = -1, maxFrame = -1, tableSize = -1;
        foreach ((Http2SettingId id, uint value) in Http2Frame.ReadSettings(header, payload))
        {
            switch (id)
            {
                case Http2SettingId.EnablePush when value != 0:
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0, "the server sent SETTINGS_ENABLE_PUSH = 1, which only a client may send (RFC 9113 §6.5.2).");
                case Http2SettingId.InitialWindowSize:
                    initialWindow = (int)value;
                    break;
                case Http2SettingId.MaxConcurrentStreams:
                    maxConcurrent = (int)Math.Min(value, int.MaxValue);
                    break;
                case Http2SettingId.MaxFrameSize:
                    maxFrame = (int)value;
                    break;
                case Http2SettingId.HeaderTableSize:
                    tableSize = (int)Math.Min(value, 64 * 1024); // our encoder never uses more than 64 KiB of table
                    break;
                case Http2SettingId.EnableConnectProtocol when value > 1:
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, true, 0, $"the server sent SETTINGS_ENABLE_CONNECT_PROTOCOL = {value}; only 0 and 1 are allowed (RFC 8441 §3).");
                case Http2SettingId.EnableConnectProtocol:
                    lock (_sync)
                    {
                        _extendedConnect = value == 1;
                    }
                    break;
            }
        }
        // RFC 9113 §6.5.3: the values of one frame apply together, then the ACK.
        ApplySettings(initialWindow, maxConcurrent, maxFrame, tableSize);
        QueueSettingsAck();
        bool extendedConnect;
        lock (_sync)
        {
            extendedConnect = _extendedConnect;
        }
        _peerSettings.TrySetResult(extendedConnect); // WS-18: the first SETTINGS say whether extended CONNECT may be used
    }

    /// <summary>
    /// WS-18: waits for the server's first SETTINGS (at once on a connection that has them) and tells whether they
    /// allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441 §3). False when the connection failed first.
    /// </summary>
    internal async ValueTask<bool> SupportsExtendedConnectAsync(CancellationToken cancellationToken)
    {
        Task<bool> settings = _peerSettings.Task;
        if (!settings.IsCompleted)
        {
            try
            {
                await settings.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new HttpCanceledException("The WebSocket handshake was cancelled while waiting for the server's HTTP/2 SETTINGS.", e, cancellationToken, HttpPhase.ReceiveHeaders);
            }
        }
        lock (_sync)
        {
            return _extendedConnect && IsUsableLocked;
        }
    }

    /// <summary>
    /// WS-18: opens a stream with an extended CONNECT (RFC 8441 §4: <c>:method CONNECT</c>, <c>:protocol</c>
    /// <paramref name="protocol"/>, with <c>:scheme</c> and <c>:path</c>) on a reserved slot; the task ends with the
    /// response head. A 2xx response's body is the tunnel (<see cref="Http2TunnelStream"/>), both ways.
    /// </summary>
    internal ValueTask<TypedHttpResponse> SendExtendedConnectAsync(TypedHttpRequest request, RequestPlan plan, string protocol, CancellationToken cancellationToken)
    {
        var stream = new Http2Stream(this, request, plan, null) { Protocol = protocol };
        return stream.SendAsync(cancellationToken);
    }

    private void ApplySettings(int initialWindow, int maxConcurrent, int maxFrame, int tableSize)
    {
        List<Http2Stream>? wake = null;
        int slotsToGive = 0;
        lock (_sync)
        {
            if (initialWindow >= 0)
            {
                // RFC 9113 §6.9.2: the change applies to every open stream's send window.
                int delta = initialWindow - _peerInitialWindowSize;
                _peerInitialWindowSize = initialWindow;
                foreach (Http2Stream s in _streams.Values)
                {
                    long updated = (long)s.SendWindow + delta;
                    if (updated > int.MaxValue)
                    {
                        throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, true, 0, $"SETTINGS_INITIAL_WINDOW_SIZE {initialWindow} takes the window of stream {s.StreamId} beyond 2^31-1 (RFC 9113 §6.9.2).");
                    }
                    s.SendWindow = (int)updated;
                    if (delta > 0)
                    {
                        (wake ??= new List<Http2Stream>()).Add(s);
                    }
                }
            }
            if (maxConcurrent >= 0)
            {
                int before = _maxConcurrentStreams;
                _maxConcurrentStreams = maxConcurrent;
                slotsToGive = Math.Max(0, maxConcurrent - Math.Max(before, _reservedStreams));
            }
        }
        if (maxFrame >= 0)
        {
            _peerMaxFrameSize = maxFrame;
        }
        if (tableSize >= 0)
        {
            Volatile.Write(ref _pendingPeerTableSize, tableSize);
        }
        if (wake is not null)
        {
            foreach (Http2Stream s in wake)
            {
                s.WakeWindowWaiter();
            }
        }
        for (int i = 0; i < slotsToGive; i++)
        {
            TaskCompletionSource<bool>? waiter = null;
            lock (_sync)
            {
                if (_slotWaiters.Count > 0 && _reservedStreams < _maxConcurrentStreams)
                {
                    waiter = _slotWaiters.Dequeue();
                    ReserveLocked();
                }
            }
            if (waiter is null)
            {
                break;
            }
            if (!waiter.TrySetResult(true))
            {
                ReleaseStreamSlot(null); // the waiter was cancelled: give the slot back
            }
        }
    }

    private void OnPing(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ulong data = Http2Frame.ReadPing(header, payload);
        if ((header.Flags & Http2FrameFlags.Ack) == 0)
        {
            QueuePing(data, ack: true);
            return;
        }
        lock (_sync)
        {
            if (data == _pingPayload)
            {
                _pingSentTicks = 0; // H2-6: the keep-alive PING was answered
            }
        }
    }

    private void OnWindowUpdate(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int increment = Http2Frame.ReadWindowUpdate(header, payload);
        if (header.StreamId == 0)
        {
            List<Http2Stream> wake;
            lock (_sync)
            {
                long updated = (long)_connectionSendWindow + increment;
                if (updated > int.MaxValue)
                {
                    throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, true, 0, "a WINDOW_UPDATE takes the connection's send window beyond 2^31-1 (RFC 9113 §6.9.1).");
                }
                _connectionSendWindow = (int)updated;
                wake = new List<Http2Stream>(_streams.Values);
            }
            foreach (Http2Stream s in wake)
            {
                s.WakeWindowWaiter();
            }
            return;
        }
        Http2Stream? stream = FindStream(header.StreamId, header.Type);
        if (stream is null)
        {
            return;
        }
        bool overflow;
        lock (_sync)
        {
            long updated = (long)stream.SendWindow + increment;
            overflow = updated > int.MaxValue;
            if (!overflow)
            {
                stream.SendWindow = (int)updated;
            }
        }
        if (overflow)
        {
            stream.ResetWithError(Http2ErrorCode.FlowControlError, new TypedHttpException(HttpError.InvalidServerResponse, HttpPhase.Send,
                $"A WINDOW_UPDATE takes the send window of stream {stream.StreamId} beyond 2^31-1 (RFC 9113 §6.9.1); the stream was reset with FLOW_CONTROL_ERROR.")
            { ProtocolErrorCode = (long)Http2ErrorCode.FlowControlError });
            return;
        }
        stream.WakeWindowWaiter();
    }

    private void OnRstStream(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        Http2ErrorCode code = Http2Frame.ReadRstStream(header, payload);
        Http2Stream? stream = FindStream(header.StreamId, header.Type);
        stream?.OnReset(code);
    }

    private void OnGoAway(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        Http2GoAway goAway = Http2Frame.ReadGoAway(header, payload);
        int lastStreamId = goAway.LastStreamId;
        Http2ErrorCode goAwayCode = goAway.Code;
        string debug = goAway.DebugData.IsEmpty ? string.Empty : HttpConnection.Printable(goAway.DebugData);
        List<Http2Stream> refused = new();
        bool idle;
        lock (_sync)
        {
            _goAwayReceived = true;
            _goAwayDescription = debug.Length == 0 ? Http2Errors.Name(goAwayCode) : $"{Http2Errors.Name(goAwayCode)}, '{debug}'";
            _goAwayCode = goAwayCode;
            _goAwayLastStreamId = Math.Min(_goAwayLastStreamId, lastStreamId);
            foreach (Http2Stream s in _streams.Values)
            {
                if (s.StreamId > _goAwayLastStreamId)
                {
                    refused.Add(s);
                }
            }
            idle = _reservedStreams == 0;
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.Closing, Id, $"The server sent GOAWAY ({Http2Errors.Name(goAwayCode)}, last stream {lastStreamId}): no new streams on this connection");
        }
        _pool.OnHttp2ConnectionUnusable(this);
        foreach (Http2Stream s in refused)
        {
            // H2-11: the server promises it never processed these: they are resent on a new connection.
            s.Fail(new Http2RetryException($"The server's GOAWAY (last stream id {lastStreamId}) says it never processed stream {s.StreamId}.", null));
        }
        if (idle)
        {
            Close(null);
        }
    }

    // ---------------------------------------------------------------- keep-alive (H2-6)

    private Timer? _keepAliveTimer;
    private Timer? _settingsAckTimer;

    private void StartTimers()
    {
        TimeSpan ackTimeout = _options.ReceiveTimeout;
        if (ackTimeout != Timeout.InfiniteTimeSpan)
        {
            _settingsAckTimer = new Timer(static s => ((Http2Connection)s!).CheckSettingsAck(), this, ackTimeout, Timeout.InfiniteTimeSpan);
        }
        TimeSpan delay = _options.Http2KeepAlivePingDelay;
        if (delay != Timeout.InfiniteTimeSpan)
        {
            var period = TimeSpan.FromMilliseconds(Math.Max(100, Math.Min(delay.TotalMilliseconds, _options.Http2KeepAlivePingTimeout.TotalMilliseconds) / 4));
            _keepAliveTimer = new Timer(static s => ((Http2Connection)s!).KeepAliveTick(), this, period, period);
        }
    }

    private void StopTimers()
    {
        _keepAliveTimer?.Dispose();
        _settingsAckTimer?.Dispose();
        _headTimer?.Dispose();
    }

    // TO-2 for response heads and body reads: one timer per connection looks for streams past their deadline, instead
    // of a timer per request or per read. It ticks at a quarter of the timeout (10 ms to 1 s), so a timeout fires
    // within that much late.
    private Timer? _headTimer;

    /// <summary>Makes sure the head-deadline scan runs (a stream's upload just ended, so its head deadline started).</summary>
    internal void EnsureHeadTimer(TimeSpan timeout)
    {
        if (_headTimer is not null || timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 10, 1000));
        var timer = new Timer(static s => ((Http2Connection)s!).ScanHeadDeadlines(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _headTimer, timer, null) is null)
        {
            timer.Change(period, period);
            if (Volatile.Read(ref _failure) is not null)
            {
                timer.Dispose();
            }
        }
        else
        {
            timer.Dispose();
        }
    }

    private void ScanHeadDeadlines()
    {
        long now = Environment.TickCount64;
        List<Http2Stream>? late = null, stalled = null;
        lock (_sync)
        {
            foreach (Http2Stream stream in _streams.Values)
            {
                if (stream.IsHeadOverdue(now))
                {
                    (late ??= new List<Http2Stream>()).Add(stream);
                }
                else if (stream.IsBodyReadOverdue(now))
                {
                    (stalled ??= new List<Http2Stream>()).Add(stream);
                }
            }
        }
        if (late is not null)
        {
            foreach (Http2Stream stream in late)
            {
                stream.OnHeadTimeout();
            }
        }
        if (stalled is not null)
        {
            foreach (Http2Stream stream in stalled)
            {
                stream.OnBodyTimeout();
            }
        }
    }

    private void CheckSettingsAck()
    {
        bool acked;
        lock (_sync)
        {
            acked = _settingsAcked || _failure is not null;
        }
        if (!acked)
        {
            ConnectionError(Http2ErrorCode.SettingsTimeout, $"the server did not acknowledge our SETTINGS within the receive timeout ({HttpConnection.FormatTimeout(_options.ReceiveTimeout)}, RFC 9113 §6.5.3).");
        }
    }

    private void KeepAliveTick()
    {
        long now = Environment.TickCount64;
        long sent;
        lock (_sync)
        {
            sent = _pingSentTicks;
        }
        if (sent != 0)
        {
            if (now - sent > (long)_options.Http2KeepAlivePingTimeout.TotalMilliseconds)
            {
                Close(new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveBody, $"The server did not answer a keep-alive PING within {HttpConnection.FormatTimeout(_options.Http2KeepAlivePingTimeout)} (HttpSessionOptions.Http2KeepAlivePingTimeout, H2-6)."));
            }
            return;
        }
        if (now - Volatile.Read(ref _lastFrameTicks) >= (long)_options.Http2KeepAlivePingDelay.TotalMilliseconds)
        {
            ulong payload = (ulong)now;
            lock (_sync)
            {
                _pingPayload = payload;
                _pingSentTicks = now;
            }
            QueuePing(payload, ack: false);
        }
    }

    /// <summary>
    /// Collects a decoded header block: the pseudo-header <c>:status</c> and the regular fields (H2-10 checks). One per
    /// connection, used by the reader loop for each block in turn: the fields gather in a list it keeps, and the
    /// response's collection is made once, at its exact size (<see cref="TakeFields"/>). The value of a common field
    /// that repeats the one this connection last saw for that name (a server's <c>content-type</c>, <c>server</c>,
    /// <c>date</c> within its second) is the same string, not a new one.
    /// </summary>
    internal sealed class HeaderSink : IHpackFieldSink
    {
        private readonly System.Collections.Generic.List<KeyValuePair<string, string>> _fields = new();
        private readonly string?[] _lastValues = new string?[Http2Names.CommonCount];
        private Http2Stream? _stream;
        private bool _regularSeen;

        public int Status { get; private set; } = -1;
        public string? Malformed { get; private set; }

        /// <summary>Starts a block for <paramref name="stream"/> (null: a closed stream's block, decoded only to keep the table in step).</summary>
        public void Reset(Http2Stream? stream)
        {
            _stream = stream;
            _fields.Clear();
            _regularSeen = false;
            Status = -1;
            Malformed = null;
        }

        /// <summary>The block's regular fields as a new collection (the response keeps it).</summary>
        public HttpHeaderCollection TakeFields()
        {
            var fields = new HttpHeaderCollection(_fields.Count);
            foreach (KeyValuePair<string, string> field in _fields)
            {
                fields.AddUnchecked(field.Key, field.Value);
            }
            _fields.Clear();
            return fields;
        }

        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (_stream is null || Malformed is not null)
            {
                return;
            }
            if (name.Length > 0 && name[0] == (byte)':')
            {
                if (_regularSeen || !name.SequenceEqual(":status"u8) || Status >= 0)
                {
                    Malformed = $"the pseudo-header '{HttpConnection.Printable(name)}' is not a single ':status' before the regular fields (RFC 9113 §8.3)";
                    return;
                }
                if (value.Length != 3 || !char.IsAsciiDigit((char)value[0]) || !char.IsAsciiDigit((char)value[1]) || !char.IsAsciiDigit((char)value[2]) || value[0] == (byte)'0')
                {
                    Malformed = $"':status' is '{HttpConnection.Printable(value)}', not a 3-digit status code (RFC 9113 §8.3.2)";
                    return;
                }
                Status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
                return;
            }
            _regularSeen = true;
            for (int i = 0; i < name.Length; i++)
            {
                byte b = name[i];
                if (b is >= (byte)'A' and <= (byte)'Z' || !HttpHeaderCollection.IsTokenChar((char)b))
                {
                    Malformed = $"the field name '{HttpConnection.Printable(name)}' is not a lower-case token (RFC 9113 §8.2.1)";
                    return;
                }
            }
            if (name.Length == 0)
            {
                Malformed = "a field has an empty name (RFC 9113 §8.2.1)";
                return;
            }
            if (value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
            {
                Malformed = $"the value of '{HttpConnection.Printable(name)}' contains CR, LF or NUL (RFC 9113 §8.2.1)";
                return;
            }
            if (IsConnectionSpecific(name))
            {
                Malformed = $"the response carries the connection-specific field '{HttpConnection.Printable(name)}' (RFC 9113 §8.2.2)";
                return;
            }
            int common = Http2Names.CommonIndex(name);
            string fieldName = common >= 0 ? Http2Names.Common(common) : System.Text.Encoding.ASCII.GetString(name);
            _fields.Add(new KeyValuePair<string, string>(fieldName, common >= 0 ? CommonValue(common, value) : Latin1(value)));
        }

        private string CommonValue(int index, ReadOnlySpan<byte> value)
        {
            string? last = _lastValues[index];
            if (last is not null && Latin1Equals(last, value))
            {
                return last;
            }
            string made = Latin1(value);
            _lastValues[index] = made;
            return made;
        }

        private static string Latin1(ReadOnlySpan<byte> value) => value.IsEmpty ? string.Empty : System.Text.Encoding.Latin1.GetString(value);

        private static bool Latin1Equals(string text, ReadOnlySpan<byte> bytes)
        {
            if (text.Length != bytes.Length)
            {
                return false;
            }
            for (int i = 0; i < bytes.Length; i++)
            {
                if (text[i] != bytes[i])
                {
                    return false;
                }
            }
            return true;
        }

        private static bool IsConnectionSpecific(ReadOnlySpan<byte> name) =>
            name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8) || name.SequenceEqual("proxy-connection"u8)
            || name.SequenceEqual("transfer-encoding"u8) || name.SequenceEqual("upgrade"u8);
    }
}

/// <summary>
/// A request the server never processed (REFUSED_STREAM, above a GOAWAY's last stream id, or not yet sent when the
/// connection failed): the pool may send it again on another connection, whatever its method (H2-11).
/// <see cref="Http11Required"/>: the server asked for HTTP/1.1 (HTTP_1_1_REQUIRED).
/// </summary>
internal sealed class Http2RetryException(string message, Exception? inner, bool http11Required = false) : Exception(message, inner)
{
    /// <summary>Whether the server answered HTTP_1_1_REQUIRED: the request goes again over HTTP/1.1.</summary>
    public bool Http11Required { get; } = http11Required;
}

/// <summary>Names of HTTP/2 error codes for messages.</summary>
internal static class Http2Errors
{
    public static string Name(Http2ErrorCode code) => code switch
    {
        Http2ErrorCode.NoError => "NO_ERROR",
        Http2ErrorCode.ProtocolError => "PROTOCOL_ERROR",
        Http2ErrorCode.InternalError => "INTERNAL_ERROR",
        Http2ErrorCode.FlowControlError => "FLOW_CONTROL_ERROR",
        Http2ErrorCode.SettingsTimeout => "SETTINGS_TIMEOUT",
        Http2ErrorCode.StreamClosed => "STREAM_CLOSED",
        Http2ErrorCode.FrameSizeError => "FRAME_SIZE_ERROR",
        Http2ErrorCode.RefusedStream => "REFUSED_STREAM",
        Http2ErrorCode.Cancel => "CANCEL",
        Http2ErrorCode.CompressionError => "COMPRESSION_ERROR",
        Http2ErrorCode.ConnectError => "CONNECT_ERROR",
        Http2ErrorCode.EnhanceYourCalm => "ENHANCE_YOUR_CALM",
        Http2ErrorCode.InadequateSecurity => "INADEQUATE_SECURITY",
        Http2ErrorCode.Http11Required => "HTTP_1_1_REQUIRED",
        _ => $"0x{(uint)code:x}",
    };
}

/// <summary>Field names of HTTP/2 responses as strings: the common ones shared, the rest made once per field.</summary>
internal static class Http2Names
{
    private static readonly string[] s_common =
    [
        "content-type", "content-length", "date", "server", "cache-control", "etag", "last-modified", "location", "set-cookie",
        "content-encoding", "vary", "www-authenticate", "proxy-authenticate", "expires", "age", "x-content-type-options",
        "strict-transport-security", "access-control-allow-origin", "retry-after", "alt-svc", "traceparent", "content-language",
    ];

    /// <summary>How many common names there are.</summary>
    public static int CommonCount => s_common.Length;

    /// <summary>The common name at <paramref name="index"/>.</summary>
    public static string Common(int index) => s_common[index];

    /// <summary>The index of <paramref name="name"/> among the common names; -1 when it is not one.</summary>
    public static int CommonIndex(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < s_common.Length; i++)
        {
            string common = s_common[i];
            if (common.Length == name.Length && System.Text.Ascii.Equals(name, common))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The name as a string: the shared one when it is common.</summary>
    public static string Get(ReadOnlySpan<byte> name)
    {
        int index = CommonIndex(name);
        return index >= 0 ? s_common[index] : System.Text.Encoding.ASCII.GetString(name);
    }
}
