using System;
using System.Collections.Generic;
using System.Net.Http;
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
    private Version _httpVersion = System.Net.HttpVersion.Version11;
    private HttpVersionPolicy _httpVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;

    /// <summary>WS-19: WinHTTP's smallest keep-alive interval (WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, H-3).</summary>
    public static readonly TimeSpan MinKeepAliveInterval = TimeSpan.FromSeconds(15);

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
    /// H-3, and <see cref="WebSocket.DefaultKeepAliveInterval"/>), at least <see cref="MinKeepAliveInterval"/> (15 s,
    /// WinHTTP's minimum: a shorter interval is refused as WinHTTP refuses it, WS-19); <see cref="TimeSpan.Zero"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> sends none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative value other than <see cref="Timeout.InfiniteTimeSpan"/>, or a
    /// positive one below <see cref="MinKeepAliveInterval"/>.</exception>
    public TimeSpan KeepAliveInterval
    {
        get => _keepAliveInterval;
        set
        {
            if (value == TimeSpan.Zero || value == Timeout.InfiniteTimeSpan || value >= MinKeepAliveInterval)
            {
                _keepAliveInterval = value;
                return;
            }
            throw new ArgumentOutOfRangeException(nameof(value), value, value < TimeSpan.Zero
                ? "Use an interval of at least 15 s, TimeSpan.Zero or Timeout.InfiniteTimeSpan (no keep-alive)."
                : $"The keep-alive interval {value} is below WinHTTP's minimum of 15 s (WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, WS-19); use at least 15 s, or TimeSpan.Zero for no keep-alive.");
        }
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

    /// <summary>
    /// The HTTP version the handshake asks for, with <see cref="HttpVersionPolicy"/> (the vocabulary of
    /// <c>ClientWebSocketOptions.HttpVersion</c>): 1.1 (the default, as ClientWebSocket's) or 2.0. With 2.0 (or 1.1 and
    /// <see cref="HttpVersionPolicy.RequestVersionOrHigher"/>) a wss WebSocket goes over the session's HTTP/2 connection
    /// to the origin as an extended CONNECT stream (RFC 8441) when the server offers it, WS-18.
    /// </summary>
    /// <remarks>HTTP/1.1 by default, as ClientWebSocket and browsers outside HTTP/2-only settings: the upgrade works with
    /// every server and proxy, and a WebSocket on a connection of its own never competes with the requests multiplexed on
    /// the origin's HTTP/2 connection (its flow-control windows, its stream limit, one TCP loss stalling both).</remarks>
    /// <exception cref="ArgumentNullException">Null.</exception>
    /// <exception cref="ArgumentException">A version other than 1.1 and 2.0.</exception>
    public Version HttpVersion
    {
        get => _httpVersion;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _httpVersion = value == System.Net.HttpVersion.Version11 || value == System.Net.HttpVersion.Version20
                ? value
                : throw new ArgumentException($"A WebSocket handshake is HTTP/1.1 or HTTP/2; {value} is neither (WS-18).", nameof(value));
        }
    }

    /// <summary>
    /// How <see cref="HttpVersion"/> is read: <see cref="HttpVersionPolicy.RequestVersionOrLower"/> by default (as
    /// ClientWebSocket): HTTP/2 when the server agrees (ALPN h2 and SETTINGS_ENABLE_CONNECT_PROTOCOL), HTTP/1.1
    /// otherwise; <see cref="HttpVersionPolicy.RequestVersionExact"/> with 2.0 demands HTTP/2 (h2c by prior knowledge for
    /// ws) and fails with <see cref="HttpError.VersionNotAvailable"/> when the server does not offer extended CONNECT.
    /// </summary>
    public HttpVersionPolicy HttpVersionPolicy
    {
        get => _httpVersionPolicy;
        set => _httpVersionPolicy = value is HttpVersionPolicy.RequestVersionOrLower or HttpVersionPolicy.RequestVersionExact or HttpVersionPolicy.RequestVersionOrHigher
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Not an HttpVersionPolicy value.");
    }

    private static TimeSpan CheckTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use a positive timeout or Timeout.InfiniteTimeSpan.");
}
