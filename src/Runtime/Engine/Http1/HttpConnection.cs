using System;
using System.Buffers;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;

namespace TypedHttp;

/// <summary>
/// One HTTP/1.1 connection: the socket (and TLS stream), a pooled read buffer, a pooled write buffer, and the
/// I/O primitives the exchange and the body streams use. Every socket read or write runs under its own timeout
/// (TO-2) and the caller's token; an expired timer becomes <see cref="HttpError.Timeout"/>, a cancelled token
/// becomes <see cref="OperationCanceledException"/>. Any failure leaves the connection unusable.
/// </summary>
internal sealed partial class HttpConnection : IDisposable
{
    private const int InitialReadBufferSize = 16 * 1024;

    private static readonly Action<object?> s_cancel = static state => ((CancellationTokenSource)state!).Cancel();

    // Not readonly: an idle anonymous connection may pass to another session's pool (C-7, MoveTo).
    private HttpConnectionPool _pool;
    private HttpSessionOptions _options;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TlsClientState? _tls;
    private readonly PooledBufferWriter _writeBuffer = new(4096);
    private byte[] _readBuffer;
    private int _readStart;
    private int _readEnd;
    private CancellationTokenSource _readCts = new();
    private CancellationTokenSource _writeCts = new();
    private int _disposed;
    private long _headDeadline;
    private bool _announced;

    internal HttpConnection(HttpConnectionPool pool, ConnectionTransport transport)
    {
        Id = transport.Id;
        _pool = pool;
        _options = pool.Options;
        _socket = transport.Socket;
        _stream = transport.Stream;
        _tls = transport.Tls;
        _readBuffer = ArrayPool<byte>.Shared.Rent(InitialReadBufferSize);
    }

