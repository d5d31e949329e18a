using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Sends requests and returns responses. <see cref="HttpSession"/> is the engine's transport; generated clients
/// run on any transport.
/// </summary>
public abstract class HttpTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns the response once its headers have arrived. The caller
    /// reads <see cref="TypedHttpResponse.Body"/> and disposes the response.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <exception cref="TypedHttpException">The exchange failed before a complete response head arrived.</exception>
    public abstract ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a WebSocket with the handshake <paramref name="request"/> describes: its URI (<c>http</c>, <c>https</c>,
    /// <c>ws</c> or <c>wss</c>) and its header fields, sent with those of <paramref name="options"/>. Generated
    /// <c>[WebSocket]</c> methods call this (WS-12).
    /// </summary>
    /// <param name="request">A GET without content; its headers must not name <c>Upgrade</c>, <c>Connection</c> or a
    /// <c>Sec-WebSocket-*</c> field (the handshake writes those).</param>
    /// <param name="options">Subprotocols, compression, keep-alive and the handshake timeout; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake; once the WebSocket is returned it has no effect.</param>
    /// <returns>The open WebSocket; the caller owns it.</returns>
    /// <exception cref="TypedHttpException">The handshake failed: a refused answer is
    /// <see cref="HttpError.WebSocketHandshakeFailed"/> with <see cref="TypedHttpException.StatusCode"/> (WS-13).</exception>
    /// <exception cref="NotSupportedException">This transport does not open WebSockets (the default).</exception>
    public virtual Task<WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The transport '{GetType().FullName}' does not open WebSockets; use an HttpSession or an HttpClientTransport.");

    /// <summary>Checks a handshake request: a GET without content.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="TypedHttpException"><see cref="HttpError.InvalidRequest"/>: another method, or content.</exception>
    private protected static void CheckWebSocketRequest(TypedHttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"A WebSocket handshake is a GET; '{request.Method}' cannot open a WebSocket.");
        }
        if (request.Content is not null)
        {
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, "A WebSocket handshake carries no content; send the value as a message after connecting.");
        }
    }
}
