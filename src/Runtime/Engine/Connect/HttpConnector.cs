using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>Opens connections: name resolution, TCP connect to each address in turn (C-6), TLS (S-1…S-6).</summary>
internal static class HttpConnector
{
    /// <summary>
    /// Opens a transport for the pool's key: direct, or through the session's proxy (a CONNECT tunnel for https,
    /// P-5). <paramref name="offer"/> says which protocols may be spoken (H2-2): over TLS it becomes the ALPN list;
    /// over plain TCP HTTP/2 is prior knowledge (h2c) and is spoken without asking.
    /// </summary>
    public static ValueTask<ConnectionTransport> ConnectAsync(HttpConnectionPool pool, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        PoolKey key = pool.Key;
        if (key.IsHttps)
        {
            // Checked before anything is resolved. When the switch is a trim-time constant, everything below this
            // throw on the https side (the proxy tunnel, TlsClientState, SslStream) is left out of the binary.
            if (!EngineFeatures.IsTlsSupported)
            {
                return ValueTask.FromException<ConnectionTransport>(EngineFeatures.TlsDisabled(key.Host));
            }
            if (key.ViaProxy)
            {
                // A pool key names a proxy only when the session's ProxySettings gave one, and those carry the tunneler.
                return pool.Options.Proxy.Tunneler is { } tunneler
                    ? tunneler.OpenAsync(pool, offer, cancellationToken)
                    : ValueTask.FromException<ConnectionTransport>(new InvalidOperationException("The pool names a proxy but the session's ProxySettings has none."));
            }
            return ConnectDirectAsync(pool, https: true, offer, cancellationToken);
        }
        if (key.ViaProxy && pool.Options.Proxy is { TunnelsPlainHttp: true, Tunneler: { } plainTunneler })
        {
            return plainTunneler.OpenPlainAsync(pool, cancellationToken); // P-7: plain http inside a CONNECT tunnel
        }
        return ConnectDirectAsync(pool, https: false, offer, cancellationToken);
    }

    private static async ValueTask<ConnectionTransport> ConnectDirectAsync(HttpConnectionPool pool, bool https, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        HttpSessionOptions options = pool.Options;
        PoolKey key = pool.Key;
        long id = HttpTrace.NextConnectionId();
        // P-5: plain http through a proxy connects to the proxy; the request then goes in absolute form.
        string host = key.ProxyHost ?? key.Host;
        int port = key.ViaProxy ? key.ProxyPort : key.Port;
        IPAddress[] addresses = await ResolveAsync(host, options, id, cancellationToken).ConfigureAwait(false);
        Socket socket = await ConnectSocketAsync(host, port, addresses, options, id, cancellationToken, key.ViaProxy).ConfigureAwait(false);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (https)
        {
            return await SecureAsync(pool, socket, stream, id, offer, cancellationToken).ConfigureAwait(false);
        }
        // H2-3: over plain TCP, HTTP/2 only by prior knowledge (no Upgrade: h2c, which RFC 9113 §3.1 deprecates).
        return new ConnectionTransport(id, socket, stream, null, offer.Http2 && !offer.Http11 ? ConnectionProtocol.Http2 : ConnectionProtocol.Http11);
    }

    // Not async: the trimmer removes the call below only where the switch is tested outside a state machine (an
    // async method's resume points would keep the code after the test reachable).
    private static ValueTask<ConnectionTransport> SecureAsync(HttpConnectionPool pool, Socket socket, Stream stream, long id, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        if (!EngineFeatures.IsTlsSupported)
        {
            stream.Dispose();
            return ValueTask.FromException<ConnectionTransport>(EngineFeatures.TlsDisabled(pool.Key.Host));
        }
        return SecureCoreAsync(pool, socket, stream, id, offer, cancellationToken);
    }

