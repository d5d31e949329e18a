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
/// <c>ProxyBypassList</c>; protocol: <c>HttpVersion</c> (1.0, 1.1, 2.0, 3.0) and <c>HttpVersionPolicy</c>
/// (RequestVersionOrLower, RequestVersionExact, RequestVersionOrHigher). A timeout is a TimeSpan (<c>00:00:05</c>), a number of seconds (<c>2.5</c>) or
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
        if (ReadTimeout(section, "ResolveTimeout") is TimeSpan resolve)
        {
            options.ResolveTimeout = resolve;
        }

        if (ReadTimeout(section, "ConnectTimeout") is TimeSpan connect)
        {
            options.ConnectTimeout = connect;
        }

        if (ReadTimeout(section, "SendTimeout") is TimeSpan send)
        {
            options.SendTimeout = send;
        }

        if (ReadTimeout(section, "ReceiveTimeout") is TimeSpan receive)
        {
            options.ReceiveTimeout = receive;
        }

        if (ReadTimeout(section, "ReceiveResponseTimeout") is TimeSpan receiveResponse)
        {
            options.ReceiveResponseTimeout = receiveResponse;
        }

        if (ReadTimeout(section, "ExpectContinueTimeout") is TimeSpan expectContinue)
        {
            options.ExpectContinueTimeout = expectContinue;
        }

        if (ReadTimeout(section, "PooledConnectionIdleTimeout") is TimeSpan idle)
        {
            options.PooledConnectionIdleTimeout = idle;
        }

        if (ReadInt(section, "MaxConnectionsPerServer") is int connections)
        {
            options.MaxConnectionsPerServer = connections;
        }

        if (ReadInt(section, "MaxResponseHeadersLength") is int headers)
        {
            options.MaxResponseHeadersLength = headers;
        }

        if (ReadRedirect(section) is RedirectPolicy redirect)
        {
            options.RedirectPolicy = redirect;
        }

        if (ReadInt(section, "MaxRedirects") is int maxRedirects)
        {
            options.MaxAutomaticRedirections = maxRedirects;
        }

        if (ReadProxy(section) is Uri proxy)
        {
            options.Proxy = ProxySettings.Named(proxy, section["ProxyBypassList"], null);
        }

        if (ReadVersion(section) is Version version)
        {
            options.DefaultRequestVersion = version;
        }

        if (ReadVersionPolicy(section) is System.Net.Http.HttpVersionPolicy policy)
        {
            options.DefaultVersionPolicy = policy;
        }
    }

    /// <summary>H2-1: the session's default HTTP version from <c>HttpVersion</c> (1.0, 1.1, 2.0 or 3.0), or null.</summary>
    public static Version? ReadVersion(IConfiguration section)
    {
        string? text = section["HttpVersion"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return text.Trim() switch
        {
            "1.0" => System.Net.HttpVersion.Version10,
            "1.1" => System.Net.HttpVersion.Version11,
            "2" or "2.0" => System.Net.HttpVersion.Version20,
            "3" or "3.0" => System.Net.HttpVersion.Version30,
            _ => throw Invalid(section, "HttpVersion", text, "1.0, 1.1, 2.0 or 3.0"),
        };
    }

    /// <summary>H2-1: the session's version policy from <c>HttpVersionPolicy</c>, or null.</summary>
    public static System.Net.Http.HttpVersionPolicy? ReadVersionPolicy(IConfiguration section)
    {
        string? text = section["HttpVersionPolicy"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return Enum.TryParse(text.Trim(), ignoreCase: true, out System.Net.Http.HttpVersionPolicy policy) && Enum.IsDefined(policy)
            ? policy
            : throw Invalid(section, "HttpVersionPolicy", text, "RequestVersionOrLower, RequestVersionExact or RequestVersionOrHigher");
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
