using System;
using System.Globalization;
using System.Threading;
using Microsoft.Extensions.Configuration;

namespace TypedHttp;

/// <summary>
/// Binds a configuration section by hand (no reflection binder, Native AOT safe). Keys, case-insensitive:
/// client: <c>BaseAddress</c>, <c>Timeout</c>; session: <c>UserAgent</c>, <c>ResolveTimeout</c>, <c>ConnectTimeout</c>,
/// <c>SendTimeout</c>, <c>ReceiveTimeout</c>, <c>ReceiveResponseTimeout</c>, <c>ExpectContinueTimeout</c>,
/// <c>PooledConnectionIdleTimeout</c>, <c>MaxConnectionsPerServer</c>, <c>MaxResponseHeadersLength</c>; policy:
/// <c>RedirectPolicy</c> (Never, DisallowHttpsToHttp, Always), <c>MaxRedirects</c>, <c>Proxy</c>,
/// <c>ProxyBypassList</c>. A timeout is a TimeSpan (<c>00:00:05</c>), a number of seconds (<c>2.5</c>) or
/// <c>Infinite</c>. A value that does not parse throws and names its configuration path.
/// </summary>
internal static class TypedHttpConfiguration
{
    public static void BindClient(IConfiguration section, TypedHttpClientOptions options)
    {
        if (section["BaseAddress"] is string baseAddress && baseAddress.Length > 0)
        {
            options.BaseAddress = Uri.TryCreate(baseAddress, UriKind.Absolute, out Uri? uri)
                ? uri
                : throw Invalid(section, "BaseAddress", baseAddress, "an absolute http or https URI");
        }
        if (ReadTimeout(section, "Timeout") is TimeSpan timeout)
        {
            options.Timeout = timeout;
        }
    }

    public static void BindSession(IConfiguration section, HttpSessionOptions options)
    {
        if (section["UserAgent"] is string userAgent)
        {
            options.UserAgent = userAgent.Length == 0 ? null : userAgent;
        }
        if (ReadTimeout(section, "ResolveTimeout") is TimeSpan resolve) options.ResolveTimeout = resolve;
        if (ReadTimeout(section, "ConnectTimeout") is TimeSpan connect) options.ConnectTimeout = connect;
        if (ReadTimeout(section, "SendTimeout") is TimeSpan send) options.SendTimeout = send;
        if (ReadTimeout(section, "ReceiveTimeout") is TimeSpan receive) options.ReceiveTimeout = receive;
        if (ReadTimeout(section, "ReceiveResponseTimeout") is TimeSpan receiveResponse) options.ReceiveResponseTimeout = receiveResponse;
        if (ReadTimeout(section, "ExpectContinueTimeout") is TimeSpan expectContinue) options.ExpectContinueTimeout = expectContinue;
        if (ReadTimeout(section, "PooledConnectionIdleTimeout") is TimeSpan idle) options.PooledConnectionIdleTimeout = idle;
        if (ReadInt(section, "MaxConnectionsPerServer") is int connections) options.MaxConnectionsPerServer = connections;
        if (ReadInt(section, "MaxResponseHeadersLength") is int headers) options.MaxResponseHeadersLength = headers;
        if (ReadRedirect(section) is RedirectPolicy redirect) options.RedirectPolicy = redirect;
        if (ReadInt(section, "MaxRedirects") is int maxRedirects) options.MaxAutomaticRedirections = maxRedirects;
        if (ReadProxy(section) is Uri proxy) options.Proxy = ProxySettings.Named(proxy, section["ProxyBypassList"], null);
    }

    /// <summary>The redirect policy from <c>RedirectPolicy</c>, or null.</summary>
    public static RedirectPolicy? ReadRedirect(IConfiguration section)
    {
        string? text = section["RedirectPolicy"];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return Enum.TryParse(text, ignoreCase: true, out RedirectPolicy policy) && Enum.IsDefined(policy)
            ? policy
            : throw Invalid(section, "RedirectPolicy", text, "Never, DisallowHttpsToHttp or Always");
    }

    /// <summary>The proxy URI from <c>Proxy</c>, or null.</summary>
    public static Uri? ReadProxy(IConfiguration section)
    {
        string? text = section["Proxy"];
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttp
            ? uri
            : throw Invalid(section, "Proxy", text, "an http proxy address (http://host:port)");
    }

    public static TimeSpan? ReadTimeout(IConfiguration section, string key)
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        text = text.Trim();
        if (text.Equals("Infinite", StringComparison.OrdinalIgnoreCase) || text == "-1")
        {
            return Timeout.InfiniteTimeSpan;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds < int.MaxValue / 1000.0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan value) && value > TimeSpan.Zero)
        {
            return value;
        }
        throw Invalid(section, key, text, "a positive TimeSpan (00:00:05), a number of seconds or Infinite");
    }

    public static int? ReadInt(IConfiguration section, string key)
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw Invalid(section, key, text, "a positive whole number");
    }

    private static InvalidOperationException Invalid(IConfiguration section, string key, string value, string expected)
    {
        string path = section is IConfigurationSection s ? ConfigurationPath.Combine(s.Path, key) : key;
        return new InvalidOperationException($"The configuration value '{path}' = '{value}' is not {expected}.");
    }
}
