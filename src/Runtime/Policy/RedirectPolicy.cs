using System;
using System.Collections.Generic;

namespace TypedHttp
{
    /// <summary>Which redirects the engine follows by itself (WINHTTP_OPTION_REDIRECT_POLICY, R-3).</summary>
    public enum RedirectPolicy
    {
        /// <summary>Never follow: every 3xx is returned to the caller (R-3 NEVER, R-5).</summary>
        Never = 0,
        /// <summary>Follow every redirect except one from https to http, whose 3xx is returned with no error. The default.</summary>
        DisallowHttpsToHttp = 1,
        /// <summary>Follow every redirect to http or https, https to http included.</summary>
        Always = 2,
    }
}

namespace TypedHttp.Policy
{
    /// <summary>What the follow-up stage does with a response.</summary>
    internal enum RedirectAction
    {
        /// <summary>Not a redirect (not an R-1 status): the response is the answer.</summary>
        NotRedirect,
        /// <summary>Follow it: send <see cref="RedirectDecision.Method"/> to <see cref="RedirectDecision.Target"/>.</summary>
        Follow,
        /// <summary>Return the 3xx to the caller as the final response, no error (R-3 Never, R-4).</summary>
        ReturnResponse,
        /// <summary>Fail with <see cref="RedirectDecision.Error"/>: RedirectFailed (R-7, R-8, unparsable) or TooManyRedirects .</summary>
        Fail,
    }

    /// <summary>The outcome of <see cref="RedirectDecider.Decide"/>.</summary>
    internal readonly struct RedirectDecision
    {
        private RedirectDecision(RedirectAction action, string? method, Uri? target, bool keepBody, bool originChanged, HttpError error, string? message)
        {
            Action = action;
            Method = method;
            Target = target;
            KeepBody = keepBody;
            OriginChanged = originChanged;
            Error = error;
            Message = message;
        }

        /// <summary>What to do.</summary>
        public RedirectAction Action { get; }

        /// <summary>The method of the next request, for <see cref="RedirectAction.Follow"/>.</summary>
        public string? Method { get; }

        /// <summary>The next request's URI, for <see cref="RedirectAction.Follow"/>.</summary>
        public Uri? Target { get; }

        /// <summary>Whether the body is sent again (the method did not change, OM-8); when false, no Content-Length or Transfer-Encoding either.</summary>
        public bool KeepBody { get; }

        /// <summary>Whether scheme, host or port changed: credentials and caller-set secrets must not follow (see <see cref="RedirectDecider.RemoveHeadersForNextHop"/>).</summary>
        public bool OriginChanged { get; }

        /// <summary>The error, for <see cref="RedirectAction.Fail"/>.</summary>
        public HttpError Error { get; }

        /// <summary>A message for a person, for <see cref="RedirectAction.Fail"/>.</summary>
        public string? Message { get; }

        /// <summary>The exception to throw for <see cref="RedirectAction.Fail"/>.</summary>
        public TypedHttpException ToException() =>
            Action == RedirectAction.Fail
                ? new TypedHttpException(Error, HttpPhase.ReceiveHeaders, Message!)
                : throw new InvalidOperationException("Only a failed redirect decision has an exception.");

        internal static RedirectDecision NotARedirect { get; } = new(RedirectAction.NotRedirect, null, null, false, false, default, null);

        internal static RedirectDecision Return { get; } = new(RedirectAction.ReturnResponse, null, null, false, false, default, null);

        internal static RedirectDecision Follow(string method, Uri target, bool keepBody, bool originChanged) =>
            new(RedirectAction.Follow, method, target, keepBody, originChanged, default, null);

        internal static RedirectDecision Failed(HttpError error, string message) =>
            new(RedirectAction.Fail, null, null, false, false, error, message);
    }

    /// <summary>Redirect decisions as a pure function of the response and the policy (R-1…R-14 in docs/behaviour.md).</summary>
    internal static class RedirectDecider
    {
        /// <summary>WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS' default .</summary>
        public const int DefaultMaxRedirects = 10;

        /// <summary>R-1: 300, 301, 302, 303, 307 and 308 are followed; 304, 305 and others are not.</summary>
        /// <param name="status">The response status.</param>
        public static bool IsRedirectStatus(int status) => status is 300 or 301 or 302 or 303 or 307 or 308;

