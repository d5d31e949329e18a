using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// The engine's session, after WinHTTP's session handle: options, the connection pool and (later) cookies and
/// credentials. Thread-safe; meant to live for the process.
/// </summary>
/// <remarks>
/// <para>
/// Connections are pooled per session and per scheme, host and port (C-4); sessions with the same connection-level
/// settings also share idle anonymous HTTP/1.1 connections process-wide (C-7, C-8, C-9;
/// <see cref="HttpSessionOptions.ShareConnectionsAcrossSessions"/>). A connection goes back to the pool
/// only after its response body was read to the end (or drained when the response is disposed early, T-6); a
/// connection that carried <c>Connection: close</c>, an HTTP/1.0 response without keep-alive, a response with
/// both Transfer-Encoding and Content-Length, or unexpected extra bytes is closed instead (C-2).
/// </para>
/// <para>
/// When a reused connection fails before any byte of the response arrived, the request is sent once more on a
/// fresh connection, provided its method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) or it carries a
/// replayable body, and never when it carries a body that cannot be replayed (docs/behaviour.md, departure from
/// C-5).
/// </para>
/// <para>
/// Failures are <see cref="TypedHttpException"/> with an <see cref="HttpError"/> and the <see cref="HttpPhase"/>.
/// An expired timeout of <see cref="HttpSessionOptions"/> is <see cref="HttpError.Timeout"/>. Cancelling the
/// caller's token follows the .NET convention and throws <see cref="OperationCanceledException"/> (carrying that
/// token); <see cref="HttpError.OperationCancelled"/> is reserved for requests cut off because the session was
/// disposed.
/// </para>
/// </remarks>
public sealed partial class HttpSession : HttpTransport, IDisposable
{
    private static readonly Lazy<HttpSession> s_shared = new(() => new HttpSession(new HttpSessionOptions()));

    private readonly ConcurrentDictionary<PoolKey, HttpConnectionPool> _pools = new();
    private readonly object _sweepLock = new();
    private Timer? _sweepTimer;
    private bool _sweeping;
    private volatile bool _disposed;

    /// <summary>Creates a session.</summary>
    /// <param name="options">The session's options; they are read once and frozen.</param>
    public HttpSession(HttpSessionOptions? options = null)
    {
        Options = options ?? new HttpSessionOptions();
        Options.Freeze();
        Cookies = new CookieStore(Options.TimeProvider);
        Observer = Options.Observer is { } observer ? new CompositeSessionObserver(observer, EngineTelemetry.Instance) : EngineTelemetry.Instance;
        ConnectionProfile = ConnectionProfile.Of(Options);
    }

    /// <summary>
    /// The connection-level settings that decide which other sessions' idle anonymous connections this one may use
    /// (C-7); null when <see cref="HttpSessionOptions.ShareConnectionsAcrossSessions"/> is off.
    /// </summary>
    internal ConnectionProfile? ConnectionProfile { get; }

    /// <summary>Whether <see cref="Dispose"/> was called (a pool made in a race with it takes no shared connection, C-7).</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>
    /// Where the engine reports connection lifecycle and follow-ups: the built-in telemetry (metrics when the
    /// <c>TypedHttp</c> meter has listeners, follow-up spans when the activity source has), and
    /// <see cref="HttpSessionOptions.Observer"/> when set.
    /// </summary>
    internal IHttpSessionObserver Observer { get; }

    /// <summary>
    /// The session's cookie store (CK-1, OM-3): in memory, one per session. Used by the bridge stage when
    /// <see cref="HttpSessionOptions.UseCookies"/> is on; <c>thttp</c> reads and writes cookie files through it.
    /// </summary>
    internal CookieStore Cookies { get; }

    /// <summary>The process-wide session used by clients that name none.</summary>
    public static HttpSession Shared => s_shared.Value;

