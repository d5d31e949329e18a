using System;
using System.Net;

namespace TypedHttp;

/// <summary>
/// The server answered with a status that is not a success (not 2xx), or with a 2xx body that is not JSON where the
/// method reads JSON (as in Refit; <see cref="Content"/> holds the body's text either way).
/// </summary>
public class ApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="reasonPhrase">The response reason phrase.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="content">The response body as text, or null when there was none.</param>
    public ApiException(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content)
        : this(method, uri, statusCode, reasonPhrase, headers, content, HttpProblemDetails.TryParse(headers?.GetValue("Content-Type"), content)) // Issue 6
    {
    }

    /// <summary>Creates the exception with the problem details already read from the body, and a message of its own.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="statusCode">The response status code.</param>
    /// <param name="reasonPhrase">The response reason phrase.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="content">The response body as text, or null when there was none.</param>
    /// <param name="problem">The problem details, or null.</param>
    /// <param name="message">The message, or null for the status line and the problem's title and detail.</param>
    protected ApiException(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content, HttpProblemDetails? problem, string? message = null)
        : base(message ?? BuildMessage(method, uri, statusCode, reasonPhrase) + DescribeProblem(problem))
    {
        Problem = problem;
        Method = method;
        Uri = uri;
        NumericStatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Content = content;
    }

    /// <summary>The request method.</summary>
    public string Method { get; }

    /// <summary>The request URI.</summary>
    public Uri Uri { get; }

    /// <summary>The response status code, as Refit's <c>ApiException.StatusCode</c> (<c>e.StatusCode == HttpStatusCode.NotFound</c>).</summary>
    public HttpStatusCode StatusCode => (HttpStatusCode)NumericStatusCode;

    /// <summary>The response status code as a number.</summary>
    public int NumericStatusCode { get; }

    /// <summary>The response reason phrase.</summary>
    public string ReasonPhrase { get; }

    /// <summary>The response headers.</summary>
    public HttpHeaderCollection Headers { get; }

    /// <summary>The response body as text (UTF-8), or null when the response had none.</summary>
    public string? Content { get; }

    /// <summary>
    /// The RFC 9457 problem details when the response's content type is <c>application/problem+json</c> and its
    /// body is a JSON object; otherwise null (the body stays in <see cref="Content"/> either way).
    /// </summary>
    public HttpProblemDetails? Problem { get; }

    // Issue 6: " Title: detail" from problem details, on one line, bounded.
    private static string DescribeProblem(HttpProblemDetails? problem)
    {
        if (problem is null || (problem.Title is null && problem.Detail is null))
        {
            return string.Empty;
        }
        string text = problem.Title is not null && problem.Detail is not null ? problem.Title + ": " + problem.Detail : problem.Title ?? problem.Detail!;
        text = text.ReplaceLineEndings(" ");
        return " " + (text.Length > 300 ? string.Concat(text.AsSpan(0, 300), "…") : text);
    }

    private static string BuildMessage(string method, Uri uri, int statusCode, string reasonPhrase)
    {
        string reason = reasonPhrase.Length > 0 ? " " + reasonPhrase : string.Empty;
        return $"{method} {Redact(uri)} answered {statusCode}{reason}.";
    }

    /// <summary>
    /// The exception for an error response: a <see cref="ValidationApiException"/> when the body is problem details
    /// with an <c>errors</c> object (as ASP.NET Core's validation problems), else an <see cref="ApiException"/>.
    /// </summary>
    internal static ApiException Create(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content)
    {
        var problem = HttpProblemDetails.TryParse(headers?.GetValue("Content-Type"), content);
        return problem is not null && problem.Extensions.TryGetValue("errors", out System.Text.Json.JsonElement errors) && errors.ValueKind == System.Text.Json.JsonValueKind.Object
            ? new ValidationApiException(method, uri, statusCode, reasonPhrase, headers!, content, problem, errors)
            : new ApiException(method, uri, statusCode, reasonPhrase, headers!, content, problem);
    }

    /// <summary>A 2xx response whose body is not JSON (its Content-Type says otherwise) where the method reads JSON.</summary>
    internal static ApiException NotJson(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content, string contentType, string typeName) =>
        new(method, uri, statusCode, reasonPhrase, headers, content, null,
            $"{method} {Redact(uri)} answered {statusCode} with a '{contentType}' body, not JSON for '{typeName}'.");

    /// <summary>The URI without user information, which may hold a password.</summary>
    internal static string Redact(Uri uri) =>
        uri.IsAbsoluteUri && uri.UserInfo.Length > 0
            ? uri.Scheme + "://" + uri.GetComponents(UriComponents.Host | UriComponents.Port, UriFormat.UriEscaped) + uri.PathAndQuery
            : uri.ToString();
}
