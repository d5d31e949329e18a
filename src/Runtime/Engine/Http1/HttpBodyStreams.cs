using System;
using System.Buffers;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// A response body framed by the connection it comes from (T-1). When the body has been read to its end the
/// connection goes back to the pool; disposing earlier drains what is left, within
/// <see cref="HttpSessionOptions.MaxResponseDrainSize"/> (T-6), or closes the connection. A body cut short
/// throws <see cref="HttpError.ResponseTruncated"/>, and every later read throws the same failure again.
/// </summary>
internal abstract class HttpBodyStream : Stream
{
    private HttpConnection? _connection;
    private Exception? _failure;
    private bool _disposed;

    protected HttpBodyStream(HttpConnection? connection) => _connection = connection;

    /// <summary>The response this body belongs to (chunked trailers are stored on it).</summary>
    internal TypedHttpResponse? Response { get; set; }

    /// <summary>The connection, while the body still owns it.</summary>
    protected HttpConnection Connection => _connection ?? throw new InvalidOperationException("The body no longer owns a connection.");

    /// <summary>Whether the body has been read to its end.</summary>
    protected bool IsComplete => _connection is null;

    public sealed override bool CanRead => !_disposed;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public sealed override void Flush() { }
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Synchronous reads block on the asynchronous path; prefer <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.</summary>
    public sealed override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            return ValueTask.FromException<int>(_failure);
        }
        if (_connection is null)
        {
            return new ValueTask<int>(0);
        }
        return ReadCoreAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failure = e;
            HttpConnection? connection = Interlocked.Exchange(ref _connection, null);
            connection?.Abort();
            throw;
        }
    }

    /// <summary>Reads body bytes; returns 0 only at the end of the body (after calling <see cref="Complete"/>).</summary>
    protected abstract ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>The body ended: hand the connection back (or close it when it may not be reused).</summary>
    protected void Complete()
    {
        HttpConnection? connection = Interlocked.Exchange(ref _connection, null);
        connection?.Release();
    }

    /// <summary>Throws <see cref="HttpError.ResponseTruncated"/>.</summary>
    protected static TypedHttpException Truncated(string message) =>
        new(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, message);

    /// <summary>Finishes the body from bytes already buffered, without I/O; false when that is not possible.</summary>
    protected virtual bool TryCompleteFromBuffer() => false;

    /// <summary>
    /// Reads and discards the rest of the body, up to <paramref name="limit"/> bytes (T-6). Returns true when the
    /// body ended within the limit (the connection then went back to the pool).
    /// </summary>
    internal async ValueTask<bool> DrainAsync(long limit, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            return _failure is null;
        }
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long drained = 0;
            while (_connection is not null)
            {
                int max = (int)Math.Min(scratch.Length, limit - drained + 1);
                int n = await ReadAsync(scratch.AsMemory(0, max), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return true;
                }
                drained += n;
                if (drained > limit)
                {
                    return false;
                }
            }
            return _failure is null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _disposed = true;
            if (_connection is not null && !TryCompleteFromBuffer())
            {
                Interlocked.Exchange(ref _connection, null)?.Abort();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        if (_connection is not null && !TryCompleteFromBuffer())
        {
            bool drained = false;
            try
            {
                drained = await DrainAsync(_connection.Pool.Options.MaxResponseDrainSize, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TypedHttpException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // A body that fails while being drained only costs the connection.
            }
            if (!drained)
            {
                Interlocked.Exchange(ref _connection, null)?.Abort();
            }
        }
        _disposed = true;
        GC.SuppressFinalize(this);
    }
}

/// <summary>No body (HEAD, 204, 304, Content-Length: 0); the connection was released when the head was read.</summary>
internal sealed class EmptyBodyStream : HttpBodyStream
{
    private EmptyBodyStream() : base(null) { }

    public static EmptyBodyStream Create() => new();

    public override long Length => 0;

    protected override ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken) => new(0);
}

/// <summary>A body of exactly Content-Length bytes; EOF before that is <see cref="HttpError.ResponseTruncated"/>.</summary>
internal sealed class ContentLengthBodyStream : HttpBodyStream
{
    private readonly long _length;
    private long _remaining;

    public ContentLengthBodyStream(HttpConnection connection, long length) : base(connection)
    {
        _length = length;
        _remaining = length;
    }

