using System;

namespace TypedHttp;

/// <summary>The server answered with a status that is not a success (not 2xx).</summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="reasonPhrase">The response reason phrase.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="content">The response body as text, or null when there was none.</param>
    public ApiException(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content)
        : base(BuildMessage(method, uri, statusCode, reasonPhrase))
    {
        Method = method;
        Uri = uri;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Content = content;
    }

    /// <summary>The request method.</summary>
    public string Method { get; }

    /// <summary>The request URI.</summary>
    public Uri Uri { get; }

    /// <summary>The response status code.</summary>
    public int StatusCode { get; }

    /// <summary>The response reason phrase.</summary>
    public string ReasonPhrase { get; }

    /// <summary>The response headers.</summary>
    public HttpHeaderCollection Headers { get; }

    /// <summary>The response body as text (UTF-8), or null when the response had none.</summary>
    public string? Content { get; }

    private static string BuildMessage(string method, Uri uri, int statusCode, string reasonPhrase)
    {
        string reason = reasonPhrase.Length > 0 ? " " + reasonPhrase : string.Empty;
        return $"{method} {Redact(uri)} answered {statusCode}{reason}.";
    }

    /// <summary>The URI without user information, which may hold a password.</summary>
    internal static string Redact(Uri uri) =>
        uri.IsAbsoluteUri && uri.UserInfo.Length > 0
            ? uri.Scheme + "://" + uri.GetComponents(UriComponents.Host | UriComponents.Port, UriFormat.UriEscaped) + uri.PathAndQuery
            : uri.ToString();
}
