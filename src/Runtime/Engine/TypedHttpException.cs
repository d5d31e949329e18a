using System;

namespace TypedHttp;

/// <summary>
/// A transport failure: the exchange did not produce a complete HTTP response. <see cref="Error"/> says what
/// went wrong and <see cref="Phase"/> where. A response with a non-success status is not a transport failure;
/// see <see cref="ApiException"/>.
/// </summary>
public sealed class TypedHttpException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="phase">The phase in which it happened.</param>
    /// <param name="message">A one-line description for a person.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public TypedHttpException(HttpError error, HttpPhase phase, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Phase = phase;
    }

    /// <summary>What went wrong.</summary>
    public HttpError Error { get; }

    /// <summary>The phase of the exchange in which it happened.</summary>
    public HttpPhase Phase { get; }

    /// <summary>
    /// The HTTP/2 error code (RFC 9113 §7) of a stream reset or a connection error when the failure came from one
    /// (for example 2 for INTERNAL_ERROR in a server's RST_STREAM); null otherwise (H2-12).
    /// </summary>
    public long? ProtocolErrorCode { get; init; }

    /// <summary>
    /// The status code of the answer that caused the failure, when there was one: for
    /// <see cref="HttpError.WebSocketHandshakeFailed"/> the server's answer to the handshake (302, 403, 200, or 101 with
    /// wrong fields); null otherwise.
    /// </summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// The header fields of the answer that caused the failure (for <see cref="HttpError.WebSocketHandshakeFailed"/>:
    /// the handshake's answer, with <c>Location</c> for a redirect), in wire order; null when there was no answer.
    /// </summary>
    public HttpHeaderCollection? ResponseHeaders { get; init; }

    /// <summary>
    /// The first bytes of that answer's body (at most 1 KiB; empty when it had none or there was no answer), for
    /// <see cref="HttpError.WebSocketHandshakeFailed"/>: what the server said instead of upgrading.
    /// </summary>
    public ReadOnlyMemory<byte> ResponseBodyPrefix { get; init; }
}

/// <summary>
/// The engine's <see cref="OperationCanceledException"/> for a cancelled caller token: the same exception to catch,
/// carrying the phase the exchange was in, so that a per-call timeout built on the token can say which phase it cut
/// short.
/// </summary>
internal sealed class HttpCanceledException(string message, Exception? innerException, System.Threading.CancellationToken token, HttpPhase phase)
    : OperationCanceledException(message, innerException, token)
{
    /// <summary>The phase the exchange was in when the token was cancelled.</summary>
    public HttpPhase Phase { get; } = phase;
}