    public override long Length => _length;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        if (buffer.Length > _remaining)
        {
            buffer = buffer.Slice(0, (int)_remaining);
        }
        int n = await Connection.ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw Truncated($"The connection closed after {_length - _remaining} of the {_length} body bytes announced by Content-Length.");
        }
        _remaining -= n;
        if (_remaining == 0)
        {
            Complete();
        }
        return n;
    }

    /// <summary>The body bytes not read yet: the caller may read them all at once when few.</summary>
    internal long Remaining => _remaining;

    /// <summary>
    /// The rest of the body when the connection has already received all of it, read in place; valid until
    /// <see cref="ConsumeBuffered"/> (which may hand the connection, and so its buffer, to another request).
    /// </summary>
    internal bool TryPeekRest(out ReadOnlyMemory<byte> rest)
    {
        if (IsComplete || Connection.BufferedCount < _remaining)
        {
            rest = default;
            return false;
        }
        rest = Connection.Buffered.Slice(0, (int)_remaining);
        return true;
    }

    /// <summary>Marks the bytes of <see cref="TryPeekRest"/> as read and ends the body.</summary>
    internal void ConsumeBuffered() => TryCompleteFromBuffer();

    protected override bool TryCompleteFromBuffer()
    {
        HttpConnection connection = Connection;
        if (connection.BufferedCount < _remaining)
        {
            return false;
        }
        _remaining -= connection.SkipBuffered(_remaining);
        Complete();
        return true;
    }
}

/// <summary>A body that runs until the server closes the connection (no Content-Length, no chunked coding).</summary>
internal sealed class CloseDelimitedBodyStream : HttpBodyStream
{
    public CloseDelimitedBodyStream(HttpConnection connection) : base(connection) => connection.KeepAlive = false;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        int n = await Connection.ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            Complete();
        }
        return n;
    }
}

/// <summary>
/// A chunked body (T-2, RFC 9112 §7.1): hex sizes in any case with leading zeros, extensions ignored, trailers
/// stored in <see cref="TypedHttpResponse.Trailers"/>. An invalid or overflowing size is
/// <see cref="HttpError.InvalidServerResponse"/>, an over-long size line
/// <see cref="HttpError.ChunkedEncodingHeaderSizeOverflow"/>, EOF before the last chunk
/// <see cref="HttpError.ResponseTruncated"/>.
/// </summary>
internal sealed class ChunkedBodyStream : HttpBodyStream
{
    private enum State { SizeLine, Data, DataEnd, Trailers }

    private State _state;
    private long _chunkRemaining;

    /// <summary>A framing error found after some data was already copied for the caller: thrown by the next read.</summary>
    private Exception? _deferredFailure;