    private static async ValueTask<ConnectionTransport> SecureCoreAsync(HttpConnectionPool pool, Socket socket, Stream stream, long id, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        var tls = new TlsClientState(pool.Options);
        SslStream secure;
        try
        {
            secure = await AuthenticateAsync(stream, pool.Key.Host, tls, pool.Options, id, offer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new ConnectionTransport(id, socket, secure, tls, NegotiatedProtocol(secure));
    }

    /// <summary>H2-2: the protocol the server chose by ALPN; a server that chose none speaks HTTP/1.1.</summary>
    internal static ConnectionProtocol NegotiatedProtocol(SslStream secure) =>
        secure.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2 ? ConnectionProtocol.Http2 : ConnectionProtocol.Http11;

    internal static async ValueTask<IPAddress[]> ResolveAsync(string host, HttpSessionOptions options, long id, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal]; // IP literals (IPv6 without brackets here) are not resolved.
        }
        if (HttpTrace.IsEnabled(options))
        {
            HttpTrace.Emit(options, HttpTraceEventKind.Resolving, id, $"Resolving {host}");
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ResolveTimeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(options.ResolveTimeout);
        }
        IPAddress[] addresses;
        try
        {
            addresses = options.Resolver is { } resolver
                ? await resolver(host, cts.Token).ConfigureAwait(false)
                : await Dns.GetHostAddressesAsync(host, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, HttpPhase.Resolve);
        }
        catch (OperationCanceledException e)
        {
            throw new TypedHttpException(HttpError.Timeout, HttpPhase.Resolve, $"The resolve timeout ({HttpConnection.FormatTimeout(options.ResolveTimeout)}) expired while resolving '{host}'.", e);
        }
        catch (Exception e) when (e is not TypedHttpException)
        {
            throw new TypedHttpException(HttpError.NameNotResolved, HttpPhase.Resolve, $"The host name '{host}' could not be resolved: {e.Message}", e);
        }
        if (addresses is null || addresses.Length == 0)
        {
            throw new TypedHttpException(HttpError.NameNotResolved, HttpPhase.Resolve, $"The host name '{host}' resolved to no address.");
        }
        if (HttpTrace.IsEnabled(options))
        {
            HttpTrace.Emit(options, HttpTraceEventKind.Resolved, id, $"Resolved {host} to {string.Join<IPAddress>(", ", addresses)}");
        }
        return addresses;
    }

