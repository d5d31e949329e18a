using System;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// WS-8: the stream an upgraded connection hands to <see cref="System.Net.WebSockets.WebSocket.CreateFromStream(Stream, System.Net.WebSockets.WebSocketCreationOptions)"/>:
/// reads serve first the bytes the HTTP/1.1 codec had already read past the 101 head, then the connection's own
/// stream; writes go straight to it. Disposing it closes the connection (socket included) and tells the session's
/// observer, once (WS-10).
/// </summary>
internal sealed class UpgradedStream : Stream
{
    private readonly Stream _inner;
    private readonly Socket _socket;
    private readonly IHttpSessionObserver _observer;
    private readonly HttpSessionOptions _options;
    private readonly long _id;
    private byte[] _leftover;
    private int _leftoverOffset;
    private int _disposed;

    public UpgradedStream(in UpgradedTransport transport, IHttpSessionObserver observer, HttpSessionOptions options)
    {
        _inner = transport.Stream;
        _socket = transport.Socket;
        _leftover = transport.Leftover;
        _id = transport.Id;
        _observer = observer;
        _options = options;
    }

    /// <summary>How many of the bytes read past the 101 head have not been read yet (tests).</summary>
    internal int LeftoverCount => _leftover.Length - _leftoverOffset;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TakeLeftover(buffer) is int n and > 0)
        {
            return n;
        }
        return _inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakeLeftover(buffer.Span) is int n and > 0)
        {
            return new ValueTask<int>(n);
        }
        return _inner.ReadAsync(buffer, cancellationToken);
    }

    private int TakeLeftover(Span<byte> destination)
    {
        int available = _leftover.Length - _leftoverOffset;
        if (available == 0 || destination.IsEmpty)
        {
            return 0;
        }
        int n = Math.Min(available, destination.Length);
        _leftover.AsSpan(_leftoverOffset, n).CopyTo(destination);
        _leftoverOffset += n;
        if (_leftoverOffset == _leftover.Length)
        {
            _leftover = Array.Empty<byte>();
            _leftoverOffset = 0;
        }
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseConnection();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        CloseConnection();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private void CloseConnection()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.Closing, _id, "Closing the WebSocket's connection");
        }
        try
        {
            _inner.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            // Closing a broken connection may fail; it is closed either way.
        }
        _socket.Dispose();
        _observer.ConnectionClosed(_id);
    }
}