    /// <summary>
    /// Gives up the connection without closing its socket (P-5: the CONNECT exchange is over and the tunnel now
    /// belongs to the TLS stream on top of it): the buffers go back to the pool, and nothing is reported.
    /// </summary>
    internal void DetachTransport()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            StopTimer(_readCts);
            StopTimer(_writeCts);
            _writeBuffer.Dispose();
            byte[] readBuffer = _readBuffer;
            _readBuffer = Array.Empty<byte>();
            ArrayPool<byte>.Shared.Return(readBuffer);
        }
    }

    /// <summary>
    /// WS-8: after a 101 to an upgrade request (<see cref="RequestPlan.Upgrade"/>), gives up the connection without
    /// closing it and hands over its socket and stream together with the bytes already read past the 101 head (a
    /// server's first frame often arrives in the same segment). Nothing is reported: the new owner reports the close.
    /// </summary>
    internal UpgradedTransport DetachForUpgrade()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        byte[] leftover = _readStart == _readEnd ? Array.Empty<byte>() : _readBuffer.AsSpan(_readStart, _readEnd - _readStart).ToArray();
        _readStart = _readEnd;
        DetachTransport();
        return new UpgradedTransport(Id, _socket, _stream, leftover);
    }

    /// <summary>The connection's id in the trace.</summary>
    internal long Id { get; }

    /// <summary>The pool this connection belongs to.</summary>
    internal HttpConnectionPool Pool => _pool;

    /// <summary>Set once the connection carried a connection-bound authentication (NTLM, Negotiate): it never leaves its session (C-8).</summary>
    internal bool CarriedConnectionAuth { get; set; }

    /// <summary>
    /// Whether the connection may pass to another session (C-7, C-8): it never carried NTLM or Negotiate and its TLS
    /// handshake sent no client certificate.
    /// </summary>
    internal bool IsShareable => !CarriedConnectionAuth && (_stream as System.Net.Security.SslStream)?.LocalCertificate is null;

    /// <summary>
    /// C-7: hands this idle connection, already out of its pool's idle list and slot count, to
    /// <paramref name="pool"/> of another session: the old session's observer hears it closed, the new one's hears it
    /// opened (active, as a new connection is), and later exchanges read the new session's options (timeouts, limits, trace).
    /// </summary>
    /// <param name="pool">The new pool, whose slot count already includes this connection.</param>
    internal void MoveTo(HttpConnectionPool pool)
    {
        if (_announced)
        {
            _pool.Session.Observer.ConnectionClosed(Id);
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.ConnectionReused, Id, "Handing the idle connection to another session with the same connection settings (C-7)");
        }
        _pool = pool;
        _options = pool.Options;
        Announce();
    }

    /// <summary>Whether the connection served an earlier exchange before the current one.</summary>
    internal bool IsReused { get; set; }

    /// <summary>Whether any byte of a response arrived during the current exchange (a stale-connection retry needs none).</summary>
    internal bool ReceivedResponseBytes { get; private set; }

    /// <summary>When the connection went idle in the pool (<see cref="Environment.TickCount64"/>).</summary>
    internal long IdleSince { get; set; }

    /// <summary>Whether the connection may go back to the pool once the current response has been read.</summary>
    internal bool KeepAlive { get; set; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// True while the connector still owns the connection (a CONNECT tunnel being set up): closing it then does not
    /// tell the pool, whose lease already accounts for the failure.
    /// </summary>
    internal bool Detached { get; set; }

    /// <summary>The number of received bytes not yet consumed.</summary>
    internal int BufferedCount => _readEnd - _readStart;

    /// <summary>Starts a new exchange on this connection.</summary>
    internal void BeginExchange()
    {
        ReceivedResponseBytes = false;
        _headDeadline = 0;
    }

    /// <summary>
    /// Whether an idle connection can serve another request (C-4): not expired, nothing buffered, and the socket
    /// neither readable nor closed. Bytes arriving on an idle connection are unexpected, so such a connection is
    /// discarded rather than risk reading them as the next response.
    /// </summary>
    internal bool IsUsableWhenIdle(long now, TimeSpan idleTimeout)
    {
        if (IsDisposed || _readStart != _readEnd)
        {
            return false;
        }
        if (idleTimeout != Timeout.InfiniteTimeSpan && now - IdleSince >= (long)idleTimeout.TotalMilliseconds)
        {
            return false;
        }
        try
        {
            // Readable while idle means data or EOF arrived: either way the connection cannot be trusted.
            // One poll: a reset or closed socket also reports readable (the next read would return the error or EOF).
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Gives the connection back to its pool when it is reusable and nothing unexpected is buffered; closes it otherwise.</summary>
    /// <remarks>A held connection (<see cref="Hold"/>) that is reusable is parked instead: it stays leased to its request.</remarks>
    internal void Release()
    {
        if (KeepAlive && _readStart == _readEnd && !IsDisposed)
        {
            if (Interlocked.CompareExchange(ref _holdState, HoldParked, HoldPending) == HoldPending)
            {
                return; // kept for the next leg of a connection-oriented handshake
            }
            _pool.Return(this);
        }
        else
        {
            Abort();
        }
    }

    private const int HoldNone = 0, HoldPending = 1, HoldParked = 2;
    private int _holdState;

    // the held 401 answered a request with a body; let go (not used for a handshake leg), the connection closes.
    private bool _closeWhenLetGo;

    /// <summary>
    /// keeps this connection out of the pool when the current response ends: <see cref="Release"/> then parks it,
    /// still leased to the request, for <see cref="TakeHeld"/> or <see cref="Unhold"/>.
    /// </summary>
    internal void Hold() => Volatile.Write(ref _holdState, HoldPending);

    /// <summary>
    /// After the held response was disposed: the connection, parked and open, now leased to the caller for the next
    /// leg; or null when it was closed (the server closed it, or it could not be reused), in which case the hold is
    /// dropped.
    /// </summary>
    internal HttpConnection? TakeHeld()
    {
        if (Interlocked.CompareExchange(ref _holdState, HoldNone, HoldParked) == HoldParked)
        {
            if (!IsDisposed)
            {
                return this;
            }
            return null;
        }
        Unhold();
        return null;
    }

    /// <summary>Drops the hold: a parked connection goes back to the pool, one still in use goes there when its response ends.</summary>
    internal void Unhold()
    {
        if (_closeWhenLetGo)
        {
            KeepAlive = false; // a response still being read closes the connection when it ends
        }
        if (Interlocked.Exchange(ref _holdState, HoldNone) == HoldParked)
        {
            if (IsDisposed)
            {
                return;
            }
            if (_closeWhenLetGo)
            {
                Abort(); // the 401 answered a request whose body the server may have left unread
                return;
            }
            _pool.Return(this);
        }
    }

    /// <summary>
    /// Tells the session's observer that the connection is established and carries its first request (active). Called
    /// once by the pool; a connection never announced (a failed CONNECT tunnel) is never reported closed either.
    /// </summary>
    internal void Announce()
    {
        _announced = true;
        IPEndPoint? peer = null;
        try
        {
            peer = _socket.RemoteEndPoint as IPEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _pool.Session.Observer.ConnectionOpened(Id, _pool.Key, peer);
    }

    /// <summary>Closes the connection and frees its slot in the pool.</summary>
    internal void Abort()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.Closing, Id, "Closing the connection (not reusable)");
        }
        CloseResources(returnBuffers: false);
        if (_announced)
        {
            _pool.Session.Observer.ConnectionClosed(Id);
        }
        if (!Detached)
        {
            _pool.OnConnectionClosed();
        }
    }

    /// <summary>Closes an idle connection without telling the pool (the pool itself is discarding it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (HttpTrace.IsEnabled(_options))
            {
                HttpTrace.Emit(_options, HttpTraceEventKind.Closing, Id, "Closing an idle connection");
            }
            CloseResources(returnBuffers: true);
            if (_announced)
            {
                _pool.Session.Observer.ConnectionClosed(Id);
            }
        }
    }

    /// <param name="returnBuffers">
    /// True only when nothing can be using the buffers (an idle connection); a connection aborted mid-exchange
    /// leaves them to the garbage collector, since another thread may still be copying from them.
    /// </param>
    private void CloseResources(bool returnBuffers)
    {
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            // Closing a broken connection may fail; it is closed either way.
        }
        _socket.Dispose();
        // The token sources are not disposed: an operation failing on another thread may still reset them. Their
        // timers are stopped so that nothing keeps the connection alive.
        StopTimer(_readCts);
        StopTimer(_writeCts);
        if (returnBuffers)
        {
            _writeBuffer.Dispose();
            byte[] readBuffer = _readBuffer;
            _readBuffer = Array.Empty<byte>();
            ArrayPool<byte>.Shared.Return(readBuffer);
        }
    }

    // ---------------------------------------------------------------- socket I/O with timeouts

    /// <summary>Reads from the socket into <paramref name="destination"/> under <paramref name="timeout"/> and <paramref name="cancellationToken"/>.</summary>
    internal ValueTask<int> ReadTransportAsync(Memory<byte> destination, TimeSpan timeout, HttpPhase phase, CancellationToken cancellationToken) =>
        ReadTransportAsync(destination, timeout, phase, intoReadBuffer: false, cancellationToken);

    /// <summary>
    /// The socket read under the timeouts. With <paramref name="intoReadBuffer"/>, <paramref name="destination"/>
    /// is the free end of the read buffer and the bytes read are added to it here: one async frame, not two.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadTransportAsync(Memory<byte> destination, TimeSpan timeout, HttpPhase phase, bool intoReadBuffer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        CancellationTokenSource cts = _readCts;
        bool timed = timeout != Timeout.InfiniteTimeSpan;
        CancellationTokenRegistration registration = default;
        try
        {
            int n;
            if (!timed && !cancellationToken.CanBeCanceled)
            {
                n = await _stream.ReadAsync(destination).ConfigureAwait(false);
            }
            else
            {
                if (timed)
                {
                    cts.CancelAfter(timeout);
                }
                if (cancellationToken.CanBeCanceled)
                {
                    registration = cancellationToken.UnsafeRegister(s_cancel, cts);
                }
                n = await _stream.ReadAsync(destination, cts.Token).ConfigureAwait(false);
            }
            if (intoReadBuffer && n > 0)
            {
                _readEnd += n;
                ReceivedResponseBytes = true;
            }
            return n;
        }
        catch (Exception e) when (e is not TypedHttpException)
        {
            throw TranslateIoException(e, phase, timeout, cancellationToken, isRead: true);
        }
        finally
        {
            registration.Dispose();
            if (timed || cancellationToken.CanBeCanceled)
            {
                ResetCts(ref _readCts, cts);
            }
        }
    }

    /// <summary>Writes <paramref name="source"/> to the socket under the send timeout and <paramref name="cancellationToken"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask WriteTransportAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        TimeSpan timeout = _options.SendTimeout;
        CancellationTokenSource cts = _writeCts;
        bool timed = timeout != Timeout.InfiniteTimeSpan;
        CancellationTokenRegistration registration = default;
        try
        {
            if (!timed && !cancellationToken.CanBeCanceled)
            {
                await _stream.WriteAsync(source).ConfigureAwait(false);
                return;
            }
            if (timed)
            {
                cts.CancelAfter(timeout);
            }
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(s_cancel, cts);
            }
            await _stream.WriteAsync(source, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not TypedHttpException)
        {
            throw TranslateIoException(e, HttpPhase.Send, timeout, cancellationToken, isRead: false);
        }
        finally
        {
            registration.Dispose();
            if (timed || cancellationToken.CanBeCanceled)
            {
                ResetCts(ref _writeCts, cts);
            }
        }
    }

    private static void StopTimer(CancellationTokenSource cts)
    {
        try
        {
            cts.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static void ResetCts(ref CancellationTokenSource field, CancellationTokenSource used)
    {
        if (!used.TryReset())
        {
            // The timer fired (or the caller cancelled) at the very end of an operation: use a fresh source next time.
            field = new CancellationTokenSource();
            used.Dispose();
        }
    }

    private Exception TranslateIoException(Exception e, HttpPhase phase, TimeSpan timeout, CancellationToken cancellationToken, bool isRead)
    {
        Abort();
        if (cancellationToken.IsCancellationRequested)
        {
            return new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, phase);
        }
        if (e is OperationCanceledException)
        {
            string what = isRead ? "receive" : "send";
            return new TypedHttpException(HttpError.Timeout, phase, $"The {what} timeout ({FormatTimeout(timeout)}) expired while {Describe(phase)}.", e);
        }
        if (_tls?.ClientCertificateRefusal(!IsReused, e) is { } refused)
        {
            return refused; // S-4
        }
        return new TypedHttpException(HttpError.ConnectionError, phase, $"The connection failed while {Describe(phase)}: {e.Message}", e);
    }

    internal static string FormatTimeout(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? "infinite" : timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.###} s" : $"{timeout.TotalMilliseconds:0} ms";

    internal static string Describe(HttpPhase phase) => phase switch
    {
        HttpPhase.Resolve => "resolving the host name",
        HttpPhase.Connect => "connecting",
        HttpPhase.Tls => "negotiating TLS",
        HttpPhase.Send => "sending the request",
        HttpPhase.ReceiveHeaders => "receiving the response head",
        HttpPhase.ReceiveBody => "receiving the response body",
        _ => "preparing the request",
    };

    // ---------------------------------------------------------------- read buffer

    /// <summary>Reads more bytes into the read buffer; returns 0 at EOF.</summary>
    private ValueTask<int> FillAsync(TimeSpan timeout, HttpPhase phase, CancellationToken cancellationToken)
    {
        if (_readStart == _readEnd)
        {
            _readStart = _readEnd = 0;
        }
        else if (_readEnd == _readBuffer.Length)
        {
            int buffered = _readEnd - _readStart;
            if (_readStart > 0)
            {
                Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, buffered);
            }
            else
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(_readBuffer.Length * 2);
                Buffer.BlockCopy(_readBuffer, 0, bigger, 0, buffered);
                ArrayPool<byte>.Shared.Return(_readBuffer);
                _readBuffer = bigger;
            }
            _readStart = 0;
            _readEnd = buffered;
        }
        return ReadTransportAsync(_readBuffer.AsMemory(_readEnd), timeout, phase, intoReadBuffer: true, cancellationToken);
    }

    /// <summary>
    /// Reads one line ending in LF (a preceding CR is dropped; bare LF is accepted, RFC 9112 §2.2). The returned
    /// range points into the read buffer and stays valid until the next read. <paramref name="maxLength"/>
    /// bounds the line with its terminator; beyond it <paramref name="tooLong"/> is thrown.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<LineRange> ReadLineAsync(int maxLength, HttpPhase phase, HttpError tooLong, long deadline, CancellationToken cancellationToken)
    {
        int scanned = 0;
        while (true)
        {
            int available = _readEnd - _readStart;
            int idx = _readBuffer.AsSpan(_readStart + scanned, available - scanned).IndexOf((byte)'\n');
            if (idx >= 0)
            {
                if (scanned + idx + 1 > maxLength)
                {
                    throw TooLong(tooLong, phase, maxLength);
                }
                return TakeLine(scanned + idx);
            }
            scanned = available;
            if (scanned >= maxLength)
            {
                throw TooLong(tooLong, phase, maxLength);
            }
            int n = await FillAsync(TimeoutUntil(deadline, phase), phase, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                Abort();
                throw phase == HttpPhase.ReceiveBody
                    ? new TypedHttpException(HttpError.ResponseTruncated, phase, "The connection closed in the middle of the chunked body framing.")
                    : EofInHead();
            }
        }
    }

    /// <summary>
    /// Like <see cref="ReadLineAsync"/> without I/O: takes a line that is already complete in the read buffer, or
    /// returns false when more bytes are needed. The same <paramref name="maxLength"/> applies, with the same failure.
    /// </summary>
    internal bool TryReadBufferedLine(int maxLength, HttpPhase phase, HttpError tooLong, out LineRange line)
    {
        int available = _readEnd - _readStart;
        int idx = _readBuffer.AsSpan(_readStart, Math.Min(available, maxLength)).IndexOf((byte)'\n');
        if (idx >= 0)
        {
            line = TakeLine(idx);
            return true;
        }
        if (available >= maxLength)
        {
            throw TooLong(tooLong, phase, maxLength);
        }
        line = default;
        return false;
    }

    /// <summary>Consumes the buffered line whose LF is at <paramref name="lfOffset"/> from the read position.</summary>
    private LineRange TakeLine(int lfOffset)
    {
        int start = _readStart;
        int length = lfOffset;
        if (length > 0 && _readBuffer[start + length - 1] == (byte)'\r')
        {
            length--;
        }
        int total = lfOffset + 1;
        _readStart += total;
        return new LineRange(start, length, total);
    }

    /// <summary>Consumes an empty line (CRLF or bare LF) when the read buffer starts with one; false otherwise, consuming nothing.</summary>
    internal bool TryConsumeBufferedEmptyLine()
    {
        ReadOnlySpan<byte> buffered = _readBuffer.AsSpan(_readStart, _readEnd - _readStart);
        int length = buffered.StartsWith("\r\n"u8) ? 2 : buffered.StartsWith("\n"u8) ? 1 : 0;
        _readStart += length;
        return length != 0;
    }

    private TypedHttpException EofInHead()
    {
        if (_tls?.ClientCertificateRefusal(!IsReused, null) is { } refused)
        {
            return refused; // S-4
        }
        return ReceivedResponseBytes
            ? new TypedHttpException(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, "The connection closed before the end of the response head.")
            : new TypedHttpException(HttpError.EmptyResponse, HttpPhase.ReceiveHeaders, "The server closed the connection without sending any response (T-5).");
    }

    private TypedHttpException TooLong(HttpError error, HttpPhase phase, int limit)
    {
        Abort();
        return error switch
        {
            HttpError.ChunkedEncodingHeaderSizeOverflow => new TypedHttpException(error, phase, $"A chunk-size line is longer than {limit} bytes (HttpSessionOptions.MaxChunkSizeLineLength, T-4)."),
            HttpError.HeaderSizeOverflow => new TypedHttpException(error, phase, $"The response headers exceed {_options.MaxResponseHeadersLength} bytes (HttpSessionOptions.MaxResponseHeadersLength, T-4)."),
            _ => new TypedHttpException(error, phase, $"A line of the response is longer than {limit} bytes."),
        };
    }

    /// <summary>The read timeout for one socket read: the receive timeout, shortened to the head deadline when there is one.</summary>
    private TimeSpan TimeoutUntil(long deadline, HttpPhase phase)
    {
        TimeSpan receive = _options.ReceiveTimeout;
        if (deadline == long.MaxValue)
        {
            return receive;
        }
        long left = deadline - Environment.TickCount64;
        if (left <= 0)
        {
            Abort();
            throw new TypedHttpException(HttpError.Timeout, phase, $"The receive-response timeout ({FormatTimeout(_options.ReceiveResponseTimeout)}) expired before the response head was complete (TO-2).");
        }
        var remaining = TimeSpan.FromMilliseconds(left);
        return receive == Timeout.InfiniteTimeSpan || remaining < receive ? remaining : receive;
    }

    /// <summary>The bytes of a line returned by <see cref="ReadLineAsync"/>.</summary>
    internal ReadOnlySpan<byte> LineSpan(LineRange line) => _readBuffer.AsSpan(line.Start, line.Length);

    /// <summary>
    /// Reads body bytes: from the buffer when it holds any, else straight from the socket into
    /// <paramref name="destination"/> (which the caller limits to what belongs to the body). Returns 0 at EOF.
    /// </summary>
    internal ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int buffered = _readEnd - _readStart;
        if (buffered > 0)
        {
            int n = Math.Min(buffered, destination.Length);
            _readBuffer.AsSpan(_readStart, n).CopyTo(destination.Span);
            _readStart += n;
            return new ValueTask<int>(n);
        }
        return ReadTransportAsync(destination, _options.ReceiveTimeout, HttpPhase.ReceiveBody, cancellationToken);
    }

    /// <summary>Copies up to <paramref name="destination"/>'s length of already-buffered bytes, without I/O; returns how many.</summary>
    internal int CopyBuffered(Span<byte> destination)
    {
        int n = Math.Min(_readEnd - _readStart, destination.Length);
        _readBuffer.AsSpan(_readStart, n).CopyTo(destination);
        _readStart += n;
        return n;
    }

    /// <summary>The size of the read buffer: what one <see cref="FillBodyAsync"/> can bring in at most.</summary>
    internal int ReadBufferLength => _readBuffer.Length;

    /// <summary>The most the read buffer grows to for body reads (<see cref="GrowReadBufferForBody"/>).</summary>
    internal const int MaxBodyReadBufferSize = 64 * 1024;

    /// <summary>
    /// Lets one socket read bring in up to <paramref name="size"/> bytes (at most <see cref="MaxBodyReadBufferSize"/>)
    /// when a caller reads the body in large pieces. Only while nothing is buffered.
    /// </summary>
    internal void GrowReadBufferForBody(int size)
    {
        size = Math.Min(size, MaxBodyReadBufferSize);
        if (_readStart == _readEnd && _readBuffer.Length < size && !IsDisposed)
        {
            byte[] old = _readBuffer;
            _readBuffer = ArrayPool<byte>.Shared.Rent(size);
            _readStart = _readEnd = 0;
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>Reads more body bytes from the socket into the read buffer under the receive timeout; returns 0 at EOF.</summary>
    internal ValueTask<int> FillBodyAsync(CancellationToken cancellationToken) =>
        FillAsync(_options.ReceiveTimeout, HttpPhase.ReceiveBody, cancellationToken);

    /// <summary>The received bytes not yet consumed; valid until the next read or release.</summary>
    internal ReadOnlyMemory<byte> Buffered => _readBuffer.AsMemory(_readStart, _readEnd - _readStart);

    /// <summary>Consumes up to <paramref name="count"/> already-buffered bytes without I/O; returns how many.</summary>
    internal int SkipBuffered(long count)
    {
        int n = (int)Math.Min(count, _readEnd - _readStart);
        _readStart += n;
        return n;
    }
}

/// <summary>What <see cref="HttpConnection.DetachForUpgrade"/> hands over: the connection's id, socket and stream, and the bytes read past the 101 head.</summary>
internal readonly record struct UpgradedTransport(long Id, Socket Socket, Stream Stream, byte[] Leftover);

/// <summary>A line inside a connection's read buffer: where it starts, its length without terminator, and the bytes it consumed.</summary>
internal readonly record struct LineRange(int Start, int Length, int Consumed);
