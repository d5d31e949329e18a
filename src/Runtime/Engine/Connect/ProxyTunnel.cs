using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>Opens an https connection through the session's proxy; see <see cref="ProxySettings.Tunneler"/>.</summary>
internal abstract class HttpsProxyTunneler
{
    /// <summary>Opens the pool's connection: a tunnel to the origin through the proxy, then TLS over it.</summary>
    /// <param name="pool">The pool of an https origin reached through a proxy.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <param name="offer">The protocols the origin may be spoken to in (ALPN inside the tunnel, H2-9).</param>
    public abstract ValueTask<ConnectionTransport> OpenAsync(HttpConnectionPool pool, ProtocolOffer offer, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a CONNECT tunnel to the pool's origin through the proxy and leaves it plain (no TLS over it): the
    /// connection of a <c>ws://</c> WebSocket handshake through a proxy (WS-6), which must not be sent in absolute form.
    /// </summary>
    /// <param name="pool">The pool of a plain http origin reached through a proxy.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    public abstract ValueTask<ConnectionTransport> OpenPlainAsync(HttpConnectionPool pool, CancellationToken cancellationToken);
}

/// <summary>The CONNECT tunnel of <see cref="ProxyTunnel"/>.</summary>
internal sealed class ConnectTunneler : HttpsProxyTunneler
{
    /// <summary>The one instance; only the proxy factories of <see cref="ProxySettings"/> refer to it.</summary>
    public static readonly ConnectTunneler Instance = new();

    private ConnectTunneler()
    {
    }

    /// <inheritdoc />
    public override ValueTask<ConnectionTransport> OpenAsync(HttpConnectionPool pool, ProtocolOffer offer, CancellationToken cancellationToken) =>
        ProxyTunnel.OpenAsync(pool, offer, cancellationToken);