    public ChunkedBodyStream(HttpConnection connection) : base(connection) { }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_deferredFailure is not null)
        {
            throw _deferredFailure;
        }
        HttpConnection connection = Connection;
        HttpSessionOptions options = connection.Pool.Options;
        while (true)
        {
            // Everything that can be decoded from bytes already received, across chunk boundaries, without I/O.
            int copied = CopyBuffered(connection, buffer.Span, options.MaxChunkSizeLineLength);
            if (copied > 0)
            {
                return copied;
            }
            switch (_state)
            {
                case State.SizeLine:
                {
                    LineRange line = await connection.ReadLineAsync(options.MaxChunkSizeLineLength, HttpPhase.ReceiveBody, HttpError.ChunkedEncodingHeaderSizeOverflow, long.MaxValue, cancellationToken).ConfigureAwait(false);
                    OnSizeLine(connection, line);
                    break;
                }
                case State.Data:
                {
                    // Nothing is buffered (CopyBuffered took it all).
                    if (buffer.Length == 0)
                    {
                        return 0;
                    }
                    if (_chunkRemaining >= connection.ReadBufferLength && buffer.Length >= connection.ReadBufferLength)
                    {
                        // A large rest of a chunk goes straight from the socket into the caller's buffer.
                        if (buffer.Length > _chunkRemaining)
                        {
                            buffer = buffer.Slice(0, (int)_chunkRemaining);
                        }
                        int n = await connection.ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw Truncated("The connection closed in the middle of a chunk, before the last chunk.");
                        }
                        _chunkRemaining -= n;
                        if (_chunkRemaining == 0)
                        {
                            _state = State.DataEnd;
                        }
                        return n;
                    }
                    // A small rest: fill the read buffer, which may also bring the next chunks in.
                    connection.GrowReadBufferForBody(buffer.Length);
                    if (await connection.FillBodyAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        throw Truncated("The connection closed in the middle of a chunk, before the last chunk.");
                    }
                    break;
                }
                case State.DataEnd:
                {
                    LineRange line = await connection.ReadLineAsync(options.MaxChunkSizeLineLength, HttpPhase.ReceiveBody, HttpError.ChunkedEncodingHeaderSizeOverflow, long.MaxValue, cancellationToken).ConfigureAwait(false);
                    OnDataEnd(connection, line);
                    break;
                }
                default:
                {
                    if (!connection.TryConsumeBufferedEmptyLine())
                    {
                        var trailers = new HttpHeaderCollection(0);
                        await connection.ReadFieldsAsync(trailers, options.MaxResponseHeadersLength, HttpPhase.ReceiveBody, long.MaxValue, cancellationToken).ConfigureAwait(false);
                        if (Response is not null && trailers.Count > 0)
                        {
                            Response.Trailers = trailers;
                        }
                    }
                    Complete();
                    return 0;
                }
            }
        }
    }

    /// <summary>
    /// Decodes what the read buffer already holds into <paramref name="destination"/>: chunk data, and the size
    /// lines and CRLFs between chunks when they are complete, stopping where I/O would be needed, at the last
    /// chunk, or when <paramref name="destination"/> is full. Returns the data bytes copied. A framing error after
    /// some bytes were copied is kept for the next read, so those bytes reach the caller first.
    /// </summary>
    private int CopyBuffered(HttpConnection connection, Span<byte> destination, int maxLineLength)
    {
        int copied = 0;
        try
        {
            while (true)
            {
                LineRange line;
                switch (_state)
                {
                    case State.SizeLine:
                        if (!connection.TryReadBufferedLine(maxLineLength, HttpPhase.ReceiveBody, HttpError.ChunkedEncodingHeaderSizeOverflow, out line))
                        {
                            return copied;
                        }
                        OnSizeLine(connection, line);
                        break;
                    case State.Data:
                    {
                        Span<byte> free = destination.Slice(copied);
                        if (free.Length > _chunkRemaining)
                        {
                            free = free.Slice(0, (int)_chunkRemaining);
                        }
                        int n = connection.CopyBuffered(free);
                        if (n == 0)
                        {
                            return copied;
                        }
                        copied += n;
                        _chunkRemaining -= n;
                        if (_chunkRemaining == 0)
                        {
                            _state = State.DataEnd;
                        }
                        break;
                    }
                    case State.DataEnd:
                        if (!connection.TryReadBufferedLine(maxLineLength, HttpPhase.ReceiveBody, HttpError.ChunkedEncodingHeaderSizeOverflow, out line))
                        {
                            return copied;
                        }
                        OnDataEnd(connection, line);
                        break;
                    default:
                        return copied;
                }
            }
        }
        catch (TypedHttpException e) when (copied > 0)
        {
            _deferredFailure = e;
            return copied;
        }
    }

    private void OnSizeLine(HttpConnection connection, LineRange line)
    {
        _chunkRemaining = ParseChunkSize(connection, connection.LineSpan(line));
        _state = _chunkRemaining == 0 ? State.Trailers : State.Data;
    }

    private void OnDataEnd(HttpConnection connection, LineRange line)
    {
        if (line.Length != 0)
        {
            throw connection.Invalid(HttpPhase.ReceiveBody, "A chunk's data is not followed by CRLF: the chunk is longer than its size says.");
        }
        _state = State.SizeLine;
    }

    /// <summary>chunk-size [ BWS ";" chunk-ext ] — hex digits, any case, leading zeros allowed; at most 2^60 - 1.</summary>
    private static long ParseChunkSize(HttpConnection connection, ReadOnlySpan<byte> line)
    {
        int i = 0;
        long size = 0;
        int significant = 0;
        while (i < line.Length && char.IsAsciiHexDigit((char)line[i]))
        {
            int digit = HexValue(line[i]);
            if (significant > 0 || digit != 0)
            {
                if (++significant > 15)
                {
                    throw connection.Invalid(HttpPhase.ReceiveBody, $"The chunk size '{HttpConnection.Printable(line)}' is too large.");
                }
            }
            size = (size << 4) | (uint)digit;
            i++;
        }
        if (i == 0)
        {
            throw connection.Invalid(HttpPhase.ReceiveBody, $"The chunk-size line '{HttpConnection.Printable(line)}' does not start with a hexadecimal size.");
        }
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }
        if (i < line.Length && line[i] != (byte)';')
        {
            throw connection.Invalid(HttpPhase.ReceiveBody, $"The chunk-size line '{HttpConnection.Printable(line)}' is not a hexadecimal size.");
        }
        return size;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
