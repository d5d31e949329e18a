using System;
using System.Globalization;
using System.Threading.Tasks;
using Polly;
using Polly.Timeout;

namespace TypedHttp;

/// <summary>
/// What TypedHttp's resilience strategies treat as transient and may send again (RS-1, RS-2), for pipelines of your
/// own built with <see cref="TypedHttpResilienceExtensions.AddResilience(TypedHttpClientBuilder, Action{ResiliencePipelineBuilder{TypedHttpResponse}})"/>.
/// </summary>
public static class TypedHttpResilience
{
    /// <summary>The request being sent, in the <see cref="ResilienceContext.Properties"/> of every execution of a TypedHttp pipeline.</summary>
    public static ResiliencePropertyKey<TypedHttpRequest> RequestKey { get; } = new("TypedHttp.Request");

    /// <summary>
    /// Whether an outcome is transient (RS-1): a 408, 429 or 5xx response; a <see cref="TypedHttpException"/> whose
    /// <see cref="HttpError"/> is <c>Timeout</c>, <c>NameNotResolved</c>, <c>CannotConnect</c>, <c>ConnectionError</c>,
    /// <c>EmptyResponse</c>, <c>InvalidServerResponse</c> or <c>StreamReset</c>; or an attempt timeout
    /// (<see cref="TimeoutRejectedException"/>). Those are the outcomes <c>AddStandardResilienceHandler</c> handles,
    /// in the engine's terms. The caller's cancellation is not transient.
    /// </summary>
    /// <param name="outcome">The outcome of one attempt.</param>
    public static bool IsTransient(Outcome<TypedHttpResponse> outcome) =>
        outcome.Exception switch
        {
            null => outcome.Result is { StatusCode: 408 or 429 or >= 500 },
            TypedHttpException e => e.Error is HttpError.Timeout or HttpError.NameNotResolved or HttpError.CannotConnect or HttpError.ConnectionError
                or HttpError.EmptyResponse or HttpError.InvalidServerResponse or HttpError.StreamReset,
            TimeoutRejectedException => true,
            _ => false,
        };

    /// <summary>
    /// Whether the request of <paramref name="context"/> may be sent again (RS-2): its body is replayable (every body
    /// generated code makes is) and its method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), or
    /// <paramref name="unsafeMethods"/> allows the others (POST, PATCH, …).
    /// </summary>
    /// <param name="context">The execution's context.</param>
    /// <param name="unsafeMethods">Whether non-idempotent methods may be sent again.</param>
    public static bool MaySendAgain(ResilienceContext context, bool unsafeMethods)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Properties.TryGetValue(RequestKey, out TypedHttpRequest? request))
        {
            return false;
        }
        if (request.Content is { IsReplayable: false })
        {
            return false;
        }
        return unsafeMethods || request.Method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE" or "TRACE";
    }

    /// <summary>
    /// The delay a response's <c>Retry-After</c> asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date, read
    /// against <paramref name="time"/>), or null when it has none or it does not parse. A date in the past is zero.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="time">The clock for HTTP-dates.</param>
    public static TimeSpan? RetryAfter(TypedHttpResponse? response, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        string? value = response?.Headers.GetValue("Retry-After")?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds - 1));
        }
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out DateTimeOffset date))
        {
            TimeSpan delay = date - time.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }
        return null;
    }

    internal static ValueTask<bool> Transient(Outcome<TypedHttpResponse> outcome) => new(IsTransient(outcome));
}
