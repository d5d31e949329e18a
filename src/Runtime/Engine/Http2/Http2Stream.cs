using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using TypedHttp.Http2.Hpack;
using TypedHttp.Internal;

namespace TypedHttp.Http2;

/// <summary>
/// One request on an <see cref="Http2Connection"/> (RFC 9113 §5.1, §8.1): the request mapped to a header block and
/// DATA frames under flow control (H2-7, H2-9), the response head (interim 1xx skipped), the body buffered within
/// the stream's receive window and handed to <see cref="Http2ResponseStream"/>, trailers. The stream's slot goes back
/// to the connection when both directions have ended or the stream was reset.
/// </summary>
/// <remarks>
/// The stream is its own head waiter (<see cref="IValueTaskSource{TResult}"/>, completed once): the reader loop sets
/// it and the caller's continuation runs on the thread pool, never on the reader (as SocketsHttpHandler's streams do).
/// A request without a body is sent without an async state machine when the write lock is free: its HEADERS are
/// appended and the caller waits only for the head.
/// </remarks>
internal sealed class Http2Stream : IValueTaskSource<TypedHttpResponse>
{
    /// <summary>Bodies up to this size (with a known length) go out with their HEADERS in one write when the windows allow.</summary>
    private const int InlineBodyLimit = 16 * 1024;

    private readonly Http2Connection _connection;
    private readonly TypedHttpRequest _request;
    private readonly RequestPlan _plan;
    private ManualResetValueTaskSourceCore<TypedHttpResponse> _head = new() { RunContinuationsAsynchronously = true }; // mutable struct: not readonly
    private int _headSet; // 1 once _head has its result or failure
    private CancellationTokenRegistration _headCancellation;

    // Guarded by SyncRoot.
    private byte[] _buffer = Array.Empty<byte>();
    private int _bufferStart, _bufferEnd;
    private bool _endReceived;
    private bool _sendDone;
    private Exception? _failure;
    private TaskCompletionSource<bool>? _dataWaiter;
    private TaskCompletionSource<bool>? _windowWaiter;
    private int _receiveWindow;
    private int _unacked;
    private long _received;
    private long _expectedLength = -1;
    private int _interim;
    private bool _released;
    private bool _resetSent;
    private TypedHttpResponse? _response;
    private HttpHeaderCollection? _trailers;

    /// <summary>The stream's own lock (the stream object itself: no separate lock object per request; nothing outside this class locks on it).</summary>
    private object SyncRoot => this;

    public Http2Stream(Http2Connection connection, TypedHttpRequest request, RequestPlan plan, Http2Resend? resend)
    {
        _connection = connection;
        _request = request;
        _plan = plan;
        _resend = resend;
    }

    // Set when the pool sent this request by its direct path: a refusal (H2-11) is handed back to the pool instead of
    // failing the head waiter.
    private readonly Http2Resend? _resend;
    private Http2RetryException? _refusal;

    /// <summary>
    /// WS-18: the <c>:protocol</c> of an extended CONNECT (RFC 8441 §4), or null for a plain request. Such a stream
    /// keeps its send side open after the HEADERS, and its response body is a tunnel both ways without timeouts.
    /// </summary>
    public string? Protocol { get; init; }

    /// <summary>The stream id (0 until the HEADERS go out).</summary>
    public int StreamId { get; private set; }

    /// <summary>Our send window for this stream; guarded by the connection's lock.</summary>
    public int SendWindow { get; set; }

    /// <summary>Whether any of the request went out (a retry then needs a replayable body).</summary>
    public bool HeadersSent { get; private set; }

    /// <summary>Sets the id and the windows; called by the connection under its lock when the stream opens.</summary>
    public void InitializeWindows(int streamId, int peerInitialWindow)
    {
        StreamId = streamId;
        SendWindow = peerInitialWindow;
        _receiveWindow = _connection.StreamWindowSize;
    }

    // ---------------------------------------------------------------- request

