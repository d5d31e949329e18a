using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Runs generated clients over an <see cref="HttpClient"/>, for example one from <c>IHttpClientFactory</c>, so its
/// delegating handlers, resilience pipelines, HTTP/2 and HTTP/3 apply unchanged. Requests become
/// <see cref="HttpRequestMessage"/>s (content headers on the content, the body written by
/// <see cref="RequestContent.WriteToAsync"/> as often as the handlers ask) and responses are read from the
/// headers on (<see cref="HttpCompletionOption.ResponseHeadersRead"/>).
/// </summary>
/// <remarks>
/// <para>
/// A request keeps the version of the <see cref="HttpClient"/> (<see cref="HttpClient.DefaultRequestVersion"/> and
/// <see cref="HttpClient.DefaultVersionPolicy"/>) unless it asks for HTTP/1.0. Failures become
/// <see cref="TypedHttpException"/> with the closest <see cref="HttpError"/> and <see cref="HttpPhase"/>; an expired
/// <see cref="HttpClient.Timeout"/> is <see cref="HttpError.Timeout"/>; cancelling the caller's token throws
/// <see cref="OperationCanceledException"/>; a body that ends before its Content-Length or last chunk fails its read
/// with <see cref="HttpError.ResponseTruncated"/>, as on the engine (T-3).
/// </para>
/// <para>
/// Redirects follow the engine's policy on this transport too (R-15, see <see cref="FollowRedirects"/>);
/// authentication, cookies and decompression are the <see cref="HttpClient"/>'s handlers' business.
/// </para>
/// </remarks>
public sealed partial class HttpClientTransport : HttpTransport
{
    private readonly HttpClient _client;

    /// <summary>Creates the transport.</summary>
    /// <param name="client">The client to send with; the transport does not dispose it.</param>
    public HttpClientTransport(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>The client requests are sent with.</summary>
    public HttpClient Client => _client;

    /// <summary>One exchange through the <see cref="HttpClient"/>: no redirect is followed here.</summary>
    private async ValueTask<TypedHttpResponse> SendOnceAsync(TypedHttpRequest request, CancellationToken cancellationToken)
    {
        HttpRequestMessage message = ToRequestMessage(request);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            message.Dispose();
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            message.Dispose();
            throw ToTransportException(request, e);
        }
        return await ToResponseAsync(request, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the request message: headers split between request and content, the body adapted.</summary>
    internal HttpRequestMessage ToRequestMessage(TypedHttpRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri);
        // H2-1: the request's version and policy when it names them, the HttpClient's defaults otherwise (1.0 stays exact,
        // as before: HTTP/1.0 is asked for on purpose).
        message.Version = request.Version ?? _client.DefaultRequestVersion;
        message.VersionPolicy = request.VersionPolicy
            ?? (request.Version == HttpVersion.Version10 ? HttpVersionPolicy.RequestVersionExact : _client.DefaultVersionPolicy);

        RequestContent? content = request.Content;
        HttpContent? body = content is null ? null : new RequestContentAdapter(content);
        bool callerSetContentType = false;
        foreach (KeyValuePair<string, string> field in request.Headers)
        {
            if (IsContentHeader(field.Key))
            {
                if (field.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The request header '{field.Key}' is written by the transport from the request content; do not set it.");
                }
                // A content header without a body rides on an empty body, as it would on the engine's wire.
                body ??= new ByteArrayContent(Array.Empty<byte>());
                callerSetContentType |= field.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
                if (!body.Headers.TryAddWithoutValidation(field.Key, field.Value))
                {
                    throw InvalidHeader(field.Key);
                }
            }
            else if (field.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The request header '{field.Key}' is written by the transport from the request content; do not set it.");
            }
            else if (!message.Headers.TryAddWithoutValidation(field.Key, field.Value))
            {
                throw InvalidHeader(field.Key);
            }
        }
        if (content?.ContentType is string contentType && !callerSetContentType && body is not null)
        {
            body.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        message.Content = body;
        return message;
    }

    private static TypedHttpException InvalidHeader(string name) =>
        new(HttpError.InvalidRequest, HttpPhase.Request, $"The request header '{name}' was refused by HttpClient; nothing was sent.");

    /// <summary>Whether <paramref name="name"/> belongs on <see cref="HttpContent.Headers"/> rather than the request's headers.</summary>
    internal static bool IsContentHeader(string name) =>
        name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Expires", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Allow", StringComparison.OrdinalIgnoreCase);

    private static async ValueTask<TypedHttpResponse> ToResponseAsync(TypedHttpRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var headers = new HttpHeaderCollection(16);
            Append(headers, response.Headers);
            Append(headers, response.Content.Headers);
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new TypedHttpResponse((int)response.StatusCode, response.ReasonPhrase ?? string.Empty, response.Version, headers,
                new HttpClientBodyStream(body, response, request), response.RequestMessage?.RequestUri ?? request.Uri);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void Append(HttpHeaderCollection target, HttpHeaders source)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in source.NonValidated)
        {
            foreach (string value in header.Value)
            {
                target.AddUnchecked(header.Key, value);
            }
        }
    }