    /// <inheritdoc />
    public override ValueTask<ConnectionTransport> OpenPlainAsync(HttpConnectionPool pool, CancellationToken cancellationToken) =>
        ProxyTunnel.OpenAsync(pool, ProtocolOffer.Http11Only, cancellationToken, secure: false);
}

/// <summary>
/// Opens https connections through an HTTP proxy (P-5): <c>CONNECT host:port HTTP/1.1</c> to the proxy, then TLS
/// with the origin over the tunnel, the certificate checked against the ORIGIN's name. A 407 is answered with the
/// proxy credentials of <see cref="HttpSessionOptions.Proxy"/> (Basic or Digest, one attempt per scheme, each on a
/// fresh connection since the proxy's 407 body is never read); NTLM and Negotiate are not offered to a CONNECT. A
/// final 407 becomes the caller's response with no body; any other non-2xx answer is
/// <see cref="HttpError.CannotConnect"/> in <see cref="HttpPhase.Connect"/>, naming the proxy's status.
/// </summary>
internal static class ProxyTunnel
{
    /// <param name="pool">The pool of the origin reached through the proxy.</param>
    /// <param name="offer">The protocols the origin may be spoken to in (ALPN inside the tunnel).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <param name="secure">False for a plain tunnel (a <c>ws://</c> WebSocket, WS-6): no TLS over it.</param>
    public static async ValueTask<ConnectionTransport> OpenAsync(HttpConnectionPool pool, ProtocolOffer offer, CancellationToken cancellationToken, bool secure = true)
    {
        HttpSessionOptions options = pool.Options;
        PoolKey key = pool.Key;
        string port = key.Port.ToString(CultureInfo.InvariantCulture);
        string originHost = key.Host.Contains(':') ? "[" + key.Host + "]" : key.Host;
        var target = new Uri((secure ? "https://" : "http://") + originHost + ":" + port + "/");
        string proxyHost = key.ProxyHost!.Contains(':') ? "[" + key.ProxyHost + "]" : key.ProxyHost;
        var proxyUri = new Uri("http://" + proxyHost + ":" + key.ProxyPort.ToString(CultureInfo.InvariantCulture) + "/");
        string authority = ProxyRequestHead.GetConnectAuthority(target);
        HttpSession session = pool.Session;

        // A-9f for proxies: a scheme that worked for this proxy before is sent first.
        string? proxyAuthorization = session.ProxyPreAuthentication.GetHeaderValue(proxyUri, "CONNECT", authority);
        HttpAuthSchemes tried = HttpAuthSchemes.None;
        AuthSelection answered = default;
        DigestSession? digest = null;
        bool staleRetried = false;
        while (true)
        {
            long id = HttpTrace.NextConnectionId();
            IPAddress[] addresses = await HttpConnector.ResolveAsync(key.ProxyHost, options, id, cancellationToken).ConfigureAwait(false);
            Socket socket = await HttpConnector.ConnectSocketAsync(key.ProxyHost, key.ProxyPort, addresses, options, id, cancellationToken, isProxy: true).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            // The CONNECT exchange is HTTP/1.1 whatever the origin will speak; its connection only lends its codec.
            var connection = new HttpConnection(pool, new ConnectionTransport(id, socket, stream, null, ConnectionProtocol.Http11)) { Detached = true };
            ResponseHead head;
            try
            {
                head = await connection.SendConnectAsync(target, proxyAuthorization, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            bool trace = HttpTrace.IsEnabled(options);
            if (head.StatusCode is >= 200 and <= 299)
            {
                if (trace)
                {
                    HttpTrace.Emit(options, HttpTraceEventKind.ProxyTunnel, id, $"Tunnel to {authority} established through {key.ProxyHost}:{key.ProxyPort} ({head.StatusCode})");
                }
                if (!secure)
                {
                    connection.DetachTransport();
                    RememberProxyAnswer();
                    return new ConnectionTransport(id, socket, stream, null, ConnectionProtocol.Http11);
                }
                var tls = new TlsClientState(options);
                System.Net.Security.SslStream secureStream;
                try
                {
                    secureStream = await HttpConnector.AuthenticateAsync(stream, key.Host, tls, options, id, offer, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
                connection.DetachTransport();
                RememberProxyAnswer();
                return new ConnectionTransport(id, socket, secureStream, tls, HttpConnector.NegotiatedProtocol(secureStream));
            }
            connection.Dispose(); // the answer's body is hidden (P-5) and the connection not reused
            if (head.StatusCode != 407)
            {
                throw new TypedHttpException(HttpError.CannotConnect, HttpPhase.Connect,
                    $"The proxy {key.ProxyHost}:{key.ProxyPort} refused to open a tunnel to {authority}: {head.StatusCode} {head.ReasonPhrase} (P-5).");
            }

            List<AuthChallenge> challenges = AuthChallengeParser.Parse(head.Headers, "Proxy-Authenticate");
            if (digest is not null && !staleRetried && digest.TryAcceptStale(challenges))
            {
                // RFC 7616 §3.3 stale=true: the same credentials with the fresh nonce, once.
                staleRetried = true;
                proxyAuthorization = digest.CreateHeaderValue(answered.Credentials!, "CONNECT", authority);
                continue;
            }
            HttpCredentials? credentials = options.Proxy.GetProxyCredentials(target);
            HttpAuthSchemes allowed = options.AllowedAuthSchemes & options.Proxy.AuthSchemes & (HttpAuthSchemes.Basic | HttpAuthSchemes.Digest) & ~tried;
            if (credentials is not null && allowed != HttpAuthSchemes.None)
            {
                var cache = new HttpCredentialCache();
                cache.Add(proxyUri, credentials);
                if (AuthSchemeSelector.TrySelect(challenges, proxyUri, cache, allowed, out AuthSelection selection))
                {
                    tried |= selection.Scheme;
                    answered = selection;
                    if (selection.Scheme == HttpAuthSchemes.Digest && DigestChallenge.TryCreate(selection.Challenge, out DigestChallenge? dc))
                    {
                        digest = new DigestSession(dc!);
                        proxyAuthorization = digest.CreateHeaderValue(selection.Credentials, "CONNECT", authority);
                    }
                    else
                    {
                        digest = null;
                        proxyAuthorization = BasicAuthentication.GetHeaderValue(selection.Credentials);
                    }
                    if (trace)
                    {
                        HttpTrace.Emit(options, HttpTraceEventKind.Authenticating, id, $"Proxy {key.ProxyHost}:{key.ProxyPort} answered 407; retrying CONNECT with {AuthChallenge.SchemeName(selection.Scheme)} as {selection.Credentials}");
                    }
                    continue;
                }
            }
            if (proxyAuthorization is not null && answered.Credentials is null)
            {
                // A pre-authenticated CONNECT was refused: forget it, and try the challenge once.
                session.ProxyPreAuthentication.Forget(proxyUri, GetRealm(challenges), HttpAuthSchemes.Basic);
                session.ProxyPreAuthentication.Forget(proxyUri, GetRealm(challenges), HttpAuthSchemes.Digest);
                proxyAuthorization = null;
                if (credentials is not null)
                {
                    continue;
                }
            }
            // the final 407 is the caller's answer, not an error.
            throw new ProxyAuthenticationRequiredException(head);
        }

        void RememberProxyAnswer()
        {
            if (answered.Credentials is not null && options.PreAuthenticate)
            {
                session.ProxyPreAuthentication.Remember(proxyUri, answered.Challenge.Realm ?? string.Empty, answered.Scheme, answered.Credentials, digest);
            }
        }
    }

    private static string GetRealm(List<AuthChallenge> challenges) => challenges.Count > 0 ? challenges[0].Realm ?? string.Empty : string.Empty;
}

/// <summary>A CONNECT ended in a final 407: the session returns it to the caller as the response .</summary>
internal sealed class ProxyAuthenticationRequiredException : Exception
{
    public ProxyAuthenticationRequiredException(ResponseHead head)
        : base("The proxy requires authentication (407) and no more schemes or credentials are available.")
    {
        Head = head;
    }

    public ResponseHead Head { get; }
}
