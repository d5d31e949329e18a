using System;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Threading;

namespace TypedHttp;

/// <summary>
/// What <see cref="HttpSession.ConnectWebSocketAsync"/> asks for beyond the session's own settings (proxy, TLS,
/// credentials, cookies and timeouts come from <see cref="HttpSessionOptions"/>, WS-6). One instance may serve many
/// connects; it is read when a connect starts.
/// </summary>
public sealed class WebSocketConnectOptions
{
    private TimeSpan _keepAliveInterval = WebSocket.DefaultKeepAliveInterval;
    private TimeSpan _keepAliveTimeout = Timeout.InfiniteTimeSpan;
    private TimeSpan _handshakeTimeout = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// The subprotocols to offer in <c>Sec-WebSocket-Protocol</c>, most preferred first; each must be a token (RFC
    /// 6455 §4.1) and appear once. The server picks one of them or none (WS-4); the choice is
    /// <see cref="WebSocket.SubProtocol"/>. Empty by default: no subprotocol is offered.
    /// </summary>
    public IList<string> SubProtocols { get; } = new List<string>();

    /// <summary>
    /// Extra fields for the handshake request (an API key, a tenant, an <c>Origin</c>), sent after Host and User-Agent.
    /// The fields the handshake writes itself (<c>Upgrade</c>, <c>Connection</c> and the <c>Sec-WebSocket-*</c> fields)
    /// may not be set here (WS-2). A caller-set <c>Authorization</c> or <c>Cookie</c> replaces what the session would
    /// send.
    /// </summary>
    public HttpHeaderCollection Headers { get; } = new();

    /// <summary>
    /// Offers the permessage-deflate extension (RFC 7692) with these parameters when set; null (the default) offers no
    /// compression. What the server accepts (WS-5) is what the WebSocket uses.
    /// </summary>
    public WebSocketDeflateOptions? DeflateOptions { get; set; }

    /// <summary>
    /// How often the WebSocket sends a keep-alive frame on a quiet connection: 30 s by default (WinHTTP's default,
    /// H-3, and <see cref="WebSocket.DefaultKeepAliveInterval"/>); <see cref="TimeSpan.Zero"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> sends none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative value other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan KeepAliveInterval
    {
        get => _keepAliveInterval;
        set => _keepAliveInterval = value >= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use a positive interval, TimeSpan.Zero or Timeout.InfiniteTimeSpan (no keep-alive).");
    }

    /// <summary>
    /// With a keep-alive interval, how long to wait for the answer to a keep-alive PING before the WebSocket is aborted;
    /// <see cref="Timeout.InfiniteTimeSpan"/> (the default) sends unsolicited PONGs instead and waits for nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or a negative value other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan KeepAliveTimeout
    {
        get => _keepAliveTimeout;
        set => _keepAliveTimeout = CheckTimeout(value);
    }

    /// <summary>
    /// The most the whole handshake may take (connect, TLS, proxy tunnel, authentication legs and redirects); beyond it
    /// the connect fails with <see cref="HttpError.Timeout"/> in the phase it cut short (WS-9).
    /// <see cref="Timeout.InfiniteTimeSpan"/> (the default) leaves only the session's per-phase timeouts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or a negative value other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        set => _handshakeTimeout = CheckTimeout(value);
    }

    /// <summary>
    /// Whether a 3xx answer to the handshake is followed (under the session's <see cref="HttpSessionOptions.RedirectPolicy"/>
    /// and <see cref="HttpSessionOptions.MaxAutomaticRedirections"/>, WS-7). False by default: a 3xx is
    /// <see cref="HttpError.WebSocketHandshakeFailed"/> showing the status and the Location.
    /// </summary>
    public bool FollowRedirects { get; set; }

    private static TimeSpan CheckTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use a positive timeout or Timeout.InfiniteTimeSpan.");
}
