using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// The HTTP/1.1 half of the pool (C-2, C-3, C-4): a connection carries one request at a time; idle connections are
/// reused last-in first-out after a liveness check, at most <see cref="HttpSessionOptions.MaxConnectionsPerServer"/>
/// are open at once (further requests wait for one to come free), idle ones are closed after
/// <see cref="HttpSessionOptions.PooledConnectionIdleTimeout"/>, and a request whose reused connection turns out
/// dead before any response byte is sent once more on a fresh one (C-5).
/// </summary>
internal sealed partial class HttpConnectionPool
{
    private readonly List<HttpConnection> _idle = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _open;

    /// <summary>
    /// What new HTTP/1.1 connections offer by ALPN: HTTP/1.1 only, so that a server that speaks both never answers
    /// an HTTP/1.1 request's connection with h2.
    /// </summary>
    private static ProtocolOffer Http1Offer => ProtocolOffer.Http11Only;

    /// <summary>
    /// The exchange on an HTTP/1.1 connection: a pooled one, or <paramref name="fresh"/> when the caller already
    /// opened one (an ALPN answer of http/1.1 to an h2 offer); one resend on a fresh connection when a reused one
    /// turns out dead before any response byte (C-5).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<TypedHttpResponse> SendHttp1Async(TypedHttpRequest request, RequestPlan plan, HttpConnection? fresh, CancellationToken cancellationToken)
    {
        bool allowReuse = true;
        object? retryState = null;
        while (true)
        {
            HttpConnection connection;
            if (fresh is not null)
            {
                connection = fresh;
                fresh = null;
            }
            else
            {
                try
                {
                    connection = await LeaseAsync(allowReuse, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!allowReuse)
                {
                    _session.Observer.FollowUpCompleted(retryState, null, e);
                    throw;
                }
            }
            if (plan.MayBindConnection)
            {
                connection.CarriedConnectionAuth = true; // C-8: an NTLM/Negotiate leg may bind it; it stays with this session
            }
            if (connection.IsReused && HttpTrace.IsEnabled(Options))
            {
                HttpTrace.Emit(Options, HttpTraceEventKind.ConnectionReused, connection.Id, $"Reusing a pooled connection to {Key.Host}:{Key.Port}");
            }
            try
            {
                TypedHttpResponse response = await connection.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
                if (!allowReuse)
                {
                    _session.Observer.FollowUpCompleted(retryState, response, null);
                }
                return response;
            }
            catch (TypedHttpException e) when (allowReuse && connection.IsReused && !connection.ReceivedResponseBytes
                && HttpSession.IsStaleConnectionFailure(e) && HttpSession.CanResend(request) && !cancellationToken.IsCancellationRequested)
            {
                // The server closed a kept-alive connection as we reused it: resend once on a fresh connection.
                allowReuse = false;
                if (HttpTrace.IsEnabled(Options))
                {
                    HttpTrace.Emit(Options, HttpTraceEventKind.Retrying, connection.Id, $"The reused connection failed before any response byte ({e.Error}); sending again on a fresh connection");
                }
                request = HttpSession.CopyForFollowUp(request);
                retryState = _session.Observer.FollowUpStarting(request, 0, FollowUpKind.StaleRetry);
            }
            catch (Exception e) when (!allowReuse)
            {
                _session.Observer.FollowUpCompleted(retryState, null, e);
                throw;
            }
        }
    }

    /// <summary>Counts a connection opened outside <see cref="LeaseAsync"/> (an http/1.1 answer to an h2 offer) as open.</summary>
    private HttpConnection AdoptHttp1(ConnectionTransport transport)
    {
        lock (_lock)
        {
            _open++;
        }
        var connection = new HttpConnection(this, transport);
        connection.Announce();
        return connection;
    }

    /// <summary>
    /// Leases a connection: an idle one that is still alive (<paramref name="allowReuse"/>), else a new one when
    /// the per-server limit allows, else the next one released. A lease for a retry (no reuse) closes this
    /// server's idle connections: one of them just turned out to be stale, the others likely are too.
    /// </summary>
    internal async ValueTask<HttpConnection> LeaseAsync(bool allowReuse, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        HttpConnection? leased = null;
        bool create = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, _session);
            long now = Environment.TickCount64;
            while (_idle.Count > 0)
            {
                HttpConnection candidate = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                if (allowReuse && candidate.IsUsableWhenIdle(now, Options.PooledConnectionIdleTimeout))
                {
                    leased = candidate;
                    // Under the lock, so that the observer sees idle and active in the order they happen.
                    _session.Observer.ConnectionStateChanged(candidate.Id, idle: false);
                    break;
                }
                // C-4: closed before its slot is freed, so that the pool never holds more than MaxConnectionsPerServer
                // sockets, not even for the moment between freeing the slot and closing (a rare path: a dead idle one).
                candidate.Dispose();
                _open--;
            }
            if (leased is null)
            {
                if (_open < Options.MaxConnectionsPerServer)
                {
                    _open++;
                    create = true;
                }
                else
                {
                    waiter = new Waiter();
                    _waiters.Enqueue(waiter);
                }
            }
        }
        if (leased is not null)
        {
            leased.IsReused = true;
            return leased;
        }
        if (!create)
        {
            HttpConnection? handedOver;
            using (cancellationToken.UnsafeRegister(static s => ((Waiter)s!).TrySetCanceled(), waiter))
            {
                try
                {
                    handedOver = await waiter!.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new HttpCanceledException("The request was cancelled while waiting for a free connection (MaxConnectionsPerServer).", null, cancellationToken, HttpPhase.Connect);
                }
            }
            if (handedOver is not null)
            {
                handedOver.IsReused = true;
                return handedOver;
            }
            // A connection closed and its slot was handed to us: open a new one.
        }
        if (_shared is not null && allowReuse && SharedConnections.TryTake(_shared, this) is { } shared)
        {
            // C-7: an idle anonymous connection of another session with the same connection settings takes the slot.
            shared.MoveTo(this);
            shared.IsReused = true;
            return shared;
        }
        HttpConnection created;
        try
        {
            ConnectionTransport transport = await HttpConnector.ConnectAsync(this, Http1Offer, cancellationToken).ConfigureAwait(false);
            created = new HttpConnection(this, transport);
        }
        catch
        {
            OnConnectionClosed();
            throw;
        }
        created.Announce();
        return created;
    }

    /// <summary>Takes back a connection whose response was read completely.</summary>
    internal void Return(HttpConnection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        lock (_lock)
        {
            if (!_disposed)
            {
                while (_waiters.Count > 0)
                {
                    if (_waiters.Dequeue().TrySetResult(connection))
                    {
                        return;
                    }
                }
                _idle.Add(connection);
                _session.Observer.ConnectionStateChanged(connection.Id, idle: true);
                _session.EnsureSweeping();
                return;
            }
            _open--;
        }
        connection.Dispose();
    }

    /// <summary>
    /// C-7: gives one idle shareable connection to another session's pool (<see cref="SharedConnections.TryTake"/>):
    /// the most recently used one that is still alive, out of this pool's idle list and slot count; null when there is none.
    /// </summary>
    internal HttpConnection? TryGiveIdle()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }
            long now = Environment.TickCount64;
            for (int i = _idle.Count - 1; i >= 0; i--)
            {
                HttpConnection candidate = _idle[i];
                if (candidate.IsShareable && candidate.IsUsableWhenIdle(now, Options.PooledConnectionIdleTimeout))
                {
                    _idle.RemoveAt(i);
                    _open--;
                    return candidate;
                }
            }
            return null;
        }
    }

    /// <summary>
    /// C-7: takes an idle connection from a pool being disposed into this pool's idle list, when this pool is open and
    /// its per-server limit has room; false otherwise (the giver then closes it).
    /// </summary>
    internal bool TryAdoptIdle(HttpConnection connection)
    {
        lock (_lock)
        {
            if (_disposed || _session.IsDisposed || _open >= Options.MaxConnectionsPerServer)
            {
                return false;
            }
            _open++;
        }
        connection.MoveTo(this);
        Return(connection); // to a waiter that came meanwhile, else idle; closed if this pool was disposed meanwhile
        return true;
    }

    /// <summary>A connection of this pool was closed: its slot goes to a waiter or becomes free.</summary>
    internal void OnConnectionClosed()
    {
        lock (_lock)
        {
            while (_waiters.Count > 0)
            {
                if (_waiters.Dequeue().TrySetResult(null))
                {
                    return;
                }
            }
            _open--;
        }
    }

    /// <summary>Closes idle HTTP/1.1 connections that expired or died; returns whether any idle one remains.</summary>
    private bool SweepHttp1()
    {
        bool any;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            for (int i = _idle.Count - 1; i >= 0; i--)
            {
                HttpConnection c = _idle[i];
                if (!c.IsUsableWhenIdle(now, Options.PooledConnectionIdleTimeout))
                {
                    _idle.RemoveAt(i);
                    c.Dispose(); // closed before its slot is freed, as in the lease (C-4)
                    _open--;
                }
            }
            any = _idle.Count > 0;
        }
        return any;
    }

    /// <summary>Closes the idle HTTP/1.1 connections and fails the waiters; connections in use close when released.</summary>
    private void DisposeHttp1()
    {
        HttpConnection[] idle;
        Waiter[] waiters;
        lock (_lock)
        {
            _disposed = true;
            idle = _idle.ToArray();
            _open -= _idle.Count;
            _idle.Clear();
            waiters = _waiters.ToArray();
            _waiters.Clear();
        }
        foreach (HttpConnection c in idle)
        {
            // C-7: an anonymous idle connection goes on serving another session with the same settings, if one is open.
            if (_shared is null || !c.IsShareable || !SharedConnections.TryHandOver(_shared, this, c))
            {
                c.Dispose();
            }
        }
        foreach (Waiter w in waiters)
        {
            w.TrySetException(new TypedHttpException(HttpError.OperationCancelled, HttpPhase.Connect, "The session was disposed while the request waited for a connection."));
        }
    }

    /// <summary>The number of requests waiting for a connection (tests).</summary>
    internal int WaiterCount
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>The number of idle connections (tests).</summary>
    internal int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    private sealed class Waiter : TaskCompletionSource<HttpConnection?>
    {
        public Waiter() : base(TaskCreationOptions.RunContinuationsAsynchronously) { }
    }
}