    /// <summary>The session's options (read-only once the session exists).</summary>
    public HttpSessionOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>
    /// The request is validated before anything is sent: a URI that is not absolute gives
    /// <see cref="HttpError.InvalidUrl"/>, a scheme other than http or https <see cref="HttpError.UnrecognizedScheme"/>,
    /// a method that is not a token or a caller-set Content-Length or Transfer-Encoding <see cref="HttpError.InvalidRequest"/>,
    /// all in phase <see cref="HttpPhase.Request"/>. A bad header name or value (CR, LF, NUL) is refused earlier, by
    /// <see cref="HttpHeaderCollection.Add"/> with <see cref="ArgumentException"/>. The caller's token covers the exchange up to the response head; body reads
    /// take their own token. Cancelling it throws <see cref="OperationCanceledException"/>.
    /// </remarks>
    public override ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequestPlan plan = Plan(request, out PoolKey key, Options);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TypedHttpResponse>(cancellationToken);
        }
        return CanSendDirectly() ? SendCoreAsync(GetPool(key), request, plan, cancellationToken, direct: true) : SendThroughStagesAsync(request, plan, key, null, cancellationToken);
    }

    /// <summary>
    /// Whether no stage would add anything to a request before it is sent: no proxy, no decompression, no
    /// credentials or token provider (so no pre-authentication and no connection-bound handshake), and no cookie
    /// in the store. Such a request goes straight to the pool; only a response that needs a follow-up (a
    /// redirect) enters the stages.
    /// </summary>
    private bool CanSendDirectly()
    {
        HttpSessionOptions o = Options;
        return o.Proxy.Kind == ProxyKind.None && !o.AutomaticDecompression && o.Credentials is null && o.BearerTokenProvider is null
            && (!o.UseCookies || Cookies.IsEmpty);
    }

    private HttpConnectionPool GetPool(PoolKey key) => _pools.TryGetValue(key, out HttpConnectionPool? pool) ? pool : CreatePool(key);

    /// <summary>
    /// Makes the pool of a server the session has not spoken to yet, under a lock so that exactly one is made: a pool
    /// joins the process-wide group of its server on creation (C-7), and a duplicate that lost a race would stay
    /// there, unused, able to receive a disposed session's idle connections.
    /// </summary>
    private HttpConnectionPool CreatePool(PoolKey key)
    {
        lock (_pools)
        {
            return _pools.GetOrAdd(key, static (k, session) => new HttpConnectionPool(session, k), this);
        }
    }

    /// <summary>
    /// The connect and exchange stages: the pool picks the protocol and a connection and applies its resend rules
    /// (C-5, H2-11). With <paramref name="direct"/> (<see cref="CanSendDirectly"/>), the bridge stage's inbound work
    /// is done here and a redirect hands over to the stages with this response.
    /// </summary>
    private static ValueTask<TypedHttpResponse> SendCoreAsync(HttpConnectionPool pool, TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken, bool direct = false) =>
        direct ? SendDirectAsync(pool, request, plan, cancellationToken) : pool.SendAsync(request, plan, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TypedHttpResponse> SendDirectAsync(HttpConnectionPool pool, TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        TypedHttpResponse first = await pool.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
        HttpSession session = pool.Session;
        if (RedirectDecider.IsRedirectStatus(first.StatusCode))
        {
            // The redirect stage takes over with this response as the first hop's answer (cookies included).
            return await session.SendThroughStagesAsync(request, plan, pool.Key, first, cancellationToken).ConfigureAwait(false);
        }
        if (session.Options.UseCookies)
        {
            session.Cookies.SetCookies(request.Uri, first.Headers); // CK-1: the bridge stage, inbound
        }
        return first;
    }

    internal static bool IsStaleConnectionFailure(TypedHttpException e) =>
        (e.Error == HttpError.ConnectionError && e.Phase is HttpPhase.Send or HttpPhase.ReceiveHeaders)
        || (e.Error is HttpError.EmptyResponse or HttpError.InvalidServerResponse && e.Phase == HttpPhase.ReceiveHeaders);

    internal static bool CanResend(TypedHttpRequest request)
    {
        RequestContent? content = request.Content;
        if (content is not null)
        {
            return content.IsReplayable;
        }
        return request.Method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE" or "TRACE";
    }

    /// <summary>
    /// The planner: validates the request and works out, in protocol-neutral terms, what it is and what the engine adds
    /// to it (HD-4). Each codec derives its framing from the plan (<see cref="Http1Framing"/>, the HTTP/2 stream's head).
    /// </summary>
    internal static RequestPlan Plan(TypedHttpRequest request, out PoolKey key, HttpSessionOptions? options = null)
    {
        Uri uri = request.Uri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new TypedHttpException(HttpError.InvalidUrl, HttpPhase.Request, $"The request URI '{uri}' is not absolute.");
        }
        bool https;
        if (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal))
        {
            https = false;
        }
        else if (string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal))
        {
            https = true;
        }
        else if (uri.Scheme.Contains('+', StringComparison.Ordinal))
        {
            // SD-7: "https+http://users" names a service to discover, which only TypedHttp.ServiceDiscovery resolves.
            throw new TypedHttpException(HttpError.UnrecognizedScheme, HttpPhase.Request,
                $"The scheme '{uri.Scheme}' of '{uri}' names a service to discover: add the TypedHttp.ServiceDiscovery package, call services.AddServiceDiscovery() and .AddServiceDiscovery() on the client's builder (SD-7).");
        }
        else
        {
            throw new TypedHttpException(HttpError.UnrecognizedScheme, HttpPhase.Request, $"The scheme of '{uri}' is not http or https.");
        }
        string host = uri.HostNameType == UriHostNameType.IPv6 ? StripZoneEscapes(uri.DnsSafeHost) : uri.IdnHost;
        if (host.Length == 0)
        {
            throw new TypedHttpException(HttpError.InvalidUrl, HttpPhase.Request, $"The request URI '{uri}' has no host.");
        }
        key = new PoolKey(https, host, uri.Port);

        string method = request.Method;
        if (string.IsNullOrEmpty(method) || !HttpTokens.IsToken(method))
        {
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The method '{method}' is not a token (RFC 9110).");
        }
        options ??= s_planDefaults;
        Version version = request.Version ?? options.DefaultRequestVersion;
        System.Net.Http.HttpVersionPolicy policy = request.VersionPolicy ?? options.DefaultVersionPolicy;
        ProtocolOffer offer = ChooseProtocols(version, policy, https, out bool http10);
        bool setHost = false, setAgent = false, setType = false;
        foreach (KeyValuePair<string, string> field in request.Headers)
        {
            string name = field.Key;
            string value = field.Value;
            if (name is null || name.Length == 0 || !HttpTokens.IsToken(name))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The request header name '{name}' is not a token; nothing was sent.");
            }
            if (value is null || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The value of request header '{name}' contains CR, LF or NUL; nothing was sent.");
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The request header '{name}' is written by the engine from the request content; do not set it.");
            }
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                setHost = true;
            }
            else if (name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
            {
                setAgent = true;
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                setType = true;
            }
        }

        RequestContent? content = request.Content;
        long contentLength = -1;
        if (content is not null)
        {
            if (content.Length is long length)
            {
                if (length < 0)
                {
                    throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The request content has a negative length ({length}).");
                }
                contentLength = length;
            }
            else if (http10)
            {
                // Refused here, before any I/O: the offer is HTTP/1.0 alone, whose framing cannot carry such a body.
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, "A body of unknown length needs chunked coding, which HTTP/1.0 does not have; give the content a Length.");
            }
        }
        else if (method is "POST" or "PUT")
        {
            contentLength = 0; // HD-4: an empty POST or PUT still says Content-Length: 0.
        }

        string hostHeader = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        if (!uri.IsDefaultPort)
        {
            hostHeader = string.Concat(hostHeader, ":", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new RequestPlan
        {
            HostHeader = hostHeader,
            CallerSetHost = setHost,
            CallerSetUserAgent = setAgent,
            CallerSetContentType = setType,
            IsHead = method == "HEAD",
            Version = version,
            VersionPolicy = policy,
            Offer = offer,
            ContentLength = contentLength,
        };
    }

    private static readonly HttpSessionOptions s_planDefaults = new();

    /// <summary>
    /// H2-1: the protocols a request may be sent in, from its version and policy (or the session's defaults), in
    /// HttpClient's terms. 1.0 and 1.1 stay HTTP/1.x unless the policy allows higher (then https offers h2 too);
    /// 2.0 over https offers h2 (and http/1.1 unless exact or higher); 2.0 over http is HTTP/1.1 under
    /// <c>RequestVersionOrLower</c> and h2c with prior knowledge otherwise (H2-3); 3.0 is not spoken and falls back
    /// under <c>RequestVersionOrLower</c> only.
    /// </summary>
    private static ProtocolOffer ChooseProtocols(Version version, System.Net.Http.HttpVersionPolicy policy, bool https, out bool http10)
    {
        bool lower = policy == System.Net.Http.HttpVersionPolicy.RequestVersionOrLower;
        bool higher = policy == System.Net.Http.HttpVersionPolicy.RequestVersionOrHigher;
        http10 = false;
        ProtocolOffer offer;
        if (version.Major == 1 && version.Minor is 0 or 1)
        {
            http10 = version.Minor == 0 && !higher;
            offer = higher && https ? new ProtocolOffer(Http11: true, Http2: true) : ProtocolOffer.Http11Only;
        }
        else if ((version.Major == 2 && version.Minor == 0) || (version.Major == 3 && version.Minor == 0 && lower))
        {
            offer = lower ? new ProtocolOffer(Http11: true, Http2: https) : new ProtocolOffer(Http11: false, Http2: true);
        }
        else if (version.Major == 3 && version.Minor == 0)
        {
            throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Request, $"HTTP/3 is not spoken by this engine; ask for it with RequestVersionOrLower to fall back to HTTP/2 or HTTP/1.1 (H2-1).");
        }
        else
        {
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"HTTP/{version} is not an HTTP version; use 1.0, 1.1, 2.0 or 3.0.");
        }
        if (offer.Http2 && !EngineFeatures.IsHttp2Supported)
        {
            // H2-14: HTTP/2 turned off in this application: what may fall back does; what may not is refused before any I/O.
            if (!offer.Http11)
            {
                throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Request,
                    $"HTTP/2 is turned off in this application (the AppContext switch '{EngineFeatures.Http2Switch}' is false) and the request's version policy allows nothing else (H2-14).");
            }
            offer = ProtocolOffer.Http11Only;
        }
        return offer;
    }

    private static string StripZoneEscapes(string host) => host.Contains('%') ? Uri.UnescapeDataString(host) : host;

    /// <summary>Starts the idle sweep (C-4) if it is not running.</summary>
    internal void EnsureSweeping()
    {
        lock (_sweepLock)
        {
            if (_sweeping || _disposed)
            {
                return;
            }
            _sweeping = true;
            TimeSpan period = SweepPeriod();
            _sweepTimer ??= new Timer(static s => ((HttpSession)((WeakReference)s!).Target!)?.Sweep(), new WeakReference(this), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _sweepTimer.Change(period, period);
        }
    }

    private TimeSpan SweepPeriod()
    {
        TimeSpan idle = Options.PooledConnectionIdleTimeout;
        var max = TimeSpan.FromSeconds(5);
        if (idle == Timeout.InfiniteTimeSpan || idle > max)
        {
            return max;
        }
        return idle < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : idle;
    }

    private void Sweep()
    {
        bool any = false;
        foreach (KeyValuePair<PoolKey, HttpConnectionPool> pair in _pools)
        {
            any |= pair.Value.Sweep();
        }
        if (!any)
        {
            lock (_sweepLock)
            {
                // A connection returned during the sweep restarts the timer through EnsureSweeping.
                _sweeping = false;
                _sweepTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            foreach (KeyValuePair<PoolKey, HttpConnectionPool> pair in _pools)
            {
                if (pair.Value.IdleCount > 0)
                {
                    EnsureSweeping();
                    break;
                }
            }
        }
    }

    /// <summary>The number of idle pooled connections across all servers (tests and diagnostics).</summary>
    internal int IdleConnectionCount => SumOverPools(static p => p.IdleCount);

    /// <summary>HTTP/2 streams reserved or open across all servers (tests and the soak: zero once every response is done).</summary>
    internal int ActiveHttp2StreamCount => SumOverPools(static p => p.ActiveHttp2Streams);

    /// <summary>HTTP/2 connections open across all servers (tests and the soak).</summary>
    internal int Http2ConnectionCount => SumOverPools(static p => p.Http2ConnectionCount);

    /// <summary>The number of requests waiting for a connection across all servers (tests: MaxConnectionsPerServer).</summary>
    internal int WaitingForConnectionCount => SumOverPools(static p => p.WaiterCount);

    /// <summary>A count summed over every server's pool (tests and diagnostics; not on a request's path).</summary>
    private int SumOverPools(Func<HttpConnectionPool, int> count)
    {
        int n = 0;
        foreach (KeyValuePair<PoolKey, HttpConnectionPool> pair in _pools)
        {
            n += count(pair.Value);
        }
        return n;
    }

    /// <summary>Closes the pooled connections; requests waiting for a connection fail with <see cref="HttpError.OperationCancelled"/>.</summary>
    public void Dispose()
    {
        lock (_sweepLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _sweepTimer?.Dispose();
            _sweepTimer = null;
        }
        foreach (KeyValuePair<PoolKey, HttpConnectionPool> pair in _pools)
        {
            pair.Value.Dispose();
        }
    }
}
