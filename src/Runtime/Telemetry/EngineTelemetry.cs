using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Threading;

namespace TypedHttp;

/// <summary>
/// The engine's built-in observer (one per process, every session has it): connection metrics when the
/// <c>TypedHttp</c> meter has listeners, and one child span per follow-up round trip when the call's span is a
/// <c>TypedHttp</c> span. Nothing is formatted and nothing allocated when nobody listens.
/// </summary>
/// <remarks>
/// <para>
/// <c>http.client.open_connections</c> counts a connection from the moment it is established (TCP, TLS, tunnel) to
/// its close, with <c>http.connection.state</c> <c>active</c> while it carries a request and <c>idle</c> in the pool;
/// <c>http.client.connection.duration</c> records its lifetime when it closes. Attributes follow the OpenTelemetry
/// HTTP client conventions: <c>server.address</c>, <c>server.port</c>, <c>url.scheme</c> (the origin's, also through
/// a proxy), <c>network.peer.address</c> (the socket's remote address: the proxy's for proxied connections) and
/// <c>network.protocol.version</c>. A connection opened while nobody listened is not counted later.
/// </para>
/// <para>
/// Follow-ups: a redirect, an answer to a 401/407 or a stale-connection retry starts a <see cref="ActivityKind.Client"/>
/// child of the call's span, named after the method, with <c>http.request.method</c>, <c>url.full</c>,
/// <c>server.address</c>, <c>server.port</c>, <c>http.request.resend_count</c> and <c>typedhttp.follow_up</c>
/// (<c>redirect</c>, <c>server_auth</c>, <c>proxy_auth</c>, <c>stale_retry</c>); the follow-up request carries that
/// child's <c>traceparent</c>. The child ends when the follow-up's response head arrives (status code set) or it fails.
/// </para>
/// </remarks>
internal sealed class EngineTelemetry : IHttpSessionObserver
{
    private const string ResendCountProperty = "typedhttp.resend_count";

    public static readonly EngineTelemetry Instance = new();

    private static readonly DistributedContextPropagator.PropagatorSetterCallback s_setHeader = static (carrier, name, value) =>
    {
        if (carrier is TypedHttpRequest request && name is not null && value is not null)
        {
            request.Headers.Set(name, value);
        }
    };

    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private int _tracked;

    private EngineTelemetry() { }

    /// <summary>The number of connections being counted (tests).</summary>
    internal int TrackedConnections => Volatile.Read(ref _tracked);

    public void ConnectionOpened(long id, in PoolKey key, IPEndPoint? peer)
    {
        if (!TypedHttpTelemetry.OpenConnections.Enabled && !TypedHttpTelemetry.ConnectionDuration.Enabled)
        {
            return;
        }
        var connection = new Connection(key.Host, key.Port, key.IsHttps ? "https" : "http", peer?.Address.ToString());
        if (_connections.TryAdd(id, connection))
        {
            Interlocked.Increment(ref _tracked);
            TypedHttpTelemetry.OpenConnections.Add(1, connection.Tags(idle: false));
        }
    }

    public void ConnectionStateChanged(long id, bool idle)
    {
        if (Volatile.Read(ref _tracked) == 0 || !_connections.TryGetValue(id, out Connection? connection))
        {
            return;
        }
        lock (connection)
        {
            if (connection.Idle == idle)
            {
                return;
            }
            TypedHttpTelemetry.OpenConnections.Add(-1, connection.Tags(connection.Idle));
            connection.Idle = idle;
            TypedHttpTelemetry.OpenConnections.Add(1, connection.Tags(idle));
        }
    }

    public void ConnectionClosed(long id)
    {
        if (Volatile.Read(ref _tracked) == 0 || !_connections.TryRemove(id, out Connection? connection))
        {
            return;
        }
        Interlocked.Decrement(ref _tracked);
        lock (connection)
        {
            TypedHttpTelemetry.OpenConnections.Add(-1, connection.Tags(connection.Idle));
            TagList tags = connection.Tags(idle: null);
            TypedHttpTelemetry.ConnectionDuration.Record(Stopwatch.GetElapsedTime(connection.Start).TotalSeconds, tags);
        }
    }

    public object? FollowUpStarting(TypedHttpRequest next, int status, FollowUpKind kind)
    {
        ActivitySource source = TypedHttpTelemetry.Source;
        if (!source.HasListeners() || Activity.Current is not { } parent || !ReferenceEquals(parent.Source, source))
        {
            return null;
        }
        string method = TypedHttpTelemetry.NormalizeMethod(next.Method);
        Activity? child = source.StartActivity(method, ActivityKind.Client, parent.Context);
        if (child is null)
        {
            return null;
        }
        int resends = parent.GetCustomProperty(ResendCountProperty) is int n ? n + 1 : 1;
        parent.SetCustomProperty(ResendCountProperty, resends);
        if (child.IsAllDataRequested)
        {
            Uri uri = next.Uri;
            child.SetTag("http.request.method", method);
            if (method == "_OTHER")
            {
                child.SetTag("http.request.method_original", next.Method);
            }
            child.SetTag("url.full", ApiException.Redact(uri));
            child.SetTag("server.address", uri.IdnHost);
            child.SetTag("server.port", uri.Port);
            child.SetTag("http.request.resend_count", resends);
            child.SetTag("typedhttp.follow_up", kind switch
            {
                FollowUpKind.Redirect => "redirect",
                FollowUpKind.ServerAuth => "server_auth",
                FollowUpKind.ProxyAuth => "proxy_auth",
                _ => "stale_retry",
            });
        }
        // The follow-up request names its own span on the wire, replacing the call's traceparent.
        DistributedContextPropagator.Current.Inject(child, next, s_setHeader);
        return child;
    }

    public void FollowUpCompleted(object? state, TypedHttpResponse? response, Exception? error)
    {
        if (state is not Activity child)
        {
            return;
        }
        if (response is not null)
        {
            child.SetTag("http.response.status_code", response.StatusCode);
            child.SetTag("network.protocol.version", TypedHttpTelemetry.ProtocolVersion(response.Version));
            if (response.StatusCode >= 400)
            {
                child.SetTag("error.type", TypedHttpTelemetry.StatusText(response.StatusCode));
                child.SetStatus(ActivityStatusCode.Error);
            }
        }
        else if (error is not null)
        {
            child.SetTag("error.type", TypedHttpTelemetry.ErrorType(error));
            child.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        child.Dispose();
    }

    /// <summary>One counted connection; its attribute values are made once (the port boxed once).</summary>
    private sealed class Connection(string host, int port, string scheme, string? peer)
    {
        private readonly object _port = port;

        public long Start { get; } = Stopwatch.GetTimestamp();

        public bool Idle { get; set; }

        /// <summary>The attributes; <paramref name="idle"/> null leaves out <c>http.connection.state</c> (duration).</summary>
        public TagList Tags(bool? idle)
        {
            var tags = new TagList
            {
                { "server.address", host },
                { "server.port", _port },
                { "url.scheme", scheme },
                { "network.protocol.version", "1.1" },
            };
            if (peer is not null)
            {
                tags.Add("network.peer.address", peer);
            }
            if (idle is bool state)
            {
                tags.Add("http.connection.state", state ? "idle" : "active");
            }
            return tags;
        }
    }
}
