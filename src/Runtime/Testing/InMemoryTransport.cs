using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Testing;

/// <summary>
/// A transport that never touches the network: a handler answers each request in memory. Use it to unit-test
/// code that calls a generated client (set <see cref="TypedHttpClientOptions.Transport"/>), and to measure a
/// client's own overhead. The request body, if any, is written to the handler's view of it first, exactly as the
/// engine would write it to a connection.
/// </summary>
/// <example>
/// <code>
/// var transport = InMemoryTransport.Respond(200, """{"id":1,"name":"Ada"}""");
/// var api = TypedHttpClient.Create&lt;IUsersApi&gt;(new TypedHttpClientOptions
/// {
///     BaseAddress = new Uri("http://users.test"),
///     JsonSerializerOptions = AppJsonContext.Default.Options,
///     Transport = transport,
/// });
/// User ada = await api.GetUserAsync(1);
/// Assert.Equal("/users/1", transport.LastRequest!.Uri.PathAndQuery);
/// </code>
/// </example>
public sealed class InMemoryTransport : HttpTransport
{
    private readonly Func<InMemoryRequest, CancellationToken, ValueTask<TypedHttpResponse>> _handler;
    private readonly bool _recordBodies;

    /// <summary>Creates a transport whose <paramref name="handler"/> answers every request.</summary>
    /// <param name="handler">Produces the response for a request; <see cref="InMemoryRequest.Body"/> holds the bytes the request would send.</param>
    /// <param name="recordBodies">Whether request bodies are captured (default); false writes them to nowhere, as fast as possible.</param>
    public InMemoryTransport(Func<InMemoryRequest, CancellationToken, ValueTask<TypedHttpResponse>> handler, bool recordBodies = true)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _recordBodies = recordBodies;
    }

    /// <summary>The last request sent through this transport, with its body bytes.</summary>
    public InMemoryRequest? LastRequest { get; private set; }

    /// <summary>How many requests were sent through this transport.</summary>
    public int RequestCount => _requestCount;

    private int _requestCount;

    /// <summary>A transport answering every request with the same status, body and content type.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="body">The body text, sent as UTF-8.</param>
    /// <param name="contentType">The Content-Type header.</param>
    public static InMemoryTransport Respond(int statusCode, string body, string contentType = "application/json; charset=utf-8")
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var headers = new HttpHeaderCollection(2);
        headers.Add("Content-Type", contentType);
        headers.Add("Content-Length", bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new InMemoryTransport((request, _) => new ValueTask<TypedHttpResponse>(CreateResponse(request.Request, statusCode, bytes, headers)));
    }

    /// <summary>Creates a response to <paramref name="request"/> whose body is <paramref name="body"/>.</summary>
    /// <param name="request">The request answered.</param>
    /// <param name="statusCode">The status code.</param>
    /// <param name="body">The body bytes; not copied.</param>
    /// <param name="headers">The response headers; shared, not copied.</param>
    public static TypedHttpResponse CreateResponse(TypedHttpRequest request, int statusCode, byte[] body, HttpHeaderCollection? headers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        return new TypedHttpResponse(statusCode, ReasonPhrase(statusCode), HttpVersion.Version11, headers ?? new HttpHeaderCollection(0),
            new MemoryStream(body, 0, body.Length, writable: false, publiclyVisible: true), request.Uri);
    }

    /// <inheritdoc />
    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] body = Array.Empty<byte>();
        if (request.Content is { } content)
        {
            if (_recordBodies)
            {
                using var buffer = new MemoryStream(content.Length is { } length and < int.MaxValue ? (int)length : 256);
                await content.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
                body = buffer.ToArray();
            }
            else
            {
                await content.WriteToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }
        }
        var recorded = new InMemoryRequest(request, body);
        LastRequest = recorded;
        Interlocked.Increment(ref _requestCount);
        return await _handler(recorded, cancellationToken).ConfigureAwait(false);
    }

    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => string.Empty,
    };
}

/// <summary>A request as an <see cref="InMemoryTransport"/> saw it: the request and the body bytes it would send.</summary>
/// <param name="Request">The request.</param>
/// <param name="Body">The body bytes (empty when there is none, or when bodies are not recorded).</param>
public sealed record InMemoryRequest(TypedHttpRequest Request, byte[] Body)
{
    /// <summary>The request URI.</summary>
    public Uri Uri => Request.Uri;

    /// <summary>The request method.</summary>
    public string Method => Request.Method;

    /// <summary>The request headers.</summary>
    public HttpHeaderCollection Headers => Request.Headers;

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}
