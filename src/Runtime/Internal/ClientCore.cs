using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// What a generated client holds: its options, its transport, and the send-and-read operations its methods
/// end with. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class ClientCore
{
    /// <summary>The longest error body kept as text in an <see cref="ApiException"/>.</summary>
    internal const int MaxErrorContentChars = 64 * 1024;

    private readonly HttpTransport _transport;
    private readonly ClientDiagnostics _diagnostics; // span, metrics, request log, trace context, per-call timeout
    private readonly JsonSerializerOptions? _jsonOptions;
    private readonly string _uriPrefix; // the base address as every request URI starts
    private readonly Func<TypedHttpRequest, CancellationToken, Task<string>>? _authorizationHeaderValueGetter;
    private readonly TimeSpan _timeout; // the client's per-call timeout, which bounds a WebSocket handshake too
    private readonly int _maxWebSocketMessageBytes;

    /// <summary>Creates the core of a client for <paramref name="interfaceName"/>.</summary>
    /// <param name="options">The client's options.</param>
    /// <param name="interfaceName">The interface's full name, named in configuration errors.</param>
    public ClientCore(TypedHttpClientOptions options, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseAddress is null)
        {
            throw new InvalidOperationException($"The client for '{interfaceName}' needs TypedHttpClientOptions.BaseAddress.");
        }
        if (!options.BaseAddress.IsAbsoluteUri || (options.BaseAddress.Scheme != Uri.UriSchemeHttp && options.BaseAddress.Scheme != Uri.UriSchemeHttps && !IsDiscoveryScheme(options.BaseAddress.Scheme)))
        {
            throw new InvalidOperationException($"The client for '{interfaceName}' needs an absolute http or https BaseAddress (or https+http with service discovery); '{options.BaseAddress}' is not one.");
        }
        BaseAddress = options.BaseAddress;
        _uriPrefix = RequestUriBuilder.Prefix(options.BaseAddress);
        InterfaceName = interfaceName;
        _jsonOptions = options.JsonSerializerOptions;
        _transport = options.Transport ?? options.Session ?? HttpSession.Shared;
        _diagnostics = new ClientDiagnostics(options, interfaceName);
        _authorizationHeaderValueGetter = options.AuthorizationHeaderValueGetter;
        _timeout = options.Timeout;
        _maxWebSocketMessageBytes = options.MaxWebSocketMessageBytes;
    }

    /// <summary>The base address routes are appended to.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Whether <paramref name="scheme"/> is a service-discovery preference such as <c>https+http</c> (SD-7): http and
    /// https joined by <c>+</c>. Only a transport wrapped by TypedHttp.ServiceDiscovery sends such a URI; the engine
    /// refuses it naming the call to add.
    /// </summary>
    private static bool IsDiscoveryScheme(string scheme)
    {
        string[] parts = scheme.Split('+');
        return parts.Length > 1 && Array.TrueForAll(parts, p => p is "http" or "https");
    }

    /// <summary>The interface this client implements.</summary>
    public string InterfaceName { get; }

    /// <summary>Starts the URI of a request.</summary>
    public RequestUriBuilder CreateUriBuilder() => new(_uriPrefix, hasQuery: false);

    /// <summary>
    /// Starts the URI of a request at a <c>[Url]</c> parameter's value: an absolute http or https URL is used as
    /// it is, a URL starting with <c>/</c> is appended to the base address.
    /// </summary>
    /// <param name="url">The parameter's value.</param>
    /// <param name="parameterName">The parameter, named in the exception.</param>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">The value is neither an absolute http(s) URL nor a path starting with <c>/</c>.</exception>
    public RequestUriBuilder CreateUriBuilder(string? url, string parameterName) => RequestUriBuilder.ForUrl(_uriPrefix, url, parameterName);

    /// <summary>Starts the URI of a request at a <c>[Url]</c> parameter's value.</summary>
    /// <param name="url">The parameter's value.</param>
    /// <param name="parameterName">The parameter, named in the exception.</param>
    public RequestUriBuilder CreateUriBuilder(Uri? url, string parameterName) =>
        RequestUriBuilder.ForUrl(_uriPrefix, url is null ? null : url.IsAbsoluteUri ? url.AbsoluteUri : url.OriginalString, parameterName);

    /// <summary>
    /// The JSON type information for <typeparamref name="T"/> from the options' resolver (the application's
    /// source-generated context). Generated code caches it per client instance.
    /// </summary>
    /// <typeparam name="T">A body or result type.</typeparam>
    /// <exception cref="InvalidOperationException">No JSON options were given, or their resolver does not know the type.</exception>
    public JsonTypeInfo<T> GetJsonTypeInfo<T>()
    {
        if (_jsonOptions is null)
        {
            throw new InvalidOperationException(
                $"The client for '{InterfaceName}' sends or reads '{typeof(T).FullName}' as JSON but TypedHttpClientOptions.JsonSerializerOptions is not set. Set it to the options of a JsonSerializerContext that declares the type ([JsonSerializable(typeof(...))]).");
        }
        // The options' own cache: configured once and shared, rather than a fresh metadata object from the resolver.
        if (_jsonOptions.TryGetTypeInfo(typeof(T), out JsonTypeInfo? info) && info is JsonTypeInfo<T> typed)
        {
            return typed;
        }
        throw new InvalidOperationException(
            $"The JSON options of the client for '{InterfaceName}' have no type information for '{typeof(T).FullName}'. Add [JsonSerializable(typeof({typeof(T).Name}))] to the application's JsonSerializerContext.");
    }

    /// <summary>Sends the request; a non-2xx status throws <see cref="ApiException"/>. The body is read and discarded.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">The scheme of a constant <c>Authorization</c> header whose credentials come from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>, or null.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task SendAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<NoBody, string?>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and deserializes a 2xx body as <typeparamref name="T"/>; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="typeInfo">Source-generated type information for the result.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">The scheme of a constant <c>Authorization</c> header whose credentials come from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>, or null.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<T> SendJsonAsync<T>(TypedHttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<JsonContent<T>, T>(new(typeInfo), request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and returns a 2xx body as text; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">The scheme of a constant <c>Authorization</c> header whose credentials come from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>, or null.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<string> SendStringAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<TextContent, string>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and wraps the response; a 2xx body is deserialized, any other status sets <see cref="ApiResponse{T}.Error"/>.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="typeInfo">Source-generated type information for the body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">The scheme of a constant <c>Authorization</c> header whose credentials come from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>, or null.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<ApiResponse<T>> SendForApiResponseAsync<T>(TypedHttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<Wrapped<JsonContent<T>, T>, ApiResponse<T>>(new(new(typeInfo)), request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and wraps the response with its body as text.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">The scheme of a constant <c>Authorization</c> header whose credentials come from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>, or null.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<ApiResponse<string>> SendForApiResponseStringAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<Wrapped<TextContent, string>, ApiResponse<string>>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and wraps the response without a body (the body is read and discarded).</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<IApiResponse> SendForApiResponseWithoutBodyAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<AsInterface<Wrapped<NoBody, string?>, ApiResponse<string?>, IApiResponse>, IApiResponse>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>The same as <see cref="SendForApiResponseAsync{T}"/>, typed as the interface.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="typeInfo">Source-generated type information for the body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<IApiResponse<T>> SendForIApiResponseAsync<T>(TypedHttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<AsInterface<Wrapped<JsonContent<T>, T>, ApiResponse<T>, IApiResponse<T>>, IApiResponse<T>>(new(new(new(typeInfo))), request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>The same as <see cref="SendForApiResponseStringAsync"/>, typed as the interface.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<IApiResponse<string>> SendForIApiResponseStringAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<AsInterface<Wrapped<TextContent, string>, ApiResponse<string>, IApiResponse<string>>, IApiResponse<string>>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>
    /// Sends the request and returns a 2xx body as a stream that the caller owns: disposing it releases the
    /// connection (read it to its end first to give the connection back to the pool). A non-2xx status throws
    /// <see cref="ApiException"/>.
    /// </summary>
    /// <param name="request">The request; it is disposed once the response head has arrived.</param>
    /// <param name="cancellationToken">Cancels the call (not the reading of the returned stream).</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<Stream> SendForStreamAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<StreamContent, Stream>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>
    /// Sends the request and wraps the response with its body as a stream that the caller owns after a 2xx status:
    /// disposing the response (or the stream) releases the connection. Any other status sets
    /// <see cref="ApiResponse{T}.Error"/> with the body text, and the content is null.
    /// </summary>
    /// <param name="request">The request; it is disposed once the response head has arrived.</param>
    /// <param name="cancellationToken">Cancels the call (not the reading of the stream).</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<ApiResponse<Stream>> SendForApiResponseStreamAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<Wrapped<StreamContent, Stream>, ApiResponse<Stream>>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>The same as <see cref="SendForApiResponseStreamAsync"/>, typed as the interface.</summary>
    /// <param name="request">The request; it is disposed once the response head has arrived.</param>
    /// <param name="cancellationToken">Cancels the call (not the reading of the stream).</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<IApiResponse<Stream>> SendForIApiResponseStreamAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<AsInterface<Wrapped<StreamContent, Stream>, ApiResponse<Stream>, IApiResponse<Stream>>, IApiResponse<Stream>>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>
    /// Sends the request and returns the response as it arrived, whatever its status: no <see cref="ApiException"/>
    /// is thrown. The caller owns it: disposing it releases the connection (read <see cref="TypedHttpResponse.Body"/>
    /// to its end first to give the connection back to the pool).
    /// </summary>
    /// <param name="request">The request; it is disposed once the response head has arrived.</param>
    /// <param name="cancellationToken">Cancels the call (not the reading of the body).</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<TypedHttpResponse> SendForResponseAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<WholeResponse, TypedHttpResponse>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>Sends the request and returns a 2xx body as bytes; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public Task<byte[]> SendForBytesAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0) =>
        SendAndReadAsync<BytesContent, byte[]>(default, request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken);

    /// <summary>
    /// Sends the request when enumeration starts and yields the items of a 2xx body as they arrive: a JSON array,
    /// or JSON Lines (one value a line) when the response's Content-Type is <c>application/x-ndjson</c>,
    /// <c>application/jsonl</c>, <c>application/x-jsonlines</c> or <c>application/jsonlines</c>. A non-2xx status
    /// throws <see cref="ApiException"/> from the first <c>MoveNextAsync</c>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="request">The request; it is disposed when the enumeration ends.</param>
    /// <param name="typeInfo">Source-generated type information for an item.</param>
    /// <param name="cancellationToken">The method's token; combined with the enumerator's token.</param>
    /// <param name="authorizationScheme">See <see cref="SendAsync"/>.</param>
    /// <param name="methodName">The interface method's name, for traces and logs; generated code passes it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout; 0 uses <see cref="TypedHttpClientOptions.Timeout"/>.</param>
    public async IAsyncEnumerable<T> StreamJsonAsync<T>(
        TypedHttpRequest request,
        JsonTypeInfo<T> typeInfo,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        string? authorizationScheme = null, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await SendCoreAsync(request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false);
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                }
                if (HasNoBody(request, response))
                {
                    yield break;
                }
                IAsyncEnumerable<T> items = IsJsonLines(response.Headers.GetValue("Content-Type"))
                    ? JsonLines.ReadAsync(response.Body, typeInfo, cancellationToken)
                    : JsonArrayItems.ReadAsync(response.Body, typeInfo, cancellationToken);
                await foreach (T item in items.ConfigureAwait(false))
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>
    /// The one skeleton every <c>Send*Async</c> method runs: send (with the <c>Authorization</c> credentials when
    /// asked for), turn a non-2xx status into an <see cref="ApiException"/> (thrown or wrapped, as the reader says),
    /// read a 2xx response with <typeparamref name="TReader"/>, and dispose the request and, unless the result hands
    /// the body to the caller, the response. The reader is a struct type argument, so each result kind gets its own
    /// compiled body with no delegate or interface call.
    /// </summary>
    private async Task<TResult> SendAndReadAsync<TReader, TResult>(TReader reader, TypedHttpRequest request, string? authorizationScheme, string? methodName, int timeoutMilliseconds, CancellationToken cancellationToken)
        where TReader : struct, IResultReader<TResult>
    {
        using (request)
        {
            TypedHttpResponse response = await SendCoreAsync(request, authorizationScheme, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false);
            bool handedOver = false;
            try
            {
                if (!response.IsSuccessStatusCode && reader.Errors != ErrorHandling.None)
                {
                    ApiException error = await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                    if (reader.Errors == ErrorHandling.Throw)
                    {
                        throw error;
                    }
                    return reader.FromError(response, error);
                }
                TResult result = await reader.ReadAsync(request, response, cancellationToken).ConfigureAwait(false);
                // Disposing the response is disposing its body, so the body alone carries the connection.
                handedOver = reader.HandsOverBody;
                return result;
            }
            finally
            {
                if (!handedOver)
                {
                    await response.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>What a non-2xx status becomes.</summary>
    private enum ErrorHandling
    {
        /// <summary>An <see cref="ApiException"/> thrown.</summary>
        Throw,

        /// <summary>An <see cref="ApiException"/> set on the result (<see cref="IResultReader{TResult}.FromError"/>).</summary>
        Wrap,

        /// <summary>Nothing: the response is the result whatever its status.</summary>
        None,
    }

    /// <summary>How one kind of result is read from a response (a struct, so the skeleton is specialized per kind).</summary>
    /// <typeparam name="TResult">The result.</typeparam>
    private interface IResultReader<TResult>
    {
        /// <summary>What a non-2xx status becomes.</summary>
        ErrorHandling Errors { get; }

        /// <summary>Whether a result read successfully keeps the response's body open for the caller.</summary>
        bool HandsOverBody { get; }

        /// <summary>Reads the result from a response the skeleton lets through.</summary>
        ValueTask<TResult> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken);

        /// <summary>The result for a non-2xx status when <see cref="Errors"/> is <see cref="ErrorHandling.Wrap"/>.</summary>
        TResult FromError(TypedHttpResponse response, ApiException error);
    }

    /// <summary>No result: the body is read and discarded.</summary>
    private readonly struct NoBody : IResultReader<string?>
    {
        public ErrorHandling Errors => ErrorHandling.Throw;

        public bool HandsOverBody => false;

        public async ValueTask<string?> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken)
        {
            await DrainAsync(response.Body, cancellationToken).ConfigureAwait(false);
            return null;
        }

        public string? FromError(TypedHttpResponse response, ApiException error) => throw error;
    }

    /// <summary>The body deserialized as JSON.</summary>
    private readonly struct JsonContent<T>(JsonTypeInfo<T> typeInfo) : IResultReader<T>
    {
        public ErrorHandling Errors => ErrorHandling.Throw;

        public bool HandsOverBody => false;

        public ValueTask<T> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) =>
            ReadJsonAsync(request, response, typeInfo, cancellationToken);

        public T FromError(TypedHttpResponse response, ApiException error) => throw error;
    }

    /// <summary>The body as text, decoded with the Content-Type's charset.</summary>
    private readonly struct TextContent : IResultReader<string>
    {
        public ErrorHandling Errors => ErrorHandling.Throw;

        public bool HandsOverBody => false;

        public ValueTask<string> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) =>
            ResponseBody.ReadTextAsync(response.Body, CharsetOf(response), ContentLengthOf(response), cancellationToken);

        public string FromError(TypedHttpResponse response, ApiException error) => throw error;
    }

    /// <summary>The body's bytes.</summary>
    private readonly struct BytesContent : IResultReader<byte[]>
    {
        public ErrorHandling Errors => ErrorHandling.Throw;

        public bool HandsOverBody => false;

        public ValueTask<byte[]> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) =>
            ResponseBody.ReadBytesAsync(response.Body, ContentLengthOf(response), cancellationToken);

        public byte[] FromError(TypedHttpResponse response, ApiException error) => throw error;
    }

    /// <summary>The body stream itself, owned by the caller from then on.</summary>
    private readonly struct StreamContent : IResultReader<Stream>
    {
        public ErrorHandling Errors => ErrorHandling.Throw;

        public bool HandsOverBody => true;

        public ValueTask<Stream> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) => new(response.Body);

        public Stream FromError(TypedHttpResponse response, ApiException error) => throw error;
    }

    /// <summary>The response as it arrived, whatever its status, owned by the caller.</summary>
    private readonly struct WholeResponse : IResultReader<TypedHttpResponse>
    {
        public ErrorHandling Errors => ErrorHandling.None;

        public bool HandsOverBody => true;

        public ValueTask<TypedHttpResponse> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) => new(response);

        public TypedHttpResponse FromError(TypedHttpResponse response, ApiException error) => response;
    }

    /// <summary>An <see cref="ApiResponse{T}"/> around what <typeparamref name="TContent"/> reads; a non-2xx status sets its error.</summary>
    private readonly struct Wrapped<TContent, T>(TContent content) : IResultReader<ApiResponse<T>>
        where TContent : struct, IResultReader<T>
    {
        public ErrorHandling Errors => ErrorHandling.Wrap;

        public bool HandsOverBody => content.HandsOverBody;

        public async ValueTask<ApiResponse<T>> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken)
        {
            T value = await content.ReadAsync(request, response, cancellationToken).ConfigureAwait(false);
            return new ApiResponse<T>(response.StatusCode, response.ReasonPhrase, response.Headers, value, null);
        }

        public ApiResponse<T> FromError(TypedHttpResponse response, ApiException error) =>
            new(response.StatusCode, response.ReasonPhrase, response.Headers, default, error);
    }

    /// <summary>What <typeparamref name="TInner"/> reads, typed as the interface <typeparamref name="TInterface"/>.</summary>
    private readonly struct AsInterface<TInner, TConcrete, TInterface>(TInner inner) : IResultReader<TInterface>
        where TInner : struct, IResultReader<TConcrete>
        where TConcrete : TInterface
    {
        public ErrorHandling Errors => inner.Errors;

        public bool HandsOverBody => inner.HandsOverBody;

        public async ValueTask<TInterface> ReadAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken) =>
            await inner.ReadAsync(request, response, cancellationToken).ConfigureAwait(false);

        public TInterface FromError(TypedHttpResponse response, ApiException error) => inner.FromError(response, error);
    }

    private static bool IsJsonLines(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }
        ReadOnlySpan<char> media = contentType.AsSpan();
        int semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }
        media = media.Trim();
        return media.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-jsonlines", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonlines", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Sends through the transport; when the method declares a constant <c>Authorization</c> header holding only
    /// a scheme (and no parameter replaced it), asks <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>
    /// for the credentials first.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TypedHttpResponse> SendCoreAsync(TypedHttpRequest request, string? authorizationScheme, string? methodName, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        if (authorizationScheme is not null)
        {
            await ApplyAuthorizationAsync(request, authorizationScheme, cancellationToken).ConfigureAwait(false);
        }
        return await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// When the method declares a constant <c>Authorization</c> header holding only a scheme (and no parameter replaced
    /// it), sets the credentials from <see cref="TypedHttpClientOptions.AuthorizationHeaderValueGetter"/>.
    /// </summary>
    private async ValueTask ApplyAuthorizationAsync(TypedHttpRequest request, string authorizationScheme, CancellationToken cancellationToken)
    {
        if (string.Equals(request.Headers.GetValue("Authorization"), authorizationScheme, StringComparison.Ordinal))
        {
            if (_authorizationHeaderValueGetter is null)
            {
                throw new InvalidOperationException(
                    $"{request.Method} {ApiException.Redact(request.Uri)} of the client for '{InterfaceName}' declares the header 'Authorization: {authorizationScheme}' without credentials, but TypedHttpClientOptions.AuthorizationHeaderValueGetter is not set. Set it to a function returning the {authorizationScheme} credentials (such as a token), or pass them with an [Authorize(\"{authorizationScheme}\")] parameter.");
            }
            string credentials = await _authorizationHeaderValueGetter(request, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"TypedHttpClientOptions.AuthorizationHeaderValueGetter returned null for {request.Method} {ApiException.Redact(request.Uri)} of the client for '{InterfaceName}'.");
            if (string.IsNullOrWhiteSpace(credentials))
            {
                // No credentials (a signed-out user, say): no Authorization header rather than "Bearer ", as Refit does.
                request.Headers.Remove("Authorization");
            }
            else
            {
                request.Headers.Set("Authorization", authorizationScheme + " " + credentials);
            }
        }
    }

    private static bool HasNoBody(TypedHttpRequest request, TypedHttpResponse response) =>
        response.StatusCode == 204 || response.StatusCode == 304 || string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase);

    private static ValueTask<T> ReadJsonAsync<T>(TypedHttpRequest request, TypedHttpResponse response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        if (HasNoBody(request, response))
        {
            return new ValueTask<T>(default(T)!);
        }
        // A body that says it is not JSON is read whole and tried as JSON (servers that label JSON text/plain keep
        // working, as with Refit); if it is not JSON (an HTML page from a proxy, text) it is an ApiException with its
        // text, as in Refit.
        if (response.Headers.GetValue("Content-Type") is { } contentType && !IsJsonMediaType(contentType))
        {
            return ReadUnlabelledJsonAsync(request, response, contentType, typeInfo, cancellationToken);
        }
        ValueTask<T?> pending;
        try
        {
            pending = JsonBody.DeserializeAsync(response.Body, typeInfo, ContentLengthOf(response), cancellationToken);
        }
        catch (JsonException ex)
        {
            throw NotValidJson<T>(request, response, ex);
        }
        return pending.IsCompletedSuccessfully ? new ValueTask<T>(pending.Result!) : AwaitJsonAsync(pending, request, response);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T> AwaitJsonAsync<T>(ValueTask<T?> pending, TypedHttpRequest request, TypedHttpResponse response)
    {
        try
        {
            return (await pending.ConfigureAwait(false))!;
        }
        catch (JsonException ex)
        {
            throw NotValidJson<T>(request, response, ex);
        }
    }

    private static JsonException NotValidJson<T>(TypedHttpRequest request, TypedHttpResponse response, JsonException ex) =>
        new($"The body of {request.Method} {ApiException.Redact(request.Uri)} ({response.StatusCode}) is not valid JSON for '{typeof(T).FullName}' at {ex.Path ?? "$"}: {ex.Message}",
            ex.Path, ex.LineNumber, ex.BytePositionInLine, ex);

    private static async ValueTask<T> ReadUnlabelledJsonAsync<T>(TypedHttpRequest request, TypedHttpResponse response, string contentType, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(ResponseBody.InitialCapacity(ContentLengthOf(response)));
        await buffer.ReadToEndAsync(response.Body, int.MaxValue, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonBody.Deserialize(buffer.WrittenSpan, typeInfo)!;
        }
        catch (JsonException)
        {
            string text = ResponseBody.Decode(buffer.WrittenSpan, CharsetOf(response));
            if (text.Length > MaxErrorContentChars)
            {
                text = text[..MaxErrorContentChars];
            }
            throw ApiException.NotJson(request.Method, request.Uri, response.StatusCode, response.ReasonPhrase, response.Headers, text, contentType, typeof(T).FullName ?? typeof(T).Name);
        }
    }

    /// <summary>The response's Content-Length, or -1 when it has none (or not a valid one): a size hint, never trusted for framing.</summary>
    internal static long ContentLengthOf(TypedHttpResponse response) =>
        response.Headers.GetValue("Content-Length") is { } value
            && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length)
            ? length
            : -1;

    private static async ValueTask<ApiException> CreateApiExceptionAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken)
    {
        string? content = HasNoBody(request, response)
            ? null
            : await ReadStringAsync(response.Body, CharsetOf(response), MaxErrorContentChars, cancellationToken).ConfigureAwait(false);
        return ApiException.Create(request.Method, request.Uri, response.StatusCode, response.ReasonPhrase, response.Headers, content);
    }

    /// <summary>
    /// Whether a media type is JSON: <c>application/json</c>, <c>text/json</c> or a <c>+json</c> suffix (RFC 6839),
    /// parameters ignored.
    /// </summary>
    internal static bool IsJsonMediaType(string contentType)
    {
        ReadOnlySpan<char> media = contentType.AsSpan();
        int semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media.Slice(0, semicolon);
        }
        media = media.Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The encoding the response's Content-Type names with its <c>charset</c> parameter (RFC 9110 §8.3.2), such as
    /// <c>text/plain; charset=iso-8859-1</c>; UTF-8 when it names none or one the runtime does not know. A byte order
    /// mark in the body still wins (as browsers decode).
    /// </summary>
    internal static Encoding CharsetOf(TypedHttpResponse response)
    {
        string? contentType = response.Headers.GetValue("Content-Type");
        if (contentType is null)
        {
            return Encoding.UTF8;
        }
        ReadOnlySpan<char> rest = contentType.AsSpan();
        int semicolon = rest.IndexOf(';');
        while (semicolon >= 0)
        {
            rest = rest.Slice(semicolon + 1);
            semicolon = rest.IndexOf(';');
            ReadOnlySpan<char> parameter = (semicolon < 0 ? rest : rest.Slice(0, semicolon)).Trim();
            int equals = parameter.IndexOf('=');
            if (equals <= 0 || !parameter.Slice(0, equals).Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            ReadOnlySpan<char> value = parameter.Slice(equals + 1).Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }
            if (value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || value.IsEmpty)
            {
                return Encoding.UTF8;
            }
            try
            {
                return Encoding.GetEncoding(value.ToString());
            }
            catch (ArgumentException)
            {
                // A charset the runtime has no encoding for: UTF-8, as for none.
                return Encoding.UTF8;
            }
        }
        return Encoding.UTF8;
    }

    /// <summary>At most <paramref name="maxChars"/> characters of the body's text (an error body, kept in the exception).</summary>
    private static async ValueTask<string> ReadStringAsync(Stream body, Encoding encoding, int maxChars, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        char[] buffer = new char[Math.Min(maxChars, 4096)];
        var text = new StringBuilder();
        while (text.Length < maxChars)
        {
            int read = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars - text.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            text.Append(buffer, 0, read);
        }
        return text.ToString();
    }

    private static async ValueTask DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await body.ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
