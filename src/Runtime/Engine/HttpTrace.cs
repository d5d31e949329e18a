using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Text;
using System.Threading;

namespace TypedHttp;

/// <summary>What happened, in the vocabulary of WinHTTP's status callbacks (OM-11).</summary>
internal enum HttpTraceEventKind
{
    /// <summary>Name resolution starts (RESOLVING_NAME).</summary>
    Resolving = 1,
    /// <summary>Name resolution finished (NAME_RESOLVED).</summary>
    Resolved = 2,
    /// <summary>A TCP connect attempt starts (CONNECTING_TO_SERVER).</summary>
    Connecting = 3,
    /// <summary>The TCP connection is open (CONNECTED_TO_SERVER).</summary>
    Connected = 4,
    /// <summary>The TLS handshake starts.</summary>
    TlsHandshake = 5,
    /// <summary>The TLS handshake finished.</summary>
    TlsEstablished = 6,
    /// <summary>The TLS handshake or certificate validation failed (SECURE_FAILURE).</summary>
    SecureFailure = 7,
    /// <summary>The request head is about to be sent (SENDING_REQUEST); headers are redacted.</summary>
    SendingRequest = 8,
    /// <summary>The request (head and body) was sent (REQUEST_SENT).</summary>
    RequestSent = 9,
    /// <summary>An interim 1xx response was skipped (INTERMEDIATE_RESPONSE).</summary>
    IntermediateResponse = 10,
    /// <summary>The final response head arrived (HEADERS_AVAILABLE); headers are redacted.</summary>
    HeadersReceived = 11,
    /// <summary>An idle pooled connection is reused.</summary>
    ConnectionReused = 12,
    /// <summary>A request is sent again on a fresh connection after a reused one went stale.</summary>
    Retrying = 13,
    /// <summary>A connection is closed (CLOSING_CONNECTION).</summary>
    Closing = 14,
    /// <summary>An exchange failed.</summary>
    Failed = 15,
    /// <summary>A redirect is followed (REDIRECT, R-10): from, to, status and method.</summary>
    Redirect = 16,
    /// <summary>A 401 or 407 challenge is answered, or a bearer token refreshed; never the secret itself.</summary>
    Authenticating = 17,
    /// <summary>A CONNECT tunnel through a proxy is requested or established (P-5).</summary>
    ProxyTunnel = 18,
    /// <summary>A WebSocket handshake succeeded: the connection now carries WebSocket frames (WS-10).</summary>
    WebSocketUpgraded = 19,
    /// <summary>A WebSocket handshake was refused or its answer did not validate (WS-3, WS-10).</summary>
    WebSocketHandshakeFailed = 20,
}

/// <summary>
/// One trace event: its kind, the connection it concerns (0 before there is one) and a line of text with secrets
/// redacted. <see cref="HttpTraceEventKind.SendingRequest"/> and <see cref="HttpTraceEventKind.HeadersReceived"/>
/// also carry the request's URI and the head's header fields unredacted, for the session's own listener only
/// (<c>thttp -v</c> and <c>-i -L</c>): they never reach the EventSource, logs or exception messages.
/// </summary>
internal readonly record struct HttpTraceEvent(HttpTraceEventKind Kind, long ConnectionId, string Message)
{
    /// <summary>The URI of the request this event belongs to (the hop's URI), when the event concerns one request.</summary>
    public Uri? RequestUri { get; init; }

    /// <summary>
    /// The head's header fields in clear, in wire order: for <see cref="HttpTraceEventKind.SendingRequest"/> every
    /// field exactly as written (Host, User-Agent, Content-Length … included); for
    /// <see cref="HttpTraceEventKind.HeadersReceived"/> the response's fields as parsed. The first line of
    /// <see cref="Message"/> is the request or status line. Listeners are called inline: the collection may be the
    /// response's own, so copy what you keep and never change it.
    /// </summary>
    public HttpHeaderCollection? Headers { get; init; }

    /// <summary>The HTTP version of the exchange (1.0, 1.1 or 2.0) on request and response head events; null on others.</summary>
    public Version? Version { get; init; }

    /// <summary>The status code on <see cref="HttpTraceEventKind.HeadersReceived"/> and interim responses; 0 otherwise.</summary>
    public int StatusCode { get; init; }

    /// <summary>The HTTP/2 stream id the event concerns; 0 for HTTP/1.x and connection-wide events.</summary>
    public int StreamId { get; init; }

    /// <summary>The reason phrase as received on an HTTP/1.x head event (empty when the server sent none, and always for HTTP/2).</summary>
    public string? ReasonPhrase { get; init; }

    /// <summary>The request method on <see cref="HttpTraceEventKind.SendingRequest"/>; null on other events.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// On <see cref="HttpTraceEventKind.TlsEstablished"/>: the protocol the server chose by ALPN (<c>h2</c>,
    /// <c>http/1.1</c>), the empty string when it chose none, null when ALPN was not offered (H2-2).
    /// </summary>
    public string? ApplicationProtocol { get; init; }
}

