using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// The follow-up and bridge stages (docs/engine.md, "Stages"): per hop the bridge adds the session's cookies,
/// the authorization it has and Accept-Encoding, then records Set-Cookie; the follow-up stage answers 401/407
/// challenges, follows redirects under the policy, and finally decodes the body.
/// </summary>
public sealed partial class HttpSession
{
    /// <summary>Pre-authentication for origins (A-9f): Basic or Digest answers that worked before.</summary>
    internal PreAuthenticationCache ServerPreAuthentication { get; } = new();

    /// <summary>Pre-authentication for proxies (A-9f, A-9e), keyed by the proxy's URI.</summary>
    internal PreAuthenticationCache ProxyPreAuthentication { get; } = new();

    /// <summary>Sends a request through the bridge, connect, exchange and follow-up stages (redirects, auth, cookies, proxies, decompression).</summary>
    /// <param name="request">The caller's request.</param>
    /// <param name="plan">Its plan.</param>
    /// <param name="key">Its pool key.</param>
    /// <param name="firstResponse">The response to the first hop when the direct path already sent it, or null to send it here.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TypedHttpResponse> SendThroughStagesAsync(TypedHttpRequest request, RequestPlan plan, PoolKey key, TypedHttpResponse? firstResponse, CancellationToken cancellationToken)
    {
        HttpSessionOptions o = Options;
        RedirectPolicy policy = request.RedirectPolicy ?? o.RedirectPolicy;
        Uri original = request.Uri;
        TypedHttpRequest hop = request;
        int redirects = 0;

        // Follow-up state of the current hop (reset when a redirect is followed).
        string? nextAuthorization = null, nextProxyAuthorization = null;
        HttpAuthSchemes serverTried = HttpAuthSchemes.None, proxyTried = HttpAuthSchemes.None;
        AuthSelection serverAnswered = default, proxyAnswered = default;
        DigestSession? serverDigest = null, proxyDigest = null;
        bool serverStaleRetried = false, proxyStaleRetried = false, preAuthSent = false;
        IConnectionAuthenticator? negotiator = null;
        // A-4: the connection of a 401 held for the request (held), and the one taken for the next leg (pinned).
        HttpConnection? held = null, pinned = null;
        bool handshakeRestarted = false;
        // Bearer: fetched once per request, refreshed once after a 401 with a Bearer challenge.
        string? bearer = null;
        bool bearerFetched = false, bearerRefreshed = false;
        // A follow-up round trip under way, reported to the observer when its response head arrives or it fails.
        object? followUpState = null;
        bool followUpActive = false;
        IHttpSessionObserver observer = Observer;

        try
        {
            while (true)
            {
                Uri uri = hop.Uri;
                HttpHeaderCollection callerHeaders = hop.Headers;
                bool https = key.IsHttps;

                // Connect stage input: the proxy for this hop (P-4: chosen per request URI).
                Uri? proxy = o.Proxy.Kind == ProxyKind.None ? null : o.Proxy.GetProxy(uri);
                if (proxy is not null)
                {
                    key = key with { ProxyHost = proxy.HostNameType == UriHostNameType.IPv6 ? proxy.DnsSafeHost : proxy.IdnHost, ProxyPort = proxy.Port };
                }
                string? absoluteTarget = proxy is not null && !https ? ProxyRequestHead.GetAbsoluteFormTarget(uri) : null;
                string requestTarget = absoluteTarget ?? uri.PathAndQuery;

                // Bridge stage, outbound.
                HttpHeaderCollection? extra = null;
                if (o.UseCookies && !callerHeaders.Contains("Cookie"))
                {
                    // CK-1, R-13: the Cookie header is rebuilt from the store for each hop's URI.
                    string? cookie = Cookies.GetCookieHeader(uri);
                    if (cookie is not null)
                    {
                        (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Cookie", cookie);
                    }
                }
                bool callerAuthorization = callerHeaders.Contains("Authorization");
                bool bearerSent = false;
                preAuthSent = false;
                if (!callerAuthorization)
                {
                    string? authorization = nextAuthorization;
                    nextAuthorization = null;
                    if (authorization is null && o.PreAuthenticate && serverTried == HttpAuthSchemes.None
                        && ServerPreAuthentication.TryGet(uri, out PreAuthEntry entry))
                    {
                        // A-9f: send what worked for this origin and protection space before.
                        if (entry.Scheme == HttpAuthSchemes.Basic)
                        {
                            authorization = BasicAuthentication.GetHeaderValue(entry.Credentials);
                        }
                        else
                        {
                            byte[]? body = entry.Digest!.Challenge.Qop == DigestQop.AuthInt ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
                            authorization = DigestAnswer(entry.Digest, entry.Credentials, hop.Method, requestTarget, body);
                        }
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
                        (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Authorization", authorization);
                    }
                }
                bool callerProxyAuthorization = callerHeaders.Contains("Proxy-Authorization");
                if (absoluteTarget is not null && !callerProxyAuthorization)
                {
                    string? proxyAuthorization = nextProxyAuthorization
                        ?? (o.PreAuthenticate && proxyTried == HttpAuthSchemes.None ? ProxyPreAuthentication.GetHeaderValue(proxy!, hop.Method, absoluteTarget) : null);
                    nextProxyAuthorization = null;
                    if (proxyAuthorization is not null)
                    {
                        (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Proxy-Authorization", proxyAuthorization);
                    }
                }
                if (o.Decoder is { } acceptor)
                {
                    // T-7, HD-4: our Accept-Encoding replaces the caller's.
                    (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Accept-Encoding", acceptor.AcceptEncoding);
                }
                // A-4: a 401 may start or continue an NTLM/Negotiate handshake: keep its connection for the next leg.
                bool holdOnChallenge = !callerAuthorization
                    && (negotiator is not null || (o.Credentials is not null && (o.AllowedAuthSchemes & (HttpAuthSchemes.Ntlm | HttpAuthSchemes.Negotiate)) != 0));
                if (extra is not null || absoluteTarget is not null || holdOnChallenge)
                {
                    plan = plan with { ExtraHeaders = extra, AbsoluteTarget = absoluteTarget, ReplaceAcceptEncoding = o.AutomaticDecompression, HoldOnChallenge = holdOnChallenge };
                }

                // Connect and Exchange stages.
                TypedHttpResponse response;
                try
                {
                    TypedHttpResponse? onPinned = null;
                    if (pinned is not null)
                    {
                        HttpConnection leg = pinned;
                        pinned = null;
                        onPinned = await SendOnPinnedAsync(leg, hop, plan, cancellationToken).ConfigureAwait(false);
                        if (onPinned is null && !handshakeRestarted && negotiator is not null && RestartHandshake(ref negotiator, serverAnswered, uri) is string first)
                        {
                            // The handshake's connection closed between legs: start over on a fresh one, once.
                            handshakeRestarted = true;
                            nextAuthorization = first;
                            continue;
                        }
                    }
                    response = onPinned ?? firstResponse ?? await SendCoreAsync(GetPool(key), hop, plan, cancellationToken).ConfigureAwait(false);
                    firstResponse = null;
                    held = response.HeldConnection;
                    response.HeldConnection = null;
                }
                catch (ProxyAuthenticationRequiredException e)
                {
                    // A-6 for a CONNECT: the final 407 is the answer; its body stays hidden (P-5).
                    var refused = new TypedHttpResponse(e.Head.StatusCode, e.Head.ReasonPhrase, e.Head.Version, e.Head.Headers, Stream.Null, uri) { RedirectCount = redirects };
                    if (followUpActive)
                    {
                        followUpActive = false;
                        observer.FollowUpCompleted(followUpState, refused, null);
                    }
                    return refused;
                }
                if (followUpActive)
                {
                    followUpActive = false;
                    observer.FollowUpCompleted(followUpState, response, null);
                }

                // Bridge stage, inbound: Set-Cookie from every response, 3xx and 401 included (CK-1, R-13); CK-3 when off.
                if (o.UseCookies)
                {
                    Cookies.SetCookies(uri, response.Headers);
                }
                int status = response.StatusCode;
                bool canResend = hop.Content is null || hop.Content.IsReplayable;

                // Follow-up stage: 401 (A-2, A-6, A-9).
                bool startsHandshake = false, continuesHandshake = false;
                if (status == 401 && !callerAuthorization && canResend)
                {
                    List<AuthChallenge> challenges = AuthChallengeParser.Parse(response.Headers, "WWW-Authenticate");
                    byte[]? authIntBody = OffersOnlyAuthInt(challenges) ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
                    if (preAuthSent)
                    {
                        // The cached answer no longer works: forget it, then answer the challenge normally.
                        ForgetPreAuthentication(ServerPreAuthentication, uri, challenges);
                    }
                    string? answer = null;
                    if (bearerSent && !bearerRefreshed && HasScheme(challenges, "Bearer"))
                    {
                        bearerRefreshed = true;
                        if (HttpTrace.IsEnabled(o))
                        {
                            Trace(HttpTraceEventKind.Authenticating, $"401 with a Bearer challenge from {Origin(uri)}: asking the token provider once more");
                        }
                        bearer = CheckToken(await o.BearerTokenProvider!(request, cancellationToken).ConfigureAwait(false));
                        answer = bearer is null ? null : "Bearer " + bearer;
                    }
                    else if (serverDigest is not null && !serverStaleRetried && serverDigest.TryAcceptStale(challenges))
                    {
                        // RFC 7616 §3.3: stale=true means the nonce expired, not the credentials: retry once with the new one.
                        serverStaleRetried = true;
                        answer = DigestAnswer(serverDigest, serverAnswered.Credentials, hop.Method, requestTarget, authIntBody);
                        if (HttpTrace.IsEnabled(o))
                        {
                            Trace(HttpTraceEventKind.Authenticating, $"401 stale=true from {Origin(uri)}: Digest again with the fresh nonce");
                        }
                    }
                    else if (negotiator is not null && FindToken(challenges, negotiator.SchemeName) is string token)
                    {
                        answer = NextLeg(negotiator, token);
                        continuesHandshake = answer is not null;
                    }
                    else if (o.Credentials is { } credentials)
                    {
                        answer = SelectAndAnswer(challenges, uri, credentials, o.AllowedAuthSchemes, hop.Method, requestTarget, authIntBody,
                            ref serverTried, ref serverAnswered, ref serverDigest, ref negotiator, proxyTarget: false);
                        serverStaleRetried = false;
                        startsHandshake = answer is not null && serverAnswered.Scheme is HttpAuthSchemes.Ntlm or HttpAuthSchemes.Negotiate;
                    }
                    if (answer is not null && startsHandshake && response.Version.Major >= 2)
                    {
                        // H2-15: NTLM and Negotiate authenticate a connection, which HTTP/2 multiplexes: the handshake,
                        // and this origin's later requests, go over HTTP/1.1 (as WinHTTP and SocketsHttpHandler do).
                        if (plan.Offer.Http11)
                        {
                            GetPool(key).RequireHttp11();
                            plan = plan with { Offer = ProtocolOffer.Http11Only };
                            if (HttpTrace.IsEnabled(o))
                            {
                                Trace(HttpTraceEventKind.Authenticating, $"{AuthChallenge.SchemeName(serverAnswered.Scheme)} from {Origin(uri)} needs one connection for the whole handshake: sending it over HTTP/1.1 (H2-15)");
                            }
                        }
                        else
                        {
                            negotiator?.Dispose();
                            negotiator = null;
                            answer = null; // the request insists on HTTP/2: the 401 is the answer (A-6)
                        }
                    }
                    if (answer is not null)
                    {
                        HttpConnection? challenged = held;
                        held = null;
                        if (!(startsHandshake || continuesHandshake))
                        {
                            challenged?.Unhold();
                        }
                        await response.DisposeAsync().ConfigureAwait(false); // R-14/T-6: drain so the connection can be reused
                        if (startsHandshake || continuesHandshake)
                        {
                            // A-4: the next leg goes on this 401's connection, never through the pool.
                            pinned = challenged?.TakeHeld();
                            if (pinned is null && continuesHandshake && !handshakeRestarted
                                && RestartHandshake(ref negotiator, serverAnswered, uri) is string first)
                            {
                                // The server closed the handshake's connection: the context is lost, start over once.
                                handshakeRestarted = true;
                                answer = first;
                            }
                        }
                        nextAuthorization = answer;
                        hop = CopyForFollowUp(hop);
                        followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.ServerAuth);
                        followUpActive = true;
                        continue;
                    }
                }
                // 407 from a proxy on a plain http request (P-5, A-9e).
                else if (status == 407 && absoluteTarget is not null && !callerProxyAuthorization && canResend)
                {
                    List<AuthChallenge> challenges = AuthChallengeParser.Parse(response.Headers, "Proxy-Authenticate");
                    byte[]? authIntBody = OffersOnlyAuthInt(challenges) ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
                    string? answer = null;
                    if (proxyDigest is not null && !proxyStaleRetried && proxyDigest.TryAcceptStale(challenges))
                    {
                        proxyStaleRetried = true;
                        answer = DigestAnswer(proxyDigest, proxyAnswered.Credentials, hop.Method, requestTarget, authIntBody);
                    }
                    else if (o.Proxy.GetProxyCredentials(uri) is { } proxyCredentials)
                    {
                        ForgetPreAuthentication(ProxyPreAuthentication, proxy!, challenges);
                        var cache = new HttpCredentialCache();
                        cache.Add(proxy!, proxyCredentials);
                        IConnectionAuthenticator? unused = null;
                        answer = SelectAndAnswer(challenges, proxy!, cache, o.AllowedAuthSchemes & (HttpAuthSchemes.Basic | HttpAuthSchemes.Digest), hop.Method, requestTarget, authIntBody,
                            ref proxyTried, ref proxyAnswered, ref proxyDigest, ref unused, proxyTarget: true);
                    }
                    if (answer is not null)
                    {
                        await response.DisposeAsync().ConfigureAwait(false);
                        nextProxyAuthorization = answer;
                        hop = CopyForFollowUp(hop);
                        followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.ProxyAuth);
                        followUpActive = true;
                        continue;
                    }
                }

                // Not answered with a handshake leg: the held connection goes back to the pool as usual.
                held?.Unhold();
                held = null;

                // A-9f: remember what worked, for the next requests to this origin (or proxy).
                if (status is not 401 and not 407 && o.PreAuthenticate)
                {
                    if (serverAnswered.Credentials is not null && serverAnswered.Scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest)
                    {
                        ServerPreAuthentication.Remember(uri, serverAnswered.Challenge.Realm ?? string.Empty, serverAnswered.Scheme, serverAnswered.Credentials, serverDigest);
                    }
                    if (proxyAnswered.Credentials is not null && proxy is not null)
                    {
                        ProxyPreAuthentication.Remember(proxy, proxyAnswered.Challenge.Realm ?? string.Empty, proxyAnswered.Scheme, proxyAnswered.Credentials, proxyDigest);
                    }
                }

                // Follow-up stage: redirects (R-1…R-14).
                RedirectDecision decision = RedirectDecider.IsRedirectStatus(status)
                    ? RedirectDecider.Decide(status, hop.Method, uri, response.Headers.GetValue("Location"), policy, redirects, o.MaxAutomaticRedirections)
                    : RedirectDecision.NotARedirect;
                if (decision.Action == RedirectAction.Fail)
                {
                    await response.DisposeAsync().ConfigureAwait(false);
                    if (HttpTrace.IsEnabled(o))
                    {
                        Trace(HttpTraceEventKind.Failed, $"Redirect {status} from {uri}: {decision.Message}");
                    }
                    throw decision.ToException();
                }
                if (decision.Action == RedirectAction.Follow && !(decision.KeepBody && hop.Content is { IsReplayable: false }))
                {
                    Uri target = decision.Target!;
                    if (HttpTrace.IsEnabled(o))
                    {
                        Trace(HttpTraceEventKind.Redirect, $"Redirect {redirects + 1}: {status} {hop.Method} {uri} -> {decision.Method} {target}{(decision.OriginChanged ? " (another origin)" : "")}");
                    }
                    await response.DisposeAsync().ConfigureAwait(false); // R-14: drain within MaxResponseDrainSize, then reuse
                    var next = new TypedHttpRequest(decision.Method!, target)
                    {
                        Version = hop.Version,
                        VersionPolicy = hop.VersionPolicy,
                        Content = decision.KeepBody ? hop.Content : null, // R-2, OM-8: 307/308 replay the body
                        RedirectPolicy = hop.RedirectPolicy,
                    };
                    foreach (var field in callerHeaders)
                    {
                        if (!field.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
                        {
                            next.Headers.AddUnchecked(field.Key, field.Value); // R-11: Host is rewritten on each hop
                        }
                    }
                    // Caller-set Authorization, Proxy-Authorization and Cookie stay on the same origin only, unless trusted.
                    RedirectDecider.RemoveHeadersForNextHop(next.Headers, decision, o.TrustedHostsSnapshot);
                    hop = next;
                    redirects++;
                    plan = Plan(hop, out key, o);
                    nextAuthorization = nextProxyAuthorization = null;
                    serverTried = proxyTried = HttpAuthSchemes.None;
                    serverAnswered = proxyAnswered = default;
                    serverDigest = proxyDigest = null;
                    serverStaleRetried = proxyStaleRetried = false;
                    negotiator?.Dispose();
                    negotiator = null;
                    followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.Redirect);
                    followUpActive = true;
                    continue;
                }

                // The answer: R-3 Never, R-4 https->http, a non-replayable 307/308 body, or not a redirect.
                response.RequestUri = uri;
                response.RedirectCount = redirects;
                if (o.Decoder is { } decoder && hop.Method != "HEAD" && status is not (204 or 304)
                    && decoder.TryDecode(response.Headers, response.Body, o.DecompressionLimits, out Stream decoded)
                    && !ReferenceEquals(decoded, response.Body))
                {
                    response.Body = decoded; // T-7: Content-Encoding and Content-Length removed
                }
                return response;
            }
        }
        catch (Exception e) when (followUpActive)
        {
            followUpActive = false;
            observer.FollowUpCompleted(followUpState, null, e);
            throw;
        }
        finally
        {
            negotiator?.Dispose();
            held?.Unhold();
            pinned?.Release(); // a leg that was never sent: the connection is idle and reusable
        }
    }

    /// <summary>
    /// A-4: sends the next handshake leg on the connection the previous leg's 401 came on. Null when that connection
    /// turned out closed before any byte of a response (the server dropped it between legs).
    /// </summary>
    private async ValueTask<TypedHttpResponse?> SendOnPinnedAsync(HttpConnection connection, TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        connection.IsReused = true;
        if (!connection.IsUsableWhenIdle(Environment.TickCount64, Timeout.InfiniteTimeSpan))
        {
            if (HttpTrace.IsEnabled(Options))
            {
                HttpTrace.Emit(Options, HttpTraceEventKind.Authenticating, connection.Id, "The server closed the authentication handshake's connection between legs");
            }
            connection.Abort();
            return null;
        }
        if (HttpTrace.IsEnabled(Options))
        {
            HttpTrace.Emit(Options, HttpTraceEventKind.ConnectionReused, connection.Id, "Sending the next authentication leg on the same connection (A-4)");
        }
        try
        {
            return await connection.SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (TypedHttpException e) when (!connection.ReceivedResponseBytes && IsStaleConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return null; // SendAsync closed the connection
        }
    }

    /// <summary>A new context for the scheme in use and its first leg; null when the scheme cannot proceed.</summary>
    private string? RestartHandshake(ref IConnectionAuthenticator? negotiator, AuthSelection answered, Uri origin)
    {
        negotiator?.Dispose();
        negotiator = null;
        if (answered.Credentials is null || answered.Scheme is not (HttpAuthSchemes.Ntlm or HttpAuthSchemes.Negotiate))
        {
            return null;
        }
        try
        {
            negotiator = CreateConnectionAuthenticator(answered.Scheme, answered.Credentials, origin.IdnHost);
            string? first = negotiator.GetNextHeaderValue(null);
            if (first is not null && HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, $"The {AuthChallenge.SchemeName(answered.Scheme)} handshake with {Origin(origin)} lost its connection: starting over on a fresh one");
            }
            return first;
        }
        catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
        {
            if (HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, e.Message);
            }
            return null;
        }
    }

    private IConnectionAuthenticator CreateConnectionAuthenticator(HttpAuthSchemes scheme, HttpCredentials credentials, string host) =>
        Options.TestOnlyConnectionAuthenticatorFactory is { } factory ? factory(scheme, credentials, host) : credentials.Mechanisms.CreateConnectionAuthenticator(scheme, credentials, host);

    /// <summary>
    /// The request of an authentication round trip: the same method, URI, version, body and headers, as the engine's own
    /// copy, so that what the follow-up adds (its trace context) never changes the caller's request.
    /// </summary>
    internal static TypedHttpRequest CopyForFollowUp(TypedHttpRequest hop)
    {
        var copy = new TypedHttpRequest(hop.Method, hop.Uri)
        {
            Version = hop.Version,
            VersionPolicy = hop.VersionPolicy,
            Content = hop.Content,
            RedirectPolicy = hop.RedirectPolicy,
        };
        foreach (var field in hop.Headers)
        {
            copy.Headers.AddUnchecked(field.Key, field.Value);
        }
        return copy;
    }

    /// <summary>
    /// Picks the best offered scheme we hold credentials for (A-9b: Negotiate &gt; NTLM &gt; Digest &gt; Basic), one attempt
    /// per scheme; a scheme the platform cannot do (LoginFailure) counts as tried and the next is taken. Null: none left,
    /// the 401/407 is returned (A-6).
    /// </summary>
    private string? SelectAndAnswer(List<AuthChallenge> challenges, Uri origin, HttpCredentialCache credentials, HttpAuthSchemes allowed,
        string method, string requestTarget, byte[]? authIntBody, ref HttpAuthSchemes tried, ref AuthSelection answered, ref DigestSession? digest,
        ref IConnectionAuthenticator? negotiator, bool proxyTarget)
    {
        while (AuthSchemeSelector.TrySelect(challenges, origin, credentials, allowed & ~tried, out AuthSelection s))
        {
            tried |= s.Scheme;
            string? answer;
            try
            {
                switch (s.Scheme)
                {
                    case HttpAuthSchemes.Basic:
                        answer = BasicAuthentication.GetHeaderValue(s.Credentials);
                        digest = null;
                        break;
                    case HttpAuthSchemes.Digest:
                        DigestChallenge.TryCreate(s.Challenge, out DigestChallenge? dc);
                        if (dc!.Qop == DigestQop.AuthInt && authIntBody is null)
                        {
                            // auth-int only, and the body cannot be hashed (not replayable or over DigestBody.MaxBytes).
                            if (HttpTrace.IsEnabled(Options))
                            {
                                Trace(HttpTraceEventKind.Authenticating, $"Digest for {Origin(origin)} offers only qop=auth-int and the request body cannot be hashed (not replayable or over {DigestBody.MaxBytes} bytes)");
                            }
                            continue;
                        }
                        digest = new DigestSession(dc);
                        answer = digest.CreateHeaderValue(s.Credentials, method, requestTarget, authIntBody);
                        break;
                    default:
                        negotiator?.Dispose();
                        negotiator = CreateConnectionAuthenticator(s.Scheme, s.Credentials, origin.IdnHost);
                        answer = negotiator.GetNextHeaderValue(s.Challenge.Token68);
                        break;
                }
            }
            catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
            {
                if (HttpTrace.IsEnabled(Options))
                {
                    Trace(HttpTraceEventKind.Authenticating, $"{AuthChallenge.SchemeName(s.Scheme)} for {Origin(origin)} is not possible here: {e.Message}");
                }
                continue;
            }
            if (answer is null)
            {
                continue;
            }
            answered = s;
            if (HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, $"{(proxyTarget ? "407 from proxy" : "401 from")} {Origin(origin)}: answering with {AuthChallenge.SchemeName(s.Scheme)} as {s.Credentials}");
            }
            return answer;
        }
        return null;
    }

