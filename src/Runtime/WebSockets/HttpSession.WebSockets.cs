using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>WebSocket on the engine (docs/engine.md, "WebSocket"; WS-1…WS-11).</summary>
public sealed partial class HttpSession
{
    /// <summary>The most of a refused handshake's body kept on the failure (<see cref="TypedHttpException.ResponseBodyPrefix"/>).</summary>
    private const int HandshakeBodyPrefixLimit = 1024;

    /// <summary>
    /// Opens a WebSocket (RFC 6455) to <paramref name="uri"/> through this session: the HTTP/1.1 upgrade handshake on a
    /// connection of its own, with the session's proxy, TLS settings, credentials, cookies, timeouts and trace; then
    /// .NET's WebSocket over that connection.
    /// </summary>
    /// <param name="uri">A <c>ws://</c> or <c>wss://</c> URI (<c>http://</c> and <c>https://</c> are taken as the same, WS-1).</param>
    /// <param name="options">Subprotocols, extra headers, compression, keep-alive, the handshake timeout and whether
    /// redirects are followed; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake; once the WebSocket is returned it has no effect.</param>
    /// <returns>The open WebSocket; <see cref="WebSocket.SubProtocol"/> is the subprotocol the server chose, or null.
    /// Disposing or aborting it, or finishing its close handshake, closes the connection (WS-8).</returns>
    /// <remarks>
    /// <para>
    /// The request is a GET with <c>Upgrade: websocket</c>, <c>Connection: Upgrade</c>, a fresh <c>Sec-WebSocket-Key</c>,
    /// <c>Sec-WebSocket-Version: 13</c> and, when asked for, <c>Sec-WebSocket-Protocol</c> and
    /// <c>Sec-WebSocket-Extensions: permessage-deflate</c> (WS-2). Through a proxy, ws and wss alike go through a CONNECT
    /// tunnel; a 401 is answered with the session's credentials or bearer token on the same connection (WS-6).
    /// </para>
    /// <para>
    /// Failures are <see cref="TypedHttpException"/>: before any I/O <see cref="HttpError.InvalidUrl"/>,
    /// <see cref="HttpError.UnrecognizedScheme"/> or <see cref="HttpError.InvalidRequest"/> (phase
    /// <see cref="HttpPhase.Request"/>); a refused or invalid answer (a status other than 101, a 3xx unless
    /// <see cref="WebSocketConnectOptions.FollowRedirects"/>, wrong upgrade fields, a subprotocol or extension not
    /// offered) <see cref="HttpError.WebSocketHandshakeFailed"/> in <see cref="HttpPhase.ReceiveHeaders"/>, with
    /// <see cref="TypedHttpException.StatusCode"/>, <see cref="TypedHttpException.ResponseHeaders"/> and
    /// <see cref="TypedHttpException.ResponseBodyPrefix"/>; the connection is then closed. Connection, TLS and timeout
    /// failures are those of <see cref="SendAsync"/>. Cancelling the token throws <see cref="OperationCanceledException"/>.
    /// </para>
    /// </remarks>
    public Task<WebSocket> ConnectWebSocketAsync(Uri uri, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= new WebSocketConnectOptions();
        Uri target = ToHttpUri(uri);
        WebSocketHandshake.CheckOptions(options);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<WebSocket>(cancellationToken);
        }
        return ConnectWebSocketCoreAsync(target, options, cancellationToken);
    }

    /// <summary>WS-1: ws becomes http and wss https; http and https stay; anything else is refused before any I/O.</summary>
    private static Uri ToHttpUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            throw new TypedHttpException(HttpError.InvalidUrl, HttpPhase.Request, $"The WebSocket URI '{uri}' is not absolute.");
        }
        string scheme = uri.Scheme;
        if (scheme is "http" or "https")
        {
            return uri;
        }
        if (scheme is not ("ws" or "wss"))
        {
            throw new TypedHttpException(HttpError.UnrecognizedScheme, HttpPhase.Request, $"The scheme of '{uri}' is not ws, wss, http or https (WS-1).");
        }
        var builder = new UriBuilder(uri) { Scheme = scheme == "ws" ? Uri.UriSchemeHttp : Uri.UriSchemeHttps, Fragment = string.Empty };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    /// <summary>WS-7: a Location naming ws or wss is read as http or https, so that the redirect rules apply to it.</summary>
    private static string? ToHttpLocation(string? location)
    {
        if (location is null)
        {
            return null;
        }
        string trimmed = location.Trim(' ', '\t');
        if (trimmed.StartsWith("ws://", StringComparison.OrdinalIgnoreCase))
        {
            return "http://" + trimmed.Substring(5);
        }
        if (trimmed.StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
        {
            return "https://" + trimmed.Substring(6);
        }
        return trimmed;
    }

    /// <summary>WS-9: the handshake under its own timeout, which becomes <see cref="HttpError.Timeout"/> in the phase it cut short.</summary>
    private async Task<WebSocket> ConnectWebSocketCoreAsync(Uri target, WebSocketConnectOptions options, CancellationToken cancellationToken)
    {
        TimeSpan timeout = options.HandshakeTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return await HandshakeAsync(target, options, cancellationToken).ConfigureAwait(false);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await HandshakeAsync(target, options, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && cts.IsCancellationRequested)
        {
            HttpPhase phase = e is HttpCanceledException c ? c.Phase : HttpPhase.ReceiveHeaders;
            throw new TypedHttpException(HttpError.Timeout, phase,
                $"The WebSocket handshake timeout ({HttpConnection.FormatTimeout(timeout)}) expired while {HttpConnection.Describe(phase)} (WS-9).", e);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
        {
            // The .NET convention: the exception carries the caller's token, not the linked one.
            throw new HttpCanceledException("The WebSocket handshake was cancelled by the caller.", e, cancellationToken, e is HttpCanceledException c ? c.Phase : HttpPhase.ReceiveHeaders);
        }
    }

    /// <summary>
    /// The handshake's hops (WS-6, WS-7): per hop a request with the session's cookies and authorization on a dedicated
    /// connection (or the one a 401 came on, for the next authentication leg), then the answer: a 101 is validated and
    /// becomes the WebSocket; a 401 is answered; a 3xx is followed when asked; anything else fails.
    /// </summary>
    private async Task<WebSocket> HandshakeAsync(Uri target, WebSocketConnectOptions options, CancellationToken cancellationToken)
    {
        HttpSessionOptions o = Options;
        string key = WebSocketHandshake.CreateKey();
        // The caller's fields, as the engine's own copy: a redirect to another origin drops its secrets (R-11, R-12).
        var callerHeaders = new HttpHeaderCollection(options.Headers.Count);
        foreach (KeyValuePair<string, string> field in options.Headers)
        {
            callerHeaders.AddUnchecked(field.Key, field.Value);
        }
        bool callerAuthorization = callerHeaders.Contains("Authorization");
        bool callerCookie = callerHeaders.Contains("Cookie");
        Uri original = target;
        Uri uri = target;
        int redirects = 0;
        string? nextAuthorization = null;
        HttpAuthSchemes tried = HttpAuthSchemes.None;
        AuthSelection answered = default;
        DigestSession? digest = null;
        bool staleRetried = false;
        IConnectionAuthenticator? negotiator = null;
        string? bearer = null;
        bool bearerFetched = false, bearerRefreshed = false;
        HttpConnection? next = null;
        try
        {
            while (true)
            {
                var request = new TypedHttpRequest("GET", uri) { Version = HttpVersion.Version11, VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact };
                foreach (KeyValuePair<string, string> field in callerHeaders)
                {
                    request.Headers.AddUnchecked(field.Key, field.Value);
                }
                WebSocketHandshake.AddRequestFields(request.Headers, key, options);
                RequestPlan plan = Plan(request, out PoolKey poolKey, o);
                Uri? proxy = o.Proxy.Kind == ProxyKind.None ? null : o.Proxy.GetProxy(uri);
                if (proxy is not null)
                {
                    poolKey = poolKey with { ProxyHost = proxy.HostNameType == UriHostNameType.IPv6 ? proxy.DnsSafeHost : proxy.IdnHost, ProxyPort = proxy.Port };
                }
                string requestTarget = uri.PathAndQuery;

                // The bridge stage's outbound work (CK-1) and the follow-up stage's authorization (A-9f, bearer).
                var extra = new HttpHeaderCollection(2);
                if (o.UseCookies && !callerCookie && Cookies.GetCookieHeader(uri) is string cookie)
                {
                    extra.AddUnchecked("Cookie", cookie);
                }
                bool preAuthSent = false, bearerSent = false;
                if (!callerAuthorization)
                {
                    string? authorization = nextAuthorization;
                    nextAuthorization = null;
                    if (authorization is null && o.PreAuthenticate && tried == HttpAuthSchemes.None && ServerPreAuthentication.TryGet(uri, out PreAuthEntry entry))
                    {
                        authorization = entry.Scheme == HttpAuthSchemes.Basic
                            ? BasicAuthentication.GetHeaderValue(entry.Credentials)
                            : DigestAnswer(entry.Digest!, entry.Credentials, "GET", requestTarget, []);
                        preAuthSent = authorization is not null;
                    }
                    if (authorization is null && o.BearerTokenProvider is { } provider && RedirectDecider.SameOrigin(uri, original))
                    {
                        if (!bearerFetched)
                        {
                            bearerFetched = true;
                            bearer = CheckToken(await provider(request, cancellationToken).ConfigureAwait(false));
                        }
                        if (bearer is not null)
                        {
                            authorization = "Bearer " + bearer;
                            bearerSent = true;
                        }
                    }
                    if (authorization is not null)
                    {
                        extra.AddUnchecked("Authorization", authorization);
                    }
                }
                plan = plan with { ExtraHeaders = extra.Count > 0 ? extra : null, Upgrade = true, MayBindConnection = !callerAuthorization };

                HttpConnection connection = next ?? await OpenWebSocketConnectionAsync(GetPool(poolKey), cancellationToken).ConfigureAwait(false);
                next = null;
                TypedHttpResponse response = await connection.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
                if (o.UseCookies)
                {
                    Cookies.SetCookies(uri, response.Headers); // CK-1: from the 101, a 401 and a 3xx alike
                }
                int status = response.StatusCode;
                if (status == 101)
                {
                    if (answered.Credentials is not null && o.PreAuthenticate && answered.Scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest)
                    {
                        ServerPreAuthentication.Remember(uri, answered.Challenge.Realm ?? string.Empty, answered.Scheme, answered.Credentials, digest);
                    }
                    return await UpgradeAsync(connection, response, uri, key, options, cancellationToken).ConfigureAwait(false);
                }

                if (status == 401 && !callerAuthorization)
                {
                    // The follow-up stage's 401 rules (A-2, A-6, A-9), the legs on this connection (A-4).
                    List<AuthChallenge> challenges = AuthChallengeParser.Parse(response.Headers, "WWW-Authenticate");
                    if (preAuthSent)
                    {
                        ForgetPreAuthentication(ServerPreAuthentication, uri, challenges);
                    }
                    string? answer = null;
                    if (bearerSent && !bearerRefreshed && HasScheme(challenges, "Bearer"))
                    {
                        bearerRefreshed = true;
                        bearer = CheckToken(await o.BearerTokenProvider!(request, cancellationToken).ConfigureAwait(false));
                        answer = bearer is null ? null : "Bearer " + bearer;
                    }
                    else if (digest is not null && !staleRetried && digest.TryAcceptStale(challenges))
                    {
                        staleRetried = true;
                        answer = DigestAnswer(digest, answered.Credentials, "GET", requestTarget, []);
                    }
                    else if (negotiator is not null && FindToken(challenges, negotiator.SchemeName) is string token)
                    {
                        answer = NextLeg(negotiator, token);
                    }
                    else if (o.Credentials is { } credentials)
                    {
                        try
                        {
                            answer = SelectAndAnswer(challenges, uri, credentials, o.AllowedAuthSchemes, "GET", requestTarget, [],
                                ref tried, ref answered, ref digest, ref negotiator, proxyTarget: false);
                        }
                        catch (TypedHttpException)
                        {
                            Close(connection, response); // A-11: refused credentials end the handshake
                            throw;
                        }
                        staleRetried = false;
                    }
                    if (answer is not null)
                    {
                        await response.DisposeAsync().ConfigureAwait(false); // drained, so the connection can carry the next leg
                        next = connection.TakeHeld();
                        if (next is not null && !next.IsUsableWhenIdle(Environment.TickCount64, Timeout.InfiniteTimeSpan))
                        {
                            next.Abort(); // the server closed it: the next leg goes on a fresh connection
                            next = null;
                        }
                        if (next is not null)
                        {
                            next.IsReused = true;
                        }
                        nextAuthorization = answer;
                        continue;
                    }
                }

                if (options.FollowRedirects && RedirectDecider.IsRedirectStatus(status))
                {
                    RedirectDecision decision = RedirectDecider.Decide(status, "GET", uri, ToHttpLocation(response.Headers.GetValue("Location")), o.RedirectPolicy, redirects, o.MaxAutomaticRedirections);
                    if (decision.Action == RedirectAction.Fail)
                    {
                        Close(connection, response);
                        throw decision.ToException();
                    }
                    if (decision.Action == RedirectAction.Follow)
                    {
                        if (HttpTrace.IsEnabled(o))
                        {
                            Trace(HttpTraceEventKind.Redirect, $"Redirect {redirects + 1}: {status} GET {uri} -> GET {decision.Target} (WebSocket handshake, WS-7)");
                        }
                        Close(connection, response); // WS-1: each hop on a connection of its own
                        callerHeaders.Remove("Host"); // R-11: Host is rewritten on each hop
                        RedirectDecider.RemoveHeadersForNextHop(callerHeaders, decision, o.TrustedHostsSnapshot);
                        callerAuthorization = callerHeaders.Contains("Authorization");
                        callerCookie = callerHeaders.Contains("Cookie");
                        uri = decision.Target!;
                        redirects++;
                        tried = HttpAuthSchemes.None;
                        answered = default;
                        digest = null;
                        staleRetried = false;
                        negotiator?.Dispose();
                        negotiator = null;
                        continue;
                    }
                }

                throw await RefuseAsync(connection, response, uri, DescribeRefusal(response, options.FollowRedirects), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ProxyAuthenticationRequiredException e)
        {
            // A-6 for the tunnel: the proxy's final 407 (its body stays hidden, P-5).
            throw Refused(0, uri, e.Head.StatusCode, e.Head.Headers, ReadOnlyMemory<byte>.Empty,
                $"The proxy refused the WebSocket tunnel to {uri.GetLeftPart(UriPartial.Authority)}: {e.Head.StatusCode} {e.Head.ReasonPhrase}; no more schemes or credentials to answer it with (WS-6).");
        }
        finally
        {
            negotiator?.Dispose();
            next?.Abort();
        }
    }

    /// <summary>
    /// WS-1: a connection for the handshake alone: direct (TLS for wss, ALPN offering nothing but HTTP/1.1), or through
    /// the proxy's CONNECT tunnel for ws and wss alike (WS-6). It is announced to the observer (WS-10) and never pooled.
    /// </summary>
    private async ValueTask<HttpConnection> OpenWebSocketConnectionAsync(HttpConnectionPool pool, CancellationToken cancellationToken)
    {
        PoolKey key = pool.Key;
        ConnectionTransport transport;
        if (key.ViaProxy && !key.IsHttps)
        {
            HttpsProxyTunneler tunneler = Options.Proxy.Tunneler ?? throw new InvalidOperationException("The pool names a proxy but the session's ProxySettings has none.");
            transport = await tunneler.OpenPlainAsync(pool, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            transport = await HttpConnector.ConnectAsync(pool, ProtocolOffer.Http11Only, cancellationToken).ConfigureAwait(false);
        }
        var connection = new HttpConnection(pool, transport) { Detached = true };
        connection.Announce();
        return connection;
    }

    /// <summary>WS-3…WS-5, WS-8: validates the 101, then hands the connection to .NET's WebSocket.</summary>
    private async ValueTask<WebSocket> UpgradeAsync(HttpConnection connection, TypedHttpResponse response, Uri uri, string key, WebSocketConnectOptions options, CancellationToken cancellationToken)
    {
        if (WebSocketHandshake.Validate(response.Headers, key, options, out string? subProtocol, out WebSocketDeflateOptions? deflate) is string problem)
        {
            throw await RefuseAsync(connection, response, uri, $"The server answered the WebSocket handshake with 101 but {problem} (WS-3).", cancellationToken).ConfigureAwait(false);
        }
        UpgradedTransport transport = connection.DetachForUpgrade();
        var stream = new UpgradedStream(transport, Observer, Options);
        if (HttpTrace.IsEnabled(Options))
        {
            HttpTrace.Emit(Options, new HttpTraceEvent(HttpTraceEventKind.WebSocketUpgraded, transport.Id,
                $"WebSocket open to {uri.GetLeftPart(UriPartial.Path)}{(subProtocol is null ? "" : ", subprotocol " + subProtocol)}{(deflate is null ? "" : ", " + WebSocketHandshake.DeflateOffer(deflate))}")
            {
                RequestUri = uri,
                StatusCode = 101,
                Version = HttpVersion.Version11,
            });
        }
        try
        {
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = false,
                SubProtocol = subProtocol,
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveTimeout,
                DangerousDeflateOptions = deflate,
            });
        }
        catch
        {
            stream.Dispose(); // never a half-open connection
            throw;
        }
    }

    private static string DescribeRefusal(TypedHttpResponse response, bool followRedirects)
    {
        int status = response.StatusCode;
        string reason = response.ReasonPhrase.Length == 0 ? "" : " " + response.ReasonPhrase;
        if (RedirectDecider.IsRedirectStatus(status) || response.Headers.Contains("Location"))
        {
            string location = response.Headers.GetValue("Location") ?? "(none)";
            return followRedirects
                ? $"The server answered the WebSocket handshake with {status}{reason} (Location: {location}), a redirect the session's RedirectPolicy does not follow (WS-7)."
                : $"The server answered the WebSocket handshake with {status}{reason} (Location: {location}) instead of 101; redirects are followed only with WebSocketConnectOptions.FollowRedirects (WS-7).";
        }
        return $"The server answered the WebSocket handshake with {status}{reason} instead of 101 Switching Protocols (WS-3).";
    }

    /// <summary>
    /// WS-3: reads the first bytes of the refusing answer's body (at most <see cref="HandshakeBodyPrefixLimit"/>, under the
    /// session's receive timeout), closes the connection and builds the failure.
    /// </summary>
    private async ValueTask<TypedHttpException> RefuseAsync(HttpConnection connection, TypedHttpResponse response, Uri uri, string message, CancellationToken cancellationToken)
    {
        byte[] prefix = new byte[HandshakeBodyPrefixLimit];
        int filled = 0;
        try
        {
            while (filled < prefix.Length)
            {
                int n = await response.Body.ReadAsync(prefix.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                filled += n;
            }
        }
        catch (Exception e) when (e is TypedHttpException or IOException)
        {
            // A body that fails (cut short, timed out) keeps what arrived; the failure is the refusal, not the body.
        }
        Close(connection, response);
        return Refused(connection.Id, uri, response.StatusCode, response.Headers, prefix.AsMemory(0, filled), message);
    }

    private TypedHttpException Refused(long connectionId, Uri uri, int status, HttpHeaderCollection headers, ReadOnlyMemory<byte> body, string message)
    {
        if (HttpTrace.IsEnabled(Options))
        {
            HttpTrace.Emit(Options, new HttpTraceEvent(HttpTraceEventKind.WebSocketHandshakeFailed, connectionId, message) { RequestUri = uri, StatusCode = status });
        }
        return new TypedHttpException(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders, message)
        {
            StatusCode = status,
            ResponseHeaders = headers,
            ResponseBodyPrefix = body,
        };
    }

    /// <summary>Closes a handshake connection whose answer is not used: never drained into the pool (WS-1).</summary>
    private static void Close(HttpConnection connection, TypedHttpResponse response)
    {
        response.Dispose();
        connection.Abort();
    }
}
