using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2.Hpack;
using TypedHttp.Internal;

namespace TypedHttp.Http2;

/// <summary>
/// The writing half of an HTTP/2 connection. Writers append their frames under one asynchronous lock (held only to
/// encode and append, never across I/O); the socket writes are gathered: the first writer to arrive writes every
/// frame appended meanwhile, one write a round, under the send timeout (TO-2). The reader loop never waits for the
/// lock: the frames it answers with are queued in <see cref="_control"/> and go out first in the next round, or in one
/// it schedules. A request's HEADERS do not wait for the socket at all (<see cref="ExitWriteLockAndScheduleFlush"/>):
/// the round that carries them runs as a thread-pool work item, so a burst of requests is appended meanwhile and goes
/// out in one write, as SocketsHttpHandler's writer loop completes a writer once its frames are in the buffer.
/// </summary>
internal sealed partial class Http2Connection : IThreadPoolWorkItem
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private PooledBufferWriter _writeBuffer = new(16 * 1024);
    private PooledBufferWriter _sendBuffer = new(16 * 1024);
    private readonly object _flushGate = new();
    private bool _flushing;
    private TaskCompletionSource? _generation; // made only when a writer waits for the next round
    private Exception? _writeFailure;
    private readonly HpackEncoder _encoder = new();
    private readonly object _controlLock = new();
    private PooledBufferWriter _control = new(256);
    private PooledBufferWriter _controlSpare = new(256);
    private int _flushScheduled;
    private bool _closingGracefully;

    private readonly PooledBufferWriter _headerBlockBuffer = new(1024);
    private readonly PooledBufferWriter _pathBuffer = new(256);

    /// <summary>The buffer a request's header block is encoded into; only under the write lock.</summary>
    internal PooledBufferWriter HeaderBlockBuffer => _headerBlockBuffer;

    /// <summary>The buffer a request's escaped :path is written into; only under the write lock.</summary>
    internal PooledBufferWriter PathBuffer => _pathBuffer;

    /// <summary>The write buffer; only under the write lock.</summary>
    internal PooledBufferWriter WriteBuffer => _writeBuffer;

    /// <summary>The HPACK encoder; only under the write lock, after <see cref="BeginHeaderBlock"/>.</summary>
    internal HpackEncoder Encoder => _encoder;

    private async ValueTask WritePrefaceAsync(CancellationToken cancellationToken)
    {
        PooledBufferWriter w = _writeBuffer;
        w.Clear();
        Http2Frame.ClientPreface.CopyTo(w.GetSpan(Http2Frame.ClientPreface.Length));
        w.Advance(Http2Frame.ClientPreface.Length);
        // H2-4: push off, our stream window, our header-list limit.
        Http2Frame.WriteSettings(w,
        [
            (Http2SettingId.EnablePush, 0u),
            (Http2SettingId.InitialWindowSize, (uint)_streamWindowSize),
            (Http2SettingId.MaxHeaderListSize, (uint)_options.MaxResponseHeadersLength),
        ]);
        if (_connectionWindowSize > 65535)
        {
            Http2Frame.WriteWindowUpdate(w, 0, _connectionWindowSize - 65535);
        }
        await WriteToTransportAsync(w.WrittenMemory).ConfigureAwait(false);
        w.Clear();
        StartTimers();
    }

    /// <summary>Takes the write lock under the send timeout and the caller's token.</summary>
    internal async ValueTask EnterWriteLockAsync(CancellationToken cancellationToken)
    {
        if (_writeLock.Wait(0))
        {
            return;
        }
        await EnterWriteLockSlowAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the write lock if it is free at once (no waiting).</summary>
    internal bool TryEnterWriteLock() => _writeLock.Wait(0);

    private async ValueTask EnterWriteLockSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            // No timer of its own: whoever holds the lock writes under the send timeout (TO-2), so the wait is
            // bounded, and a contended lock costs no timer per waiter.
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, HttpPhase.Send);
        }
    }

    internal void ExitWriteLock() => _writeLock.Release();

    /// <summary>Starts a header block: applies the server's latest SETTINGS_HEADER_TABLE_SIZE (RFC 7541 §4.2). Under the write lock.</summary>
    internal void BeginHeaderBlock(PooledBufferWriter block)
    {
        int pending = Interlocked.Exchange(ref _pendingPeerTableSize, -1);
        if (pending >= 0)
        {
            _encoder.SetPeerMaxTableSize(pending);
        }
        _encoder.BeginBlock(block);
    }

    private static TaskCompletionSource NewGeneration() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Releases the write lock and sees what the caller appended to <see cref="WriteBuffer"/> onto the socket; the task
    /// ends when it is written. Writes are gathered: the first writer to arrive writes for everyone who appended in
    /// the meantime, in one socket write per round (with the queued control frames first), as SocketsHttpHandler's
    /// writer loop does; the others wait for the round that carries their frames. A failed write fails every
    /// waiting writer with the same error and ends the connection (a frame may have been cut in half).
    /// </summary>
    internal ValueTask ExitWriteLockAndFlushAsync()
    {
        TaskCompletionSource? generation = null;
        bool flusher;
        lock (_flushGate)
        {
            if (_writeFailure is not null)
            {
                _writeLock.Release();
                return ValueTask.FromException(_writeFailure);
            }
            flusher = !_flushing;
            if (!flusher)
            {
                generation = _generation ??= NewGeneration();
            }
            _flushing = true;
        }
        _writeLock.Release();
        return flusher ? FlushLoopAsync() : new ValueTask(generation!.Task);
    }

    /// <summary>
    /// Releases the write lock without waiting for the socket: what the caller appended goes out in the round under
    /// way, or in one a thread-pool work item runs (started here when none is). A write that fails closes the
    /// connection, which fails every open stream with the error (the caller hears it where it waits: for the head).
    /// </summary>
    internal void ExitWriteLockAndScheduleFlush()
    {
        bool start;
        lock (_flushGate)
        {
            start = !_flushing && _writeFailure is null;
            if (start)
            {
                _flushing = true;
            }
        }
        _writeLock.Release();
        if (start)
        {
            // Local queue: the caller's thread runs it as soon as it returns to the pool, after any requests it is
            // still issuing have appended theirs; an idle worker may steal it sooner.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }

    /// <summary>The scheduled flush round (<see cref="ExitWriteLockAndScheduleFlush"/>).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        ValueTask round = FlushLoopAsync();
        if (round.IsCompleted)
        {
            try
            {
                round.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The failed write closed the connection and failed its streams.
            }
            return;
        }
        _ = ObserveAsync(round);

        static async Task ObserveAsync(ValueTask round)
        {
            try
            {
                await round.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // As above.
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushLoopAsync()
    {
        while (true)
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            Volatile.Write(ref _flushScheduled, 0);
            PooledBufferWriter? control = null;
            lock (_controlLock)
            {
                if (_control.WrittenCount != 0)
                {
                    control = _control;
                    _control = _controlSpare;
                    _controlSpare = control;
                }
            }
            PooledBufferWriter toSend = _writeBuffer;
            TaskCompletionSource? generation;
            lock (_flushGate)
            {
                if (toSend.WrittenCount == 0 && control is null)
                {
                    _flushing = false;
                    _writeLock.Release();
                    return;
                }
                _writeBuffer = _sendBuffer;
                _sendBuffer = toSend;
                generation = _generation;
                _generation = null;
            }
            _writeLock.Release();
            try
            {
                if (control is not null)
                {
                    await WriteToTransportAsync(control.WrittenMemory).ConfigureAwait(false);
                }
                if (toSend.WrittenCount != 0)
                {
                    await WriteToTransportAsync(toSend.WrittenMemory).ConfigureAwait(false);
                }
                generation?.TrySetResult();
            }
            catch (Exception e)
            {
                TaskCompletionSource? open;
                lock (_flushGate)
                {
                    _writeFailure = e;
                    _flushing = false;
                    open = _generation;
                }
                generation?.TrySetException(e);
                open?.TrySetException(e);
                throw;
            }
            finally
            {
                control?.Clear();
                toSend.Clear();
            }
        }
    }

    /// <remarks>
    /// No caller's token reaches the socket: a write cancelled part-way would leave half a frame on the wire and end
    /// the connection, failing every other stream with it. A caller's cancellation takes effect before the write
    /// (waiting for the lock or the window) and after it; the send timeout bounds the write itself (TO-2). Its timer
    /// is made only for a write the socket did not take at once (on a healthy connection nearly none), not per write.
    /// </remarks>
    private ValueTask WriteToTransportAsync(ReadOnlyMemory<byte> data)
    {
        ValueTask write;
        try
        {
            write = _stream.WriteAsync(data);
        }
        catch (Exception e) when (e is not TypedHttpException)
        {
            return ValueTask.FromException(WriteFailed(e, _options.SendTimeout));
        }
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            return default;
        }
        return AwaitWriteAsync(write);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitWriteAsync(ValueTask write)
    {
        TimeSpan timeout = _options.SendTimeout;
        try
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                await write.ConfigureAwait(false);
                return;
            }
            Task pending = write.AsTask();
            try
            {
                await pending.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The write stays pending until the close below ends it; its failure is expected.
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }
        }
        catch (Exception e) when (e is not TypedHttpException)
        {
            throw WriteFailed(e, timeout);
        }
    }

    private Exception WriteFailed(Exception e, TimeSpan timeout)
    {
        Exception result = e is OperationCanceledException or TimeoutException
            ? new TypedHttpException(HttpError.Timeout, HttpPhase.Send, $"The send timeout ({HttpConnection.FormatTimeout(timeout)}) expired while sending on the HTTP/2 connection.", e)
            : new TypedHttpException(HttpError.ConnectionError, HttpPhase.Send, $"The HTTP/2 connection failed while sending: {e.Message}", e);
        // A write cut short leaves half a frame on the wire: nothing more can be sent on this connection.
        Close(result);
        return result;
    }

    // ---------------------------------------------------------------- control frames queued by the reader

    internal void QueueSettingsAck()
    {
        lock (_controlLock)
        {
            Http2Frame.WriteSettingsAck(_control);
        }
        ScheduleControlFlush();
    }

    internal void QueuePing(ulong data, bool ack)
    {
        lock (_controlLock)
        {
            Http2Frame.WritePing(_control, data, ack);
        }
        ScheduleControlFlush();
    }

    /// <summary>Queues a WINDOW_UPDATE; callers hold no write lock (the reader, or a body reader topping up its window).</summary>
    internal void QueueWindowUpdate(int streamId, int increment)
    {
        lock (_controlLock)
        {
            Http2Frame.WriteWindowUpdate(_control, streamId, increment);
        }
        ScheduleControlFlush();
    }

    internal void QueueRstStream(int streamId, Http2ErrorCode code)
    {
        lock (_controlLock)
        {
            Http2Frame.WriteRstStream(_control, streamId, code);
        }
        ScheduleControlFlush();
    }

    private void QueueGoAway(int lastStreamId, Http2ErrorCode code)
    {
        lock (_controlLock)
        {
            Http2Frame.WriteGoAway(_control, lastStreamId, code, ReadOnlySpan<byte>.Empty);
        }
    }

    private void ScheduleControlFlush()
    {
        if (Interlocked.Exchange(ref _flushScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => _ = c.FlushControlAsync(), this, preferLocal: false);
        }
    }

    private async Task FlushControlAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await ExitWriteLockAndFlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is TypedHttpException or ObjectDisposedException)
        {
            // The connection is closed by the failed write.
        }
    }

    /// <summary>A connection error: the queued GOAWAY goes out if the socket takes it at once, then the connection closes.</summary>
    private void FlushControlThenClose(Exception failure)
    {
        _ = FlushThenCloseAsync(failure);
    }

    /// <summary>
    /// H2-13: closes an idle connection the way RFC 9113 §6.8 asks: GOAWAY (NO_ERROR, no stream processed) first, then
    /// the close. The connection takes no new stream from here on.
    /// </summary>
    internal void CloseGracefully()
    {
        lock (_sync)
        {
            if (_failure is not null || _closingGracefully)
            {
                return;
            }
            _closingGracefully = true;
            _goAwayReceived = true; // no new streams: the pool stops handing this connection out
        }
        QueueGoAway(0, Http2ErrorCode.NoError);
        _ = FlushThenCloseAsync(null);
    }

    private async Task FlushThenCloseAsync(Exception? failure)
    {
        if (failure is not null)
        {
            // Fail the streams first, so that no caller waits on the GOAWAY write.
            Http2Stream[] streams;
            lock (_sync)
            {
                streams = new Http2Stream[_streams.Count];
                _streams.Values.CopyTo(streams, 0);
            }
            foreach (Http2Stream s in streams)
            {
                s.Fail(failure);
            }
        }
        try
        {
            // The GOAWAY goes out with the next gathered write, if the socket takes it within a second.
            if (await _writeLock.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
            {
                await ExitWriteLockAndFlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection is going away either way.
        }
        Close(failure);
    }
}
