using System;

namespace TypedHttp;

/// <summary>
/// Opens a WebSocket (RFC 6455) to the route template instead of sending a request: the method returns
/// <c>Task&lt;System.Net.WebSockets.WebSocket&gt;</c> or <c>Task&lt;WebSocketChannel&lt;TSend, TReceive&gt;&gt;</c>
/// (or the <c>ValueTask</c> of either). Route holes, query parameters, headers, <c>[Authorize]</c> and the interface's
/// <c>[Headers]</c> go into the handshake request as for any method; a body does not (THTTP042).
/// </summary>
/// <remarks>
/// The handshake runs on the client's transport: the engine session (<see cref="HttpSession.ConnectWebSocketAsync(System.Uri, WebSocketConnectOptions?, System.Threading.CancellationToken)"/>)
/// or, with <see cref="HttpClientTransport"/>, a <c>ClientWebSocket</c> through the <see cref="System.Net.Http.HttpClient"/>'s
/// handlers. A method cannot carry both this attribute and an HTTP method attribute (THTTP041).
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class WebSocketAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template, such as <c>/rooms/{room}/chat</c>.</param>
    public WebSocketAttribute(string path) => Path = path;

    /// <summary>The route template, relative to the client's base address.</summary>
    public string Path { get; }

    /// <summary>
    /// The subprotocols offered in <c>Sec-WebSocket-Protocol</c>, most preferred first; each a token (RFC 6455 §4.1),
    /// none twice (THTTP045 otherwise). The server's choice is <see cref="System.Net.WebSockets.WebSocket.SubProtocol"/>.
    /// None by default.
    /// </summary>
    public string[]? SubProtocols { get; set; }

    /// <summary>
    /// For a <see cref="WebSocketChannel{TSend, TReceive}"/>: the largest message it accepts, in bytes; a larger one is
    /// refused with close code 1009 (MessageTooBig). 0 (the default) uses
    /// <see cref="TypedHttpClientOptions.MaxWebSocketMessageBytes"/>. A negative value, or a value on a method returning a
    /// plain WebSocket, is THTTP045.
    /// </summary>
    public int MaxMessageBytes { get; set; }
}
