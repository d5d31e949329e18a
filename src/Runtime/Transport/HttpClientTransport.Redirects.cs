using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// The engine's redirect rules over <see cref="HttpClient"/> (R-15): the handler is asked for one hop at a time (its
/// automatic redirects off) and this transport decides with <see cref="RedirectDecider"/> as the engine's follow-up
/// stage does: the request's own <see cref="TypedHttpRequest.RedirectPolicy"/> (a method's <c>[RedirectPolicy]</c>)
/// over <see cref="RedirectPolicy"/>, the limit, the method rewriting and the caller's credentials dropped on another
/// origin.
/// </summary>
public sealed partial class HttpClientTransport
{
    private readonly string[] _trustedHosts = [];

    /// <summary>
    /// Whether this transport follows redirects itself with the engine's rules (R-15; true by default). The
    /// <see cref="HttpClient"/>'s handler should then not follow them (<c>AllowAutoRedirect = false</c>), or its own
    /// rules apply first and only what it returns reaches this transport. False hands every 3xx the handler returns to
    /// the caller, and leaves redirects to the handler.
    /// </summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>The redirect policy for requests that name none; <see cref="TypedHttp.RedirectPolicy.DisallowHttpsToHttp"/> by default.</summary>
    public RedirectPolicy RedirectPolicy { get; init; } = RedirectPolicy.DisallowHttpsToHttp;

    /// <summary>How many redirects one request follows; 10 by default. One more is <see cref="HttpError.TooManyRedirects"/>.</summary>
    public int MaxAutomaticRedirections
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The redirect limit cannot be negative.");
    } = RedirectDecider.DefaultMaxRedirects;

    /// <summary>
    /// Hosts to which the caller's Authorization, Proxy-Authorization and Cookie headers may follow a redirect to
    /// another origin (R-11; <c>"*"</c> for any); none by default.
    /// </summary>
    public IReadOnlyList<string> RedirectTrustedHosts
    {
        get => _trustedHosts;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            string[] hosts = [.. value];
            foreach (string host in hosts)
            {
                ArgumentNullException.ThrowIfNull(host, nameof(value));
            }
            _trustedHosts = hosts;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="FollowRedirects"/>, each hop is a separate <c>HttpClient.SendAsync</c>
    /// (so <see cref="HttpClient.Timeout"/> applies per hop and the handlers see every hop); the 3xx bodies are disposed.
    /// </remarks>
    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TypedHttpResponse response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        if (!FollowRedirects)
        {
            return response;
        }
        RedirectPolicy policy = request.RedirectPolicy ?? RedirectPolicy;
        TypedHttpRequest hop = request;
        int count = 0;
        while (RedirectDecider.IsRedirectStatus(response.StatusCode))
        {
            RedirectDecision decision = RedirectDecider.Decide(response.StatusCode, hop.Method, hop.Uri, response.Headers.GetValue("Location"), policy, count, MaxAutomaticRedirections);
            if (decision.Action == RedirectAction.Fail)
            {
                await response.DisposeAsync().ConfigureAwait(false);
                throw decision.ToException();
            }
            if (decision.Action != RedirectAction.Follow || (decision.KeepBody && hop.Content is { IsReplayable: false }))
            {
                break; // R-3 Never, R-4 https to http, a 307/308 whose body cannot be sent again: the 3xx is the answer
            }
            await response.DisposeAsync().ConfigureAwait(false);
            hop = NextHop(hop, decision, _trustedHosts);
            count++;
            response = await SendOnceAsync(hop, cancellationToken).ConfigureAwait(false);
        }
        response.RedirectCount = count;
        return response;
    }

    /// <summary>The next hop's request, as the engine's follow-up stage builds it .</summary>
    private static TypedHttpRequest NextHop(TypedHttpRequest hop, in RedirectDecision decision, string[] trustedHosts)
    {
        var next = new TypedHttpRequest(decision.Method!, decision.Target!)
        {
            Version = hop.Version,
            VersionPolicy = hop.VersionPolicy,
            Content = decision.KeepBody ? hop.Content : null, // 307/308 send the body again
            RedirectPolicy = hop.RedirectPolicy,
        };
        foreach (KeyValuePair<string, string> field in hop.Headers)
        {
            if (!field.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                next.Headers.AddUnchecked(field.Key, field.Value);
            }
        }
        RedirectDecider.RemoveHeadersForNextHop(next.Headers, decision, trustedHosts);
        return next;
    }
}
