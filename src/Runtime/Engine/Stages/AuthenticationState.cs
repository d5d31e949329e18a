using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>What the follow-up stage's authentication made of a 401 (<see cref="AuthenticationState.AnswerServerAsync"/>).</summary>
internal enum AuthAnswer
{
    /// <summary>Nothing to answer with: the 401 is the answer .</summary>
    None,

    /// <summary>A request-bound answer (Basic, Digest, Bearer): sent on any connection.</summary>
    Answered,

    /// <summary>The first leg of an NTLM/Negotiate handshake: the next request goes on the 401's connection .</summary>
    StartsHandshake,

    /// <summary>Like <see cref="StartsHandshake"/>, but the 401 came over HTTP/2: the handshake and this origin go over HTTP/1.1 (H2-15).</summary>
    StartsHandshakeOverHttp11,

    /// <summary>A further leg of the handshake under way .</summary>
    ContinuesHandshake,
}

/// <summary>
/// The follow-up stage's authentication for one request, server and proxy: what it sends on each
/// hop (the answer to the last challenge, a pre-authentication, a bearer token), which schemes each challenger was
/// already answered with, the Digest sessions and their one stale retry, and the connection-bound NTLM/Negotiate
/// negotiator with its one restart when the server drops the handshake's connection, together with the
/// <see cref="ConnectionAffinity"/> that carries that handshake. A redirect starts the challenges afresh
/// (<see cref="ResetForRedirect"/>); the bearer token is fetched once per request and refreshed once.
/// </summary>
internal sealed class AuthenticationState(HttpSession session, TypedHttpRequest request)
{
    private readonly HttpSession _session = session;
    private readonly HttpSessionOptions _options = session.Options;
    private readonly TypedHttpRequest _request = request;
    private readonly Uri _original = request.Uri;

    // One challenger's round: the answer for the next hop, schemes tried, the one that worked, its Digest session.
    private ChallengeRound _server;
    private ChallengeRound _proxy;
    private bool _preAuthSent;

    // Connection-bound schemes.
    private IConnectionAuthenticator? _negotiator;
    private bool _handshakeRestarted;

    // Bearer: fetched once per request, refreshed once after a 401 with a Bearer challenge.
    private string? _bearer;
    private bool _bearerFetched, _bearerRefreshed, _bearerSent;

    /// <summary>The connection an NTLM/Negotiate handshake is bound to (HTTP/1.1 only).</summary>
    public ConnectionAffinity Affinity { get; } = new();

    /// <summary>The server scheme answered last (for the trace).</summary>
    public HttpAuthSchemes ServerScheme => _server.Answered.Scheme;

    /// <summary>
    /// whether a 401 to the next hop may start or continue a handshake that binds its connection (so the HTTP/1.1
    /// codec holds it): a handshake is under way, or credentials allow NTLM or Negotiate.
    /// </summary>
    public bool MayBindConnection(bool callerAuthorization) =>
        !callerAuthorization
        && (_negotiator is not null || (_options.Credentials is not null && (_options.AllowedAuthSchemes & (HttpAuthSchemes.Ntlm | HttpAuthSchemes.Negotiate)) != 0));

    /// <summary>
    /// The Authorization for the next hop when the caller set none: the answer to the last 401, else what worked for
    /// this origin before (A-9f), else a bearer token on the original origin; null for none.
    /// </summary>
    public async ValueTask<string?> GetAuthorizationAsync(TypedHttpRequest hop, string requestTarget, CancellationToken cancellationToken)
    {
        string? authorization = _server.Next;
        _server.Next = null;
        Uri uri = hop.Uri;
        if (authorization is null && _options.PreAuthenticate && _server.Tried == HttpAuthSchemes.None
            && _session.ServerPreAuthentication.TryGet(uri, out PreAuthEntry entry))
        {
            // A-9f: send what worked for this origin and protection space before.
            if (entry.Scheme == HttpAuthSchemes.Basic)
            {
                authorization = BasicAuthentication.GetHeaderValue(entry.Credentials);
            }
            else
            {
                byte[]? body = entry.Digest!.Challenge.Qop == DigestQop.AuthInt ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
                authorization = HttpSession.DigestAnswer(entry.Digest, entry.Credentials, hop.Method, requestTarget, body);
            }
            _preAuthSent = authorization is not null;
        }
        if (authorization is null && _options.BearerTokenProvider is { } provider && RedirectDecider.SameOrigin(uri, _original))
        {
            if (!_bearerFetched)
            {
                _bearerFetched = true;
                _bearer = HttpSession.CheckToken(await provider(_request, cancellationToken).ConfigureAwait(false));
            }
            if (_bearer is not null)
            {
                authorization = "Bearer " + _bearer;
                _bearerSent = true;
            }
        }
        return authorization;
    }

