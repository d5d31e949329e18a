using System;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// The pool key: one pool per scheme, host, port and proxy within a session (C-4, P-5). <see cref="ProxyHost"/> is
/// null for a direct connection; otherwise connections go to the proxy (absolute form for http, a CONNECT tunnel for
/// https). The key names no protocol: one pool holds an origin's HTTP/1.1 and HTTP/2 connections side by side.
/// </summary>
internal readonly record struct PoolKey(bool IsHttps, string Host, int Port, string? ProxyHost = null, int ProxyPort = 0)
{
    /// <summary>Whether connections of this pool go through a proxy.</summary>
    public bool ViaProxy => ProxyHost is not null;
}

/// <summary>
/// The connections of one session to one server, split by protocol (docs/engine.md, "Files" and "HTTP/2"):
/// HTTP/1.1 connections lent to one request at a time (<c>HttpConnectionPool.Http1.cs</c>) and multiplexed HTTP/2
/// connections (<c>HttpConnectionPool.Http2.cs</c>). <see cref="SendAsync"/> picks the protocol from the request's
/// plan and what the server chose before, and applies each protocol's resend rules.
/// </summary>
internal sealed partial class HttpConnectionPool
{
    private readonly HttpSession _session;
    private readonly object _lock = new();
    private readonly SharedConnections.Group? _shared;
    private bool _disposed;

    public HttpConnectionPool(HttpSession session, PoolKey key)
    {
        _session = session;
        Key = key;
        Options = session.Options;
        if (session.ConnectionProfile is { } profile)
        {
            _shared = SharedConnections.Join(this, profile); // C-7
            if (SharedConnections.AnyKnowsHttp11Only(_shared, this))
            {
                // Another session learned that this server answers h2 offers with http/1.1: start from its HTTP/1.1
                // connections rather than offer h2 on a new one.
                RequireHttp11();
            }
        }
    }

    public PoolKey Key { get; }

    public HttpSessionOptions Options { get; }

    /// <summary>The session that owns this pool.</summary>
    public HttpSession Session => _session;

    /// <summary>
    /// Sends the request on a connection of this pool and returns the response once its head has arrived: HTTP/2
    /// when the plan allows it and the server has not shown it speaks only HTTP/1.1 (H2-2, H2-3), HTTP/1.1 otherwise.
    /// </summary>
    public ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        ProtocolOffer offer = plan.Offer;
        if (offer.Http2 && Key.ViaProxy && !Key.IsHttps)
        {
            // H2-9: plain http through a proxy goes in absolute form over HTTP/1.1; h2c is not spoken to proxies.
            if (!offer.Http11)
            {
                return ValueTask.FromException<TypedHttpResponse>(new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Request,
                    $"HTTP/2 with prior knowledge is not spoken through the proxy {Key.ProxyHost}:{Key.ProxyPort}; an http:// request through a proxy is HTTP/1.1 (H2-9)."));
            }
            offer = ProtocolOffer.Http11Only;
        }
        // H2-14: the switch is tested here, outside any state machine, so that with it off the trimmer drops the
        // whole HTTP/2 codec (the plan already refused what could not fall back).
        if (EngineFeatures.IsHttp2Supported && offer.Http2 && !(offer.Http11 && Volatile.Read(ref _http11Only)))
        {
            return SendHttp2Async(request, plan, offer, cancellationToken);
        }
        if (!offer.Http11)
        {
            return ValueTask.FromException<TypedHttpResponse>(new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Connect,
                $"{Key.Host}:{Key.Port} speaks only HTTP/1.1 and the request's version policy requires HTTP/2 (H2-1)."));
        }
        return SendHttp1Async(request, plan, null, cancellationToken);
    }

    /// <summary>Closes idle connections that expired or died; returns whether any idle connection remains.</summary>
    public bool Sweep()
    {
        bool any = SweepHttp1();
        any |= SweepHttp2();
        return any;
    }

    /// <summary>Closes the idle connections and fails the waiters; connections in use close when released.</summary>
    public void Dispose()
    {
        DisposeHttp1();
        DisposeHttp2();
        if (_shared is not null)
        {
            SharedConnections.Leave(this, _session.ConnectionProfile!, _shared);
        }
    }
}
