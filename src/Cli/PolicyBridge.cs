using System.Collections.Generic;
using TypedHttp.Policy;

namespace TypedHttp.Cli;

/// <summary>
/// The options that need the engine's policy stages (redirects, authentication schemes, proxies, the cookie
/// engine, decompression). This build's engine has no such stages yet: those options are refused.
/// </summary>
internal static class PolicyBridge
{
    /// <summary>The first option given that this build cannot honour, or null.</summary>
    public static string? FirstUnsupported(CliOptions o)
    {
        foreach (string given in o.Given)
        {
            switch (given)
            {
                case "-L" or "--location" or "--max-redirs" or "--location-trusted":
                case "--digest" or "--ntlm" or "--negotiate" or "--anyauth":
                case "-x" or "--proxy" or "-U" or "--proxy-user" or "--noproxy":
                case "-c" or "--cookie-jar" or "--compressed":
                    return given;
                case "-b" or "--cookie":
                    break;
            }
        }
        foreach (string cookie in o.Cookies)
        {
            if (!Cli.IsCookieString(cookie))
            {
                return "-b FILE";
            }
        }
        return null;
    }

    /// <summary>Sets the policy options of the session (none in this build).</summary>
    public static void Configure(HttpSessionOptions session, CliOptions o, bool environmentProxy)
    {
        _ = session;
        _ = o;
        _ = environmentProxy;
    }

    /// <summary>How many redirects the engine followed.</summary>
    public static int RedirectCount(TypedHttpResponse response)
    {
        _ = response;
        return 0;
    }

    /// <summary>The session's cookie store, when the cookie engine is on.</summary>
    public static CookieStore? Cookies(HttpSession session)
    {
        _ = session;
        return null;
    }

    internal static readonly IReadOnlyList<string> NoHosts = [];
}