/// <summary>
/// The engine's trace (D-1…D-3, OM-11): every event goes to the <c>TypedHttp</c> EventSource and to the session's
/// internal listener (<see cref="HttpSessionOptions.TraceListener"/>, used by <c>thttp -v</c> and by tests).
/// Callers check <see cref="IsEnabled"/> before building a message, so tracing costs one check when nobody listens.
/// The values of Authorization, Proxy-Authorization, Cookie and Set-Cookie never appear in the trace.
/// </summary>
internal static class HttpTrace
{
    private static long s_nextConnectionId;

    /// <summary>A new connection id for the trace.</summary>
    public static long NextConnectionId() => Interlocked.Increment(ref s_nextConnectionId);

    public static bool IsEnabled(HttpSessionOptions options) => options.TraceListener is not null || TypedHttpEventSource.Log.IsEnabled();

    public static void Emit(HttpSessionOptions options, HttpTraceEventKind kind, long connectionId, string message)
        => Emit(options, kind, connectionId, message, null, null);

    /// <summary>
    /// Emits an event; <paramref name="requestUri"/> and <paramref name="headers"/> (unredacted) go to the session's
    /// listener only, the EventSource gets the redacted <paramref name="message"/>.
    /// </summary>
    public static void Emit(HttpSessionOptions options, HttpTraceEventKind kind, long connectionId, string message, Uri? requestUri, HttpHeaderCollection? headers)
        => Emit(options, new HttpTraceEvent(kind, connectionId, message) { RequestUri = requestUri, Headers = headers });

    /// <summary>Emits an event built by the caller, with its structured fields (version, status, stream id).</summary>
    public static void Emit(HttpSessionOptions options, in HttpTraceEvent e)
    {
        options.TraceListener?.Invoke(e);
        string message = e.Message;
        HttpTraceEventKind kind = e.Kind;
        long connectionId = e.ConnectionId;
        TypedHttpEventSource log = TypedHttpEventSource.Log;
        if (log.IsEnabled())
        {
            log.Write(kind, connectionId, message);
        }
    }

    /// <summary>Whether the value of header <paramref name="name"/> is a secret that the trace must not show.</summary>
    public static bool IsSecret(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends header lines with secrets redacted.</summary>
    public static void AppendHeaders(StringBuilder text, HttpHeaderCollection headers)
    {
        foreach (KeyValuePair<string, string> field in headers)
        {
            text.Append("\n  ").Append(field.Key).Append(": ").Append(IsSecret(field.Key) ? "***" : field.Value);
        }
    }
}

/// <summary>
/// The <c>TypedHttp</c> event source: one event per <see cref="HttpTraceEventKind"/>, each carrying the connection
/// id and a line of text with secrets redacted. Listen with <c>dotnet-trace --providers TypedHttp</c> or an
/// <see cref="EventListener"/>.
/// </summary>
[EventSource(Name = "TypedHttp")]
internal sealed class TypedHttpEventSource : EventSource
{
    public static readonly TypedHttpEventSource Log = new();

    private TypedHttpEventSource() { }

