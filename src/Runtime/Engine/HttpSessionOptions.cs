using System;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Options of an <see cref="HttpSession"/>; defaults follow WinHTTP (WINHTTP.md part 1). A session reads its
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
    /// Receives the session's trace events (besides the <c>TypedHttp</c> EventSource); for the command-line tool's
    /// verbose output and for tests. Called inline on the I/O path: keep it quick.
    /// </summary>
    internal Action<HttpTraceEvent>? TraceListener { get => _traceListener; set => Set(ref _traceListener, value); }

    /// <summary>Makes the options read-only; called by the session that takes them.</summary>
    internal void Freeze() => _frozen = true;

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
