using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// The pool key: one pool per scheme, host, port and proxy within a session (C-4, P-5). <see cref="ProxyHost"/> is
/// null for a direct connection; otherwise connections go to the proxy (absolute form for http, a CONNECT tunnel for
/// https).
/// </summary>
internal readonly record struct PoolKey(bool IsHttps, string Host, int Port, string? ProxyHost = null, int ProxyPort = 0)
{
    /// <summary>Whether connections of this pool go through a proxy.</summary>
    public bool ViaProxy => ProxyHost is not null;
}

/// <summary>
/// The connections of one session to one server (C-2, C-3, C-4): idle connections are reused last-in first-out
/// after a liveness check, at most <see cref="HttpSessionOptions.MaxConnectionsPerServer"/> are open at once
/// (further requests wait for one to come free), and idle ones are closed after
/// <see cref="HttpSessionOptions.PooledConnectionIdleTimeout"/>.
/// </summary>
internal sealed class HttpConnectionPool
{
    private readonly HttpSession _session;
    private readonly object _lock = new();
    private readonly List<HttpConnection> _idle = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _open;
    private bool _disposed;

    public HttpConnectionPool(HttpSession session, PoolKey key)
    {
        _session = session;
        Key = key;
        Options = session.Options;
    }

    public PoolKey Key { get; }

    public HttpSessionOptions Options { get; }

    /// <summary>The session that owns this pool.</summary>
    public HttpSession Session => _session;

    /// <summary>
    /// Leases a connection: an idle one that is still alive (<paramref name="allowReuse"/>), else a new one when
    /// the per-server limit allows, else the next one released. A lease for a retry (no reuse) closes this
    /// server's idle connections: one of them just turned out to be stale, the others likely are too.
    /// </summary>
    public async ValueTask<HttpConnection> LeaseAsync(bool allowReuse, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        List<HttpConnection>? discard = null;
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
                (discard ??= new List<HttpConnection>()).Add(candidate);
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
        if (discard is not null)
        {
            foreach (HttpConnection stale in discard)
            {
                stale.Dispose();
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
        HttpConnection created;
        try
        {
            created = await HttpConnector.ConnectAsync(this, cancellationToken).ConfigureAwait(false);
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
    public void Return(HttpConnection connection)
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

    /// <summary>A connection of this pool was closed: its slot goes to a waiter or becomes free.</summary>
    public void OnConnectionClosed()
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

    /// <summary>Closes idle connections that expired or died; returns whether any idle connection remains.</summary>
    public bool Sweep()
    {
        List<HttpConnection>? discard = null;
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
                    _open--;
                    (discard ??= new List<HttpConnection>()).Add(c);
                }
            }
            any = _idle.Count > 0;
        }
        if (discard is not null)
        {
            foreach (HttpConnection c in discard)
            {
                c.Dispose();
            }
        }
        return any;
    }

    /// <summary>Closes the idle connections and fails the waiters; connections in use close when released.</summary>
    public void Dispose()
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
            c.Dispose();
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