    /// <summary>Maps an HttpClient failure to the engine's error kind and phase.</summary>
    internal static TypedHttpException ToTransportException(TypedHttpRequest request, Exception e)
    {
        string target = $"{request.Method} {ApiException.Redact(request.Uri)}";
        if (e is OperationCanceledException)
        {
            // The caller's token was not cancelled: HttpClient.Timeout expired.
            return new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveHeaders, $"{target} timed out (HttpClient.Timeout).", e);
        }
        if (e is HttpRequestException h)
        {
            (HttpError error, HttpPhase phase) = h.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => (HttpError.NameNotResolved, HttpPhase.Resolve),
                HttpRequestError.ConnectionError => h.InnerException is SocketException ? (HttpError.CannotConnect, HttpPhase.Connect) : (HttpError.ConnectionError, HttpPhase.ReceiveHeaders),
                HttpRequestError.SecureConnectionError => (HttpError.SecureFailure, HttpPhase.Tls),
                HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse => (HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders),
                HttpRequestError.ResponseEnded => (HttpError.ConnectionError, HttpPhase.ReceiveHeaders),
                HttpRequestError.ConfigurationLimitExceeded => (HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders),
                HttpRequestError.UserAuthenticationError => (HttpError.LoginFailure, HttpPhase.ReceiveHeaders),
                HttpRequestError.ProxyTunnelError => (HttpError.CannotConnect, HttpPhase.Connect),
                _ when h.InnerException is AuthenticationException => (HttpError.SecureFailure, HttpPhase.Tls),
                _ when h.InnerException is SocketException => (HttpError.CannotConnect, HttpPhase.Connect),
                _ => (HttpError.ConnectionError, HttpPhase.Send),
            };
            return new TypedHttpException(error, phase, $"{target} failed: {h.Message}", e);
        }
        return new TypedHttpException(HttpError.ConnectionError, HttpPhase.ReceiveBody, $"{target} failed: {e.Message}", e);
    }

    /// <summary>A <see cref="RequestContent"/> as <see cref="HttpContent"/>: written again on every serialization, so replayable.</summary>
    private sealed class RequestContentAdapter : HttpContent
    {
        private readonly RequestContent _content;

        public RequestContentAdapter(RequestContent content) => _content = content;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            _content.WriteToAsync(stream, CancellationToken.None).AsTask();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            _content.WriteToAsync(stream, cancellationToken).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            if (_content.Length is long known)
            {
                length = known;
                return true;
            }
            length = 0;
            return false;
        }

        // Disposing this adapter leaves the RequestContent alone: the TypedHttpRequest owns and disposes it.
    }

    /// <summary>
    /// The body of an <see cref="HttpResponseMessage"/>: HttpClient's report that the body ended before its
    /// Content-Length or last chunk becomes <see cref="HttpError.ResponseTruncated"/> (T-3), as on the engine, so a
    /// body cut short is never read as a shorter one. Disposing it disposes the response message.
    /// </summary>
    private sealed class HttpClientBodyStream(Stream inner, HttpResponseMessage message, TypedHttpRequest request) : Policy.ReadOnlyStreamBase
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
            {
                throw Truncated(e);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ValueTask<int> read;
            try
            {
                read = inner.ReadAsync(buffer, cancellationToken);
            }
            catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
            {
                throw Truncated(e);
            }
            return read.IsCompletedSuccessfully ? read : AwaitAsync(read);
        }

        private async ValueTask<int> AwaitAsync(ValueTask<int> read)
        {
            try
            {
                return await read.ConfigureAwait(false);
            }
            catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
            {
                throw Truncated(e);
            }
        }

        private TypedHttpException Truncated(HttpIOException e) =>
            new(HttpError.ResponseTruncated, HttpPhase.ReceiveBody, $"The body of {request.Method} {ApiException.Redact(request.Uri)} was cut short: {e.Message}", e);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                message.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            message.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