    /// <summary>Starts a hop: nothing was pre-authenticated or sent as a bearer token yet.</summary>
    public void BeginHop()
    {
        _preAuthSent = false;
        _bearerSent = false;
    }

    /// <summary>
    /// The Proxy-Authorization for the next hop to a forward proxy when the caller set none: the answer to the last
    /// 407, else what worked for this proxy before (A-9f, A-9e); null for none.
    /// </summary>
    public string? GetProxyAuthorization(Uri proxy, string method, string absoluteTarget)
    {
        string? proxyAuthorization = _proxy.Next
            ?? (_options.PreAuthenticate && _proxy.Tried == HttpAuthSchemes.None ? _session.ProxyPreAuthentication.GetHeaderValue(proxy, method, absoluteTarget) : null)
            ?? AnswerAgain(method, absoluteTarget);
        _proxy.Next = null;
        return proxyAuthorization;
    }

    /// <summary>
    /// A-9e: a later hop of this request through the proxy that accepted this request's answer (a 401 from the origin
    /// is being answered; a redirect starts afresh, <see cref="ResetForRedirect"/>): the same Basic answer, or Digest's next nonce count. The
    /// proxy accepted it because a rejection is a 407, which ends the request or picks another answer.
    /// </summary>
    private string? AnswerAgain(string method, string absoluteTarget)
    {
        if (_proxy.Answered.Credentials is not { } credentials)
        {
            return null;
        }
        return _proxy.Answered.Scheme switch
        {
            HttpAuthSchemes.Basic => BasicAuthentication.GetHeaderValue(credentials),
            HttpAuthSchemes.Digest when _proxy.Digest is { } digest => HttpSession.DigestAnswer(digest, credentials, method, absoluteTarget, null),
            _ => null,
        };
    }

