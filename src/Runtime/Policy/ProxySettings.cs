using System;
using System.Collections.Generic;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>How a session reaches servers: directly, through a named proxy, or as the environment says (P-1).</summary>
public enum ProxyKind
{
    /// <summary>Connect directly (WinHTTP NO_PROXY).</summary>
    None,
    /// <summary>Through one named HTTP proxy with an optional bypass list (WinHTTP NAMED_PROXY, P-2, P-3).</summary>
    Named,
    /// <summary>From <c>http_proxy</c>, <c>https_proxy</c>, <c>all_proxy</c> and <c>no_proxy</c>, read when the settings are made.</summary>
    Environment,
}

/// <summary>
/// The session's proxy configuration and its resolver. Only HTTP (CERN-type) proxies are supported (P-2): plain http
/// requests go to the proxy in absolute form and https requests through a CONNECT tunnel (P-5). PAC scripts and WPAD
/// (P-6) are not supported. Immutable and thread-safe.
/// </summary>
public sealed class ProxySettings
{
    private readonly Uri? _address;
    private readonly Uri? _httpsAddress;
    private readonly ProxyBypassList _bypass;

    private ProxySettings(ProxyKind kind, Uri? httpAddress, Uri? httpsAddress, ProxyBypassList bypass, HttpCredentials? credentials, HttpCredentials? httpsCredentials, string? bypassText, HttpsProxyTunneler? tunneler,
        bool tunnelsPlainHttp = false, HttpAuthSchemes authSchemes = HttpAuthSchemes.Basic | HttpAuthSchemes.Digest)
    {
        TunnelsPlainHttp = tunnelsPlainHttp;
        AuthSchemes = authSchemes;
        Tunneler = tunneler;
        Kind = kind;
        _address = httpAddress;
        _httpsAddress = httpsAddress;
        _bypass = bypass;
        Credentials = credentials;
        HttpsCredentials = httpsCredentials;
        BypassList = bypassText;
    }

    /// <summary>Direct connections only.</summary>
    public static ProxySettings None { get; } = new(ProxyKind.None, null, null, ProxyBypassList.Empty, null, null, null, null);

    /// <summary>
    /// P-7: whether plain http requests through the proxy also go through a <c>CONNECT host:port</c> tunnel (curl's
    /// <c>-p</c>, <c>--proxytunnel</c>) instead of being sent to the proxy in absolute form. False by default.
    /// </summary>
    public bool TunnelsPlainHttp { get; }

    /// <summary>
    /// P-7: the schemes the proxy's 407 may be answered with, within <see cref="HttpSessionOptions.AllowedAuthSchemes"/>;
    /// Basic and Digest by default, the only ones the engine answers a proxy with (NTLM and Negotiate are not offered
    /// to a proxy).
    /// </summary>
    public HttpAuthSchemes AuthSchemes { get; }

    /// <summary>P-7: the same proxy, with plain http requests sent through a CONNECT tunnel (<paramref name="tunnel"/> true) or in absolute form.</summary>
    /// <param name="tunnel">Whether plain http goes through CONNECT.</param>
    /// <exception cref="InvalidOperationException">This is <see cref="None"/>.</exception>
    public ProxySettings WithPlainHttpTunnel(bool tunnel = true) => Kind == ProxyKind.None
        ? throw new InvalidOperationException("ProxySettings.None has no proxy to tunnel through.")
        : new(Kind, _address, _httpsAddress, _bypass, Credentials, HttpsCredentials, BypassList, Tunneler, tunnel, AuthSchemes);

    /// <summary>P-7: the same proxy, answering its 407 only with <paramref name="schemes"/> (of Basic and Digest).</summary>
    /// <param name="schemes">The schemes; those other than Basic and Digest are never used for a proxy.</param>
    /// <exception cref="InvalidOperationException">This is <see cref="None"/>.</exception>
    public ProxySettings WithAuthSchemes(HttpAuthSchemes schemes) => Kind == ProxyKind.None
        ? throw new InvalidOperationException("ProxySettings.None has no proxy to authenticate with.")
        : new(Kind, _address, _httpsAddress, _bypass, Credentials, HttpsCredentials, BypassList, Tunneler, TunnelsPlainHttp, schemes);

    /// <summary>
    /// Opens https tunnels (CONNECT) through the proxy; null for <see cref="None"/>. Only the factories of proxies
    /// refer to the implementation, so an application that never configures a proxy carries no tunnel code in a
    /// trimmed or Native AOT binary.
    /// </summary>
    internal HttpsProxyTunneler? Tunneler { get; }