        /// <summary>Decides what to do with a response.</summary>
        /// <param name="status">The response status code.</param>
        /// <param name="method">The method of the request that got it (case-sensitive, RFC 9110 §9.1).</param>
        /// <param name="current">The URI of the request that got it.</param>
        /// <param name="location">The Location field value, or null when absent.</param>
        /// <param name="policy">The redirect policy in force .</param>
        /// <param name="redirectsFollowed">How many redirects this call has followed already.</param>
        /// <param name="maxRedirects">The limit (R-6, default 10).</param>
        public static RedirectDecision Decide(int status, string method, Uri current, string? location, RedirectPolicy policy,
            int redirectsFollowed, int maxRedirects = DefaultMaxRedirects)
        {
            ArgumentNullException.ThrowIfNull(method);
            ArgumentNullException.ThrowIfNull(current);
            if (!IsRedirectStatus(status))
            {
                return RedirectDecision.NotARedirect;
            }
            if (policy == RedirectPolicy.Never)
            {
                return RedirectDecision.Return; // R-3 NEVER / R-5
            }

            string trimmed = location?.Trim(' ', '\t') ?? string.Empty;
            if (trimmed.Length == 0)
            {
                // a followable 3xx without Location is an error, not a returned 3xx.
                return RedirectDecision.Failed(HttpError.RedirectFailed, $"The server answered {status} without a Location header, so the redirect cannot be followed (R-7).");
            }
            string? scheme = GetScheme(trimmed);
            if (scheme is not null && !IsHttpScheme(scheme))
            {
                return RedirectDecision.Failed(HttpError.RedirectFailed, $"The server redirected to a '{scheme}:' URI; only http and https redirects are followed (R-8).");
            }
            if (!Uri.TryCreate(current, trimmed, out Uri? target) || !target.IsAbsoluteUri)
            {
                return RedirectDecision.Failed(HttpError.RedirectFailed, $"The server answered {status} with a Location that is not a valid URI (R-9).");
            }
            if (!IsHttpScheme(target.Scheme) || target.IdnHost.Length == 0)
            {
                return RedirectDecision.Failed(HttpError.RedirectFailed, $"The server redirected to a '{target.Scheme}:' URI; only http and https redirects are followed (R-8).");
            }
            if (target.Fragment.Length > 0 && !trimmed.Contains('#'))
            {
                // the current URI's fragment is not carried over to the target.
                target = new Uri(target.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped));
            }
            if (policy == RedirectPolicy.DisallowHttpsToHttp
                && string.Equals(current.Scheme, "https", StringComparison.OrdinalIgnoreCase)
                && string.Equals(target.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                return RedirectDecision.Return; // returned as the final response, no error
            }
            if (redirectsFollowed >= maxRedirects)
            {
                return RedirectDecision.Failed(HttpError.TooManyRedirects, $"More than {maxRedirects} redirects; stopped (R-6).");
            }

            // method rewriting.
            string newMethod = method;
            if (status is 300 or 301 or 302)
            {
                if (method == "POST")
                {
                    newMethod = "GET";
                }
            }
            else if (status == 303)
            {
                if (method != "GET" && method != "HEAD")
                {
                    newMethod = "GET";
                }
            }
            bool keepBody = ReferenceEquals(newMethod, method);
            return RedirectDecision.Follow(newMethod, target, keepBody, !SameOrigin(current, target));
        }

        /// <summary>
        /// Prepares the caller's request headers for the next hop: when the method became GET, the body's framing
        /// headers go; when the origin changed, Authorization, Proxy-Authorization and Cookie go unless the new
        /// host is trusted (a departure from R-11, docs/behaviour.md). Session cookies and credentials are not in these
        /// headers: the engine adds them again per hop for the new URI.
        /// </summary>
        /// <param name="headers">The caller's request headers (a copy the engine owns).</param>
        /// <param name="decision">A <see cref="RedirectAction.Follow"/> decision.</param>
        /// <param name="trustedHosts">Hosts that may receive those headers on another origin (case-insensitive; <c>"*"</c>: any), or null.</param>
        public static void RemoveHeadersForNextHop(HttpHeaderCollection headers, in RedirectDecision decision, IReadOnlyList<string>? trustedHosts)
        {
            ArgumentNullException.ThrowIfNull(headers);
            if (decision.Action != RedirectAction.Follow)
            {
                throw new ArgumentException("Only a Follow decision has a next hop.", nameof(decision));
            }
            if (!decision.KeepBody)
            {
                headers.Remove("Content-Length");
                headers.Remove("Transfer-Encoding");
                headers.Remove("Content-Type");
                headers.Remove("Content-Encoding");
            }
            if (decision.OriginChanged && !IsTrusted(decision.Target!, trustedHosts))
            {
                headers.Remove("Authorization");
                headers.Remove("Proxy-Authorization");
                headers.Remove("Cookie");
            }
        }

        /// <summary>Same origin: scheme, host and port equal (RFC 6454).</summary>
        internal static bool SameOrigin(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;

        private static bool IsTrusted(Uri target, IReadOnlyList<string>? trustedHosts)
        {
            if (trustedHosts is null)
            {
                return false;
            }
            string host = target.IdnHost;
            for (int i = 0; i < trustedHosts.Count; i++)
            {
                // "*" trusts every host (curl's --location-trusted).
                if (trustedHosts[i] == "*" || string.Equals(trustedHosts[i], host, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        private static bool IsHttpScheme(string scheme) =>
            scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase);

        /// <summary>The scheme of an absolute reference (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), or null.</summary>
        internal static string? GetScheme(string reference)
        {
            if (reference.Length == 0 || !char.IsAsciiLetter(reference[0]))
            {
                return null;
            }
            for (int i = 1; i < reference.Length; i++)
            {
                char c = reference[i];
                if (c == ':')
                {
                    return reference[..i];
                }
                if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))
                {
                    return null;
                }
            }
            return null;
        }
    }
}
