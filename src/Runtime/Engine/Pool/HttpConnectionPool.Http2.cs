using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;

namespace TypedHttp;

/// <summary>
/// The HTTP/2 half of the pool (H2-5): one connection per origin carries many streams, up to the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS; requests beyond it wait for a slot, and a further connection opens only with
/// <see cref="HttpSessionOptions.EnableMultipleHttp2Connections"/>. One connect attempt is in flight at a time and the
/// requests that arrive meanwhile wait for it. A server that answers the h2 offer with http/1.1 is remembered, and
/// its requests go to the HTTP/1.1 half (H2-2). Requests the server never processed are resent (H2-11).
/// </summary>
internal sealed partial class HttpConnectionPool
{
    /// <summary>How often one request is sent again after REFUSED_STREAM or a GOAWAY before it fails.</summary>
    private const int MaxHttp2Retries = 5;

    private readonly List<Http2Connection> _http2 = new();
    private TaskCompletionSource<bool>? _http2Connecting;
    private bool _http11Only;

    /// <summary>Whether this origin showed it speaks only HTTP/1.1 (ALPN, HTTP_1_1_REQUIRED, or a connection-bound login, H2-2, A-4).</summary>
    internal bool IsHttp11Only => Volatile.Read(ref _http11Only);

    /// <summary>Remembers that the origin is to be spoken to in HTTP/1.1 (HTTP_1_1_REQUIRED, NTLM/Negotiate, H2-15).</summary>
    internal void RequireHttp11() => Volatile.Write(ref _http11Only, true);

    /// <remarks>
    /// A request without a body on a connection with a free slot goes straight to its stream, with no state machine
    /// here: the stream's head waiter is the caller's task, and if the server never processed the request (H2-11) the
    /// stream hands it back to <see cref="ResendHttp2Async"/>, whose outcome becomes the caller's.
    /// </remarks>
    private ValueTask<TypedHttpResponse> SendHttp2Async(TypedHttpRequest request, RequestPlan plan, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        if (request.Content is null && TryReserveHttp2Stream() is Http2Connection ready)
        {
            return ready.SendAsync(request, plan, new Http2Resend(offer, cancellationToken, ExecutionContext.Capture()), cancellationToken);
        }
        return SendHttp2LoopAsync(request, plan, offer, null, 0, cancellationToken);
    }

