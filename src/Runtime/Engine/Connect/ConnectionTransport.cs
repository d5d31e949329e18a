using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;

namespace TypedHttp;

/// <summary>The application protocol a connection speaks, as chosen by ALPN or by prior knowledge (H2-2).</summary>
internal enum ConnectionProtocol
{
    /// <summary>HTTP/1.1 (or 1.0): no ALPN, or the server chose <c>http/1.1</c>.</summary>
    Http11,
    /// <summary>HTTP/2: the server chose <c>h2</c> by ALPN, or h2c with prior knowledge over plain TCP.</summary>
    Http2,
}

/// <summary>
/// What the connect stage hands to the pool (docs/engine.md, "Files"): an open socket, the stream
/// to talk over (TLS or not, through a proxy tunnel or not), the TLS facts, and the protocol the two ends agreed on.
/// It knows no HTTP version: the pool picks the codec (<see cref="HttpConnection"/> or <see cref="Http2.Http2Connection"/>)
/// from <see cref="Protocol"/>.
/// </summary>
internal sealed class ConnectionTransport
{
    public ConnectionTransport(long id, Socket socket, Stream stream, TlsClientState? tls, ConnectionProtocol protocol)
    {
        Id = id;
        Socket = socket;
        Stream = stream;
        Tls = tls;
        Protocol = protocol;
    }

    /// <summary>The connection's id in the trace.</summary>
    public long Id { get; }

    /// <summary>The TCP socket (to the origin, or to the proxy for a tunnel).</summary>
    public Socket Socket { get; }

    /// <summary>The stream requests travel over: the socket's, or the TLS stream on top of it.</summary>
    public Stream Stream { get; }

    /// <summary>What the TLS handshake told us, or null over plain TCP.</summary>
    public TlsClientState? Tls { get; }

    /// <summary>The protocol agreed on (H2-2).</summary>
    public ConnectionProtocol Protocol { get; }

    /// <summary>Closes the stream and the socket; closing a broken connection may fail, and it is closed either way.</summary>
    public void Close()
    {
        try
        {
            Stream.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
        }
        Socket.Dispose();
    }

    /// <summary>
    /// The ALPN protocol list (H2-2): <c>h2, http/1.1</c> whenever HTTP/2 is offered, none for HTTP/1.1 only. A request
    /// that insists on HTTP/2 offers http/1.1 too, so that a server without HTTP/2 still completes the handshake and
    /// the request fails with a clear <see cref="HttpError.VersionNotAvailable"/> instead of a TLS alert.
    /// </summary>
    internal static System.Collections.Generic.List<SslApplicationProtocol>? AlpnOffer(bool offerHttp2) =>
        offerHttp2 ? s_h2AndHttp11 : null;

    private static readonly System.Collections.Generic.List<SslApplicationProtocol> s_h2AndHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
}