    internal static async ValueTask<Socket> ConnectSocketAsync(string host, int port, IPAddress[] addresses, HttpSessionOptions options, long id, CancellationToken cancellationToken, bool isProxy = false)
    {
        Exception? lastError = null;
        int timeouts = 0;
        foreach (IPAddress address in addresses)
        {
            // C-6: each address once, each attempt under its own connect timeout (TO-2).
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (options.ConnectTimeout != Timeout.InfiniteTimeSpan)
            {
                cts.CancelAfter(options.ConnectTimeout);
            }
            var endPoint = new IPEndPoint(address, port);
            bool trace = HttpTrace.IsEnabled(options);
            if (trace)
            {
                HttpTrace.Emit(options, HttpTraceEventKind.Connecting, id, $"Connecting to {endPoint}");
            }
            try
            {
                await socket.ConnectAsync(endPoint, cts.Token).ConfigureAwait(false);
                if (trace)
                {
                    HttpTrace.Emit(options, HttpTraceEventKind.Connected, id, $"Connected {socket.LocalEndPoint} -> {endPoint}");
                }
                return socket;
            }
            catch (Exception e)
            {
                socket.Dispose();
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, HttpPhase.Connect);
                }
                if (trace)
                {
                    HttpTrace.Emit(options, HttpTraceEventKind.Failed, id, $"Connecting to {endPoint} failed: {e.Message}");
                }
                if (e is OperationCanceledException)
                {
                    timeouts++;
                }
                else if (e is not (SocketException or IOException))
                {
                    throw;
                }
                lastError = e;
            }
        }
        string where = isProxy ? $"the proxy {host}:{port}" : $"{host}:{port}";
        if (timeouts == addresses.Length)
        {
            throw new TypedHttpException(HttpError.Timeout, HttpPhase.Connect, $"The connect timeout ({HttpConnection.FormatTimeout(options.ConnectTimeout)}) expired for every address of {where}.", lastError);
        }
        throw new TypedHttpException(HttpError.CannotConnect, HttpPhase.Connect, $"Could not connect to {where} ({addresses.Length} address(es) tried): {lastError?.Message}", lastError);
    }

    internal static async ValueTask<SslStream> AuthenticateAsync(Stream inner, string host, TlsClientState tls, HttpSessionOptions options, long id, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var sslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = options.SslProtocols,
            CertificateRevocationCheckMode = options.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = tls.ValidateServerCertificate,
            LocalCertificateSelectionCallback = tls.SelectClientCertificate,
            ClientCertificates = options.ClientCertificates,
            ApplicationProtocols = ConnectionTransport.AlpnOffer(offer.Http2),
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ReceiveTimeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(options.ReceiveTimeout);
        }
        bool trace = HttpTrace.IsEnabled(options);
        if (trace)
        {
            HttpTrace.Emit(options, HttpTraceEventKind.TlsHandshake, id, $"TLS handshake with {host}");
        }
        try
        {
            await ssl.AuthenticateAsClientAsync(sslOptions, cts.Token).ConfigureAwait(false);
            if (trace)
            {
                string? alpn = offer.Http2 ? (ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? string.Empty : ssl.NegotiatedApplicationProtocol.ToString()) : null;
                HttpTrace.Emit(options, new HttpTraceEvent(HttpTraceEventKind.TlsEstablished, id,
                    $"TLS established: {ssl.SslProtocol}, {ssl.NegotiatedCipherSuite}, server certificate {ssl.RemoteCertificate?.Subject}{(alpn is null ? "" : $", ALPN {(alpn.Length == 0 ? "none" : alpn)}")}")
                {
                    ApplicationProtocol = alpn,
                });
            }
            return ssl;
        }
        catch (Exception e)
        {
            ssl.Dispose();
            if (trace)
            {
                HttpTrace.Emit(options, HttpTraceEventKind.SecureFailure, id, $"TLS handshake with {host} failed: {e.Message}");
            }
            if (cancellationToken.IsCancellationRequested)
            {
                throw new HttpCanceledException("The request was cancelled by the caller.", e, cancellationToken, HttpPhase.Tls);
            }
            if (e is OperationCanceledException)
            {
                throw new TypedHttpException(HttpError.Timeout, HttpPhase.Tls, $"The TLS handshake with {host} did not finish within the receive timeout ({HttpConnection.FormatTimeout(options.ReceiveTimeout)}).", e);
            }
            if (tls.ServerCertificateProblem is string problem)
            {
                // The server certificate is the problem, whatever the server said about client certificates (a server
                // that merely allows one asks for it too).
                throw new TypedHttpException(HttpError.SecureFailure, HttpPhase.Tls, $"The server certificate of {host} was rejected: {problem}.", e);
            }
            if (tls.ServerAskedForCertificateWeHaveNot)
            {
                throw new TypedHttpException(HttpError.ClientAuthCertNeeded, HttpPhase.Tls, $"{host} asked for a client certificate and none is configured (HttpSessionOptions.ClientCertificates, S-4).", e);
            }
            if (e is AuthenticationException)
            {
                throw new TypedHttpException(HttpError.SecureFailure, HttpPhase.Tls, $"The TLS handshake with {host} failed: {e.Message}", e);
            }
            if (e is IOException or SocketException)
            {
                throw new TypedHttpException(HttpError.ConnectionError, HttpPhase.Tls, $"The connection to {host} failed during the TLS handshake: {e.Message}", e);
            }
            throw;
        }
    }
}

/// <summary>
/// Which protocols a new connection may speak (H2-2): over TLS the ALPN offer (<c>h2</c> first when
/// <see cref="Http2"/>, <c>http/1.1</c> when <see cref="Http11"/>); over plain TCP, HTTP/2 with prior knowledge when
/// only <see cref="Http2"/> is set.
/// </summary>
internal readonly record struct ProtocolOffer(bool Http11, bool Http2)
{
    /// <summary>HTTP/1.1 only: no ALPN.</summary>
    public static ProtocolOffer Http11Only => new(true, false);
}

