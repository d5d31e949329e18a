using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// The follow-up stage's redirects for one request (R-1…R-14): how many were followed under which policy, and the
/// next hop's request: the method rewritten (R-1, R-2: 301/302 POST and 303 become GET, 307/308 keep method and
/// body), Host rewritten on each hop (R-11), and the caller's Authorization, Proxy-Authorization and Cookie kept on
/// the same origin only unless the target is trusted (R-12). Created on the first 3xx; what to do with a 3xx is
/// <see cref="RedirectDecider"/>'s decision.
/// </summary>
internal sealed class RedirectState(HttpSession session, RedirectPolicy policy)
{
    private readonly HttpSession _session = session;
    private readonly RedirectPolicy _policy = policy;

    /// <summary>How many redirects were followed (R-6).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Decides what to do with a 3xx to <paramref name="hop"/>: the next hop's request when it is followed (the
    /// response then drained, R-14); null when the response is the answer (R-3 Never, R-4 https to http, a 307/308
    /// whose body cannot be sent again). A redirect that fails (too many, a bad Location) disposes the response and
    /// throws the decision's error.
    /// </summary>
    public async ValueTask<TypedHttpRequest?> FollowAsync(TypedHttpResponse response, TypedHttpRequest hop)
    {
        HttpSessionOptions o = _session.Options;
        int status = response.StatusCode;
        Uri uri = hop.Uri;
        RedirectDecision decision = RedirectDecider.Decide(status, hop.Method, uri, response.Headers.GetValue("Location"), _policy, Count, o.MaxAutomaticRedirections);
        if (decision.Action == RedirectAction.Fail)
        {
            await response.DisposeAsync().ConfigureAwait(false);
            if (HttpTrace.IsEnabled(o))
            {
                _session.Trace(HttpTraceEventKind.Failed, $"Redirect {status} from {uri}: {decision.Message}");
            }
            throw decision.ToException();
        }
        if (decision.Action != RedirectAction.Follow || (decision.KeepBody && hop.Content is { IsReplayable: false }))
        {
            return null;
        }
        Uri target = decision.Target!;
        if (HttpTrace.IsEnabled(o))
        {
            _session.Trace(HttpTraceEventKind.Redirect, $"Redirect {Count + 1}: {status} {hop.Method} {uri} -> {decision.Method} {target}{(decision.OriginChanged ? " (another origin)" : "")}");
        }
        await response.DisposeAsync().ConfigureAwait(false); // R-14: drain within MaxResponseDrainSize, then reuse
        var next = new TypedHttpRequest(decision.Method!, target)
        {
            Version = hop.Version,
            VersionPolicy = hop.VersionPolicy,
            Content = decision.KeepBody ? hop.Content : null, // R-2, OM-8: 307/308 replay the body
            RedirectPolicy = hop.RedirectPolicy,
        };
        foreach (KeyValuePair<string, string> field in hop.Headers)
        {
            if (!field.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                next.Headers.AddUnchecked(field.Key, field.Value); // R-11: Host is rewritten on each hop
            }
        }
        // Caller-set Authorization, Proxy-Authorization and Cookie stay on the same origin only, unless trusted.
        RedirectDecider.RemoveHeadersForNextHop(next.Headers, decision, o.TrustedHostsSnapshot);
        Count++;
        return next;
    }
}
