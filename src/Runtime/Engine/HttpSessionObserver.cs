using System;
using System.Net;

namespace TypedHttp;

/// <summary>Why the follow-up stage sends a request again.</summary>
internal enum FollowUpKind
{
    /// <summary>A 3xx was followed to its Location .</summary>
    Redirect,
    /// <summary>A 401 challenge is answered, or a bearer token refreshed.</summary>
    ServerAuth,
    /// <summary>A 407 from a proxy is answered on a plain http request (A-9e).</summary>
    ProxyAuth,
    /// <summary>A reused connection died before any response byte; the request goes out again on a fresh one.</summary>
    StaleRetry,
}

/// <summary>
/// What the engine tells about itself without formatting any text: connection lifecycle and follow-up round trips.
/// Every call is made inline on the I/O path and must be quick and must not throw. The session always has one
/// (<see cref="HttpSession.Observer"/>): the built-in <see cref="EngineTelemetry"/> (connection metrics and follow-up
/// spans), combined with <see cref="HttpSessionOptions.Observer"/> when one is set.
/// </summary>
internal interface IHttpSessionObserver
{
    /// <summary>
    /// A connection is established (TCP, TLS and any CONNECT tunnel done) and about to carry its first request; it
    /// is active from now on.
    /// </summary>
    /// <param name="id">The connection's id (as in the trace).</param>
    /// <param name="key">The pool it belongs to: the origin's scheme, host and port, and the proxy if any.</param>
    /// <param name="peer">The remote end of the socket (the proxy for proxied connections), or null when unknown.</param>
    void ConnectionOpened(long id, in PoolKey key, IPEndPoint? peer);

    /// <summary>A connection went idle in the pool (<paramref name="idle"/> true) or was leased again (false).</summary>
    void ConnectionStateChanged(long id, bool idle);

    /// <summary>A connection announced by <see cref="ConnectionOpened"/> was closed.</summary>
    void ConnectionClosed(long id);

    /// <summary>
    /// The follow-up stage is about to send <paramref name="next"/> because of <paramref name="status"/> (0 for a
    /// stale-connection retry). <paramref name="next"/> is the engine's own copy of the request: the observer may set
    /// headers on it (trace context). Returns a state handed back to <see cref="FollowUpCompleted"/>.
    /// </summary>
    object? FollowUpStarting(TypedHttpRequest next, int status, FollowUpKind kind);

    /// <summary>
    /// The follow-up round trip started by <see cref="FollowUpStarting"/> ended: its response head arrived
    /// (<paramref name="response"/>) or it failed (<paramref name="error"/>).
    /// </summary>
    void FollowUpCompleted(object? state, TypedHttpResponse? response, Exception? error);
}

/// <summary>Two observers called in turn (the options' one first).</summary>
internal sealed class CompositeSessionObserver(IHttpSessionObserver first, IHttpSessionObserver second) : IHttpSessionObserver
{
    public void ConnectionOpened(long id, in PoolKey key, IPEndPoint? peer)
    {
        first.ConnectionOpened(id, key, peer);
        second.ConnectionOpened(id, key, peer);
    }

    public void ConnectionStateChanged(long id, bool idle)
    {
        first.ConnectionStateChanged(id, idle);
        second.ConnectionStateChanged(id, idle);
    }

    public void ConnectionClosed(long id)
    {
        first.ConnectionClosed(id);
        second.ConnectionClosed(id);
    }

    public object? FollowUpStarting(TypedHttpRequest next, int status, FollowUpKind kind) =>
        new Pair(first.FollowUpStarting(next, status, kind), second.FollowUpStarting(next, status, kind));

    public void FollowUpCompleted(object? state, TypedHttpResponse? response, Exception? error)
    {
        var pair = (Pair)state!;
        first.FollowUpCompleted(pair.First, response, error);
        second.FollowUpCompleted(pair.Second, response, error);
    }

    private sealed record Pair(object? First, object? Second);
}