/// <summary>
/// What the TLS handshake told us: whether the server asked for a client certificate we did not have (S-4), and
/// whether its own certificate was rejected (S-1, S-7). A server that asks and then drops the connection gets
/// <see cref="HttpError.ClientAuthCertNeeded"/> instead of a bare connection error, unless the server certificate was
/// rejected: that is <see cref="HttpError.SecureFailure"/> naming the problem, since a server that merely allows a
/// client certificate asks for one as well.
/// </summary>
internal sealed class TlsClientState(HttpSessionOptions options)
{
    private readonly X509CertificateCollection? _certificates = options.ClientCertificates;
    private volatile bool _askedWithoutCertificate;
    private volatile string? _serverCertificateProblem;

    /// <summary>Why the server certificate was rejected, or null when it was accepted (or not yet checked).</summary>
    public string? ServerCertificateProblem => _serverCertificateProblem;

    /// <summary>
    /// Checks the server certificate with <see cref="HttpSessionOptions.RemoteCertificateValidationCallback"/>, or
    /// the platform's verdict when there is none (no policy errors), and records why it was refused.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        RemoteCertificateValidationCallback? callback = options.RemoteCertificateValidationCallback;
        bool accepted = callback is null ? errors == SslPolicyErrors.None : callback(sender, certificate, chain, errors);
        if (!accepted)
        {
            _serverCertificateProblem = DescribeRejection(certificate, chain, errors, callback is not null);
        }
        return accepted;
    }

    private static string DescribeRejection(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool byCallback)
    {
        var text = new System.Text.StringBuilder();
        if (certificate is null)
        {
            text.Append("the server sent no certificate");
        }
        else
        {
            text.Append('\'').Append(certificate.Subject).Append('\'');
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                text.Append(", name mismatch");
            }
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain is not null)
            {
                foreach (X509ChainStatus status in chain.ChainStatus)
                {
                    text.Append(", ").Append(status.Status);
                    string information = status.StatusInformation.Trim();
                    if (information.Length > 0)
                    {
                        text.Append(" (").Append(information).Append(')');
                    }
                }
            }
        }
        if (errors != SslPolicyErrors.None)
        {
            text.Append(" [").Append(errors).Append(']');
        }
        if (byCallback)
        {
            text.Append(errors == SslPolicyErrors.None ? ", refused by RemoteCertificateValidationCallback" : "; RemoteCertificateValidationCallback refused it");
        }
        return text.ToString();
    }

    public bool ServerAskedForCertificateWeHaveNot => _askedWithoutCertificate;

    /// <summary>
    /// S-4: a server that asked for a client certificate we could not offer drops the connection after the handshake
    /// (TLS 1.3 reports it on the first read). When that is what happened on a connection's first exchange, the
    /// failure the caller hears instead of a bare connection error; null otherwise. Both codecs ask this.
    /// </summary>
    public TypedHttpException? ClientCertificateRefusal(bool firstExchange, Exception? inner) =>
        firstExchange && _askedWithoutCertificate
            ? new TypedHttpException(HttpError.ClientAuthCertNeeded, HttpPhase.Tls, "The server asked for a client certificate and none is configured (HttpSessionOptions.ClientCertificates); it closed the connection.", inner)
            : null;

    public X509Certificate? SelectClientCertificate(object sender, string targetHost, X509CertificateCollection localCertificates, X509Certificate? remoteCertificate, string[] acceptableIssuers)
    {
        X509Certificate? chosen = null;
        X509CertificateCollection? candidates = _certificates;
        if (candidates is not null)
        {
            foreach (X509Certificate certificate in candidates)
            {
                if (certificate is X509Certificate2 { HasPrivateKey: true } withKey)
                {
                    if (acceptableIssuers.Length == 0 || Array.IndexOf(acceptableIssuers, withKey.Issuer) >= 0)
                    {
                        chosen = withKey;
                        break;
                    }
                    chosen ??= withKey;
                }
            }
        }
        if (chosen is null && remoteCertificate is not null)
        {
            // Called with the server's certificate in hand: the server sent a certificate request.
            _askedWithoutCertificate = true;
        }
        return chosen;
    }
}
