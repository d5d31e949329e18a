using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>Options of a generated client.</summary>
public sealed class TypedHttpClientOptions
{
    /// <summary>
    /// The absolute URI every route is appended to. A base path is kept: <c>http://host/api</c> with the route
    /// <c>/users</c> gives <c>http://host/api/users</c>.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The JSON options whose <see cref="JsonSerializerOptions.TypeInfoResolver"/> is the application's
    /// source-generated <c>JsonSerializerContext</c>. Native AOT needs every body and result type declared there.
    /// </summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    /// <summary>The engine session to run on; null uses <see cref="HttpSession.Shared"/>.</summary>
    public HttpSession? Session { get; set; }

    /// <summary>
    /// The transport to run on instead of an engine session (for example an in-memory transport in unit tests);
    /// when set, <see cref="Session"/> is ignored.
    /// </summary>
    public HttpTransport? Transport { get; set; }

    // Issue 6 (observability, timeouts, DI): three additions; nothing above changes.

    /// <summary>
    /// Where the client logs one line per request (and wire detail at Trace); null logs nothing. With
    /// dependency injection the container's <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> is used when
    /// this is null. The values of Authorization, Proxy-Authorization, Cookie and Set-Cookie are never logged.
    /// </summary>
    /// <remarks>
    /// Only this setter refers to the request log's implementation, so an application that never sets a logger
    /// factory leaves the log formatting out of a trimmed or Native AOT binary.
    /// </remarks>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory
    {
        get => _loggerFactory;
        set
        {
            _loggerFactory = value;
            RequestLogSource = value is null ? null : TypedHttp.RequestLogSource.Instance;
        }
    }

    private Microsoft.Extensions.Logging.ILoggerFactory? _loggerFactory;

    /// <summary>Makes the request log; set together with <see cref="LoggerFactory"/>.</summary>
    internal RequestLogSource? RequestLogSource { get; private set; }

    /// <summary>
    /// How long a call may take to send its request and receive the response head, or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (the default) for no limit beyond the transport's own
    /// timeouts. An expired timeout throws <see cref="TypedHttpException"/> with <see cref="HttpError.Timeout"/>.
    /// A per-method timeout passed by generated code takes precedence.
    /// </summary>
    public TimeSpan Timeout { get; set; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>The default of <see cref="MaxWebSocketMessageBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxWebSocketMessageBytes = 1024 * 1024;

    private int _maxWebSocketMessageBytes = DefaultMaxWebSocketMessageBytes;

    /// <summary>
    /// The largest message a <see cref="WebSocketChannel{TSend, TReceive}"/> of this client accepts, in bytes, unless its
    /// method's <c>[WebSocket(MaxMessageBytes = …)]</c> says otherwise; a larger message is refused with close code 1009
    /// (WS-16). 1 MiB by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public int MaxWebSocketMessageBytes
    {
        get => _maxWebSocketMessageBytes;
        set => _maxWebSocketMessageBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use a positive number of bytes.");
    }

    /// <summary>A shallow copy: the same session, transport, JSON options and logger factory.</summary>
    public TypedHttpClientOptions Clone() => (TypedHttpClientOptions)MemberwiseClone();

    /// <summary>
    /// Gives the credentials of methods that declare a constant <c>Authorization</c> header holding only a scheme,
    /// such as <c>[Headers("Authorization: Bearer")]</c>: called for each such request, its result is sent as
    /// <c>Authorization: Bearer &lt;result&gt;</c>. When it is not set, such a request throws
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    public Func<TypedHttpRequest, CancellationToken, Task<string>>? AuthorizationHeaderValueGetter { get; set; }
}