    /// <summary>The kind of configuration.</summary>
    public ProxyKind Kind { get; }

    /// <summary>The proxy for http targets (for <see cref="ProxyKind.Named"/>, the one proxy), or null.</summary>
    public Uri? Address => _address;

    /// <summary>The proxy for https targets, or null.</summary>
    public Uri? HttpsAddress => _httpsAddress;

    /// <summary>Credentials for the proxy's 407 challenges (P-5, A-9e), or null.</summary>
    public HttpCredentials? Credentials { get; }

    /// <summary>Credentials for the https proxy when it differs (from the environment's URLs), else the same as <see cref="Credentials"/>.</summary>
    public HttpCredentials? HttpsCredentials { get; }

    /// <summary>The bypass list as given (named) or the <c>no_proxy</c> value (environment), or null.</summary>
    public string? BypassList { get; }

    /// <summary>
    /// One named proxy for every request (P-1 NAMED), for example <c>http://proxy.corp:3128</c> or
    /// <c>proxy.corp:3128</c>. Without a port, 80 is used, as WinHTTP does.
    /// </summary>
    /// <param name="proxy">The proxy, as <c>http://host[:port]</c> or <c>host[:port]</c>.</param>
    /// <param name="bypassList">
    /// Hosts reached directly (P-3): entries separated by <c>;</c> or whitespace, compared case-insensitively; <c>*</c>
    /// is a wildcard (<c>*.example.com</c>, <c>10.*</c>); <c>&lt;local&gt;</c> is every host name without a dot;
    /// an entry may carry a port (<c>host:8080</c>) and IP literals are compared as written. Null: none.
    /// </param>
    /// <param name="credentials">Credentials for the proxy's 407 challenges, or null.</param>
    /// <exception cref="ArgumentException">The proxy is not an http URI with a host.</exception>
    public static ProxySettings Named(string proxy, string? bypassList = null, HttpCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        Uri? address = ParseProxyAddress(proxy, defaultPort: 80, out HttpCredentials? fromUri);
        if (address is null)
        {
            throw new ArgumentException($"'{Redact(proxy)}' is not an HTTP proxy address; write it as http://host:port (only HTTP proxies are supported, P-2).", nameof(proxy));
        }
        return new ProxySettings(ProxyKind.Named, address, address, ProxyBypassList.ParseWinHttp(bypassList), credentials ?? fromUri, credentials ?? fromUri, bypassList, ConnectTunneler.Instance);
    }

    /// <summary>One named proxy; see <see cref="Named(string, string?, HttpCredentials?)"/>.</summary>
    /// <param name="proxy">The proxy URI (<c>http://host:port</c>).</param>
    /// <param name="bypassList">The bypass list, or null.</param>
    /// <param name="credentials">Credentials for the proxy, or null.</param>
    public static ProxySettings Named(Uri proxy, string? bypassList = null, HttpCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return Named(proxy.OriginalString, bypassList, credentials);
    }

    /// <summary>
    /// The proxy from the process environment, read now, with curl's rules: <c>http_proxy</c> (lower case only, since
    /// CGI servers set <c>HTTP_PROXY</c> from a request header), <c>https_proxy</c>/<c>HTTPS_PROXY</c>,
    /// <c>all_proxy</c>/<c>ALL_PROXY</c> as the fallback for both, and <c>no_proxy</c>/<c>NO_PROXY</c>; the lower-case
    /// name wins when both are set. A proxy URL without a scheme is http; without a port, 1080 (curl's default).
    /// User information in the URL becomes the proxy credentials. A proxy URL that is not http (socks5://, https://)
    /// is ignored: those proxies are not supported (P-2).
    /// </summary>
    public static ProxySettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromEnvironment()"/>, reading variables through <paramref name="getVariable"/> (tests use it).</summary>
    internal static ProxySettings FromEnvironment(Func<string, string?> getVariable)
    {
        string? all = FirstSet(getVariable("all_proxy"), getVariable("ALL_PROXY"));
        string? http = FirstSet(getVariable("http_proxy"), all);
        string? https = FirstSet(getVariable("https_proxy"), getVariable("HTTPS_PROXY"), all);
        string? noProxy = FirstSet(getVariable("no_proxy"), getVariable("NO_PROXY"));
        HttpCredentials? httpCreds = null, httpsCreds = null;
        Uri? httpAddress = http is null ? null : ParseProxyAddress(http, 1080, out httpCreds);
        Uri? httpsAddress = https is null ? null : ParseProxyAddress(https, 1080, out httpsCreds);
        return new ProxySettings(ProxyKind.Environment, httpAddress, httpsAddress, ProxyBypassList.ParseNoProxy(noProxy), httpCreds, httpsCreds, noProxy, ConnectTunneler.Instance);
    }