    /// <summary>Sends the request; the task ends with the final response head.</summary>
    public ValueTask<TypedHttpResponse> SendAsync(CancellationToken cancellationToken)
    {
        if (_request.Content is null && _connection.TryEnterWriteLock())
        {
            // The common case without a state machine: HEADERS appended (the flush is scheduled), then the head awaited.
            try
            {
                WriteHeadersLocked(endStream: Protocol is null, null);
            }
            catch (Exception e)
            {
                SendFailed(e);
                return e is Http2RetryException refused && _resend is { } resend
                    ? _connection.Pool.ResendHttp2Async(_request, _plan, resend, refused, _connection.Id)
                    : ValueTask.FromException<TypedHttpResponse>(e);
            }
            _connection.ExitWriteLockAndScheduleFlush();
            if (Protocol is null)
            {
                MarkSendDone();
            }
            TraceSent();
            return WaitForHeadAsync(cancellationToken);
        }
        return SendSlowAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TypedHttpResponse> SendSlowAsync(CancellationToken cancellationToken)
    {
        RequestContent? content = _request.Content;
        PooledBufferWriter? inlineBody = null;
        int inlineSent;
        try
        {
            if (content is not null && content.Length is long length && length <= InlineBodyLimit)
            {
                inlineBody = new PooledBufferWriter((int)Math.Max(16, length));
                using (var sink = new BufferWriterStream(inlineBody))
                {
                    await content.WriteToAsync(sink, cancellationToken).ConfigureAwait(false);
                }
                if (inlineBody.WrittenCount != length)
                {
                    throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Send, $"The request content announced {length} bytes (RequestContent.Length) but wrote {inlineBody.WrittenCount}.");
                }
            }
            inlineSent = await WriteHeadersAsync(content is null && Protocol is null, inlineBody, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            inlineBody?.Dispose();
            SendFailed(e);
            if (e is Http2RetryException refused && _resend is { } resend)
            {
                return await _connection.Pool.ResendHttp2Async(_request, _plan, resend, refused, _connection.Id).ConfigureAwait(false);
            }
            throw;
        }
        if (content is null || (inlineBody is not null && inlineSent == inlineBody.WrittenCount))
        {
            inlineBody?.Dispose();
            if (content is not null)
            {
                MarkSendDone();
            }
            TraceSent();
            return await WaitForHeadAsync(cancellationToken).ConfigureAwait(false);
        }

        // H2-7: the rest of the body goes out while the response is awaited, so that a server that answers early
        // (a 413, a redirect, a 401) is heard at once instead of after the whole upload or a send timeout.
        Task upload = UploadAsync(content, inlineBody, inlineSent, cancellationToken);
        Task<TypedHttpResponse> head = new ValueTask<TypedHttpResponse>(this, _head.Version).AsTask(); // the head's one consumer
        Task first = await Task.WhenAny(upload, head).ConfigureAwait(false);
        if (first == upload)
        {
            await upload.ConfigureAwait(false); // its failure, if any, is the request's
            using (ArmHeadWait(cancellationToken))
            {
                return await head.ConfigureAwait(false);
            }
        }
        // The head came first: the upload goes on behind the response (its failure reaches the body's reader).
        _ = upload.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await head.ConfigureAwait(false);
    }

    /// <summary>Sends the body after the HEADERS: the rest of an inline body, or the content written through a DATA stream.</summary>
    private async Task UploadAsync(RequestContent content, PooledBufferWriter? inlineBody, int inlineSent, CancellationToken cancellationToken)
    {
        try
        {
            if (inlineBody is not null)
            {
                // The windows did not take it all at once: the rest waits for WINDOW_UPDATEs like any body.
                await WriteDataAsync(inlineBody.WrittenMemory.Slice(inlineSent), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var body = new Http2RequestBodyStream(this, cancellationToken);
                await content.WriteToAsync(body, cancellationToken).ConfigureAwait(false);
                long expected = _plan.ContentLength;
                if (expected >= 0 && body.Written != expected)
                {
                    throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Send, $"The request content announced {expected} bytes (RequestContent.Length) but wrote {body.Written}.");
                }
            }
            await EndSendAsync(cancellationToken).ConfigureAwait(false);
            TraceSent();
        }
        catch (StopSendingException)
        {
            // RFC 9113 §8.1: the server sent its complete response, then RST_STREAM (NO_ERROR) for the rest of the
            // body: the upload stops and the response is the answer.
        }
        catch (Exception e)
        {
            SendFailed(e);
            throw;
        }
        finally
        {
            inlineBody?.Dispose();
        }
    }

    private void TraceSent()
    {
        if (HttpTrace.IsEnabled(_connection.Options))
        {
            HttpTrace.Emit(_connection.Options, HttpTraceEventKind.RequestSent, _connection.Id, $"Request sent on stream {StreamId}");
        }
    }

    /// <summary>
    /// Sending failed: an opened stream is reset and fails (its head waiter and body reader see the failure), an
    /// unopened one gives its slot back; a request never sent (<see cref="Http2RetryException"/>) is left to the pool.
    /// </summary>
    private void SendFailed(Exception e)
    {
        if (e is Http2RetryException)
        {
            if (StreamId == 0)
            {
                ReleaseSlot();
            }
            return;
        }
        if (e is StopSendingException)
        {
            return;
        }
        if (StreamId != 0)
        {
            Reset(Http2ErrorCode.Cancel);
            Fail(e);
        }
        else
        {
            ReleaseSlot();
        }
        if (HttpTrace.IsEnabled(_connection.Options))
        {
            HttpTrace.Emit(_connection.Options, HttpTraceEventKind.Failed, _connection.Id, e is TypedHttpException t ? $"{t.Error} in {t.Phase}: {t.Message}" : e.Message);
        }
    }

    /// <summary>The head, awaited once by the caller: the stream is the task's source.</summary>
    private ValueTask<TypedHttpResponse> WaitForHeadAsync(CancellationToken cancellationToken)
    {
        // Disposed by GetResult, which runs only after this returns (the caller awaits the task returned here).
        _headCancellation = ArmHeadWait(cancellationToken);
        return new ValueTask<TypedHttpResponse>(this, _head.Version);
    }

    /// <summary>
    /// TO-2: the head within the receive-response timeout (and the receive timeout, as HTTP/1.1's first read), counted
    /// from the end of sending; the connection's deadline scan enforces it (<see cref="OnHeadTimeout"/>). The caller's
    /// token resets the stream with CANCEL and fails the wait.
    /// </summary>
    private CancellationTokenRegistration ArmHeadWait(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _headSet) != 0)
        {
            return default;
        }
        HttpSessionOptions options = _connection.Options;
        TimeSpan timeout = Min(options.ReceiveResponseTimeout, options.ReceiveTimeout);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref _headDeadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
            _connection.EnsureHeadTimer(timeout);
        }
        return cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (s, token) => ((Http2Stream)s!).OnHeadCanceled(token), this)
            : default;
    }

    private void OnHeadCanceled(CancellationToken token)
    {
        var failure = new HttpCanceledException("The request was cancelled by the caller.", new OperationCanceledException(token), token, HttpPhase.ReceiveHeaders);
        if (!TrySetHeadFailure(failure))
        {
            return; // the head (or a failure) came first
        }
        Reset(Http2ErrorCode.Cancel);
        Fail(failure);
    }

    private bool TrySetHead(TypedHttpResponse response)
    {
        if (Interlocked.Exchange(ref _headSet, 1) != 0)
        {
            return false;
        }
        _head.SetResult(response);
        return true;
    }

    private bool TrySetHeadFailure(Exception failure)
    {
        if (Interlocked.Exchange(ref _headSet, 1) != 0)
        {
            return false;
        }
        if (failure is Http2RetryException refused && _resend is not null)
        {
            // H2-11: the server never processed the request: the pool sends it again (on a pool thread, never on the
            // reader loop), and the caller's task ends with that outcome.
            _refusal = refused;
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.StartResend(), this, preferLocal: false);
            return true;
        }
        _head.SetException(failure);
        return true;
    }

    // The work item runs in no context (the reader's must not leak into the caller's request); the resend runs in the
    // caller's, captured when the request was handed to this stream.
    private void StartResend()
    {
        if (_resend!.Value.Context is { } context)
        {
            ExecutionContext.Run(context, static s => _ = ((Http2Stream)s!).ResendAsync(), this);
        }
        else
        {
            _ = ResendAsync();
        }
    }

    private async Task ResendAsync()
    {
        TypedHttpResponse response;
        try
        {
            response = await _connection.Pool.ResendHttp2Async(_request, _plan, _resend!.Value, _refusal!, _connection.Id).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _head.SetException(e);
            return;
        }
        _head.SetResult(response);
    }

    TypedHttpResponse IValueTaskSource<TypedHttpResponse>.GetResult(short token)
    {
        _headCancellation.Dispose();
        return _head.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<TypedHttpResponse>.GetStatus(short token) => _head.GetStatus(token);

    void IValueTaskSource<TypedHttpResponse>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _head.OnCompleted(continuation, state, token, flags);

    private long _headDeadline;

    /// <summary>Whether the head is still awaited past its deadline (the connection's scan, under its lock).</summary>
    internal bool IsHeadOverdue(long now)
    {
        long deadline = Volatile.Read(ref _headDeadline);
        return deadline != 0 && now >= deadline && Volatile.Read(ref _headSet) == 0 && Volatile.Read(ref _response) is null;
    }

    /// <summary>The head did not arrive in time (TO-2): the stream is reset and the caller gets <see cref="HttpError.Timeout"/>.</summary>
    internal void OnHeadTimeout()
    {
        HttpSessionOptions options = _connection.Options;
        TimeSpan timeout = Min(options.ReceiveResponseTimeout, options.ReceiveTimeout);
        Reset(Http2ErrorCode.Cancel);
        Fail(new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveHeaders,
            $"The receive-response timeout ({HttpConnection.FormatTimeout(timeout)}) expired before the response head arrived on HTTP/2 stream {StreamId} (TO-2)."));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) =>
        a == Timeout.InfiniteTimeSpan ? b : b == Timeout.InfiniteTimeSpan ? a : a < b ? a : b;

    /// <summary>
    /// Opens the stream and writes its HEADERS (and CONTINUATIONs), with as much of <paramref name="inlineBody"/> as
    /// the windows take at once, in one write under the lock; returns how many body bytes went out.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WriteHeadersAsync(bool endStream, PooledBufferWriter? inlineBody, CancellationToken cancellationToken)
    {
        await _connection.EnterWriteLockAsync(cancellationToken).ConfigureAwait(false);
        int sent = WriteHeadersLocked(endStream, inlineBody);
        // The frames go out in the next gathered round; nothing here waits for the socket (a failed write closes the
        // connection and fails this stream, whose caller hears it while waiting for the head).
        _connection.ExitWriteLockAndScheduleFlush();
        if (endStream)
        {
            MarkSendDone();
        }
        return sent;
    }

    /// <summary>Under the write lock: opens the stream and appends its HEADERS and inline DATA; the lock is released on failure.</summary>
    private int WriteHeadersLocked(bool endStream, PooledBufferWriter? inlineBody)
    {
        int sent = 0;
        try
        {
            _connection.OpenStream(this);
            PooledBufferWriter output = _connection.WriteBuffer;
            PooledBufferWriter block = _connection.HeaderBlockBuffer;
            block.Clear();
            {
                _connection.BeginHeaderBlock(block);
                HttpHeaderCollection? traced = HttpTrace.IsEnabled(_connection.Options) ? new HttpHeaderCollection(_request.Headers.Count + 4) : null;
                EncodeRequestHead(block, traced);
                if (traced is not null)
                {
                    TraceRequest(traced);
                }
                bool headersEnd = endStream || (inlineBody is not null && inlineBody.WrittenCount == 0);
                Http2Frame.WriteHeaders(output, StreamId, block.WrittenSpan, headersEnd, _connection.PeerMaxFrameSize);
                if (inlineBody is not null && inlineBody.WrittenCount > 0)
                {
                    int total = inlineBody.WrittenCount;
                    while (sent < total)
                    {
                        int n = _connection.TakeSendWindow(this, total - sent);
                        if (n == 0)
                        {
                            break;
                        }
                        Http2Frame.WriteDataHeader(output, StreamId, n, endStream: sent + n == total);
                        inlineBody.WrittenSpan.Slice(sent, n).CopyTo(output.GetSpan(n));
                        output.Advance(n);
                        sent += n;
                    }
                }
                else if (inlineBody is not null)
                {
                    sent = 0;
                }
            }
            HeadersSent = true;
        }
        catch
        {
            _connection.ExitWriteLock(); // nothing was appended: OpenStream refused the stream
            throw;
        }
        return sent;
    }

    /// <summary>
    /// H2-9: the request as a header block: the pseudo-headers from the URI (<c>:authority</c> from Host), then the
    /// fields lower-cased, leaving out what is specific to an HTTP/1.1 connection; credentials and cookies never
    /// indexed (RFC 7541 §7.1.3).
    /// </summary>
    private void EncodeRequestHead(PooledBufferWriter block, HttpHeaderCollection? traced)
    {
        HpackEncoder encoder = _connection.Encoder;
        TypedHttpRequest request = _request;
        HttpHeaderCollection headers = request.Headers;
        string authority = _plan.CallerSetHost ? headers.GetValue("Host") ?? _plan.HostHeader : _plan.HostHeader;
        encoder.Encode(block, ":method", request.Method);
        if (Protocol is string protocol)
        {
            encoder.Encode(block, ":protocol", protocol); // RFC 8441 §4
            traced?.AddUnchecked(":protocol", protocol);
        }
        encoder.Encode(block, ":scheme", _connection.Pool.Key.IsHttps ? "https" : "http");
        encoder.Encode(block, ":authority", authority);
        traced?.AddUnchecked("Host", authority);
        PooledBufferWriter path = _connection.PathBuffer;
        path.Clear();
        RequestTarget.Write(path, request.Uri.PathAndQuery);
        encoder.Encode(block, ":path"u8, path.WrittenSpan, path.WrittenCount > 512 ? HpackIndexing.WithoutIndexing : HpackIndexing.Incremental);
        HttpSessionOptions options = _connection.Options;
        if (!_plan.CallerSetUserAgent && options.UserAgent is string agent)
        {
            encoder.Encode(block, "user-agent", agent);
            traced?.AddUnchecked("User-Agent", agent);
        }
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (_plan.ReplaceAcceptEncoding && field.Key.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue; // T-7
            }
            EncodeField(encoder, block, field.Key, field.Value, traced);
        }
        if (_plan.ExtraHeaders is { } extra)
        {
            foreach (KeyValuePair<string, string> field in extra)
            {
                EncodeField(encoder, block, field.Key, field.Value, traced);
            }
        }
        if (request.Content?.ContentType is string contentType && !_plan.CallerSetContentType)
        {
            encoder.Encode(block, "content-type", contentType);
            traced?.AddUnchecked("Content-Type", contentType);
        }
        if (_plan.ContentLength >= 0)
        {
            Span<byte> digits = stackalloc byte[20];
            _plan.ContentLength.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            encoder.Encode(block, "content-length"u8, digits.Slice(0, written), HpackIndexing.Incremental);
            traced?.AddUnchecked("Content-Length", Encoding.ASCII.GetString(digits.Slice(0, written)));
        }
    }

    /// <summary>
    /// The request head as sent (<paramref name="fields"/>, collected while it was encoded), in curl's HTTP/2
    /// rendering: <c>GET /x HTTP/2</c>, then <c>Host</c> for :authority and the fields. Under the write lock, while
    /// the connection's path buffer still holds this request's :path.
    /// </summary>
    private void TraceRequest(HttpHeaderCollection fields)
    {
        StringBuilder text = new StringBuilder(_request.Method).Append(' ').Append(Encoding.ASCII.GetString(_connection.PathBuffer.WrittenSpan)).Append(" HTTP/2");
        HttpTrace.AppendHeaders(text, fields);
        HttpTrace.Emit(_connection.Options, new HttpTraceEvent(HttpTraceEventKind.SendingRequest, _connection.Id, text.ToString())
        {
            RequestUri = _request.Uri,
            Headers = fields,
            Version = System.Net.HttpVersion.Version20,
            StreamId = StreamId,
            Method = _request.Method,
        });
    }

    private static void EncodeField(HpackEncoder encoder, PooledBufferWriter block, string name, string value, HttpHeaderCollection? traced)
    {
        if (IsLeftOut(name, value))
        {
            return;
        }
        traced?.AddUnchecked(name, value);
        Span<byte> lower = name.Length <= 128 ? stackalloc byte[name.Length] : new byte[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            lower[i] = (byte)(c is >= 'A' and <= 'Z' ? c + 32 : c);
        }
        HpackIndexing indexing = IsSensitive(lower) ? HpackIndexing.NeverIndexed : HpackIndexing.Incremental;
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[max];
        int count = Encoding.UTF8.GetBytes(value, bytes);
        encoder.Encode(block, lower, bytes.Slice(0, count), indexing);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>RFC 9113 §8.2.2: connection-specific fields (and Host, which becomes :authority; Expect, H2-9) are not sent; TE only as "trailers".</summary>
    private static bool IsLeftOut(string name, string value) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)
        || (name.Equals("TE", StringComparison.OrdinalIgnoreCase) && !value.Trim().Equals("trailers", StringComparison.OrdinalIgnoreCase));

    private static bool IsSensitive(ReadOnlySpan<byte> lowerName) =>
        lowerName.SequenceEqual("authorization"u8) || lowerName.SequenceEqual("proxy-authorization"u8) || lowerName.SequenceEqual("cookie"u8);

    /// <summary>Writes body bytes as DATA frames as the windows allow (H2-7).</summary>
    internal async ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int n = _connection.TakeSendWindow(this, data.Length);
            if (n == 0)
            {
                await WaitForWindowAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            await _connection.EnterWriteLockAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfSendStopped();
            }
            catch
            {
                _connection.ExitWriteLock();
                throw;
            }
            PooledBufferWriter output = _connection.WriteBuffer;
            Http2Frame.WriteDataHeader(output, StreamId, n, endStream: false);
            data.Span.Slice(0, n).CopyTo(output.GetSpan(n));
            output.Advance(n);
            await _connection.ExitWriteLockAndFlushAsync().ConfigureAwait(false);
            data = data.Slice(n);
        }
    }

    /// <summary>Ends the request body with an empty DATA frame carrying END_STREAM.</summary>
    internal async ValueTask EndSendAsync(CancellationToken cancellationToken)
    {
        await _connection.EnterWriteLockAsync(cancellationToken).ConfigureAwait(false);
        if (SendStoppedByServer())
        {
            _connection.ExitWriteLock();
        }
        else
        {
            Http2Frame.WriteDataHeader(_connection.WriteBuffer, StreamId, 0, endStream: true);
            await _connection.ExitWriteLockAndFlushAsync().ConfigureAwait(false);
        }
        MarkSendDone();
    }

    private async ValueTask WaitForWindowAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (SyncRoot)
        {
            ThrowIfSendStoppedLocked();
            wait = _windowWaiter?.Task ?? Task.CompletedTask;
        }
        TimeSpan timeout = Protocol is null ? _connection.Options.SendTimeout : Timeout.InfiniteTimeSpan; // WS-9: no timeout in a tunnel
        try
        {
            await wait.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TypedHttpException(HttpError.Timeout, HttpPhase.Send, $"The send timeout ({HttpConnection.FormatTimeout(timeout)}) expired while the request body waited for the server's HTTP/2 flow-control window (stream {StreamId}, H2-7).", e);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, HttpPhase.Send);
        }
    }

    /// <summary>Arms the window waiter; called under the connection's lock when no window is free.</summary>
    internal void ArmWindowWaiter()
    {
        lock (SyncRoot)
        {
            _windowWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>A WINDOW_UPDATE or SETTINGS change may have freed window.</summary>
    internal void WakeWindowWaiter()
    {
        TaskCompletionSource<bool>? waiter;
        lock (SyncRoot)
        {
            waiter = _windowWaiter;
            _windowWaiter = null;
        }
        waiter?.TrySetResult(true);
    }

    private bool SendStoppedByServer()
    {
        lock (SyncRoot)
        {
            return _failure is not null || _sendDone;
        }
    }

    private void ThrowIfSendStopped()
    {
        lock (SyncRoot)
        {
            ThrowIfSendStoppedLocked();
        }
    }

    private void ThrowIfSendStoppedLocked()
    {
        if (_failure is not null)
        {
            throw _failure is TypedHttpException or OperationCanceledException or Http2RetryException
                ? _failure
                : new TypedHttpException(HttpError.ConnectionError, HttpPhase.Send, _failure.Message, _failure);
        }
        if (_sendDone)
        {
            throw new StopSendingException();
        }
    }

    /// <summary>The server ended the exchange while the body was still going out (RST_STREAM NO_ERROR after a complete response, RFC 9113 §8.1).</summary>
    internal sealed class StopSendingException() : IOException("The server has answered and asked for no more of the request body.");

    private void MarkSendDone()
    {
        bool release;
        lock (SyncRoot)
        {
            _sendDone = true;
            release = _endReceived || _failure is not null;
        }
        if (release)
        {
            ReleaseSlot();
        }
    }

    // ---------------------------------------------------------------- response (reader loop)

    /// <summary>A decoded header block for this stream (reader loop).</summary>
    internal void OnHeaders(Http2Connection.HeaderSink head, bool endStream)
    {
        HttpSessionOptions options = _connection.Options;
        if (head.Malformed is string malformed)
        {
            MalformedResponse(malformed);
            return;
        }
        TypedHttpResponse? response;
        lock (SyncRoot)
        {
            response = _response;
        }
        if (response is not null)
        {
            // Trailers (RFC 9113 §8.1): a second block ends the stream and has no pseudo-headers.
            if (!endStream || head.Status >= 0)
            {
                MalformedResponse(head.Status >= 0 ? "a trailer block carries ':status' (RFC 9113 §8.1)" : "a header block after the response head does not end the stream (RFC 9113 §8.1)");
                return;
            }
            lock (SyncRoot)
            {
                _trailers = head.TakeFields();
            }
            OnEndOfBody();
            return;
        }
        if (head.Status < 0)
        {
            MalformedResponse("the response head has no ':status' (RFC 9113 §8.3.2)");
            return;
        }
        int status = head.Status;
        if (status is >= 100 and <= 199)
        {
            if (status == 101 || endStream)
            {
                MalformedResponse(status == 101 ? "a 101 response, which HTTP/2 forbids (RFC 9113 §8.6)" : "an interim response ends the stream (RFC 9113 §8.1)");
                return;
            }
            if (HttpTrace.IsEnabled(options))
            {
                HttpTrace.Emit(options, new HttpTraceEvent(HttpTraceEventKind.IntermediateResponse, _connection.Id, $"Interim response {status} on stream {StreamId}")
                {
                    Version = System.Net.HttpVersion.Version20,
                    StatusCode = status,
                    StreamId = StreamId,
                });
            }
            if (++_interim > options.MaxInterimResponses)
            {
                MalformedResponse($"the server sent more than {options.MaxInterimResponses} interim (1xx) responses (HttpSessionOptions.MaxInterimResponses, OM-13)");
            }
            return; // OM-13: interim responses are skipped
        }
        HttpHeaderCollection fields = head.TakeFields();
        long expected = ContentLength(fields);
        if (expected == -2)
        {
            MalformedResponse("the Content-Length is not a valid length or its values differ (RFC 9113 §8.1.1)");
            return;
        }
        bool noBody = _plan.IsHead || status is 204 or 304;
        Stream body = Protocol is not null && status is >= 200 and <= 299 ? new Http2TunnelStream(this) : new Http2ResponseStream(this);
        response = new TypedHttpResponse(status, string.Empty, System.Net.HttpVersion.Version20, fields, body, _request.Uri);
        if (HttpTrace.IsEnabled(options))
        {
            StringBuilder text = new StringBuilder("HTTP/2 ").Append(status);
            HttpTrace.AppendHeaders(text, fields);
            HttpTrace.Emit(options, new HttpTraceEvent(HttpTraceEventKind.HeadersReceived, _connection.Id, text.ToString())
            {
                RequestUri = _request.Uri,
                Headers = fields,
                Version = System.Net.HttpVersion.Version20,
                StatusCode = status,
                StreamId = StreamId,
                ReasonPhrase = string.Empty,
            });
        }
        lock (SyncRoot)
        {
            _response = response;
            _expectedLength = noBody ? -1 : expected;
        }
        // The caller is woken once the reader loop has handled the frames it already holds (usually the body's
        // DATA too), so that it finds the body buffered instead of waiting for it.
        _connection.DeferHeadCompletion(this);
        if (endStream)
        {
            OnEndOfBody();
        }
    }

    /// <summary>Wakes the caller waiting for the head (reader loop, after the frames at hand).</summary>
    internal void CompleteHead()
    {
        TypedHttpResponse? response;
        lock (SyncRoot)
        {
            response = _response;
        }
        if (response is not null)
        {
            TrySetHead(response);
        }
    }

    /// <summary>DATA for this stream (reader loop): flow control, Content-Length, buffering.</summary>
    internal void OnData(ReadOnlySpan<byte> data, int padding, bool endStream)
    {
        string? problem = null;
        TaskCompletionSource<bool>? waiter = null;
        int creditNow = 0;
        bool overflow = false;
        lock (SyncRoot)
        {
            if (_failure is not null || _endReceived)
            {
                return;
            }
            _receiveWindow -= data.Length + padding;
            if (_response is null)
            {
                problem = "DATA arrived before the response head (RFC 9113 §8.1)";
            }
            else if (_receiveWindow < 0)
            {
                overflow = true;
            }
            else
            {
                _received += data.Length;
                if (_expectedLength >= 0 && _received > _expectedLength)
                {
                    problem = $"the body is longer than its Content-Length of {_expectedLength} (RFC 9113 §8.1.1)";
                }
                else if (!data.IsEmpty)
                {
                    Append(data);
                }
                if (padding > 0)
                {
                    // Padding is never read by the caller: its window is given back at once.
                    _unacked += padding;
                    if (_unacked >= _connection.StreamWindowSize / 2 && !endStream)
                    {
                        creditNow = _unacked;
                        _receiveWindow += _unacked;
                        _unacked = 0;
                    }
                }
                waiter = _dataWaiter;
                _dataWaiter = null;
            }
        }
        if (overflow)
        {
            ResetWithError(Http2ErrorCode.FlowControlError, new TypedHttpException(HttpError.InvalidServerResponse, HttpPhase.ReceiveBody,
                $"The server sent more DATA on stream {StreamId} than its window of {_connection.StreamWindowSize} bytes allows (RFC 9113 §6.9.1); the stream was reset with FLOW_CONTROL_ERROR.")
            { ProtocolErrorCode = (long)Http2ErrorCode.FlowControlError });
            return;
        }
        if (problem is not null)
        {
            MalformedResponse(problem);
            return;
        }
        if (creditNow > 0)
        {
            _connection.QueueWindowUpdate(StreamId, creditNow);
        }
        waiter?.TrySetResult(true);
        if (endStream)
        {
            OnEndOfBody();
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_bufferStart == _bufferEnd)
        {
            _bufferStart = _bufferEnd = 0;
        }
        if (_buffer.Length - _bufferEnd < data.Length)
        {
            int live = _bufferEnd - _bufferStart;
            if (_buffer.Length - live >= data.Length && _bufferStart > 0)
            {
                Buffer.BlockCopy(_buffer, _bufferStart, _buffer, 0, live);
            }
            else
            {
                // Sized to what arrived (twice, to grow by halves): a small body takes a small array, so that hundreds of
                // streams at once do not each hold (and, past the pool's stock, allocate) 16 KiB.
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, (live + data.Length) * 2));
                Buffer.BlockCopy(_buffer, _bufferStart, bigger, 0, live);
                if (_buffer.Length != 0)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                }
                _buffer = bigger;
            }
            _bufferStart = 0;
            _bufferEnd = live;
        }
        data.CopyTo(_buffer.AsSpan(_bufferEnd));
        _bufferEnd += data.Length;
    }

    private void OnEndOfBody()
    {
        TaskCompletionSource<bool>? waiter;
        string? problem = null;
        bool release;
        lock (SyncRoot)
        {
            if (_expectedLength >= 0 && _received < _expectedLength)
            {
                problem = $"the stream ended after {_received} of the {_expectedLength} bytes its Content-Length announced";
            }
            _endReceived = problem is null;
            waiter = _dataWaiter;
            _dataWaiter = null;
            release = _endReceived && _sendDone;
        }
        if (problem is not null)
        {
            Fail(new TypedHttpException(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, $"The HTTP/2 response body was cut short: {problem} (RFC 9113 §8.1.1)."));
            Reset(Http2ErrorCode.ProtocolError);
            return;
        }
        waiter?.TrySetResult(true);
        if (release)
        {
            ReleaseSlot();
        }
    }

    /// <summary>RFC 9113 §8.1.1: a malformed response is a stream error of type PROTOCOL_ERROR.</summary>
    private void MalformedResponse(string problem)
    {
        ResetWithError(Http2ErrorCode.ProtocolError, new TypedHttpException(HttpError.InvalidServerResponse, _response is null ? HttpPhase.ReceiveHeaders : HttpPhase.ReceiveBody,
            $"Malformed HTTP/2 response on stream {StreamId}: {problem}; the stream was reset with PROTOCOL_ERROR (H2-10).")
        { ProtocolErrorCode = (long)Http2ErrorCode.ProtocolError });
    }

    /// <summary>The server reset the stream (RFC 9113 §6.4).</summary>
    internal void OnReset(Http2ErrorCode code)
    {
        bool headArrived, complete;
        lock (SyncRoot)
        {
            headArrived = _response is not null;
            complete = _endReceived;
            _resetSent = true; // nothing more may be sent on a reset stream
        }
        if (complete)
        {
            // A complete response followed by RST_STREAM (NO_ERROR): stop sending the body, keep the response.
            lock (SyncRoot)
            {
                _sendDone = true;
            }
            WakeWindowWaiter();
            ReleaseSlot();
            return;
        }
        if (!headArrived && code == Http2ErrorCode.RefusedStream)
        {
            Fail(new Http2RetryException($"The server refused stream {StreamId} (REFUSED_STREAM): it did not process the request.", null));
            return;
        }
        if (!headArrived && code == Http2ErrorCode.Http11Required)
        {
            Fail(new Http2RetryException($"The server answered stream {StreamId} with HTTP_1_1_REQUIRED.", null, http11Required: true));
            return;
        }
        Fail(new TypedHttpException(HttpError.StreamReset, headArrived ? HttpPhase.ReceiveBody : HttpPhase.ReceiveHeaders,
            $"The server reset HTTP/2 stream {StreamId} with {Http2Errors.Name(code)} ({(uint)code}, RFC 9113 §7){(headArrived ? " in the middle of the response body" : " before the response head")} (H2-12).")
        { ProtocolErrorCode = (long)code });
    }

    /// <summary>A stream error we found: RST_STREAM with <paramref name="code"/>, and the request fails with <paramref name="failure"/>.</summary>
    internal void ResetWithError(Http2ErrorCode code, Exception failure)
    {
        Reset(code);
        Fail(failure);
    }

    /// <summary>Sends RST_STREAM once (when the stream is open and not already reset).</summary>
    internal void Reset(Http2ErrorCode code)
    {
        lock (SyncRoot)
        {
            if (_resetSent || StreamId == 0 || (_endReceived && _sendDone))
            {
                return;
            }
            _resetSent = true;
        }
        _connection.QueueRstStream(StreamId, code);
    }

    /// <summary>Fails the stream: the head waiter, a body reader and a body writer see <paramref name="failure"/>; the slot is given back.</summary>
    internal void Fail(Exception failure)
    {
        TaskCompletionSource<bool>? data, window;
        lock (SyncRoot)
        {
            if (_failure is not null || (_endReceived && _sendDone))
            {
                return;
            }
            if (_endReceived)
            {
                // The response is complete: only the body upload is cut off.
                _sendDone = true;
            }
            else
            {
                _failure = failure;
            }
            data = _dataWaiter;
            window = _windowWaiter;
            _dataWaiter = _windowWaiter = null;
        }
        TypedHttpResponse? response;
        lock (SyncRoot)
        {
            response = _response;
        }
        if (response is not null)
        {
            // The head arrived (its completion may still be deferred by the reader loop): the caller gets the
            // response, and its body reader the failure.
            TrySetHead(response);
        }
        else
        {
            TrySetHeadFailure(InPhase(failure, HttpPhase.ReceiveHeaders));
        }
        data?.TrySetResult(false);
        window?.TrySetResult(false);
        ReleaseSlot();
    }

    private void ReleaseSlot()
    {
        lock (SyncRoot)
        {
            if (_released)
            {
                return;
            }
            _released = true;
        }
        _connection.ReleaseStreamSlot(StreamId == 0 ? null : this);
    }

    // ---------------------------------------------------------------- body reads (caller)

    /// <summary>Reads body bytes; 0 at the end of the body (trailers are then on the response).</summary>
    internal async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool> wait;
            lock (SyncRoot)
            {
                int available = _bufferEnd - _bufferStart;
                if (available > 0)
                {
                    int n = Math.Min(available, destination.Length);
                    _buffer.AsSpan(_bufferStart, n).CopyTo(destination.Span);
                    _bufferStart += n;
                    CreditLocked(n);
                    return n;
                }
                if (_endReceived)
                {
                    if (_trailers is not null && _response is not null)
                    {
                        _response.Trailers = _trailers;
                    }
                    ReturnBufferLocked();
                    return 0;
                }
                if (_failure is not null)
                {
                    throw BodyFailure(_failure);
                }
                _dataWaiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _dataWaiter.Task;
            }
            // TO-2: the connection's deadline scan fails a read that waits past the receive timeout (OnBodyTimeout),
            // which wakes this wait; no timer per wait.
            TimeSpan timeout = Protocol is null ? _connection.Options.ReceiveTimeout : Timeout.InfiniteTimeSpan; // WS-9: no timeout in a tunnel
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                Volatile.Write(ref _bodyDeadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
                _connection.EnsureHeadTimer(timeout);
            }
            try
            {
                if (cancellationToken.CanBeCanceled)
                {
                    await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await wait.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw; // the body stays readable; the caller decides whether to dispose it
            }
            finally
            {
                Volatile.Write(ref _bodyDeadline, 0);
            }
        }
    }

    private long _bodyDeadline;

    /// <summary>Whether a body read has waited past the receive timeout (the connection's scan, under its lock).</summary>
    internal bool IsBodyReadOverdue(long now)
    {
        long deadline = Volatile.Read(ref _bodyDeadline);
        return deadline != 0 && now >= deadline;
    }

    /// <summary>A body read waited longer than the receive timeout (TO-2): the stream is reset and the read fails with <see cref="HttpError.Timeout"/>.</summary>
    internal void OnBodyTimeout()
    {
        TimeSpan timeout = _connection.Options.ReceiveTimeout;
        Volatile.Write(ref _bodyDeadline, 0);
        ResetWithError(Http2ErrorCode.Cancel, new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveBody,
            $"The receive timeout ({HttpConnection.FormatTimeout(timeout)}) expired while receiving the response body on HTTP/2 stream {StreamId} (TO-2)."));
    }

    private static Exception BodyFailure(Exception failure) => failure switch
    {
        TypedHttpException { Error: HttpError.ConnectionError } t => new TypedHttpException(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, $"The HTTP/2 connection failed in the middle of the response body: {t.Message}", t),
        Http2RetryException r => new TypedHttpException(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, $"The response body was cut short: {r.Message}", r),
        _ => InPhase(failure, HttpPhase.ReceiveBody),
    };

    /// <summary>
    /// A connection-wide failure is made once for every stream; each caller hears it in the phase it was in: the
    /// head not yet arrived (ReceiveHeaders) or the body being read (ReceiveBody). Other phases stay as they are.
    /// </summary>
    private static Exception InPhase(Exception failure, HttpPhase phase) =>
        failure is TypedHttpException { Phase: HttpPhase.ReceiveHeaders or HttpPhase.ReceiveBody } t && t.Phase != phase
            ? new TypedHttpException(t.Error, phase, t.Message, t) { ProtocolErrorCode = t.ProtocolErrorCode }
            : failure;

    /// <summary>H2-7: gives consumed bytes back to the server once half the window is used, so a steady reader never stalls the sender.</summary>
    private void CreditLocked(int consumed)
    {
        _unacked += consumed;
        if (_unacked >= _connection.StreamWindowSize / 2 && !_endReceived && _failure is null)
        {
            int credit = _unacked;
            _unacked = 0;
            _receiveWindow += credit;
            _connection.QueueWindowUpdate(StreamId, credit);
        }
    }

    private void ReturnBufferLocked()
    {
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = Array.Empty<byte>();
        _bufferStart = _bufferEnd = 0;
    }

    /// <summary>The caller disposed the body: an unfinished stream is reset with CANCEL (no drain is needed on HTTP/2).</summary>
    internal void OnBodyDisposed()
    {
        bool finished;
        lock (SyncRoot)
        {
            // A refused extended CONNECT (WS-18) still has its send side open: it is reset too.
            finished = _failure is not null || (_endReceived && (Protocol is null || _sendDone));
            ReturnBufferLocked();
        }
        if (!finished)
        {
            Reset(Http2ErrorCode.Cancel);
            Fail(new ObjectDisposedException(nameof(Http2ResponseStream), "The response body was disposed."));
        }
    }

    /// <summary>
    /// WS-18: the tunnel's owner is done with it. <paramref name="graceful"/> (the WebSocket's close handshake took
    /// place): END_STREAM, and when the server has not ended its side yet, RST_STREAM (CANCEL) after it, so that the
    /// slot is not held waiting for it. Otherwise (an abort, a failed WebSocket, a dispose without closing):
    /// RST_STREAM (CANCEL) at once, as TCP's RST (RFC 8441 §5).
    /// </summary>
    internal void OnTunnelDisposed(bool graceful)
    {
        bool finished, sendDone;
        lock (SyncRoot)
        {
            finished = _failure is not null || _released;
            sendDone = _sendDone;
            if (_endReceived)
            {
                ReturnBufferLocked();
            }
        }
        if (finished)
        {
            return;
        }
        if (!graceful || sendDone)
        {
            Reset(Http2ErrorCode.Cancel);
            Fail(new ObjectDisposedException(nameof(Http2TunnelStream), "The WebSocket's HTTP/2 stream was closed."));
            return;
        }
        _ = EndTunnelAsync();
    }

    private async Task EndTunnelAsync()
    {
        try
        {
            await EndSendAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection failed meanwhile: the stream failed with it.
        }
        bool ended;
        lock (SyncRoot)
        {
            ended = _endReceived || _failure is not null;
            if (ended)
            {
                ReturnBufferLocked();
            }
        }
        if (!ended)
        {
            Reset(Http2ErrorCode.Cancel);
            Fail(new ObjectDisposedException(nameof(Http2TunnelStream), "The WebSocket's HTTP/2 stream was closed."));
        }
    }

    /// <summary>Content-Length of the response: the value, -1 when absent, -2 when invalid.</summary>
    private static long ContentLength(HttpHeaderCollection fields)
    {
        long length = -1;
        foreach (KeyValuePair<string, string> field in fields)
        {
            if (!field.Key.Equals("content-length", StringComparison.Ordinal))
            {
                continue;
            }
            ReadOnlySpan<char> value = field.Value.AsSpan().Trim(" \t");
            if (value.IsEmpty || value.Length > 18)
            {
                return -2;
            }
            long parsed = 0;
            foreach (char c in value)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return -2;
                }
                parsed = parsed * 10 + (c - '0');
            }
            if (length >= 0 && parsed != length)
            {
                return -2;
            }
            length = parsed;
        }
        return length;
    }
}

