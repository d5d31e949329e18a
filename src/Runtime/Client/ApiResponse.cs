using System;
using System.Net;

namespace TypedHttp;

/// <summary>
/// A response whose status and headers the caller inspects, whatever the status. Disposable as Refit's: disposing it
/// disposes a body the caller owns (<c>ApiResponse&lt;Stream&gt;</c>); for other bodies it does nothing.
/// </summary>
public interface IApiResponse : IDisposable
{
    /// <summary>The status code, as Refit's <c>IApiResponse.StatusCode</c> (<c>response.StatusCode == HttpStatusCode.NotFound</c>).</summary>
    HttpStatusCode StatusCode { get; }

    /// <summary>The status code as a number (a code <see cref="HttpStatusCode"/> has no member for stays what it was).</summary>
    int NumericStatusCode { get; }

    /// <summary>The reason phrase.</summary>
    string ReasonPhrase { get; }

    /// <summary>The response headers.</summary>
    HttpHeaderCollection Headers { get; }

    /// <summary>Whether the status is 2xx.</summary>
    bool IsSuccessStatusCode { get; }

    /// <summary>The failure when the status is not 2xx, carrying the body text; otherwise null.</summary>
    ApiException? Error { get; }
}

/// <summary>A response with a typed body.</summary>
/// <typeparam name="T">The body type.</typeparam>
public interface IApiResponse<out T> : IApiResponse
{
    /// <summary>The deserialized body when the status is 2xx and a body was sent; otherwise default.</summary>
    T? Content { get; }
}

/// <summary>A response with its status, headers and, on success, its deserialized body.</summary>
/// <typeparam name="T">The body type.</typeparam>
public sealed class ApiResponse<T> : IApiResponse<T>
{
    /// <summary>Creates the response.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="reasonPhrase">The reason phrase.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="content">The deserialized body, or default.</param>
    /// <param name="error">The failure for a non-2xx status, or null.</param>
    public ApiResponse(int statusCode, string reasonPhrase, HttpHeaderCollection headers, T? content, ApiException? error)
    {
        NumericStatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Content = content;
        Error = error;
    }

    /// <inheritdoc />
    public HttpStatusCode StatusCode => (HttpStatusCode)NumericStatusCode;

    /// <inheritdoc />
    public int NumericStatusCode { get; }

    /// <inheritdoc />
    public string ReasonPhrase { get; }

    /// <inheritdoc />
    public HttpHeaderCollection Headers { get; }

    /// <inheritdoc />
    public T? Content { get; }

    /// <inheritdoc />
    public ApiException? Error { get; }

    /// <inheritdoc />
    public bool IsSuccessStatusCode => NumericStatusCode is >= 200 and <= 299;

    /// <summary>Throws <see cref="Error"/> when the status is not 2xx; returns this response otherwise.</summary>
    public ApiResponse<T> EnsureSuccessStatusCode() => Error is null ? this : throw Error;

    /// <summary>Disposes <see cref="Content"/> when it is disposable (the body stream of <c>ApiResponse&lt;Stream&gt;</c>, which releases the connection).</summary>
    public void Dispose() => (Content as IDisposable)?.Dispose();
}
