using System;

namespace TypedHttp;

/// <summary>One HTTP request as the engine sends it.</summary>
public sealed class TypedHttpRequest : IDisposable
{
    /// <summary>Creates a request.</summary>
    /// <param name="method">The method, such as <c>GET</c>.</param>
    /// <param name="uri">The absolute http or https URI.</param>
    public TypedHttpRequest(string method, Uri uri)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(uri);
        Method = method;
        Uri = uri;
    }

    /// <summary>The request method.</summary>
    public string Method { get; set; }

    /// <summary>The absolute request URI.</summary>
    public Uri Uri { get; set; }

    /// <summary>Request headers in the order they are sent. Host, Content-Length and Transfer-Encoding are written by the engine.</summary>
    public HttpHeaderCollection Headers { get; } = new HttpHeaderCollection();

    /// <summary>The body, or null for none.</summary>
    public RequestContent? Content { get; set; }

    /// <summary>
    /// The HTTP version to ask for: 1.0, 1.1, 2.0 (or 3.0, which falls back under <c>RequestVersionOrLower</c>); null
    /// (the default) takes <see cref="HttpSessionOptions.DefaultRequestVersion"/>. What is used also depends on
    /// <see cref="VersionPolicy"/>; the response's <see cref="TypedHttpResponse.Version"/> says what was (H2-1).
    /// </summary>
    public Version? Version { get; set; }

    /// <summary>
    /// How <see cref="Version"/> may be departed from (HttpClient's vocabulary: lower, exact, or higher); null (the
    /// default) takes <see cref="HttpSessionOptions.DefaultVersionPolicy"/> (H2-1).
    /// </summary>
    public System.Net.Http.HttpVersionPolicy? VersionPolicy { get; set; }

    /// <summary>
    /// The redirect policy for this request, overriding <see cref="HttpSessionOptions.RedirectPolicy"/> (R-3: the
    /// option is settable per request); null (the default) uses the session's. Generated clients set it from a
    /// <c>[RedirectPolicy]</c> attribute on the interface or method.
    /// </summary>
    public RedirectPolicy? RedirectPolicy { get; set; }

    /// <summary>Disposes the body.</summary>
    public void Dispose() => Content?.Dispose();
}
