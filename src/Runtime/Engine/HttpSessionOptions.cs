using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Options of an <see cref="HttpSession"/>; defaults follow WinHTTP (docs/behaviour.md, docs/engine.md "Options"). A session reads its
/// options when it is created and freezes them: setting a property afterwards throws
/// <see cref="InvalidOperationException"/>.
/// </summary>
/// <remarks>
/// Every timeout is a positive <see cref="TimeSpan"/> or <see cref="Timeout.InfiniteTimeSpan"/>. An expired
/// timeout fails the exchange with <see cref="HttpError.Timeout"/> and the phase it happened in; cancelling the
/// caller's <see cref="CancellationToken"/> throws <see cref="OperationCanceledException"/> instead.
/// </remarks>
public sealed class HttpSessionOptions
{
    private bool _frozen;
    private string? _userAgent = "TypedHttp/0.1";
    private Func<string, CancellationToken, ValueTask<IPAddress[]>>? _resolver;
    private TimeSpan _resolveTimeout = Timeout.InfiniteTimeSpan;
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(60);
    private TimeSpan _sendTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _receiveTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _receiveResponseTimeout = TimeSpan.FromSeconds(90);
    private TimeSpan _expectContinueTimeout = TimeSpan.FromSeconds(1);
    private TimeSpan _pooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);
    private int _maxConnectionsPerServer = int.MaxValue;
    private bool _shareConnectionsAcrossSessions = true;
    private int _maxResponseHeadersLength = 64 * 1024;
    private int _maxResponseHeaderCount = 1000;
    private int _maxChunkSizeLineLength = 8 * 1024;
    private long _maxResponseDrainSize = 1024 * 1024;
    private int _maxInterimResponses = 10;
    private RemoteCertificateValidationCallback? _remoteCertificateValidationCallback;
    private X509CertificateCollection? _clientCertificates;
    private SslProtocols _sslProtocols = SslProtocols.None;
    private bool _checkCertificateRevocation;
    private Action<HttpTraceEvent>? _traceListener;
    private Func<HttpAuthSchemes, HttpCredentials, string, Policy.IConnectionAuthenticator>? _testOnlyConnectionAuthenticatorFactory;
    private IHttpSessionObserver? _observer;
    private RedirectPolicy _redirectPolicy = RedirectPolicy.DisallowHttpsToHttp;
    private int _maxAutomaticRedirections = 10;
    private IList<string> _redirectTrustedHosts = new List<string>();
    private HttpCredentialCache? _credentials;
    private HttpAuthSchemes _allowedAuthSchemes = HttpAuthSchemes.All;
    private Func<TypedHttpRequest, CancellationToken, ValueTask<string?>>? _bearerTokenProvider;
    private bool _preAuthenticate = true;
    private ProxySettings _proxy = ProxySettings.None;
    private bool _useCookies = true;
    private TimeProvider _timeProvider = TimeProvider.System;
    private Policy.ResponseDecoder? _decoder;
    private DecompressionLimits _decompressionLimits = DecompressionLimits.Default;
    private string[] _trustedHostsSnapshot = [];
    private Version _defaultRequestVersion = HttpVersion.Version20;
    private System.Net.Http.HttpVersionPolicy _defaultVersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionOrLower;
    private bool _enableMultipleHttp2Connections;
    private int _http2StreamWindowSize = 1024 * 1024;
    private TimeSpan _http2KeepAlivePingDelay = Timeout.InfiniteTimeSpan;
    private TimeSpan _http2KeepAlivePingTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The User-Agent sent when a request has none; null sends none (OM-2).</summary>
    public string? UserAgent { get => _userAgent; set => Set(ref _userAgent, value); }

    /// <summary>
    /// Resolves a host name to addresses; null uses <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>.
    /// Not called for IP literals. An exception or an empty result fails the request with
    /// <see cref="HttpError.NameNotResolved"/>.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<IPAddress[]>>? Resolver { get => _resolver; set => Set(ref _resolver, value); }

    /// <summary>Bounds name resolution; infinite by default (TO-1).</summary>
    public TimeSpan ResolveTimeout { get => _resolveTimeout; set => Set(ref _resolveTimeout, CheckTimeout(value)); }

    /// <summary>Bounds each TCP connect attempt, one per resolved address (TO-1, TO-2, C-6); 60 s by default.</summary>
    public TimeSpan ConnectTimeout { get => _connectTimeout; set => Set(ref _connectTimeout, CheckTimeout(value)); }

    /// <summary>Bounds each write of the request to the socket (TO-1, TO-2); 30 s by default.</summary>
    public TimeSpan SendTimeout { get => _sendTimeout; set => Set(ref _sendTimeout, CheckTimeout(value)); }

    /// <summary>
    /// Bounds each read from the socket, for the response head and for the body, and the TLS handshake
    /// (TO-1, TO-2); 30 s by default.
    /// </summary>
    public TimeSpan ReceiveTimeout { get => _receiveTimeout; set => Set(ref _receiveTimeout, CheckTimeout(value)); }

    /// <summary>
    /// Bounds the time from the end of sending to the arrival of the complete response head, interim (1xx)
    /// responses included (TO-1, TO-2); 90 s by default.
    /// </summary>
    public TimeSpan ReceiveResponseTimeout { get => _receiveResponseTimeout; set => Set(ref _receiveResponseTimeout, CheckTimeout(value)); }

    /// <summary>
    /// How long a request that carries <c>Expect: 100-continue</c> waits for the interim 100 response before it
    /// sends its body anyway; 1 s by default.
    /// </summary>
    public TimeSpan ExpectContinueTimeout { get => _expectContinueTimeout; set => Set(ref _expectContinueTimeout, CheckTimeout(value)); }

    /// <summary>How long an idle pooled connection is kept before it is closed (C-4); 30 s by default.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get => _pooledConnectionIdleTimeout; set => Set(ref _pooledConnectionIdleTimeout, CheckTimeout(value)); }

    /// <summary>
    /// The most connections open at once to one scheme/host/port (C-3); unlimited (<see cref="int.MaxValue"/>) by
    /// default. A request over the limit waits for a connection to become free.
    /// </summary>
    public int MaxConnectionsPerServer { get => _maxConnectionsPerServer; set => Set(ref _maxConnectionsPerServer, CheckPositive(value)); }

    /// <summary>
    /// Whether idle anonymous HTTP/1.1 connections are shared with other sessions of the process whose
    /// connection-level settings are the same (C-7, WinHTTP 5.1's keep-alive pooling across sessions); on by default.
    /// Same settings means: the same <see cref="Proxy"/> instance, <see cref="RemoteCertificateValidationCallback"/>,
    /// <see cref="ClientCertificates"/> instance, <see cref="SslProtocols"/>, <see cref="CheckCertificateRevocation"/>,
    /// <see cref="DefaultRequestVersion"/>, <see cref="DefaultVersionPolicy"/>, <see cref="Resolver"/>, resolve,
    /// connect, send, receive and idle timeouts, <see cref="MaxConnectionsPerServer"/> and <see cref="UserAgent"/>.
    /// A session about to open a connection first takes an idle one of such a session, and a session being disposed
    /// hands its idle ones to such a session instead of closing them. A connection that carried NTLM or Negotiate,
    /// or whose TLS handshake sent a client certificate, never leaves its session (C-8); HTTP/2 connections are not
    /// shared (C-9). Off keeps every connection to its own session, as before.
    /// </summary>
    public bool ShareConnectionsAcrossSessions { get => _shareConnectionsAcrossSessions; set => Set(ref _shareConnectionsAcrossSessions, value); }

    /// <summary>The most bytes of response head (status line and headers) accepted (T-4); 64 KiB by default.</summary>
    public int MaxResponseHeadersLength { get => _maxResponseHeadersLength; set => Set(ref _maxResponseHeadersLength, CheckPositive(value)); }

    /// <summary>The most header fields accepted in one response head or trailer section (T-4); 1000 by default.</summary>
    public int MaxResponseHeaderCount { get => _maxResponseHeaderCount; set => Set(ref _maxResponseHeaderCount, CheckPositive(value)); }

    /// <summary>The longest chunk-size line accepted, extensions included (T-4); 8 KiB by default.</summary>
    public int MaxChunkSizeLineLength { get => _maxChunkSizeLineLength; set => Set(ref _maxChunkSizeLineLength, CheckPositive(value)); }

    /// <summary>
    /// The most unread body bytes read and discarded to keep a connection when a response is disposed early
    /// (T-6); 1 MiB by default. Beyond that the connection is closed instead.
    /// </summary>
    public long MaxResponseDrainSize { get => _maxResponseDrainSize; set => Set(ref _maxResponseDrainSize, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value))); }

    /// <summary>The most interim (1xx) responses skipped before the final response (OM-13); 10 by default.</summary>
    public int MaxInterimResponses { get => _maxInterimResponses; set => Set(ref _maxInterimResponses, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value))); }

    /// <summary>
    /// Validates the server certificate instead of the platform's checks (S-7); null (the default) accepts only a
    /// certificate that is valid for the host with no policy errors.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get => _remoteCertificateValidationCallback; set => Set(ref _remoteCertificateValidationCallback, value); }

    /// <summary>Client certificates offered when a server asks for one (S-4); null offers none.</summary>
    public X509CertificateCollection? ClientCertificates { get => _clientCertificates; set => Set(ref _clientCertificates, value); }

    /// <summary>The TLS versions allowed; <see cref="SslProtocols.None"/> (the default) leaves the choice to the OS (S-6).</summary>
    public SslProtocols SslProtocols { get => _sslProtocols; set => Set(ref _sslProtocols, value); }

    /// <summary>Whether the server certificate's revocation status is checked; off by default (S-3).</summary>
    public bool CheckCertificateRevocation { get => _checkCertificateRevocation; set => Set(ref _checkCertificateRevocation, value); }

    /// <summary>
    /// Which redirects the engine follows by itself: <see cref="TypedHttp.RedirectPolicy.DisallowHttpsToHttp"/> by
    /// default, which follows every redirect except one from https to http, whose 3xx is returned with no error.
    /// <see cref="TypedHttpRequest.RedirectPolicy"/> overrides it for one request.
    /// </summary>
    public RedirectPolicy RedirectPolicy
    {
        get => _redirectPolicy;
        set => Set(ref _redirectPolicy, value is RedirectPolicy.Never or RedirectPolicy.DisallowHttpsToHttp or RedirectPolicy.Always ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>
    /// The most redirects followed for one request; 10 by default. One more fails the request with
    /// <see cref="HttpError.TooManyRedirects"/>; the last 3xx is not returned. Zero makes every followable redirect an error.
    /// </summary>
    public int MaxAutomaticRedirections { get => _maxAutomaticRedirections; set => Set(ref _maxAutomaticRedirections, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value))); }

    /// <summary>
    /// Hosts (compared case-insensitively, IDNs as A-labels) to which the caller's own <c>Authorization</c>,
    /// <c>Proxy-Authorization</c> and <c>Cookie</c> request headers are still sent after a redirect changes the
    /// origin (scheme, host or port). By default none: those headers are kept on the same origin and dropped when it
    /// changes (a departure from R-11, which would leak them). <c>"*"</c> trusts every host, like curl's
    /// <c>--location-trusted</c>. Read when the session is created; the list is read-only afterwards.
    /// </summary>
    public IList<string> RedirectTrustedHosts { get => _redirectTrustedHosts; set => Set(ref _redirectTrustedHosts, value ?? throw new ArgumentNullException(nameof(value))); }

    /// <summary>
    /// The session's credentials for 401 challenges, per origin and realm; null (the default) answers none. A lookup
    /// only matches the origin the credentials were given for, so a redirect to another origin never receives them.
    /// Proxy credentials come from <see cref="ProxySettings"/>.
    /// </summary>
    public HttpCredentialCache? Credentials { get => _credentials; set => Set(ref _credentials, value); }

    /// <summary>
    /// The schemes the engine may answer 401 and 407 challenges with; <see cref="HttpAuthSchemes.All"/> by default.
    /// Among offered and allowed schemes with credentials the order is Negotiate, NTLM, Digest, Basic (A-9b).
    /// </summary>
    public HttpAuthSchemes AllowedAuthSchemes { get => _allowedAuthSchemes; set => Set(ref _allowedAuthSchemes, value); }

    /// <summary>
    /// Supplies a bearer token for a request (called once per request, before the first send); a non-null result is
    /// sent as <c>Authorization: Bearer token</c> unless the caller set an Authorization header. When the answer is a
    /// 401 whose challenges include <c>Bearer</c>, the provider is called once more (it should refresh its token) and
    /// the request is sent again once; a second 401 is returned. The token is only sent to the request's original
    /// origin, never after a redirect to another one. Null (the default): no bearer tokens.
    /// </summary>
    public Func<TypedHttpRequest, CancellationToken, ValueTask<string?>>? BearerTokenProvider { get => _bearerTokenProvider; set => Set(ref _bearerTokenProvider, value); }

    /// <summary>
    /// Whether, after a request succeeded with Basic or Digest, later requests to the same origin and protection space
    /// send that answer first instead of waiting for the 401 (A-9f); on by default (a departure from WinHttpHandler's
    /// off, for fewer round trips). NTLM and Negotiate are never pre-sent.
    /// </summary>
    public bool PreAuthenticate { get => _preAuthenticate; set => Set(ref _preAuthenticate, value); }

    /// <summary>
    /// How the session reaches servers (P-1…P-5): <see cref="ProxySettings.None"/> (direct) by default. WinHTTP's
    /// default reads the machine-wide WinHTTP proxy, which has no equivalent outside Windows; reading
    /// <c>http_proxy</c>/<c>https_proxy</c> silently would make a microservice's traffic depend on whatever its
    /// container inherited, so the engine only uses the environment when asked:
    /// <c>Proxy = ProxySettings.FromEnvironment()</c>. <see cref="ProxySettings.Named(string, string?, HttpCredentials?)"/>
    /// names one proxy with a bypass list.
    /// </summary>
    public ProxySettings Proxy { get => _proxy; set => Set(ref _proxy, value ?? throw new ArgumentNullException(nameof(value))); }

    /// <summary>
    /// Whether the session keeps cookies (CK-1): on by default, in memory, never persisted (CK-2). Set-Cookie is
    /// recorded from every response, 3xx and 401 included, and the Cookie header is rebuilt from the store
    /// for each hop. Off stops both sending and recording (CK-3); a Cookie header the caller sets is sent either way.
    /// </summary>
    public bool UseCookies { get => _useCookies; set => Set(ref _useCookies, value); }

    /// <summary>The clock of the cookie store (expiry, Max-Age); <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get => _timeProvider; set => Set(ref _timeProvider, value ?? throw new ArgumentNullException(nameof(value))); }

    /// <summary>
    /// Whether response bodies are decompressed (T-7); off by default, so compressed bodies arrive as sent. When on,
    /// requests carry <c>Accept-Encoding: gzip, deflate, br</c>, replacing the caller's value (T-7, HD-4), and a body
    /// in those codings is decoded, its Content-Encoding and Content-Length headers removed. Responses to HEAD and
    /// 204/304 responses are left alone; a coding the engine does not know passes through unchanged.
    /// </summary>
    /// <remarks>
    /// Only this setter refers to the decoders, so an application that never turns decompression on leaves them (and
    /// the native zlib and Brotli code) out of a trimmed or Native AOT binary.
    /// </remarks>
    public bool AutomaticDecompression { get => _decoder is not null; set => Set(ref _decoder, value ? Policy.GzipDeflateBrotliDecoder.Instance : null); }

    /// <summary>The response decoder when <see cref="AutomaticDecompression"/> is on; null when it is off.</summary>
    internal Policy.ResponseDecoder? Decoder => _decoder;

    /// <summary>
    /// The bomb guard for <see cref="AutomaticDecompression"/>: <see cref="TypedHttp.DecompressionLimits.Default"/>
    /// (64 MiB decoded, 200:1 past the first MiB). Exceeding it fails the body read with
    /// <see cref="HttpError.DecompressionLimitExceeded"/>.
    /// </summary>
    public DecompressionLimits DecompressionLimits
    {
        get => _decompressionLimits;
        set => Set(ref _decompressionLimits, value.MaxDecodedBytes >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "Use the DecompressionLimits constructor or DecompressionLimits.Default; the default value has no room."));
    }

    /// <summary>The trusted hosts as frozen when the session was created.</summary>
    internal string[] TrustedHostsSnapshot => _trustedHostsSnapshot;

    /// <summary>
    /// Receives the session's trace events (besides the <c>TypedHttp</c> EventSource); for the command-line tool's
    /// verbose output and for tests. Called inline on the I/O path: keep it quick.
    /// </summary>
    internal Action<HttpTraceEvent>? TraceListener { get => _traceListener; set => Set(ref _traceListener, value); }

    /// <summary>
    /// TEST-ONLY SEAM. Replaces the platform's NTLM/Negotiate token exchange (<see cref="Policy.NegotiateAuthenticator"/>)
    /// with a scripted one, given the scheme, the credentials and the server's host name, so that the engine's part of
    /// A-4 (every leg on one connection) can be tested where no GSSAPI/NTLM library exists. Null (always, outside
    /// tests): the platform's.
    /// </summary>
    internal Func<HttpAuthSchemes, HttpCredentials, string, Policy.IConnectionAuthenticator>? TestOnlyConnectionAuthenticatorFactory
    {
        get => _testOnlyConnectionAuthenticatorFactory;
        set => Set(ref _testOnlyConnectionAuthenticatorFactory, value);
    }

    /// <summary>
    /// Receives connection lifecycle and follow-up events without any text formatting, besides the built-in
    /// telemetry observer that every session has (connection metrics, follow-up spans). Internal: for tests and
    /// tools. Called inline on the I/O path: keep it quick, never throw.
    /// </summary>
    internal IHttpSessionObserver? Observer { get => _observer; set => Set(ref _observer, value); }

    /// <summary>
    /// The HTTP version of requests that name none (<see cref="TypedHttpRequest.Version"/> null): 2.0 by default, as
    /// WinHTTP and HttpClient's SocketsHttpHandler do over TLS (H2-1). Under the default
    /// <see cref="DefaultVersionPolicy"/> an https request offers <c>h2</c> and <c>http/1.1</c> by ALPN and uses
    /// what the server picks; an http request stays on HTTP/1.1 unless the policy is exact or higher (h2c with prior
    /// knowledge, H2-3).
    /// </summary>
    public Version DefaultRequestVersion { get => _defaultRequestVersion; set => Set(ref _defaultRequestVersion, value ?? throw new ArgumentNullException(nameof(value))); }

    /// <summary>How requests that name no policy may depart from their version (default <c>RequestVersionOrLower</c>, H2-1).</summary>
    public System.Net.Http.HttpVersionPolicy DefaultVersionPolicy { get => _defaultVersionPolicy; set => Set(ref _defaultVersionPolicy, value); }

    /// <summary>
    /// Whether a further HTTP/2 connection to a server may be opened when every stream slot of the open ones
    /// (the server's SETTINGS_MAX_CONCURRENT_STREAMS) is taken; off by default, when requests wait for a slot
    /// instead (H2-5, HttpClient's <c>EnableMultipleHttp2Connections</c>).
    /// </summary>
    public bool EnableMultipleHttp2Connections { get => _enableMultipleHttp2Connections; set => Set(ref _enableMultipleHttp2Connections, value); }

    /// <summary>
    /// The receive window the engine gives each HTTP/2 stream (SETTINGS_INITIAL_WINDOW_SIZE), 1 MiB by default; the
    /// connection's window is 16 times that. Windows are topped up as the caller reads, so a fast link never stalls
    /// on a large response (H2-7). Between 65 535 and 2^31 - 1.
    /// </summary>
    public int Http2StreamWindowSize
    {
        get => _http2StreamWindowSize;
        set => Set(ref _http2StreamWindowSize, value is >= 65535 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "An HTTP/2 window is at least 65 535 bytes (RFC 9113 §6.9.2)."));
    }

    /// <summary>
    /// How long an HTTP/2 connection may be silent before the engine sends a PING to check it (H2-6); infinite (the
    /// default) sends none except the liveness check before an idle connection is reused.
    /// </summary>
    public TimeSpan Http2KeepAlivePingDelay { get => _http2KeepAlivePingDelay; set => Set(ref _http2KeepAlivePingDelay, CheckTimeout(value)); }

    /// <summary>How long the engine waits for the answer to a keep-alive PING before it closes the connection (20 s, H2-6).</summary>
    public TimeSpan Http2KeepAlivePingTimeout { get => _http2KeepAlivePingTimeout; set => Set(ref _http2KeepAlivePingTimeout, CheckTimeout(value)); }

    /// <summary>Makes the options read-only; called by the session that takes them.</summary>
    internal void Freeze()
    {
        if (_frozen)
        {
            return;
        }
        string[] hosts = new string[_redirectTrustedHosts.Count];
        _redirectTrustedHosts.CopyTo(hosts, 0);
        for (int i = 0; i < hosts.Length; i++)
        {
            hosts[i] = hosts[i] ?? throw new ArgumentException("RedirectTrustedHosts holds a null entry.");
        }
        _trustedHostsSnapshot = hosts;
        _redirectTrustedHosts = new ReadOnlyCollection<string>(hosts);
        _frozen = true;
    }

    private void Set<T>(ref T field, T value)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("These options belong to an HttpSession and can no longer be changed; create a new HttpSessionOptions for a new session.");
        }
        field = value;
    }

    private static TimeSpan CheckTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive or Timeout.InfiniteTimeSpan.");

    private static int CheckPositive(int value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be positive.");
}