    /// <summary>A slot on an existing connection, without waiting; null when none is free at once.</summary>
    private Http2Connection? TryReserveHttp2Stream()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }
            for (int i = _http2.Count - 1; i >= 0; i--)
            {
                if (_http2[i].TryReserveStream())
                {
                    return _http2[i];
                }
            }
            return null;
        }
    }

    /// <summary>
    /// WS-18: an HTTP/2 connection with a stream slot reserved for a WebSocket's extended CONNECT, from the connections
    /// the origin's requests use (a new one when none is open); null when the origin speaks only HTTP/1.1. A connect
    /// attempt answered with http/1.1 by ALPN is closed (the origin is then remembered as HTTP/1.1, H2-2): a WebSocket
    /// goes on a connection of its own (WS-1), which a pooled connection cannot become.
    /// </summary>
    internal async ValueTask<Http2Connection?> GetHttp2ConnectionForWebSocketAsync(ProtocolOffer offer, CancellationToken cancellationToken)
    {
        (Http2Connection? connection, HttpConnection? fallback) = await GetHttp2ConnectionAsync(offer, cancellationToken).ConfigureAwait(false);
        fallback?.Abort();
        return connection;
    }

    /// <summary>H2-11: a request sent by <see cref="SendHttp2Async"/>'s direct path that the server never processed goes again from here.</summary>
    internal ValueTask<TypedHttpResponse> ResendHttp2Async(TypedHttpRequest request, RequestPlan plan, Http2Resend resend, Http2RetryException refused, long connectionId) =>
        SendHttp2LoopAsync(request, plan, resend.Offer, refused, connectionId, resend.CancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TypedHttpResponse> SendHttp2LoopAsync(TypedHttpRequest request, RequestPlan plan, ProtocolOffer offer, Http2RetryException? refused, long refusedOn, CancellationToken cancellationToken)
    {
        int retries = 0;
        if (refused is not null)
        {
            // The first attempt went by the direct path and was not processed.
            if (refused.Http11Required)
            {
                return await SendHttp11AfterRefusalAsync(request, plan, offer, refused, refusedOn, cancellationToken).ConfigureAwait(false);
            }
            retries = 1;
            Trace(refusedOn, $"{refused.Message} Sending again on another connection (H2-11)");
            request = HttpSession.CopyForFollowUp(request);
        }
        while (true)
        {
            (Http2Connection? connection, HttpConnection? fallback) = await GetHttp2ConnectionAsync(offer, cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                // H2-2: the server chose http/1.1.
                if (!offer.Http11)
                {
                    fallback?.Abort();
                    throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Connect,
                        $"{Key.Host}:{Key.Port} did not agree to HTTP/2 (ALPN) and the request's version policy requires it (H2-1).");
                }
                return await SendHttp1Async(request, plan, fallback, cancellationToken).ConfigureAwait(false);
            }
            try
            {
                return await connection.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
            }
            catch (Http2RetryException e) when (e.Http11Required)
            {
                return await SendHttp11AfterRefusalAsync(request, plan, offer, e, connection.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Http2RetryException e)
            {
                // H2-11: the server never processed the request: any method may go again, if its body can.
                if (++retries > MaxHttp2Retries || request.Content is { IsReplayable: false })
                {
                    throw new TypedHttpException(HttpError.ConnectionError, HttpPhase.Send,
                        retries > MaxHttp2Retries ? $"{e.Message} The request was refused {MaxHttp2Retries + 1} times (H2-11)." : $"{e.Message} Its body cannot be sent again (H2-11).", e);
                }
                Trace(connection.Id, $"{e.Message} Sending again on another connection (H2-11)");
                request = HttpSession.CopyForFollowUp(request);
            }
        }
    }

    /// <summary>H2-11: HTTP_1_1_REQUIRED: this origin is spoken to in HTTP/1.1 from now on, and the request goes again over it if it can.</summary>
    private ValueTask<TypedHttpResponse> SendHttp11AfterRefusalAsync(TypedHttpRequest request, RequestPlan plan, ProtocolOffer offer, Http2RetryException e, long connectionId, CancellationToken cancellationToken)
    {
        RequireHttp11();
        if (!offer.Http11 || !HttpSession.CanResend(request) && request.Content is { IsReplayable: false })
        {
            return ValueTask.FromException<TypedHttpResponse>(new TypedHttpException(HttpError.StreamReset, HttpPhase.ReceiveHeaders,
                $"{Key.Host}:{Key.Port} answered HTTP_1_1_REQUIRED and the request cannot go over HTTP/1.1 (its version policy or a body that cannot be sent again, H2-11).", e)
            { ProtocolErrorCode = (long)Http2ErrorCode.Http11Required });
        }
        Trace(connectionId, $"The server asked for HTTP/1.1 (HTTP_1_1_REQUIRED); sending again over HTTP/1.1");
        return SendHttp1Async(HttpSession.CopyForFollowUp(request), plan, null, cancellationToken);
    }

    private void Trace(long connectionId, string message)
    {
        if (HttpTrace.IsEnabled(Options))
        {
            HttpTrace.Emit(Options, HttpTraceEventKind.Retrying, connectionId, message);
        }
    }

    /// <summary>
    /// An HTTP/2 connection with a stream slot reserved for the caller; or (null, an HTTP/1.1 connection) when the
    /// connect attempt made for it came back http/1.1; or (null, null) when the origin is known to speak only
    /// HTTP/1.1 and the offer allows it.
    /// </summary>
    private async ValueTask<(Http2Connection?, HttpConnection?)> GetHttp2ConnectionAsync(ProtocolOffer offer, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool>? pending = null;
            Http2Connection? full = null;
            TaskCompletionSource<bool>? mine = null;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, _session);
                if (offer.Http11 && _http11Only)
                {
                    return (null, null);
                }
                for (int i = _http2.Count - 1; i >= 0; i--)
                {
                    if (_http2[i].TryReserveStream())
                    {
                        return (_http2[i], null);
                    }
                    if (!_http2[i].IsUsable)
                    {
                        _http2.RemoveAt(i); // closed or draining: it takes no more streams
                    }
                }
                if (_http2Connecting is not null)
                {
                    pending = _http2Connecting.Task;
                }
                else if (_http2.Count == 0 || Options.EnableMultipleHttp2Connections)
                {
                    mine = _http2Connecting = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                else
                {
                    full = _http2[^1];
                }
            }
            if (full is not null)
            {
                if (await full.WaitForStreamSlotAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (full, null);
                }
                continue; // the connection went away: look again
            }
            if (pending is not null)
            {
                try
                {
                    await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
                {
                    throw new HttpCanceledException("The request was cancelled while waiting for an HTTP/2 connection.", e, cancellationToken, HttpPhase.Connect);
                }
                catch (OperationCanceledException)
                {
                    // The request that was connecting was cancelled: connect anew for this one.
                }
                continue;
            }
            return await ConnectHttp2Async(mine!, offer, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<(Http2Connection?, HttpConnection?)> ConnectHttp2Async(TaskCompletionSource<bool> attempt, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        ConnectionTransport transport;
        try
        {
            transport = await HttpConnector.ConnectAsync(this, offer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            EndConnectAttempt(attempt, null, e);
            throw;
        }
        if (transport.Protocol != ConnectionProtocol.Http2)
        {
            // H2-2: the server chose http/1.1; this connection serves the request that opened it.
            if (offer.Http11)
            {
                RequireHttp11();
            }
            EndConnectAttempt(attempt, null, null);
            if (HttpTrace.IsEnabled(Options))
            {
                HttpTrace.Emit(Options, HttpTraceEventKind.Connected, transport.Id, $"{Key.Host}:{Key.Port} chose HTTP/1.1 by ALPN");
            }
            return (null, AdoptHttp1(transport));
        }
        Http2Connection connection;
        try
        {
            connection = await Http2Connection.EstablishAsync(this, transport, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            EndConnectAttempt(attempt, null, e);
            throw;
        }
        bool reserved = connection.TryReserveStream();
        EndConnectAttempt(attempt, connection, null);
        if (reserved)
        {
            return (connection, null);
        }
        return await GetHttp2ConnectionAsync(offer, cancellationToken).ConfigureAwait(false);
    }

    private void EndConnectAttempt(TaskCompletionSource<bool> attempt, Http2Connection? connection, Exception? failure)
    {
        lock (_lock)
        {
            if (connection is not null && !_disposed && connection.IsUsable)
            {
                _http2.Add(connection);
            }
            if (ReferenceEquals(_http2Connecting, attempt))
            {
                _http2Connecting = null;
            }
        }
        if (connection is not null && _disposed)
        {
            connection.Close(null);
        }
        if (failure is OperationCanceledException)
        {
            attempt.TrySetCanceled();
        }
        else if (failure is not null)
        {
            attempt.TrySetException(failure);
        }
        else
        {
            attempt.TrySetResult(true);
        }
    }

    /// <summary>A connection stopped taking new streams (GOAWAY) or closed: new requests go elsewhere.</summary>
    internal void OnHttp2ConnectionUnusable(Http2Connection connection)
    {
        lock (_lock)
        {
            _http2.Remove(connection);
        }
    }


    /// <summary>Closes HTTP/2 connections idle past the timeout; returns whether an idle one remains.</summary>
    private bool SweepHttp2()
    {
        List<Http2Connection>? retire = null;
        bool any = false;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            foreach (Http2Connection c in _http2)
            {
                if (c.ShouldRetire(now, Options.PooledConnectionIdleTimeout))
                {
                    (retire ??= new List<Http2Connection>()).Add(c);
                }
                else if (c.IsIdle)
                {
                    any = true;
                }
            }
        }
        if (retire is not null)
        {
            foreach (Http2Connection c in retire)
            {
                c.CloseGracefully();
            }
        }
        return any;
    }

    private void DisposeHttp2()
    {
        Http2Connection[] connections;
        lock (_lock)
        {
            _disposed = true;
            connections = _http2.ToArray();
            _http2.Clear();
        }
        foreach (Http2Connection c in connections)
        {
            c.Close(new TypedHttpException(HttpError.OperationCancelled, HttpPhase.ReceiveBody, "The session was disposed."));
        }
    }

    /// <summary>The streams reserved or open on this pool's usable HTTP/2 connections (tests and the soak: none may be left behind).</summary>
    internal int ActiveHttp2Streams
    {
        get
        {
            Http2Connection[] connections;
            lock (_lock)
            {
                connections = _http2.ToArray();
            }
            int n = 0;
            foreach (Http2Connection c in connections)
            {
                n += c.ActiveStreamCount;
            }
            return n;
        }
    }

    /// <summary>The open HTTP/2 connections (tests).</summary>
    internal int Http2ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _http2.Count;
            }
        }
    }
}

/// <summary>
/// What a stream sent by the pool's direct path needs to hand its request back for resending (H2-11): the offer, the
/// caller's token, and the caller's execution context, so that the resend (started from the reader loop) runs with
/// the caller's AsyncLocal values and Activity as a resend from the pool's own loop does.
/// </summary>
internal readonly record struct Http2Resend(ProtocolOffer Offer, CancellationToken CancellationToken, ExecutionContext? Context);
