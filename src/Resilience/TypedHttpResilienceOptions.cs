using System;
using Polly;
using Polly.CircuitBreaker;
using Polly.Hedging;
using Polly.Retry;
using Polly.Timeout;

namespace TypedHttp;

/// <summary>
/// The standard pipeline of <see cref="TypedHttpResilienceExtensions.AddStandardResilience(TypedHttpClientBuilder, Action{TypedHttpStandardResilienceOptions}?)"/>
/// (RS-1), outermost first, with the defaults of Microsoft.Extensions.Http.Resilience's <c>AddStandardResilienceHandler</c>:
/// a total timeout (30 s), retries (3, exponential backoff from 2 s with jitter, <c>Retry-After</c> honoured), a
/// circuit breaker (opens at 10 % failures over 30 s with at least 100 calls, for 5 s) and an attempt timeout (10 s).
/// Its concurrency limiter is left out.
/// </summary>
public sealed class TypedHttpStandardResilienceOptions
{
    /// <summary>Bounds the whole call, retries and delays included (30 s).</summary>
    public TimeoutStrategyOptions TotalRequestTimeout { get; set; } = new() { Timeout = TimeSpan.FromSeconds(30), Name = "Standard-TotalRequestTimeout" };

    /// <summary>
    /// Sends a transient outcome (<see cref="TypedHttpResilience.IsTransient"/>) again: 3 times, exponential backoff from
    /// 2 s with jitter. A <see cref="RetryStrategyOptions{TResult}.ShouldHandle"/> of your own still only retries what
    /// <see cref="TypedHttpResilience.MaySendAgain"/> allows.
    /// </summary>
    public RetryStrategyOptions<TypedHttpResponse> Retry { get; set; } = new()
    {
        MaxRetryAttempts = 3,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromSeconds(2),
        ShouldHandle = static args => TypedHttpResilience.Transient(args.Outcome),
        Name = "Standard-Retry",
    };

    /// <summary>Whether a response's <c>Retry-After</c> sets the delay before the next attempt (true).</summary>
    public bool ShouldRetryAfterHeader { get; set; } = true;

    /// <summary>
    /// Whether requests with a non-idempotent method (POST, PATCH, …) are retried too (RS-2; false). Their bodies are
    /// sent again whole; turn it on for APIs whose POSTs are safe to repeat (an idempotency key, say).
    /// </summary>
    public bool RetryUnsafeMethods { get; set; }

    /// <summary>Stops calling a failing server for a while (10 % transient failures over 30 s, at least 100 calls; open for 5 s).</summary>
    public CircuitBreakerStrategyOptions<TypedHttpResponse> CircuitBreaker { get; set; } = new()
    {
        ShouldHandle = static args => TypedHttpResilience.Transient(args.Outcome),
        Name = "Standard-CircuitBreaker",
    };

    /// <summary>Bounds each attempt (10 s); an attempt that runs out is transient and retried.</summary>
    public TimeoutStrategyOptions AttemptTimeout { get; set; } = new() { Timeout = TimeSpan.FromSeconds(10), Name = "Standard-AttemptTimeout" };
}

/// <summary>
/// The standard hedging pipeline of <see cref="TypedHttpResilienceExtensions.AddStandardHedging(TypedHttpClientBuilder, Action{TypedHttpStandardHedgingOptions}?)"/>
/// (RS-3), after <c>AddStandardHedgingHandler</c>: a total timeout (30 s), hedging (one more attempt when the first
/// has not answered within 2 s or answered with a transient outcome), a circuit breaker and an attempt timeout (10 s).
/// </summary>
public sealed class TypedHttpStandardHedgingOptions
{
    /// <summary>Bounds the whole call (30 s).</summary>
    public TimeoutStrategyOptions TotalRequestTimeout { get; set; } = new() { Timeout = TimeSpan.FromSeconds(30), Name = "StandardHedging-TotalRequestTimeout" };

    /// <summary>One hedged attempt after 2 s, or at once after a transient outcome; the first good answer wins, the others are cancelled and disposed.</summary>
    public HedgingStrategyOptions<TypedHttpResponse> Hedging { get; set; } = new()
    {
        MaxHedgedAttempts = 1,
        Delay = TimeSpan.FromSeconds(2),
        ShouldHandle = static args => TypedHttpResilience.Transient(args.Outcome),
        Name = "StandardHedging-Hedging",
    };

    /// <summary>Whether requests with a non-idempotent method are hedged too (RS-2; false).</summary>
    public bool HedgeUnsafeMethods { get; set; }

    /// <summary>The circuit breaker around each attempt.</summary>
    public CircuitBreakerStrategyOptions<TypedHttpResponse> CircuitBreaker { get; set; } = new()
    {
        ShouldHandle = static args => TypedHttpResilience.Transient(args.Outcome),
        Name = "StandardHedging-CircuitBreaker",
    };

    /// <summary>Bounds each attempt (10 s).</summary>
    public TimeoutStrategyOptions AttemptTimeout { get; set; } = new() { Timeout = TimeSpan.FromSeconds(10), Name = "StandardHedging-AttemptTimeout" };
}
