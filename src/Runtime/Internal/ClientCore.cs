using System;
using System.ComponentModel;
using System.IO;
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
public sealed class ClientCore
{
    /// <summary>The longest error body kept as text in an <see cref="ApiException"/>.</summary>
    internal const int MaxErrorContentChars = 64 * 1024;

    private readonly HttpTransport _transport;
    private readonly JsonSerializerOptions? _jsonOptions;
    private readonly ClientDiagnostics _diagnostics; // Issue 6: span, metrics, request log, trace context, per-call timeout.

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
        if (!options.BaseAddress.IsAbsoluteUri || (options.BaseAddress.Scheme != Uri.UriSchemeHttp && options.BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"The client for '{interfaceName}' needs an absolute http or https BaseAddress; '{options.BaseAddress}' is not one.");
        }
        BaseAddress = options.BaseAddress;
        InterfaceName = interfaceName;
        _jsonOptions = options.JsonSerializerOptions;
        _transport = options.Transport ?? options.Session ?? HttpSession.Shared;
        _diagnostics = new ClientDiagnostics(options, interfaceName); // Issue 6
    }

    /// <summary>The base address routes are appended to.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The interface this client implements.</summary>
    public string InterfaceName { get; }

    /// <summary>Starts the URI of a request.</summary>
    public RequestUriBuilder CreateUriBuilder() => new(BaseAddress);

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
        JsonTypeInfo? info = _jsonOptions.TypeInfoResolver?.GetTypeInfo(typeof(T), _jsonOptions);
        if (info is JsonTypeInfo<T> typed)
        {
            return typed;
        }
        throw new InvalidOperationException(
            $"The JSON options of the client for '{InterfaceName}' have no type information for '{typeof(T).FullName}'. Add [JsonSerializable(typeof({typeof(T).Name}))] to the application's JsonSerializerContext.");
    }

    /// <summary>Sends the request; a non-2xx status throws <see cref="ApiException"/>. The body is read and discarded.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="methodName">The interface method's name, for traces (issue 6); generated code may pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout ([Timeout]); 0 uses <see cref="TypedHttpClientOptions.Timeout"/> (issue 6).</param>
    public async Task SendAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false); // Issue 6
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                }
                await DrainAsync(response.Body, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the request and deserializes a 2xx body as <typeparamref name="T"/>; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="typeInfo">Source-generated type information for the result.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="methodName">The interface method's name, for traces (issue 6); generated code may pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout ([Timeout]); 0 uses <see cref="TypedHttpClientOptions.Timeout"/> (issue 6).</param>
    public async Task<T> SendJsonAsync<T>(TypedHttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false); // Issue 6
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                }
                return await ReadJsonAsync(request, response, typeInfo, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the request and returns a 2xx body as text; a non-2xx status throws <see cref="ApiException"/>.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="methodName">The interface method's name, for traces (issue 6); generated code may pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout ([Timeout]); 0 uses <see cref="TypedHttpClientOptions.Timeout"/> (issue 6).</param>
    public async Task<string> SendStringAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false); // Issue 6
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                }
                return await ReadStringAsync(response.Body, int.MaxValue, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the request and wraps the response; a 2xx body is deserialized, any other status sets <see cref="ApiResponse{T}.Error"/>.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="typeInfo">Source-generated type information for the body.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="methodName">The interface method's name, for traces (issue 6); generated code may pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout ([Timeout]); 0 uses <see cref="TypedHttpClientOptions.Timeout"/> (issue 6).</param>
    public async Task<ApiResponse<T>> SendForApiResponseAsync<T>(TypedHttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false); // Issue 6
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    ApiException error = await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                    return new ApiResponse<T>(response.StatusCode, response.ReasonPhrase, response.Headers, default, error);
                }
                T? content = await ReadJsonAsync(request, response, typeInfo, cancellationToken).ConfigureAwait(false);
                return new ApiResponse<T>(response.StatusCode, response.ReasonPhrase, response.Headers, content, null);
            }
        }
    }

    /// <summary>Sends the request and wraps the response with its body as text.</summary>
    /// <param name="request">The request; it is disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="methodName">The interface method's name, for traces (issue 6); generated code may pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout ([Timeout]); 0 uses <see cref="TypedHttpClientOptions.Timeout"/> (issue 6).</param>
    public async Task<ApiResponse<string>> SendForApiResponseStringAsync(TypedHttpRequest request, CancellationToken cancellationToken, string? methodName = null, int timeoutMilliseconds = 0)
    {
        using (request)
        {
            TypedHttpResponse response = await _diagnostics.SendAsync(_transport, request, methodName, timeoutMilliseconds, cancellationToken).ConfigureAwait(false); // Issue 6
            await using (response.ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                {
                    ApiException error = await CreateApiExceptionAsync(request, response, cancellationToken).ConfigureAwait(false);
                    return new ApiResponse<string>(response.StatusCode, response.ReasonPhrase, response.Headers, null, error);
                }
                string content = await ReadStringAsync(response.Body, int.MaxValue, cancellationToken).ConfigureAwait(false);
                return new ApiResponse<string>(response.StatusCode, response.ReasonPhrase, response.Headers, content, null);
            }
        }
    }

    private static bool HasNoBody(TypedHttpRequest request, TypedHttpResponse response) =>
        response.StatusCode == 204 || response.StatusCode == 304 || string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase);

    private static async ValueTask<T> ReadJsonAsync<T>(TypedHttpRequest request, TypedHttpResponse response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        if (HasNoBody(request, response))
        {
            return default!;
        }
        try
        {
            return (await JsonSerializer.DeserializeAsync(response.Body, typeInfo, cancellationToken).ConfigureAwait(false))!;
        }
        catch (JsonException ex)
        {
            throw new JsonException(
                $"The body of {request.Method} {ApiException.Redact(request.Uri)} ({response.StatusCode}) is not valid JSON for '{typeof(T).FullName}' at {ex.Path ?? "$"}: {ex.Message}",
                ex.Path, ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }

    private static async ValueTask<ApiException> CreateApiExceptionAsync(TypedHttpRequest request, TypedHttpResponse response, CancellationToken cancellationToken)
    {
        string? content = HasNoBody(request, response)
            ? null
            : await ReadStringAsync(response.Body, MaxErrorContentChars, cancellationToken).ConfigureAwait(false);
        return new ApiException(request.Method, request.Uri, response.StatusCode, response.ReasonPhrase, response.Headers, content);
    }

    private static async ValueTask<string> ReadStringAsync(Stream body, int maxChars, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        if (maxChars == int.MaxValue)
        {
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
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
