using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>WebSocket on the engine (docs/engine.md, "WebSocket"; WS-1…WS-21).</summary>
public sealed partial class HttpSession
{
    /// <summary>The most of a refused handshake's body kept on the failure (<see cref="TypedHttpException.ResponseBodyPrefix"/>).</summary>
    private const int HandshakeBodyPrefixLimit = 1024;

    /// <summary>
    /// Opens a WebSocket (RFC 6455) to <paramref name="uri"/> through this session: the HTTP/1.1 upgrade handshake on a
    /// connection of its own, or, when <see cref="WebSocketConnectOptions.HttpVersion"/> and
    /// <see cref="WebSocketConnectOptions.HttpVersionPolicy"/> allow HTTP/2 and the server takes it, an extended CONNECT
    /// stream on the session's HTTP/2 connection to that origin (RFC 8441, WS-18); with the session's proxy, TLS
    /// settings, credentials, cookies, timeouts and trace; then .NET's WebSocket over that connection or stream.
    /// </summary>
    /// <param name="uri">A <c>ws://</c> or <c>wss://</c> URI (<c>http://</c> and <c>https://</c> are taken as the same, WS-1).</param>
    /// <param name="options">Subprotocols, extra headers, compression, keep-alive, the handshake timeout and whether
    /// redirects are followed; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake; once the WebSocket is returned it has no effect.</param>
    /// <returns>The open WebSocket; <see cref="WebSocket.SubProtocol"/> is the subprotocol the server chose, or null.
    /// Disposing or aborting it, or finishing its close handshake, closes the connection (WS-8) or ends the HTTP/2
    /// stream (WS-18); a receive that fails (a protocol error of the server, a broken connection) aborts it (WS-20).</returns>
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
    /// failures are those of <see cref="SendAsync"/>; a version policy that demands HTTP/2 from a server that does not
    /// offer extended CONNECT is <see cref="HttpError.VersionNotAvailable"/> (WS-18). Cancelling the token throws
    /// <see cref="OperationCanceledException"/>.
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
        string absolute = uri.AbsoluteUri;
        if (uri.Fragment.Length == 0 && absolute.StartsWith(scheme + "://", StringComparison.Ordinal))
        {
            // ws://… is http://…, wss://… is https://…: the same text after the scheme, without a UriBuilder round trip.
            return new Uri(string.Concat(scheme == "ws" ? "http" : "https", absolute.AsSpan(scheme.Length)));
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
        ProtocolOffer offer = WebSocketOffer(options, uri, o);
        int http2Retries = 0;
        try
        {
            while (true)
            {
                // WS-18: HTTP/2 when the options allow it, the origin is not known to speak only HTTP/1.1 and no
                // connection-bound login is under way (NTLM and Negotiate go over HTTP/1.1, H2-15).
                Http2Connection? h2 = null;
                RequestPlan plan;
                PoolKey poolKey;
                TypedHttpRequest request;
                if (next is null && negotiator is null && offer.Http2 && EngineFeatures.IsHttp2Supported)
                {
                    h2 = await GetWebSocketHttp2ConnectionAsync(GetPool(WebSocketPoolKey(uri, o)), offer, cancellationToken).ConfigureAwait(false);
                }
                if (h2 is not null)
                {
                    request = new TypedHttpRequest("CONNECT", uri) { Version = HttpVersion.Version20, VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact };
                    foreach (KeyValuePair<string, string> field in callerHeaders)
                    {
                        request.Headers.AddUnchecked(field.Key, field.Value);
                    }
                    WebSocketHandshake.AddHttp2RequestFields(request.Headers, options);
                }
                else
                {
                    request = new TypedHttpRequest("GET", uri) { Version = HttpVersion.Version11, VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact };
                    foreach (KeyValuePair<string, string> field in callerHeaders)
                    {
                        request.Headers.AddUnchecked(field.Key, field.Value);
                    }
                    WebSocketHandshake.AddRequestFields(request.Headers, key, options);
                }
                plan = Plan(request, out _, o);
                poolKey = WebSocketPoolKey(uri, o);
                string requestTarget = uri.PathAndQuery;
                string authMethod = h2 is null ? "GET" : "CONNECT";

                // The bridge stage's outbound work (CK-1) and the follow-up stage's authorization (A-9f, bearer).
                HttpHeaderCollection? extra = null;
                if (o.UseCookies && !callerCookie && Cookies.GetCookieHeader(uri) is string cookie)
                {
                    (extra ??= new HttpHeaderCollection(2)).AddUnchecked("Cookie", cookie);
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
                            : DigestAnswer(entry.Digest!, entry.Credentials, authMethod, requestTarget, []);
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
                        (extra ??= new HttpHeaderCollection(1)).AddUnchecked("Authorization", authorization);
                    }
                }
                plan = plan with { ExtraHeaders = extra, Upgrade = h2 is null, MayBindConnection = h2 is null && !callerAuthorization };

                HttpConnection? connection = null;
                TypedHttpResponse response;
                if (h2 is not null)
                {
                    try
                    {
                        response = await h2.SendExtendedConnectAsync(request, plan, "websocket", cancellationToken).ConfigureAwait(false);
                    }
                    catch (Http2RetryException e)
                    {
                        // H2-11: the server never processed the CONNECT: it goes again (over HTTP/1.1 when the server asked for it).
                        if (e.Http11Required)
                        {
                            GetPool(poolKey).RequireHttp11();
                        }
                        if (++http2Retries > 5 || (e.Http11Required && !offer.Http11))
                        {
                            throw new TypedHttpException(e.Http11Required ? HttpError.VersionNotAvailable : HttpError.ConnectionError, HttpPhase.Send,
                                $"{e.Message} The WebSocket's extended CONNECT could not be sent (WS-18, H2-11).", e);
                        }
                        continue;
                    }
                }
                else
                {
                    connection = next ?? await OpenWebSocketConnectionAsync(GetPool(poolKey), cancellationToken).ConfigureAwait(false);
                    next = null;
                    response = await connection.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
                }
                long connectionId = connection?.Id ?? h2!.Id;
                if (o.UseCookies)
                {
                    Cookies.SetCookies(uri, response.Headers); // CK-1: from the 101, a 401 and a 3xx alike
                }
                int status = response.StatusCode;
                if (h2 is null ? status == 101 : status is >= 200 and <= 299)
                {
                    if (answered.Credentials is not null && o.PreAuthenticate && answered.Scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest)
                    {
                        ServerPreAuthentication.Remember(uri, answered.Challenge.Realm ?? string.Empty, answered.Scheme, answered.Credentials, digest);
                    }
                    return connection is not null
                        ? await UpgradeAsync(connection, response, uri, key, options, cancellationToken).ConfigureAwait(false)
                        : await UpgradeHttp2Async(h2!, response, uri, options, cancellationToken).ConfigureAwait(false);
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
                        answer = DigestAnswer(digest, answered.Credentials, authMethod, requestTarget, []);
                    }
                    else if (negotiator is not null && FindToken(challenges, negotiator.SchemeName) is string token)
                    {
                        answer = NextLeg(negotiator, token);
                    }
                    else if (o.Credentials is { } credentials)
                    {
                        try
                        {
                            answer = SelectAndAnswer(challenges, uri, credentials, o.AllowedAuthSchemes, authMethod, requestTarget, [],
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
                        if (connection is not null)
                        {
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
                        }
                        else if (negotiator is not null)
                        {
                            // H2-15: a connection-bound login moves the handshake to HTTP/1.1.
                            if (!offer.Http11)
                            {
                                throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.ReceiveHeaders,
                                    $"The server asked for {negotiator.SchemeName}, which authenticates an HTTP/1.1 connection, and the WebSocket's version policy demands HTTP/2 (H2-15, WS-18).");
                            }
                            offer = ProtocolOffer.Http11Only;
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
                        offer = WebSocketOffer(options, uri, o);
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

                throw await RefuseAsync(connection, connectionId, response, uri, DescribeRefusal(response, options.FollowRedirects, h2 is not null), cancellationToken).ConfigureAwait(false);
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
            throw await RefuseAsync(connection, connection.Id, response, uri, $"The server answered the WebSocket handshake with 101 but {problem} (WS-3).", cancellationToken).ConfigureAwait(false);
        }
        UpgradedTransport transport = connection.DetachForUpgrade();
        var stream = new UpgradedStream(transport, Observer, Options);
        TraceUpgraded(transport.Id, uri, 101, HttpVersion.Version11, null, subProtocol, deflate);
        try
        {
            return new EngineWebSocket(WebSocket.CreateFromStream(stream, CreationOptions(options, subProtocol, deflate)));
        }
        catch
        {
            stream.Dispose(); // never a half-open connection
            throw;
        }
    }

    /// <summary>WS-18: validates the 2xx answer to an extended CONNECT, then hands the stream to .NET's WebSocket.</summary>
    private async ValueTask<WebSocket> UpgradeHttp2Async(Http2Connection connection, TypedHttpResponse response, Uri uri, WebSocketConnectOptions options, CancellationToken cancellationToken)
    {
        if (WebSocketHandshake.ValidateNegotiation(response.Headers, options, out string? subProtocol, out WebSocketDeflateOptions? deflate) is string problem)
        {
            throw await RefuseAsync(null, connection.Id, response, uri, $"The server answered the WebSocket's extended CONNECT with {response.StatusCode} but {problem} (WS-18).", cancellationToken).ConfigureAwait(false);
        }
        var tunnel = (Http2TunnelStream)response.Body;
        TraceUpgraded(connection.Id, uri, response.StatusCode, HttpVersion.Version20, tunnel.StreamId, subProtocol, deflate);
        try
        {
            var socket = WebSocket.CreateFromStream(tunnel, CreationOptions(options, subProtocol, deflate));
            tunnel.Owner = socket;
            return new EngineWebSocket(socket);
        }
        catch
        {
            tunnel.Dispose(); // the stream is reset, never left open
            throw;
        }
    }

    private static WebSocketCreationOptions CreationOptions(WebSocketConnectOptions options, string? subProtocol, WebSocketDeflateOptions? deflate) => new()
    {
        IsServer = false,
        SubProtocol = subProtocol,
        KeepAliveInterval = options.KeepAliveInterval,
        KeepAliveTimeout = options.KeepAliveTimeout,
        DangerousDeflateOptions = deflate,
    };

    /// <summary>WS-10: the WebSocketUpgraded event, naming the WebSocket by its ws or wss URI (WS-21).</summary>
    private void TraceUpgraded(long connectionId, Uri uri, int status, Version version, int? streamId, string? subProtocol, WebSocketDeflateOptions? deflate)
    {
        if (!HttpTrace.IsEnabled(Options))
        {
            return;
        }
        Uri ws = ToWebSocketUri(uri);
        HttpTrace.Emit(Options, new HttpTraceEvent(HttpTraceEventKind.WebSocketUpgraded, connectionId,
            $"WebSocket open to {ws.GetLeftPart(UriPartial.Path)}{(streamId is int id ? $" on HTTP/2 stream {id}" : "")}{(subProtocol is null ? "" : ", subprotocol " + subProtocol)}{(deflate is null ? "" : ", " + WebSocketHandshake.DeflateOffer(deflate))}")
        {
            RequestUri = ws,
            StatusCode = status,
            Version = version,
            StreamId = streamId ?? 0,
        });
    }

    /// <summary>WS-21: http becomes ws and https wss, for what the trace shows of an open WebSocket.</summary>
    internal static Uri ToWebSocketUri(Uri uri)
    {
        if (uri.Scheme is not ("http" or "https"))
        {
            return uri;
        }
        var builder = new UriBuilder(uri) { Scheme = uri.Scheme == "http" ? "ws" : "wss" };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    /// <summary>
    /// WS-18: the protocols the handshake may use, from <see cref="WebSocketConnectOptions.HttpVersion"/> and
    /// <see cref="WebSocketConnectOptions.HttpVersionPolicy"/> by the rules of requests (H2-1): HTTP/2 over TLS by ALPN,
    /// h2c by prior knowledge only when HTTP/1.1 is not allowed; through a proxy, plain ws is HTTP/1.1 (H2-9).
    /// </summary>
    private static ProtocolOffer WebSocketOffer(WebSocketConnectOptions options, Uri uri, HttpSessionOptions o)
    {
        bool https = uri.Scheme == Uri.UriSchemeHttps;
        ProtocolOffer offer = ChooseProtocols(options.HttpVersion, options.HttpVersionPolicy, https, out _);
        if (offer.Http2 && !https && o.Proxy.Kind != ProxyKind.None && o.Proxy.GetProxy(uri) is not null)
        {
            if (!offer.Http11)
            {
                throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Request,
                    $"HTTP/2 with prior knowledge is not spoken through a proxy; a ws:// WebSocket through a proxy is HTTP/1.1 (H2-9, WS-18).");
            }
            offer = ProtocolOffer.Http11Only;
        }
        return offer;
    }

    /// <summary>The pool of <paramref name="uri"/>'s origin (and the session's proxy for it), the one its requests use.</summary>
    private static PoolKey WebSocketPoolKey(Uri uri, HttpSessionOptions o)
    {
        bool https = uri.Scheme == Uri.UriSchemeHttps;
        string host = uri.HostNameType == UriHostNameType.IPv6 ? StripZoneEscapes(uri.DnsSafeHost) : uri.IdnHost;
        var key = new PoolKey(https, host, uri.Port);
        Uri? proxy = o.Proxy.Kind == ProxyKind.None ? null : o.Proxy.GetProxy(uri);
        if (proxy is not null)
        {
            key = key with { ProxyHost = proxy.HostNameType == UriHostNameType.IPv6 ? proxy.DnsSafeHost : proxy.IdnHost, ProxyPort = proxy.Port };
        }
        return key;
    }

    /// <summary>
    /// WS-18: an HTTP/2 connection to the origin with a stream slot reserved, when the server's SETTINGS allow
    /// extended CONNECT; null when the handshake goes over HTTP/1.1 instead (the server chose http/1.1 by ALPN, or
    /// sent no SETTINGS_ENABLE_CONNECT_PROTOCOL), or <see cref="HttpError.VersionNotAvailable"/> when the policy demands HTTP/2.
    /// </summary>
    private async ValueTask<Http2Connection?> GetWebSocketHttp2ConnectionAsync(HttpConnectionPool pool, ProtocolOffer offer, CancellationToken cancellationToken)
    {
        Http2Connection? connection = await pool.GetHttp2ConnectionForWebSocketAsync(offer, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            if (!offer.Http11)
            {
                throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Connect,
                    $"{pool.Key.Host}:{pool.Key.Port} did not agree to HTTP/2 (ALPN) and the WebSocket's version policy requires it (WS-18).");
            }
            return null;
        }
        if (await connection.SupportsExtendedConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return connection;
        }
        connection.ReleaseStreamSlot(null);
        if (!offer.Http11)
        {
            throw new TypedHttpException(HttpError.VersionNotAvailable, HttpPhase.Connect,
                $"{pool.Key.Host}:{pool.Key.Port} speaks HTTP/2 but its SETTINGS do not allow extended CONNECT (no SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441 §3), so a WebSocket cannot go over HTTP/2, and the version policy requires it (WS-18).");
        }
        if (HttpTrace.IsEnabled(Options))
        {
            HttpTrace.Emit(Options, HttpTraceEventKind.Connected, connection.Id, "The server's HTTP/2 SETTINGS do not allow extended CONNECT (RFC 8441): the WebSocket handshake goes over HTTP/1.1 (WS-18)");
        }
        return null;
    }

    private static string DescribeRefusal(TypedHttpResponse response, bool followRedirects, bool http2)
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
        return http2
            ? $"The server answered the WebSocket's extended CONNECT with {status}{reason} instead of 200 (RFC 8441 §5, WS-18)."
            : $"The server answered the WebSocket handshake with {status}{reason} instead of 101 Switching Protocols (WS-3).";
    }

    /// <summary>
    /// WS-3: reads the first bytes of the refusing answer's body (at most <see cref="HandshakeBodyPrefixLimit"/>, under the
    /// session's receive timeout), closes the connection and builds the failure.
    /// </summary>
    private async ValueTask<TypedHttpException> RefuseAsync(HttpConnection? connection, long connectionId, TypedHttpResponse response, Uri uri, string message, CancellationToken cancellationToken)
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
        return Refused(connectionId, uri, response.StatusCode, response.Headers, prefix.AsMemory(0, filled), message);
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

    /// <summary>
    /// Closes a handshake connection whose answer is not used: never drained into the pool (WS-1); over HTTP/2 only the
    /// stream ends (reset when unfinished), the connection goes on (WS-18).
    /// </summary>
    private static void Close(HttpConnection? connection, TypedHttpResponse response)
    {
        response.Dispose();
        connection?.Abort();
    }
}