    private string? NextLeg(IConnectionAuthenticator negotiator, string token)
    {
        try
        {
            return negotiator.GetNextHeaderValue(token);
        }
        catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
        {
            if (HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, e.Message);
            }
            return null;
        }
    }

    /// <summary>Whether a Digest challenge among <paramref name="challenges"/> offers qop=auth-int and not auth (the body must then be hashed).</summary>
    private static bool OffersOnlyAuthInt(List<AuthChallenge> challenges)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.KnownScheme == HttpAuthSchemes.Digest && DigestChallenge.TryCreate(c, out DigestChallenge? d) && d!.Qop == DigestQop.AuthInt)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A Digest answer; null when the challenge wants auth-int and <paramref name="authIntBody"/> could not be read.</summary>
    private static string? DigestAnswer(DigestSession digest, HttpCredentials credentials, string method, string requestTarget, byte[]? authIntBody) =>
        digest.Challenge.Qop == DigestQop.AuthInt && authIntBody is null ? null : digest.CreateHeaderValue(credentials, method, requestTarget, authIntBody);

    private static void ForgetPreAuthentication(PreAuthenticationCache cache, Uri uri, List<AuthChallenge> challenges)
    {
        if (cache.TryGet(uri, out PreAuthEntry entry))
        {
            cache.Forget(uri, entry.Realm, entry.Scheme);
        }
    }

    private static bool HasScheme(List<AuthChallenge> challenges, string scheme)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static string? FindToken(List<AuthChallenge> challenges, string scheme)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(c.Token68))
            {
                return c.Token68;
            }
        }
        return null;
    }

    private static string? CheckToken(string? token)
    {
        if (token is null)
        {
            return null;
        }
        foreach (char c in token)
        {
            if (c is '\r' or '\n' or '\0' || c > '\u007e' || c < ' ')
            {
                // The token itself never appears in the message.
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, "The bearer token provider returned a token with a control or non-ASCII character; nothing was sent.");
            }
        }
        return token.Length == 0 ? null : token;
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    /// <summary>Emits a follow-up stage event; callers check <see cref="HttpTrace.IsEnabled"/> first, so that no message is built when nobody listens.</summary>
    private void Trace(HttpTraceEventKind kind, string message)
    {
        Interlocked.Increment(ref _followUpTraceMessages);
        HttpTrace.Emit(Options, kind, 0, message);
    }

    private int _followUpTraceMessages;

    /// <summary>How many follow-up stage trace lines this session has built (tests: none when nobody listens).</summary>
    internal int FollowUpTraceMessages => Volatile.Read(ref _followUpTraceMessages);
}