/// <summary>The request body of an HTTP/2 stream as a write-only stream for <see cref="RequestContent.WriteToAsync"/>.</summary>
internal sealed class Http2RequestBodyStream(Http2Stream stream, CancellationToken cancellationToken) : WriteOnlyStreamBase
{
    public long Written { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default)
    {
        await stream.WriteDataAsync(buffer, cancellationToken).ConfigureAwait(false);
        Written += buffer.Length;
    }
}

/// <summary>
/// WS-18: the two directions of an extended CONNECT stream (RFC 8441 §5) as one duplex stream for
/// <see cref="System.Net.WebSockets.WebSocket.CreateFromStream(Stream, System.Net.WebSockets.WebSocketCreationOptions)"/>:
/// reads are the server's DATA (0 once it sent END_STREAM), writes go out as DATA under both flow-control windows.
/// Disposing it ends the stream: END_STREAM after the WebSocket's close handshake, RST_STREAM (CANCEL) otherwise
/// (<see cref="Http2Stream.OnTunnelDisposed"/>); the connection goes on carrying other streams.
/// </summary>
internal sealed class Http2TunnelStream(Http2Stream stream) : Stream
{
    private int _disposed;

    /// <summary>The WebSocket over this stream, to tell a close from an abort when it disposes the stream.</summary>
    internal System.Net.WebSockets.WebSocket? Owner { get; set; }

    /// <summary>The stream id (tests, trace).</summary>
    internal int StreamId => stream.StreamId;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;
    public override bool CanSeek => false;
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return stream.ReadAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return stream.WriteDataAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // ManagedWebSocket disposes its stream before it records Closed, and after it records Aborted.
            System.Net.WebSockets.WebSocketState state = Owner?.State ?? System.Net.WebSockets.WebSocketState.Aborted;
            stream.OnTunnelDisposed(graceful: state is System.Net.WebSockets.WebSocketState.CloseSent or System.Net.WebSockets.WebSocketState.CloseReceived or System.Net.WebSockets.WebSocketState.Closed);
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// The body of an HTTP/2 response. It ends where the stream ends (trailers then on the response); a stream reset or
/// a connection lost in the middle is an error (<see cref="HttpError.ResponseTruncated"/>, <see cref="HttpError.StreamReset"/>),
/// never a short body. Disposing it early resets the stream with CANCEL.
/// </summary>
internal sealed class Http2ResponseStream(Http2Stream stream) : Stream
{
    private bool _disposed;

    public override bool CanRead => !_disposed;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return stream.ReadAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            stream.OnBodyDisposed();
        }
        base.Dispose(disposing);
    }
}
