using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>WebSocket on the HttpClient transport (WS-12, WS-13).</summary>
public sealed partial class HttpClientTransport
{
    /// <summary>
    /// Opens a WebSocket with a <see cref="ClientWebSocket"/> connected through this transport's
    /// <see cref="HttpClient"/> (<see cref="ClientWebSocket.ConnectAsync(Uri, HttpMessageInvoker?, CancellationToken)"/>), so
    /// the client's handlers (a named client's delegating handlers, its primary handler's proxy and TLS settings) carry the
    /// handshake. The request's header fields and those of <paramref name="options"/> are sent, with the subprotocols,
    /// deflate options, keep-alive and the handshake timeout; redirects and authentication are the handlers' business.
    /// </summary>
    /// <param name="request">A GET without content.</param>
    /// <param name="options">Subprotocols, compression, keep-alive and the handshake timeout; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The open WebSocket.</returns>
    /// <exception cref="TypedHttpException">A refused handshake is <see cref="HttpError.WebSocketHandshakeFailed"/> in
    /// <see cref="HttpPhase.ReceiveHeaders"/> with the status and headers of the answer (WS-13); connection, TLS and
    /// timeout failures are those of <see cref="SendAsync"/>.</exception>
    public override async Task<WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckWebSocketRequest(request);
        WebSocketConnectOptions merged = HttpSession.WebSocketOptionsFor(request, options);
        WebSocketHandshake.CheckOptions(merged);
        Uri uri = ToWebSocketUri(request.Uri);
        var socket = new ClientWebSocket();
        ClientWebSocketOptions o = socket.Options;
        o.CollectHttpResponseDetails = true;
        // ClientWebSocket keeps one value per name: repeated fields are sent as one comma-joined field (RFC 9110 §5.3).
        var fields = new Dictionary<string, string>(merged.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> field in merged.Headers)
        {
            fields[field.Key] = fields.TryGetValue(field.Key, out string? earlier) ? earlier + ", " + field.Value : field.Value;
        }
        foreach (KeyValuePair<string, string> field in fields)
        {
            o.SetRequestHeader(field.Key, field.Value);
        }
        foreach (string protocol in merged.SubProtocols)
        {
            o.AddSubProtocol(protocol);
        }
        o.DangerousDeflateOptions = merged.DeflateOptions;
        o.KeepAliveInterval = merged.KeepAliveInterval == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : merged.KeepAliveInterval;
        o.KeepAliveTimeout = merged.KeepAliveTimeout;
        o.HttpVersion = merged.HttpVersion;
        o.HttpVersionPolicy = merged.HttpVersionPolicy;

        using CancellationTokenSource? timeout = merged.HandshakeTimeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(merged.HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(uri, _client, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or System.IO.IOException)
        {
            TypedHttpException failure = timeout is { IsCancellationRequested: true }
                ? new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveHeaders, $"The WebSocket handshake timeout ({merged.HandshakeTimeout.TotalMilliseconds:0} ms) expired for GET {ApiException.Redact(request.Uri)} (WS-9).", e)
                : HandshakeFailure(request, socket, e);
            socket.Dispose();
            throw failure;
        }
    }

    /// <summary>http becomes ws and https wss (ClientWebSocket takes only ws and wss); ws and wss stay.</summary>
    private static Uri ToWebSocketUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            throw new TypedHttpException(HttpError.InvalidUrl, HttpPhase.Request, $"The WebSocket URI '{uri}' is not absolute.");
        }
        string scheme = uri.Scheme;
        if (scheme is "ws" or "wss")
        {
            return uri;
        }
        if (scheme is not ("http" or "https"))
        {
            throw new TypedHttpException(HttpError.UnrecognizedScheme, HttpPhase.Request, $"The scheme of '{uri}' is not ws, wss, http or https (WS-1).");
        }
        var builder = new UriBuilder(uri) { Scheme = scheme == "http" ? "ws" : "wss", Fragment = string.Empty };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    /// <summary>
    /// WS-13: ClientWebSocket's failure as the engine's. An answer other than a valid 101 (the status is known with
    /// <see cref="ClientWebSocketOptions.CollectHttpResponseDetails"/>) is <see cref="HttpError.WebSocketHandshakeFailed"/>;
    /// a failure before any answer is mapped as for <see cref="SendAsync"/>.
    /// </summary>
    private static TypedHttpException HandshakeFailure(TypedHttpRequest request, ClientWebSocket socket, Exception e)
    {
        int status = (int)socket.HttpStatusCode;
        bool answered = status != 0;
        if (!answered && e.InnerException is HttpRequestException or OperationCanceledException)
        {
            return ToTransportException(request, e.InnerException);
        }
        if (!answered && e is HttpRequestException or OperationCanceledException)
        {
            return ToTransportException(request, e);
        }
        if (!answered && e is WebSocketException { WebSocketErrorCode: not (WebSocketError.NotAWebSocket or WebSocketError.HeaderError or WebSocketError.UnsupportedProtocol or WebSocketError.UnsupportedVersion) })
        {
            return new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveHeaders, $"The WebSocket handshake of GET {ApiException.Redact(request.Uri)} failed: {e.Message}", e);
        }
        HttpHeaderCollection? headers = null;
        if (socket.HttpResponseHeaders is { } answer)
        {
            headers = new HttpHeaderCollection(answer.Count);
            foreach (KeyValuePair<string, IEnumerable<string>> field in answer)
            {
                foreach (string value in field.Value)
                {
                    headers.AddUnchecked(field.Key, value);
                }
            }
        }
        string what = answered
            ? status == (int)HttpStatusCode.SwitchingProtocols ? "answered 101 with fields that do not complete the handshake" : $"answered {status} instead of 101"
            : "did not complete the handshake";
        return new TypedHttpException(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            $"The server {what} for the WebSocket handshake of GET {ApiException.Redact(request.Uri)}: {e.Message}", e)
        {
            StatusCode = answered ? status : null,
            ResponseHeaders = headers,
        };
    }
}
