using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// A response whose head has arrived. Read <see cref="Body"/> to the end and dispose the response; a connection
/// goes back to its pool only after its body was read completely.
/// </summary>
public sealed class TypedHttpResponse : IDisposable, IAsyncDisposable
{
    /// <summary>Creates a response (transports and test doubles use this).</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="reasonPhrase">The reason phrase.</param>
    /// <param name="version">The HTTP version of the status line.</param>
    /// <param name="headers">The response headers.</param>
    /// <param name="body">The body stream, already framed: it ends where the body ends.</param>
    /// <param name="requestUri">The URI this response answers.</param>
    public TypedHttpResponse(int statusCode, string reasonPhrase, Version version, HttpHeaderCollection headers, Stream body, Uri requestUri)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Version = version;
        Headers = headers;
        Body = body;
        RequestUri = requestUri;
    }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase as received.</summary>
    public string ReasonPhrase { get; }

    /// <summary>The HTTP version of the status line.</summary>
    public Version Version { get; }

    /// <summary>The response headers, in the order received.</summary>
    public HttpHeaderCollection Headers { get; }

    /// <summary>The body. It ends where the body ends; a connection cut short raises <see cref="HttpError.ResponseTruncated"/>.</summary>
    public Stream Body { get; internal set; }

    /// <summary>The trailer fields of a chunked body, available once the body has been read to its end; otherwise empty.</summary>
    /// <remarks>Never null; the empty collection of a response without trailers is created on first access.</remarks>
    public HttpHeaderCollection Trailers
    {
        get => _trailers ?? Interlocked.CompareExchange(ref _trailers, new HttpHeaderCollection(0), null) ?? _trailers;
        internal set => _trailers = value;
    }

    private HttpHeaderCollection? _trailers;

    /// <summary>
    /// The URI this response answers: after redirects, the final URI, not the one first requested (R-10,
    /// WINHTTP_OPTION_URL).
    /// </summary>
    public Uri RequestUri { get; internal set; }

    /// <summary>How many redirects the engine followed to get this response (0 when none, R-6).</summary>
    public int RedirectCount { get; internal set; }

    /// <summary>
    /// An opaque handle to the connection a codec held for the follow-up stage (A-4,
    /// <see cref="RequestPlan.MayBindConnection"/>): set by HTTP/1.1 on a 401 whose connection stays out of the pool
    /// until the stage's <see cref="ConnectionAffinity"/> binds it for the next handshake leg or lets it go.
    /// </summary>
    internal IBindableConnection? Affinity { get; set; }

    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccessStatusCode => StatusCode is >= 200 and <= 299;

    /// <summary>Releases the body; an unread body closes its connection instead of returning it to the pool.</summary>
    public void Dispose() => Body.Dispose();

    /// <summary>Releases the body; an unread body closes its connection instead of returning it to the pool.</summary>
    public ValueTask DisposeAsync() => Body.DisposeAsync();
}