    /// <summary>
    /// The proxy to use for <paramref name="target"/>, or null to connect directly: always null for
    /// <see cref="ProxyKind.None"/>, for a target on the bypass list, and for a target that is not http or https.
    /// </summary>
    /// <param name="target">The request URI.</param>
    public Uri? GetProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Kind == ProxyKind.None || !target.IsAbsoluteUri)
        {
            return null;
        }
        Uri? proxy;
        if (string.Equals(target.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            proxy = _address;
        }
        else if (string.Equals(target.Scheme, "https", StringComparison.OrdinalIgnoreCase))
        {
            proxy = _httpsAddress;
        }
        else
        {
            return null;
        }
        if (proxy is null || _bypass.Matches(target))
        {
            return null;
        }
        return proxy;
    }

    /// <summary>The credentials that go with the proxy <see cref="GetProxy"/> chose for <paramref name="target"/>.</summary>
    /// <param name="target">The request URI.</param>
    public HttpCredentials? GetProxyCredentials(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.IsAbsoluteUri && string.Equals(target.Scheme, "https", StringComparison.OrdinalIgnoreCase) ? HttpsCredentials : Credentials;
    }

    /// <summary>The proxy as written, with any password replaced.</summary>
    public override string ToString() => Kind switch
    {
        ProxyKind.None => "direct",
        ProxyKind.Named => $"proxy {_address} (bypass: {BypassList ?? "none"})",
        _ => $"environment: http {(_address?.ToString() ?? "direct")}, https {(_httpsAddress?.ToString() ?? "direct")}, no_proxy {BypassList ?? "none"}",
    };

    private static string? FirstSet(params string?[] values)
    {
        foreach (string? v in values)
        {
            if (!string.IsNullOrWhiteSpace(v))
            {
                return v.Trim();
            }
        }
        return null;
    }

    /// <summary>Reads <c>[http://][user:password@]host[:port][/]</c>; null when it is not a usable HTTP proxy.</summary>
    internal static Uri? ParseProxyAddress(string text, int defaultPort, out HttpCredentials? credentials)
    {
        credentials = null;
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }
        bool hasScheme = trimmed.Contains("://", StringComparison.Ordinal);
        string withScheme = hasScheme ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out Uri? uri)
            || !string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase)
            || uri.IdnHost.Length == 0)
        {
            return null;
        }
        // Uri fills in 80 for http; honour a port that was written, else use the caller's default.
        int port = ExplicitPort(uri, withScheme) ?? defaultPort;
        if (uri.UserInfo.Length > 0)
        {
            string info = uri.UserInfo;
            int colon = info.IndexOf(':');
            string user = Uri.UnescapeDataString(colon < 0 ? info : info[..colon]);
            string password = colon < 0 ? string.Empty : Uri.UnescapeDataString(info[(colon + 1)..]);
            if (user.Length > 0)
            {
                credentials = new HttpCredentials(user, password);
            }
        }
        string host = uri.HostNameType == UriHostNameType.IPv6 ? "[" + uri.IdnHost + "]" : uri.IdnHost;
        return new Uri($"http://{host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
    }

    private static int? ExplicitPort(Uri uri, string text)
    {
        if (!uri.IsDefaultPort)
        {
            return uri.Port;
        }
        // ":80" written explicitly still counts as explicit.
        int authorityStart = text.IndexOf("://", StringComparison.Ordinal) + 3;
        int authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
        string authority = authorityEnd < 0 ? text[authorityStart..] : text[authorityStart..authorityEnd];
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        int bracket = authority.LastIndexOf(']');
        int colon = authority.LastIndexOf(':');
        return colon > bracket && colon < authority.Length - 1 ? uri.Port : null;
    }

    private static string Redact(string proxy)
    {
        int at = proxy.IndexOf('@');
        int scheme = proxy.IndexOf("://", StringComparison.Ordinal);
        return at < 0 ? proxy : (scheme >= 0 && scheme < at ? proxy[..(scheme + 3)] : string.Empty) + "***@" + proxy[(at + 1)..];
    }
}
