using System;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>The engine session as the transport of generated <c>[WebSocket]</c> methods (WS-12).</summary>
public sealed partial class HttpSession
{
    /// <summary>
    /// Opens a WebSocket through <see cref="ConnectWebSocketAsync(Uri, WebSocketConnectOptions?, CancellationToken)"/>
    /// with the request's URI, its header fields sent before those of <paramref name="options"/>.
    /// </summary>
    /// <param name="request">A GET without content.</param>
    /// <param name="options">Subprotocols, compression, keep-alive and the handshake timeout; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The open WebSocket.</returns>
    public override Task<WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckWebSocketRequest(request);
        return ConnectWebSocketAsync(request.Uri, WebSocketOptionsFor(request, options), cancellationToken);
    }

    /// <summary>
    /// The options of a handshake: <paramref name="options"/> itself when the request has no header fields and no
    /// version, else a copy whose headers are the request's followed by the options' and whose HTTP version is the
    /// request's when it has one (a generated method's <c>[HttpVersion]</c>, WS-22; 2.0 and above ask for RFC 8441 over
    /// HTTP/2, anything below for the HTTP/1.1 upgrade). The caller's options are never changed.
    /// </summary>
    internal static WebSocketConnectOptions WebSocketOptionsFor(TypedHttpRequest request, WebSocketConnectOptions? options)
    {
        if (request.Headers.Count == 0 && request.Version is null)
        {
            return options ?? new WebSocketConnectOptions();
        }
        var merged = new WebSocketConnectOptions();
        foreach (KeyValuePair<string, string> field in request.Headers)
        {
            merged.Headers.Add(field.Key, field.Value);
        }
        if (options is not null)
        {
            foreach (KeyValuePair<string, string> field in options.Headers)
            {
                merged.Headers.Add(field.Key, field.Value);
            }
            foreach (string protocol in options.SubProtocols)
            {
                merged.SubProtocols.Add(protocol);
            }
            merged.DeflateOptions = options.DeflateOptions;
            merged.KeepAliveInterval = options.KeepAliveInterval;
            merged.KeepAliveTimeout = options.KeepAliveTimeout;
            merged.HandshakeTimeout = options.HandshakeTimeout;
            merged.FollowRedirects = options.FollowRedirects;
            merged.HttpVersion = options.HttpVersion;
            merged.HttpVersionPolicy = options.HttpVersionPolicy;
        }
        if (request.Version is Version version)
        {
            merged.HttpVersion = version.Major >= 2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11;
            if (request.VersionPolicy is System.Net.Http.HttpVersionPolicy policy)
            {
                merged.HttpVersionPolicy = policy;
            }
        }
        return merged;
    }
}