    /// <summary>
    /// A 401 to a request whose body can be sent again: picks the answer for the next hop, if any. A
    /// handshake leg on HTTP/2 when the request allows HTTP/1.1 (<paramref name="http11Allowed"/>) is
    /// <see cref="AuthAnswer.StartsHandshakeOverHttp11"/> (H2-15); when it does not, the 401 is the answer.
    /// </summary>
    public async ValueTask<AuthAnswer> AnswerServerAsync(TypedHttpResponse response, TypedHttpRequest hop, string requestTarget, bool http11Allowed, CancellationToken cancellationToken)
    {
        Uri uri = hop.Uri;
        List<AuthChallenge> challenges = AuthChallengeParser.Parse(response.Headers, "WWW-Authenticate");
        byte[]? authIntBody = HttpSession.OffersOnlyAuthInt(challenges) ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
        if (_preAuthSent)
        {
            // The cached answer no longer works: forget it, then answer the challenge normally.
            HttpSession.ForgetPreAuthentication(_session.ServerPreAuthentication, uri, challenges);
        }
        string? answer = null;
        AuthAnswer kind = AuthAnswer.Answered;
        if (_bearerSent && !_bearerRefreshed && HttpSession.HasScheme(challenges, "Bearer"))
        {
            _bearerRefreshed = true;
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, $"401 with a Bearer challenge from {HttpSession.Origin(uri)}: asking the token provider once more");
            }
            _bearer = HttpSession.CheckToken(await _options.BearerTokenProvider!(_request, cancellationToken).ConfigureAwait(false));
            answer = _bearer is null ? null : "Bearer " + _bearer;
        }
        else if (_server.Digest is not null && !_server.StaleRetried && _server.Digest.TryAcceptStale(challenges))
        {
            // RFC 7616 §3.3: stale=true means the nonce expired, not the credentials: retry once with the new one.
            _server.StaleRetried = true;
            answer = HttpSession.DigestAnswer(_server.Digest, _server.Answered.Credentials, hop.Method, requestTarget, authIntBody);
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, $"401 stale=true from {HttpSession.Origin(uri)}: Digest again with the fresh nonce");
            }
        }
        else if (_negotiator is not null && HttpSession.FindToken(challenges, _negotiator.SchemeName) is string token)
        {
            answer = _session.NextLeg(_negotiator, token);
            kind = AuthAnswer.ContinuesHandshake;
        }
        else if (_options.Credentials is { } credentials)
        {
            try
            {
                answer = _session.SelectAndAnswer(challenges, uri, credentials, _options.AllowedAuthSchemes, hop.Method, requestTarget, authIntBody,
                    ref _server.Tried, ref _server.Answered, ref _server.Digest, ref _negotiator, proxyTarget: false);
            }
            catch (TypedHttpException)
            {
                await response.DisposeAsync().ConfigureAwait(false); // the refused credentials end the request
                throw;
            }
            _server.StaleRetried = false;
            if (_server.Answered.Scheme is HttpAuthSchemes.Ntlm or HttpAuthSchemes.Negotiate)
            {
                kind = AuthAnswer.StartsHandshake;
            }
        }
        if (answer is null)
        {
            return AuthAnswer.None;
        }
        if (kind == AuthAnswer.StartsHandshake && response.Version.Major >= 2)
        {
            // H2-15: NTLM and Negotiate authenticate a connection, which HTTP/2 multiplexes: the handshake, and this
            // origin's later requests, go over HTTP/1.1 (as WinHTTP and SocketsHttpHandler do).
            if (!http11Allowed)
            {
                _negotiator?.Dispose();
                _negotiator = null;
                return AuthAnswer.None; // the request insists on HTTP/2: the 401 is the answer
            }
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, $"{AuthChallenge.SchemeName(_server.Answered.Scheme)} from {HttpSession.Origin(uri)} needs one connection for the whole handshake: sending it over HTTP/1.1 (H2-15)");
            }
            kind = AuthAnswer.StartsHandshakeOverHttp11;
        }
        _server.Next = answer;
        return kind;
    }

    /// <summary>
    /// After a 401 was answered: lets its connection go, or (a handshake leg) drains the response and binds the
    /// connection for the next leg. When the server closed it in the middle of a handshake, the context is lost
    /// and the handshake starts over once on a fresh connection.
    /// </summary>
    public async ValueTask HandOverAsync(TypedHttpResponse response, AuthAnswer answer, Uri uri)
    {
        bool leg = answer is AuthAnswer.StartsHandshake or AuthAnswer.StartsHandshakeOverHttp11 or AuthAnswer.ContinuesHandshake;
        if (!leg)
        {
            Affinity.LetGo();
        }
        await response.DisposeAsync().ConfigureAwait(false); // R-14/T-6: drain so the connection can be reused
        if (leg && !Affinity.Bind() && answer == AuthAnswer.ContinuesHandshake)
        {
            TryRestartHandshake(uri);
        }
    }

    /// <summary>
    /// The handshake's connection closed between legs: starts the handshake over (a new context and its first leg as
    /// the next Authorization), once per request. False when it was restarted before, none is under way, or the scheme
    /// cannot start again.
    /// </summary>
    public bool TryRestartHandshake(Uri origin)
    {
        if (_handshakeRestarted || _negotiator is null)
        {
            return false;
        }
        _negotiator.Dispose();
        _negotiator = null;
        AuthSelection answered = _server.Answered;
        if (answered.Credentials is null || answered.Scheme is not (HttpAuthSchemes.Ntlm or HttpAuthSchemes.Negotiate))
        {
            return false;
        }
        string? first;
        try
        {
            _negotiator = _session.CreateConnectionAuthenticator(answered.Scheme, answered.Credentials, origin.IdnHost);
            first = _negotiator.GetNextHeaderValue(null);
        }
        catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
        {
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, e.Message);
            }
            return false;
        }
        if (first is null)
        {
            return false;
        }
        if (HttpTrace.IsEnabled(_options))
        {
            _session.Trace(HttpTraceEventKind.Authenticating, $"The {AuthChallenge.SchemeName(answered.Scheme)} handshake with {HttpSession.Origin(origin)} lost its connection: starting over on a fresh one");
        }
        _handshakeRestarted = true;
        _server.Next = first;
        return true;
    }

    /// <summary>
    /// A 407 from a forward proxy to a plain http request whose body can be sent again (P-5, A-9e): Basic or Digest
    /// with the proxy's credentials, once per scheme, and one stale retry. False when nothing answers it.
    /// </summary>
    public async ValueTask<bool> AnswerProxyAsync(TypedHttpResponse response, TypedHttpRequest hop, Uri proxy, string requestTarget, CancellationToken cancellationToken)
    {
        List<AuthChallenge> challenges = AuthChallengeParser.Parse(response.Headers, "Proxy-Authenticate");
        byte[]? authIntBody = HttpSession.OffersOnlyAuthInt(challenges) ? await DigestBody.ReadAsync(hop.Content, cancellationToken).ConfigureAwait(false) : null;
        string? answer = null;
        if (_proxy.Digest is not null && !_proxy.StaleRetried && _proxy.Digest.TryAcceptStale(challenges))
        {
            _proxy.StaleRetried = true;
            answer = HttpSession.DigestAnswer(_proxy.Digest, _proxy.Answered.Credentials, hop.Method, requestTarget, authIntBody);
        }
        else if (_options.Proxy.GetProxyCredentials(hop.Uri) is { } proxyCredentials)
        {
            HttpSession.ForgetPreAuthentication(_session.ProxyPreAuthentication, proxy, challenges);
            var cache = new HttpCredentialCache();
            cache.Add(proxy, proxyCredentials);
            IConnectionAuthenticator? unused = null;
            answer = _session.SelectAndAnswer(challenges, proxy, cache, _options.AllowedAuthSchemes & _options.Proxy.AuthSchemes & (HttpAuthSchemes.Basic | HttpAuthSchemes.Digest), hop.Method, requestTarget, authIntBody,
                ref _proxy.Tried, ref _proxy.Answered, ref _proxy.Digest, ref unused, proxyTarget: true);
        }
        if (answer is null)
        {
            return false;
        }
        await response.DisposeAsync().ConfigureAwait(false);
        _proxy.Next = answer;
        return true;
    }

    /// <summary>
    /// the final (not 401) response of a Negotiate exchange that asked the server to prove itself: its token
    /// must complete the exchange, or the response is not returned (<see cref="HttpError.LoginFailure"/>). A response
    /// without one is returned; the trace says that the server's identity was not proven.
    /// </summary>
    public async ValueTask CheckServerProofAsync(TypedHttpResponse response, Uri uri)
    {
        if (_negotiator is not { AwaitsServerProof: true } negotiator)
        {
            return;
        }
        string? token = HttpSession.FindToken(AuthChallengeParser.Parse(response.Headers, "WWW-Authenticate"), negotiator.SchemeName);
        if (token is null)
        {
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, $"{HttpSession.Origin(uri)} answered {response.StatusCode} without a final {negotiator.SchemeName} token: its identity is not proven (A-10)");
            }
            return;
        }
        string? why = negotiator.CheckFinalToken(token);
        if (why is null)
        {
            if (HttpTrace.IsEnabled(_options))
            {
                _session.Trace(HttpTraceEventKind.Authenticating, $"{HttpSession.Origin(uri)} proved its identity with its final {negotiator.SchemeName} token (mutual authentication, A-10)");
            }
            return;
        }
        await response.DisposeAsync().ConfigureAwait(false);
        throw new TypedHttpException(HttpError.LoginFailure, HttpPhase.ReceiveHeaders,
            $"{HttpSession.Origin(uri)} answered {response.StatusCode} but failed {negotiator.SchemeName} mutual authentication: {why}. The response is not returned.");
    }

    /// <summary>A-9f: a response that is no challenge: remembers the Basic or Digest answers that worked, for the next requests to this origin (or proxy).</summary>
    public void RememberWhatWorked(Uri uri, Uri? proxy)
    {
        if (!_options.PreAuthenticate)
        {
            return;
        }
        if (_server.Answered.Credentials is not null && _server.Answered.Scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest)
        {
            _session.ServerPreAuthentication.Remember(uri, _server.Answered.Challenge.Realm ?? string.Empty, _server.Answered.Scheme, _server.Answered.Credentials, _server.Digest);
        }
        if (_proxy.Answered.Credentials is not null && proxy is not null)
        {
            _session.ProxyPreAuthentication.Remember(proxy, _proxy.Answered.Challenge.Realm ?? string.Empty, _proxy.Answered.Scheme, _proxy.Answered.Credentials, _proxy.Digest);
        }
    }

    /// <summary>A redirect was followed: the new hop's challengers start afresh (the bearer token stays fetched).</summary>
    public void ResetForRedirect()
    {
        _server = default;
        _proxy = default;
        _negotiator?.Dispose();
        _negotiator = null;
    }

    /// <summary>The request is over: the negotiator's context and any connection still held or bound are released.</summary>
    public void Dispose()
    {
        _negotiator?.Dispose();
        _negotiator = null;
        Affinity.Dispose();
    }

    /// <summary>One challenger's state within a hop chain (server or proxy).</summary>
    private struct ChallengeRound
    {
        /// <summary>The answer to send on the next hop, or null.</summary>
        public string? Next;

        /// <summary>The schemes already answered with (one attempt each, A-9b).</summary>
        public HttpAuthSchemes Tried;

        /// <summary>The scheme and credentials answered with last.</summary>
        public AuthSelection Answered;

        /// <summary>The Digest session of that answer, for a stale retry and pre-authentication.</summary>
        public DigestSession? Digest;

        /// <summary>Whether the one stale=true retry was made.</summary>
        public bool StaleRetried;
    }
}
