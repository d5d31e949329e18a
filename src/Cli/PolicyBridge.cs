using System;
using System.Collections.Generic;
using TypedHttp.Policy;

namespace TypedHttp.Cli;

/// <summary>
/// The options served by the engine's policy stages — redirects, authentication schemes, proxies, the cookie
/// engine, decompression — set as curl means them: unlike the library's defaults, redirects are followed only with
/// -L, the cookie engine is on only with -b FILE/"" or -c, decompression only with --compressed.
/// </summary>
internal static class PolicyBridge
{
    /// <summary>Whether the cookie engine is on: -b with a file name or "", or -c.</summary>
    public static bool CookieEngine(CliOptions o)
    {
        if (o.CookieJar is not null)
        {
            return true;
        }
        foreach (string cookie in o.Cookies)
        {
            if (!Cli.IsCookieString(cookie))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Sets the policy options of the session.</summary>
    /// <param name="session">The session's options.</param>
    /// <param name="o">The command line.</param>
    /// <param name="environmentProxy">Whether http_proxy/https_proxy/no_proxy apply when -x is not given.</param>
    /// <param name="urls">The URLs to fetch, whose origins get the -u credentials for challenge-answering schemes.</param>
    public static void Configure(HttpSessionOptions session, CliOptions o, bool environmentProxy, IEnumerable<Uri> urls)
    {
        CheckProxyAuth(o);
        session.RedirectPolicy = o.Location ? RedirectPolicy.DisallowHttpsToHttp : RedirectPolicy.Never;
        if (o.MaxRedirs is int max)
        {
            session.MaxAutomaticRedirections = max < 0 ? int.MaxValue : max;
        }
        if (o.LocationTrusted)
        {
            session.RedirectTrustedHosts = ["*"];
        }

        session.UseCookies = CookieEngine(o);
        // --compressed: thttp decodes the body itself (Transfer), so the engine's decompression stays off.

        // -u with Basic (curl's default) is sent with the first request by thttp itself; the other schemes answer
        // the server's challenge through the engine's credential cache.
        if (o.User is string user && o.Auth is not (AuthChoice.None or AuthChoice.Basic))
        {
            HttpCredentials credentials = Credentials(user, "-u");
            var cache = new HttpCredentialCache();
            var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (Uri uri in urls)
            {
                if (origins.Add(uri.GetLeftPart(UriPartial.Authority)))
                {
                    cache.Add(new Uri(uri.GetLeftPart(UriPartial.Authority)), null, credentials);
                }
            }
            session.Credentials = cache;
            HttpAuthSchemes schemes = HttpAuthSchemes.None;
            schemes |= (o.Auth & AuthChoice.Basic) != 0 ? HttpAuthSchemes.Basic : HttpAuthSchemes.None;
            schemes |= (o.Auth & AuthChoice.Digest) != 0 ? HttpAuthSchemes.Digest : HttpAuthSchemes.None;
            schemes |= (o.Auth & AuthChoice.Ntlm) != 0 ? HttpAuthSchemes.Ntlm : HttpAuthSchemes.None;
            schemes |= (o.Auth & AuthChoice.Negotiate) != 0 ? HttpAuthSchemes.Negotiate : HttpAuthSchemes.None;
            session.AllowedAuthSchemes = schemes;
        }

        HttpCredentials? proxyCredentials = o.ProxyUser is string proxyUser ? Credentials(proxyUser, "-U") : null;
        string? bypass = o.NoProxy is null ? null : string.Join(';', o.NoProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (o.Proxy is string proxy && proxy.Length > 0)
        {
            if (bypass == "*")
            {
                session.Proxy = ProxySettings.None;
            }
            else
            {
                try
                {
                    session.Proxy = ProxyOptions(ProxySettings.Named(proxy.Contains("://", StringComparison.Ordinal) ? proxy : "http://" + proxy, bypass, proxyCredentials), o);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException($"option -x: {e.Message}");
                }
            }
        }
        else if (environmentProxy && bypass != "*" && o.Proxy is null)
        {
            var fromEnvironment = ProxySettings.FromEnvironment();
            session.Proxy = fromEnvironment.Kind == ProxyKind.None ? fromEnvironment : ProxyOptions(fromEnvironment, o);
        }
        else
        {
            session.Proxy = ProxySettings.None;
        }
    }

    /// <summary>
    /// -p and the proxy scheme options on a proxy: --proxy-basic (curl's default) answers the 407 with Basic only,
    /// --proxy-digest with Digest only, --proxy-anyauth with either; the engine answers a proxy with no other scheme.
    /// </summary>
    private static ProxySettings ProxyOptions(ProxySettings proxy, CliOptions o)
    {
        if (o.ProxyTunnel)
        {
            proxy = proxy.WithPlainHttpTunnel();
        }
        return proxy.WithAuthSchemes(o.ProxyAuth switch
        {
            AuthChoice.Digest => HttpAuthSchemes.Digest,
            AuthChoice.Any => HttpAuthSchemes.Basic | HttpAuthSchemes.Digest,
            _ => HttpAuthSchemes.Basic,
        });
    }

    /// <summary>The proxy scheme options thttp cannot do, refused before anything is sent.</summary>
    public static void CheckProxyAuth(CliOptions o)
    {
        if (o.ProxyAuth == AuthChoice.Negotiate)
        {
            throw new UsageException("option --proxy-negotiate: not supported: the engine answers a proxy's 407 with Basic or Digest only (P-7); use --proxy-basic, --proxy-digest or --proxy-anyauth");
        }
    }

    /// <summary>
    /// USER[:PASSWORD], with DOMAIN\USER for NTLM and Negotiate; a missing password is empty. No user name (curl's
    /// <c>-u :</c> with --negotiate: "use my Kerberos ticket") is the logged-on user's own credentials, which only
    /// NTLM and Negotiate answer with.
    /// </summary>
    private static HttpCredentials Credentials(string userAndPassword, string option)
    {
        int colon = userAndPassword.IndexOf(':');
        string user = colon < 0 ? userAndPassword : userAndPassword.Substring(0, colon);
        string password = colon < 0 ? string.Empty : userAndPassword.Substring(colon + 1);
        if (user.Length == 0)
        {
            return HttpCredentials.DefaultCredentials;
        }
        int slash = user.IndexOf('\\');
        if (slash >= 0 && slash == user.Length - 1)
        {
            throw new UsageException($"option {option}: '{user}' names a domain but no user");
        }
        return slash > 0 ? new HttpCredentials(user.Substring(slash + 1), password, user.Substring(0, slash)) : new HttpCredentials(user, password);
    }

    /// <summary>How many redirects the engine followed.</summary>
    public static int RedirectCount(TypedHttpResponse response) => response.RedirectCount;

    /// <summary>The session's cookie store, when the cookie engine is on.</summary>
    public static CookieStore? Cookies(HttpSession session) => session.Options.UseCookies ? session.Cookies : null;
}
