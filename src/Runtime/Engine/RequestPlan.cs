using System;
using System.Net.Http;

namespace TypedHttp;

/// <summary>
/// What the session worked out about a request before sending it, in terms no protocol owns: what the request is
/// (its host, the fields the caller set that the engine would otherwise write, whether it is HEAD, its body's
/// length), the protocols it may be sent in, and what the bridge and follow-up stages add. Each codec derives its
/// own framing from it: the HTTP/1.1 one (<see cref="Http1Framing"/>: request line, chunked or Content-Length,
/// keep-alive, 100-continue) and the HTTP/2 one (pseudo-headers, content-length, END_STREAM).
/// </summary>
internal readonly struct RequestPlan
{
    /// <summary>The request's authority as the engine writes it (Host, or <c>:authority</c>): IDN host, IPv6 in brackets, the port unless default (HD-4, OM-4).</summary>
    public string HostHeader { get; init; }

    /// <summary>Whether the caller set Host (it is then sent as given, and HTTP/2 takes <c>:authority</c> from it).</summary>
    public bool CallerSetHost { get; init; }

    /// <summary>Whether the caller set User-Agent (OM-2: the session's agent is then left out).</summary>
    public bool CallerSetUserAgent { get; init; }

    /// <summary>Whether the caller set Content-Type (the content's own type is then left out).</summary>
    public bool CallerSetContentType { get; init; }

    /// <summary>Whether the method is HEAD (the response then has no body whatever its head says).</summary>
    public bool IsHead { get; init; }

    /// <summary>The version the request asks for (the request's, or the session's default).</summary>
    public Version Version { get; init; }

    /// <summary>How <see cref="Version"/> may be departed from (the request's, or the session's default).</summary>
    public HttpVersionPolicy VersionPolicy { get; init; }

    /// <summary>The protocols the request may be sent in (H2-1): HTTP/1.1, HTTP/2, or either.</summary>
    public ProtocolOffer Offer { get; init; }

    /// <summary>
    /// The body's length to announce: the content's length when known, 0 for an empty POST or PUT (HD-4), and -1 when
    /// there is no body or its length is unknown (a codec then frames it its own way: chunked, or DATA frames).
    /// </summary>
    public long ContentLength { get; init; }

    /// <summary>
    /// Fields the bridge and follow-up stages add after the caller's (Cookie from the store, Authorization,
    /// Proxy-Authorization, Accept-Encoding); null for none. Built by the engine, so already valid.
    /// </summary>
    public HttpHeaderCollection? ExtraHeaders { get; init; }

    /// <summary>Whether the caller's Accept-Encoding is left out because the engine sends its own (T-7).</summary>
    public bool ReplaceAcceptEncoding { get; init; }

    /// <summary>
    /// Whether the request goes in the clear to a forward proxy (a plain http request through a proxy, P-5): the
    /// proxy, not the origin, reads the request (HTTP/1.1 then writes the absolute form).
    /// </summary>
    public bool ToForwardProxy { get; init; }

    /// <summary>
    /// a 401 to this request may start or continue an NTLM/Negotiate handshake, which authenticates a connection.
    /// A codec that can bind a connection to a request (HTTP/1.1 only) then keeps it for the follow-up stage's
    /// <see cref="ConnectionAffinity"/> and hands it over through <see cref="TypedHttpResponse.Affinity"/>.
    /// </summary>
    public bool MayBindConnection { get; init; }

    /// <summary>
    /// WS-1, WS-8: the request asks to switch protocols (a WebSocket handshake on a connection of its own): a 101 keeps
    /// the connection open for <see cref="HttpConnection.DetachForUpgrade"/>, and no answer returns it to the pool.
    /// </summary>
    public bool Upgrade { get; init; }
}
