using System;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace TypedHttp;

/// <summary>
/// Binds the standard options from a configuration section without reflection (RS-4), in the shape of
/// Microsoft.Extensions.Http.Resilience's sections: <c>TotalRequestTimeout:Timeout</c>, <c>AttemptTimeout:Timeout</c>,
/// <c>Retry:MaxRetryAttempts</c>, <c>Retry:Delay</c>, <c>Retry:MaxDelay</c>, <c>Retry:BackoffType</c>,
/// <c>Retry:UseJitter</c>, <c>Retry:ShouldRetryAfterHeader</c>, <c>Retry:RetryUnsafeMethods</c>,
/// <c>CircuitBreaker:FailureRatio</c>, <c>CircuitBreaker:MinimumThroughput</c>, <c>CircuitBreaker:SamplingDuration</c>,
/// <c>CircuitBreaker:BreakDuration</c> (and <c>Hedging:MaxHedgedAttempts</c>, <c>Hedging:Delay</c>,
/// <c>Hedging:HedgeUnsafeMethods</c> for hedging). A value that does not parse fails naming its path.
/// </summary>
internal static class ResilienceConfiguration
{
    public static void Bind(IConfiguration section, TypedHttpStandardResilienceOptions options)
    {
        BindTimeout(section.GetSection("TotalRequestTimeout"), options.TotalRequestTimeout);
        BindTimeout(section.GetSection("AttemptTimeout"), options.AttemptTimeout);
        IConfigurationSection retry = section.GetSection("Retry");
        BindRetry(retry, options.Retry);
        options.ShouldRetryAfterHeader = ReadBool(retry, "ShouldRetryAfterHeader") ?? options.ShouldRetryAfterHeader;
        options.RetryUnsafeMethods = ReadBool(retry, "RetryUnsafeMethods") ?? options.RetryUnsafeMethods;
        BindBreaker(section.GetSection("CircuitBreaker"), options.CircuitBreaker);
    }

    public static void Bind(IConfiguration section, TypedHttpStandardHedgingOptions options)
    {
        BindTimeout(section.GetSection("TotalRequestTimeout"), options.TotalRequestTimeout);
        BindTimeout(section.GetSection("AttemptTimeout"), options.AttemptTimeout);
        IConfigurationSection hedging = section.GetSection("Hedging");
        options.Hedging.MaxHedgedAttempts = ReadInt(hedging, "MaxHedgedAttempts") ?? options.Hedging.MaxHedgedAttempts;
        options.Hedging.Delay = ReadTime(hedging, "Delay") ?? options.Hedging.Delay;
        options.HedgeUnsafeMethods = ReadBool(hedging, "HedgeUnsafeMethods") ?? options.HedgeUnsafeMethods;
        BindBreaker(section.GetSection("CircuitBreaker"), options.CircuitBreaker);
    }

    private static void BindTimeout(IConfigurationSection section, TimeoutStrategyOptions options) =>
        options.Timeout = ReadTime(section, "Timeout") ?? options.Timeout;

    private static void BindRetry(IConfigurationSection section, RetryStrategyOptions<TypedHttpResponse> options)
    {
        options.MaxRetryAttempts = ReadInt(section, "MaxRetryAttempts") ?? options.MaxRetryAttempts;
        options.Delay = ReadTime(section, "Delay") ?? options.Delay;
        options.MaxDelay = ReadTime(section, "MaxDelay") ?? options.MaxDelay;
        options.UseJitter = ReadBool(section, "UseJitter") ?? options.UseJitter;
        string? backoff = section["BackoffType"];
        if (!string.IsNullOrWhiteSpace(backoff))
        {
            options.BackoffType = Enum.TryParse(backoff, ignoreCase: true, out DelayBackoffType type) && Enum.IsDefined(type)
                ? type
                : throw Invalid(section, "BackoffType", backoff, "Constant, Linear or Exponential");
        }
    }

    private static void BindBreaker(IConfigurationSection section, CircuitBreakerStrategyOptions<TypedHttpResponse> options)
    {
        string? ratio = section["FailureRatio"];
        if (!string.IsNullOrWhiteSpace(ratio))
        {
            options.FailureRatio = double.TryParse(ratio, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw Invalid(section, "FailureRatio", ratio, "a number between 0 and 1");
        }
        options.MinimumThroughput = ReadInt(section, "MinimumThroughput") ?? options.MinimumThroughput;
        options.SamplingDuration = ReadTime(section, "SamplingDuration") ?? options.SamplingDuration;
        options.BreakDuration = ReadTime(section, "BreakDuration") ?? options.BreakDuration;
    }

    private static TimeSpan? ReadTime(IConfigurationSection section, string key)
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span))
        {
            return span;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw Invalid(section, key, text, "a time span such as 00:00:05 or a number of seconds");
    }

    private static int? ReadInt(IConfigurationSection section, string key)
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Invalid(section, key, text, "a whole number");
    }

    private static bool? ReadBool(IConfigurationSection section, string key)
    {
        string? text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return bool.TryParse(text, out bool value) ? value : throw Invalid(section, key, text, "true or false");
    }

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string value, string expected) =>
        new($"The configuration value '{value}' at '{section.Path}:{key}' is not {expected}.");
}

/// <summary>Tells the options system that a bound section changed, so the pipeline is built again (RS-4).</summary>
internal sealed class SectionChangeTokenSource<TOptions>(string name, IConfiguration section) : IOptionsChangeTokenSource<TOptions>
{
    public string Name { get; } = name;

    public IChangeToken GetChangeToken() => section.GetReloadToken();
}
