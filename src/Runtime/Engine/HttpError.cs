namespace TypedHttp;

/// <summary>What went wrong in a transport failure. The names follow WinHTTP's error codes (docs/behaviour.md, "Errors").</summary>
public enum HttpError
{
    /// <summary>A resolve, connect, send, receive or receive-response timeout expired (12002).</summary>
    Timeout,
    /// <summary>The host name could not be resolved (12007).</summary>
    NameNotResolved,
    /// <summary>No address of the host accepted a connection (12029).</summary>
    CannotConnect,
    /// <summary>The connection was reset or aborted during the exchange (12030).</summary>
    ConnectionError,
    /// <summary>The response could not be parsed (12152).</summary>
    InvalidServerResponse,
    /// <summary>The response headers exceed the configured size limit (12182).</summary>
    HeaderSizeOverflow,
    /// <summary>The response has more headers than the configured limit (12181).</summary>
    HeaderCountExceeded,
    /// <summary>A chunk-size line exceeds its limit (12183).</summary>
    ChunkedEncodingHeaderSizeOverflow,
    /// <summary>More unread body bytes remained than may be drained to reuse the connection (12184).</summary>
    ResponseDrainOverflow,
    /// <summary>A redirect could not be followed: no Location, or a Location that is not http or https (12156).</summary>
    RedirectFailed,
    /// <summary>The redirect limit was exceeded (12156).</summary>
    TooManyRedirects,
    /// <summary>The TLS handshake or certificate validation failed (12175).</summary>
    SecureFailure,
    /// <summary>The server asked for a client certificate and none was configured (12044).</summary>
    ClientAuthCertNeeded,
    /// <summary>Authentication could not be completed (12015).</summary>
    LoginFailure,
    /// <summary>The caller cancelled the operation (12017).</summary>
    OperationCancelled,
    /// <summary>The request URI is not valid (12005).</summary>
    InvalidUrl,
    /// <summary>The request URI's scheme is neither http nor https (12006).</summary>
    UnrecognizedScheme,
    /// <summary>The connection ended before the body's announced length or before its last chunk.</summary>
    ResponseTruncated,
    /// <summary>The request itself is invalid (for example a header containing CR or LF); nothing was sent.</summary>
    InvalidRequest,
    /// <summary>
    /// A compressed response body decodes to more than <see cref="HttpSessionOptions.DecompressionLimits"/> allows
    /// (total size or expansion ratio, T-7); reading stopped (phase <see cref="HttpPhase.ReceiveBody"/>).
    /// </summary>
    DecompressionLimitExceeded,
    /// <summary>
    /// The connection closed before any byte of a response arrived (phase <see cref="HttpPhase.ReceiveHeaders"/>): the
    /// server read the request and said nothing. WinHTTP folds this into 12152 (invalid server response); it is kept
    /// apart here because it usually means the server dropped the request (curl: "Empty reply from server", exit 52),
    /// not that it sent something malformed. A reused pooled connection failing this way is resent once when the
    /// request allows it (see <see cref="HttpSession"/>).
    /// </summary>
    EmptyResponse,
    /// <summary>
    /// The server reset the request's HTTP/2 stream (RST_STREAM, RFC 9113 §6.4) with an error code the engine does not
    /// retry; <see cref="TypedHttpException.ProtocolErrorCode"/> carries the code and the message names it (H2-12).
    /// </summary>
    StreamReset,
    /// <summary>
    /// The HTTP version the request asked for cannot be had under its version policy: for example HTTP/2 with
    /// <c>RequestVersionExact</c> from a server that chose <c>http/1.1</c> by ALPN, or HTTP/3 (H2-1, phase
    /// <see cref="HttpPhase.Connect"/> or <see cref="HttpPhase.Request"/>).
    /// </summary>
    VersionNotAvailable,
    /// <summary>
    /// The server did not accept a WebSocket handshake (<see cref="HttpSession.ConnectWebSocketAsync"/>, WS-3…WS-7): a
    /// status other than 101 (a 3xx, 401, 403, 200 …), a missing or wrong <c>Upgrade</c>, <c>Connection</c> or
    /// <c>Sec-WebSocket-Accept</c>, or a subprotocol or extension that was not offered. Phase
    /// <see cref="HttpPhase.ReceiveHeaders"/>; <see cref="TypedHttpException.StatusCode"/>,
    /// <see cref="TypedHttpException.ResponseHeaders"/> and <see cref="TypedHttpException.ResponseBodyPrefix"/> show the
    /// answer. The connection is closed.
    /// </summary>
    WebSocketHandshakeFailed,
}

/// <summary>The phase of an exchange in which a transport failure happened.</summary>
public enum HttpPhase
{
    /// <summary>Before any network activity: validating the request.</summary>
    Request,
    /// <summary>Resolving the host name.</summary>
    Resolve,
    /// <summary>Opening the TCP connection.</summary>
    Connect,
    /// <summary>The TLS handshake.</summary>
    Tls,
    /// <summary>Writing the request head or body.</summary>
    Send,
    /// <summary>Reading the status line and headers.</summary>
    ReceiveHeaders,
    /// <summary>Reading the response body.</summary>
    ReceiveBody,
}
