using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace TypedHttp;

/// <summary>
/// What a client adds around each exchange: the span, the metrics, the request log, W3C trace context on the
/// outgoing request and the per-call timeout. When nobody listens, no timeout is set and there is no ambient
/// activity, a call goes straight to the transport: one check per source.
/// </summary>
internal sealed class ClientDiagnostics
{
    private static readonly DistributedContextPropagator.PropagatorSetterCallback s_setHeader = static (carrier, name, value) =>
    {
        if (carrier is TypedHttpRequest request && name is not null && value is not null)
        {
            request.Headers.Set(name, value);
        }
    };

    private readonly RequestLog? _log;
    private readonly string _interfaceName;
    private readonly TimeSpan _timeout;

    public ClientDiagnostics(TypedHttpClientOptions options, string interfaceName)
    {
        _interfaceName = interfaceName;
        _timeout = options.Timeout;
        _log = options.LoggerFactory is { } factory && options.RequestLogSource is { } source ? source.Create(factory, interfaceName) : null;
    }

    /// <summary>Sends through <paramref name="transport"/>, observed.</summary>
    /// <param name="transport">The client's transport.</param>
    /// <param name="request">The request.</param>
    /// <param name="methodName">The interface method, or null when generated code does not pass it.</param>
    /// <param name="timeoutMilliseconds">The method's timeout, or 0 for the client's.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<TypedHttpResponse> SendAsync(HttpTransport transport, TypedHttpRequest request, string? methodName, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        TimeSpan timeout = timeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(timeoutMilliseconds) : _timeout;
        bool log = _log is not null && _log.IsEnabled(LogLevel.Information);
        if (timeout == Timeout.InfiniteTimeSpan && !log && Activity.Current is null && !TypedHttpTelemetry.Source.HasListeners()
            && !TypedHttpTelemetry.RequestDuration.Enabled && !TypedHttpTelemetry.ActiveRequests.Enabled)
        {
            return transport.SendAsync(request, cancellationToken);
        }
        return SendObservedAsync(transport, request, methodName, timeout, log, cancellationToken);
    }

    private async ValueTask<TypedHttpResponse> SendObservedAsync(HttpTransport transport, TypedHttpRequest request, string? methodName, TimeSpan timeout, bool log, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        string method = TypedHttpTelemetry.NormalizeMethod(request.Method);
        Uri uri = request.Uri;
        Activity? activity = TypedHttpTelemetry.Source.HasListeners() ? TypedHttpTelemetry.Source.StartActivity(method, ActivityKind.Client) : null;
        if (activity is not null && activity.IsAllDataRequested)
        {
            activity.SetTag("http.request.method", method);
            if (!ReferenceEquals(method, request.Method) && method == "_OTHER")
            {
                activity.SetTag("http.request.method_original", request.Method);
            }
            activity.SetTag("url.full", ApiException.Redact(uri));
            activity.SetTag("server.address", uri.IdnHost);
            activity.SetTag("server.port", uri.Port);
            activity.SetTag("typedhttp.interface", _interfaceName);
            if (methodName is not null)
            {
                activity.SetTag("typedhttp.method", methodName);
            }
        }
        Activity? context = activity ?? Activity.Current;
        if (context is not null)
        {
            // Ours, on every transport: HttpClient's diagnostics handler leaves a traceparent it finds alone.
            DistributedContextPropagator.Current.Inject(context, request, s_setHeader);
        }

        var tags = new TagList
        {
            { "http.request.method", method },
            { "server.address", uri.IdnHost },
            { "server.port", uri.Port },
            { "url.scheme", uri.Scheme },
        };
        bool active = TypedHttpTelemetry.ActiveRequests.Enabled;
        if (active)
        {
            TypedHttpTelemetry.ActiveRequests.Add(1, tags);
        }
        string? redacted = log ? ApiException.Redact(uri) : null;
        if (log && _log!.IsEnabled(LogLevel.Trace))
        {
            _log.RequestHead(request.Method, redacted!, request.Headers, request.Content?.ContentType);
        }

        CancellationTokenSource? timeoutSource = null;
        CancellationToken token = cancellationToken;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            token = timeoutSource.Token;
        }
        try
        {
            TypedHttpResponse response;
            try
            {
                response = await transport.SendAsync(request, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (timeoutSource is not null && timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The engine says which phase the call was in; other transports do not, and the head is what was awaited.
                HttpPhase phase = e is HttpCanceledException cancelled ? cancelled.Phase : HttpPhase.ReceiveHeaders;
                throw new TypedHttpException(HttpError.Timeout, phase,
                    $"{request.Method} {ApiException.Redact(uri)}: the call's timeout of {timeout.TotalMilliseconds:0} ms expired while {HttpConnection.Describe(phase)}.", e);
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            int status = response.StatusCode;
            string version = TypedHttpTelemetry.ProtocolVersion(response.Version);
            if (activity is not null)
            {
                activity.SetTag("http.response.status_code", status);
                activity.SetTag("network.protocol.version", version);
                if (status >= 400)
                {
                    activity.SetTag("error.type", TypedHttpTelemetry.StatusText(status));
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
            if (TypedHttpTelemetry.RequestDuration.Enabled)
            {
                TagList durationTags = tags;
                durationTags.Add("http.response.status_code", status);
                durationTags.Add("network.protocol.version", version);
                if (status >= 400)
                {
                    durationTags.Add("error.type", TypedHttpTelemetry.StatusText(status));
                }
                TypedHttpTelemetry.RequestDuration.Record(seconds, durationTags);
            }
            if (log)
            {
                _log!.RequestCompleted(request.Method, redacted!, status, seconds * 1000);
                if (_log.IsEnabled(LogLevel.Trace))
                {
                    _log.ResponseHead(version, status, response.ReasonPhrase, request.Method, redacted!, response.Headers);
                }
            }
            return response;
        }
        catch (Exception e)
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            string errorType = TypedHttpTelemetry.ErrorType(e);
            if (activity is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error, e.Message);
            }
            if (TypedHttpTelemetry.RequestDuration.Enabled)
            {
                TagList durationTags = tags;
                durationTags.Add("error.type", errorType);
                TypedHttpTelemetry.RequestDuration.Record(seconds, durationTags);
            }
            if (log)
            {
                _log!.RequestFailed(request.Method, redacted!, seconds * 1000, errorType, e);
            }
            throw;
        }
        finally
        {
            timeoutSource?.Dispose();
            if (active)
            {
                TypedHttpTelemetry.ActiveRequests.Add(-1, tags);
            }
            activity?.Dispose();
        }
    }
}