    [NonEvent]
    internal void Write(HttpTraceEventKind kind, long connectionId, string message)
    {
        switch (kind)
        {
            case HttpTraceEventKind.Resolving: Resolving(connectionId, message); break;
            case HttpTraceEventKind.Resolved: Resolved(connectionId, message); break;
            case HttpTraceEventKind.Connecting: Connecting(connectionId, message); break;
            case HttpTraceEventKind.Connected: Connected(connectionId, message); break;
            case HttpTraceEventKind.TlsHandshake: TlsHandshake(connectionId, message); break;
            case HttpTraceEventKind.TlsEstablished: TlsEstablished(connectionId, message); break;
            case HttpTraceEventKind.SecureFailure: SecureFailure(connectionId, message); break;
            case HttpTraceEventKind.SendingRequest: SendingRequest(connectionId, message); break;
            case HttpTraceEventKind.RequestSent: RequestSent(connectionId, message); break;
            case HttpTraceEventKind.IntermediateResponse: IntermediateResponse(connectionId, message); break;
            case HttpTraceEventKind.HeadersReceived: HeadersReceived(connectionId, message); break;
            case HttpTraceEventKind.ConnectionReused: ConnectionReused(connectionId, message); break;
            case HttpTraceEventKind.Retrying: Retrying(connectionId, message); break;
            case HttpTraceEventKind.Closing: Closing(connectionId, message); break;
            case HttpTraceEventKind.Redirect: Redirect(connectionId, message); break;
            case HttpTraceEventKind.Authenticating: Authenticating(connectionId, message); break;
            case HttpTraceEventKind.ProxyTunnel: ProxyTunnel(connectionId, message); break;
            case HttpTraceEventKind.WebSocketUpgraded: WebSocketUpgraded(connectionId, message); break;
            case HttpTraceEventKind.WebSocketHandshakeFailed: WebSocketHandshakeFailed(connectionId, message); break;
            default: Failed(connectionId, message); break;
        }
    }

    [Event(1, Level = EventLevel.Informational)]
    public void Resolving(long connectionId, string message) => WriteEvent(1, connectionId, message);

    [Event(2, Level = EventLevel.Informational)]
    public void Resolved(long connectionId, string message) => WriteEvent(2, connectionId, message);

    [Event(3, Level = EventLevel.Informational)]
    public void Connecting(long connectionId, string message) => WriteEvent(3, connectionId, message);

    [Event(4, Level = EventLevel.Informational)]
    public void Connected(long connectionId, string message) => WriteEvent(4, connectionId, message);

    [Event(5, Level = EventLevel.Informational)]
    public void TlsHandshake(long connectionId, string message) => WriteEvent(5, connectionId, message);

    [Event(6, Level = EventLevel.Informational)]
    public void TlsEstablished(long connectionId, string message) => WriteEvent(6, connectionId, message);

    [Event(7, Level = EventLevel.Warning)]
    public void SecureFailure(long connectionId, string message) => WriteEvent(7, connectionId, message);

    [Event(8, Level = EventLevel.Informational)]
    public void SendingRequest(long connectionId, string message) => WriteEvent(8, connectionId, message);

    [Event(9, Level = EventLevel.Informational)]
    public void RequestSent(long connectionId, string message) => WriteEvent(9, connectionId, message);

    [Event(10, Level = EventLevel.Informational)]
    public void IntermediateResponse(long connectionId, string message) => WriteEvent(10, connectionId, message);

    [Event(11, Level = EventLevel.Informational)]
    public void HeadersReceived(long connectionId, string message) => WriteEvent(11, connectionId, message);

    [Event(12, Level = EventLevel.Informational)]
    public void ConnectionReused(long connectionId, string message) => WriteEvent(12, connectionId, message);

    [Event(13, Level = EventLevel.Warning)]
    public void Retrying(long connectionId, string message) => WriteEvent(13, connectionId, message);

    [Event(14, Level = EventLevel.Informational)]
    public void Closing(long connectionId, string message) => WriteEvent(14, connectionId, message);

    [Event(15, Level = EventLevel.Warning)]
    public void Failed(long connectionId, string message) => WriteEvent(15, connectionId, message);

    [Event(16, Level = EventLevel.Informational)]
    public void Redirect(long connectionId, string message) => WriteEvent(16, connectionId, message);

    [Event(17, Level = EventLevel.Informational)]
    public void Authenticating(long connectionId, string message) => WriteEvent(17, connectionId, message);

    [Event(18, Level = EventLevel.Informational)]
    public void ProxyTunnel(long connectionId, string message) => WriteEvent(18, connectionId, message);

    [Event(19, Level = EventLevel.Informational)]
    public void WebSocketUpgraded(long connectionId, string message) => WriteEvent(19, connectionId, message);

    [Event(20, Level = EventLevel.Warning)]
    public void WebSocketHandshakeFailed(long connectionId, string message) => WriteEvent(20, connectionId, message);
}
