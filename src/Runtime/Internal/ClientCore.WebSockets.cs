using System;
using System.Net.WebSockets;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>The WebSocket methods generated code calls (WS-12).</summary>
public sealed partial class ClientCore
{
    /// <summary>
    /// Opens a WebSocket through the client's transport with the handshake <paramref name="request"/> describes (its
    /// route, query and headers, with the <c>Authorization</c> credentials when asked for).
    /// </summary>
    /// <param name="request">The handshake request (a GET without content); it is disposed.</param>
    /// <param name="subProtocols">The subprotocols to offer, most preferred first, or null.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout for the handshake; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    /// <returns>The open WebSocket, owned by the caller.</returns>
    public async Task<WebSocket> ConnectWebSocketAsync(TypedHttpRequest request, string[]? subProtocols, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            if (authorizationScheme is not null)
            {
                await ApplyAuthorizationAsync(request, authorizationScheme, cancellationToken).ConfigureAwait(false);
            }
            var options = new WebSocketConnectOptions();
            if (subProtocols is not null)
            {
                foreach (string protocol in subProtocols)
                {
                    options.SubProtocols.Add(protocol);
                }
            }
            TimeSpan timeout = timeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(timeoutMilliseconds) : _timeout;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                options.HandshakeTimeout = timeout;
            }
            return await _transport.OpenWebSocketAsync(request, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a WebSocket as <see cref="ConnectWebSocketAsync"/> does and wraps it in a typed channel whose messages are
    /// JSON through <paramref name="sendTypeInfo"/> and <paramref name="receiveTypeInfo"/>.
    /// </summary>
    /// <typeparam name="TSend">What the client sends.</typeparam>
    /// <typeparam name="TReceive">What the server sends.</typeparam>
    /// <param name="request">The handshake request; it is disposed.</param>
    /// <param name="sendTypeInfo">Source-generated type information for what is sent.</param>
    /// <param name="receiveTypeInfo">Source-generated type information for what is received.</param>
    /// <param name="subProtocols">The subprotocols to offer, or null.</param>
    /// <param name="maxMessageBytes">The largest message read; 0 uses <see cref="TypedHttpClientOptions.MaxWebSocketMessageBytes"/>.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout for the handshake; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    /// <returns>The channel, owned by the caller.</returns>
    public async Task<WebSocketChannel<TSend, TReceive>> ConnectWebSocketChannelAsync<TSend, TReceive>(
        TypedHttpRequest request,
        JsonTypeInfo<TSend> sendTypeInfo,
        JsonTypeInfo<TReceive> receiveTypeInfo,
        string[]? subProtocols,
        int maxMessageBytes,
        CancellationToken cancellationToken,
        string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0)
    {
        WebSocket socket = await ConnectWebSocketAsync(request, subProtocols, cancellationToken, authorizationScheme, methodName, timeoutMilliseconds).ConfigureAwait(false);
        return new WebSocketChannel<TSend, TReceive>(socket, sendTypeInfo, receiveTypeInfo, maxMessageBytes > 0 ? maxMessageBytes : _maxWebSocketMessageBytes);
    }
}
