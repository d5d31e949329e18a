using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// The follow-up stage's loop (docs/engine.md, "Stages"): one turn per hop. The bridge stage adds cookies and
/// Accept-Encoding, <see cref="AuthenticationState"/> the authorization it has; the pool sends the hop (or the
/// <see cref="ConnectionAffinity"/> does, for the next leg of a connection-bound handshake); then a 401 or 407 is
/// answered, a redirect followed by <see cref="RedirectState"/>, and the final answer's body decoded. The loop knows
/// no protocol: it reads the response's version only through <see cref="AuthAnswer.StartsHandshakeOverHttp11"/>.
/// </summary>
public sealed partial class HttpSession
{
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
        TypedHttpRequest hop = request;
        var auth = new AuthenticationState(this, request);
        RedirectState? redirects = null;
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

                // Connect stage input: the proxy for this hop (P-4: chosen per request URI).
                Uri? proxy = o.Proxy.Kind == ProxyKind.None ? null : o.Proxy.GetProxy(uri);
                if (proxy is not null)
                {
                    key = key with { ProxyHost = proxy.HostNameType == UriHostNameType.IPv6 ? proxy.DnsSafeHost : proxy.IdnHost, ProxyPort = proxy.Port };
                }
                // P-5: a plain http request through a proxy names the whole URI; authentication answers for that target.
                string? absoluteTarget = proxy is not null && !key.IsHttps && !o.Proxy.TunnelsPlainHttp ? ProxyRequestHead.GetAbsoluteFormTarget(uri) : null; // P-7: or a CONNECT tunnel
                string requestTarget = absoluteTarget ?? uri.PathAndQuery;

                // Bridge stage and authentication, outbound.
                HttpHeaderCollection? extra = null;
                AddCookies(ref extra, uri, callerHeaders);
                bool callerAuthorization = callerHeaders.Contains("Authorization");
                auth.BeginHop();
                if (!callerAuthorization && await auth.GetAuthorizationAsync(hop, requestTarget, cancellationToken).ConfigureAwait(false) is string authorization)
                {
                    (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Authorization", authorization);
                }
                bool callerProxyAuthorization = callerHeaders.Contains("Proxy-Authorization");
                if (absoluteTarget is not null && !callerProxyAuthorization && auth.GetProxyAuthorization(proxy!, hop.Method, absoluteTarget) is string proxyAuthorization)
                {
                    (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Proxy-Authorization", proxyAuthorization);
                }
                AddAcceptEncoding(ref extra);
                bool mayBind = auth.MayBindConnection(callerAuthorization);
                if (extra is not null || absoluteTarget is not null || mayBind)
                {
                    plan = plan with { ExtraHeaders = extra, ToForwardProxy = absoluteTarget is not null, ReplaceAcceptEncoding = o.AutomaticDecompression, MayBindConnection = mayBind };
                }

                // Connect and Exchange stages: the next handshake leg on its bound connection, else through the pool.
                TypedHttpResponse response;
                try
                {
                    TypedHttpResponse? onBound = null;
                    if (auth.Affinity.IsBound)
                    {
                        onBound = await auth.Affinity.SendNextLegAsync(hop, plan, cancellationToken).ConfigureAwait(false);
                        if (onBound is null && auth.TryRestartHandshake(uri))
                        {
                            continue; // the handshake's connection closed between legs: start over on a fresh one, once
                        }
                    }
                    response = onBound ?? firstResponse ?? await SendCoreAsync(GetPool(key), hop, plan, cancellationToken).ConfigureAwait(false);
                    firstResponse = null;
                    auth.Affinity.Adopt(response);
                }
                catch (ProxyAuthenticationRequiredException e)
                {
                    // A-6 for a CONNECT: the final 407 is the answer; its body stays hidden (P-5).
                    var refused = new TypedHttpResponse(e.Head.StatusCode, e.Head.ReasonPhrase, e.Head.Version, e.Head.Headers, Stream.Null, uri) { RedirectCount = redirects?.Count ?? 0 };
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

                // Bridge stage, inbound.
                StoreCookies(uri, response);
                int status = response.StatusCode;
                bool canResend = hop.Content is null || hop.Content.IsReplayable;

                // Follow-up stage: 401 and 407 from a proxy on a plain http request (P-5, A-9e).
                if (status == 401 && !callerAuthorization && canResend)
                {
                    AuthAnswer answer = await auth.AnswerServerAsync(response, hop, requestTarget, plan.Offer.Http11, cancellationToken).ConfigureAwait(false);
                    if (answer == AuthAnswer.StartsHandshakeOverHttp11)
                    {
                        GetPool(key).RequireHttp11(); // H2-15
                        plan = plan with { Offer = ProtocolOffer.Http11Only };
                    }
                    if (answer != AuthAnswer.None)
                    {
                        await auth.HandOverAsync(response, answer, uri).ConfigureAwait(false);
                        hop = CopyForFollowUp(hop);
                        followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.ServerAuth);
                        followUpActive = true;
                        continue;
                    }
                }
                else if (status == 407 && absoluteTarget is not null && !callerProxyAuthorization && canResend
                    && await auth.AnswerProxyAsync(response, hop, proxy!, requestTarget, cancellationToken).ConfigureAwait(false))
                {
                    hop = CopyForFollowUp(hop);
                    followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.ProxyAuth);
                    followUpActive = true;
                    continue;
                }

                // Not answered with a handshake leg: the held connection goes back to the pool as usual.
                auth.Affinity.LetGo();
                if (status is not 401 and not 407)
                {
                    await auth.CheckServerProofAsync(response, uri).ConfigureAwait(false);
                    auth.RememberWhatWorked(uri, proxy); // A-9f
                }

                // Follow-up stage: redirects (R-1…R-14).
                if (RedirectDecider.IsRedirectStatus(status))
                {
                    redirects ??= new RedirectState(this, request.RedirectPolicy ?? o.RedirectPolicy);
                    if (await redirects.FollowAsync(response, hop).ConfigureAwait(false) is { } next)
                    {
                        hop = next;
                        plan = Plan(hop, out key, o);
                        auth.ResetForRedirect();
                        followUpState = observer.FollowUpStarting(hop, status, FollowUpKind.Redirect);
                        followUpActive = true;
                        continue;
                    }
                }

                // The answer: R-3 Never, R-4 https->http, a non-replayable 307/308 body, or not a redirect.
                response.RequestUri = uri;
                response.RedirectCount = redirects?.Count ?? 0;
                DecodeBody(response, hop); // T-7
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
            auth.Dispose();
        }
    }

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
        foreach (KeyValuePair<string, string> field in hop.Headers)
        {
            copy.Headers.AddUnchecked(field.Key, field.Value);
        }
        return copy;
    }
}
