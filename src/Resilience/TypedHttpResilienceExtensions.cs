using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.DependencyInjection;
using Polly.Hedging;
using Polly.Registry;
using Polly.Retry;

namespace TypedHttp;

/// <summary>
/// Polly resilience pipelines around a TypedHttp client's transport (RS-1…RS-4): the engine session by default, or the
/// HttpClient transport. One pipeline per registration name, built by Polly's registry (so its telemetry, logs and
/// the <c>Polly</c> meter, is Polly's own, and a bound configuration section that changes rebuilds it).
/// </summary>
public static class TypedHttpResilienceExtensions
{
    /// <summary>
    /// Adds the standard pipeline (RS-1): total timeout, retry, circuit breaker and attempt timeout with the defaults of
    /// <c>AddStandardResilienceHandler</c> (see <see cref="TypedHttpStandardResilienceOptions"/>). Only idempotent
    /// requests with replayable bodies are retried unless <see cref="TypedHttpStandardResilienceOptions.RetryUnsafeMethods"/> (RS-2).
    /// </summary>
    /// <param name="builder">The registration.</param>
    /// <param name="configure">Changes the options, or null for the defaults. Called again, the pipeline stays one and the option changes add up.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddStandardResilience(this TypedHttpClientBuilder builder, Action<TypedHttpStandardResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<TypedHttpStandardResilienceOptions> options = builder.Services.AddOptions<TypedHttpStandardResilienceOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        return AddPipeline(builder, "standard", static (pipeline, context, name) =>
        {
            context.EnableReloads<TypedHttpStandardResilienceOptions>(name);
            BuildStandard(pipeline, context.GetOptions<TypedHttpStandardResilienceOptions>(name), name);
        });
    }

    /// <summary>
    /// Adds the standard pipeline with its options bound from <paramref name="section"/> (RS-4), in the shape of
    /// Microsoft.Extensions.Http.Resilience's: <c>Retry:MaxRetryAttempts</c>, <c>AttemptTimeout:Timeout</c>,
    /// <c>CircuitBreaker:BreakDuration</c>, … A change of the section rebuilds the pipeline.
    /// </summary>
    /// <param name="builder">The registration.</param>
    /// <param name="section">The section, for example <c>configuration.GetSection("Resilience:Users")</c>.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddStandardResilience(this TypedHttpClientBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<TypedHttpStandardResilienceOptions>>(new SectionChangeTokenSource<TypedHttpStandardResilienceOptions>(builder.Name, section));
        return builder.AddStandardResilience(options => ResilienceConfiguration.Bind(section, options));
    }

    /// <summary>
    /// Adds the standard hedging pipeline (RS-3): total timeout, hedging, circuit breaker and attempt timeout (see
    /// <see cref="TypedHttpStandardHedgingOptions"/>). Only idempotent requests are hedged unless
    /// <see cref="TypedHttpStandardHedgingOptions.HedgeUnsafeMethods"/>.
    /// </summary>
    /// <param name="builder">The registration.</param>
    /// <param name="configure">Changes the options, or null for the defaults.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddStandardHedging(this TypedHttpClientBuilder builder, Action<TypedHttpStandardHedgingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<TypedHttpStandardHedgingOptions> options = builder.Services.AddOptions<TypedHttpStandardHedgingOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        return AddPipeline(builder, "hedging", static (pipeline, context, name) =>
        {
            context.EnableReloads<TypedHttpStandardHedgingOptions>(name);
            BuildHedging(pipeline, context.GetOptions<TypedHttpStandardHedgingOptions>(name), name);
        });
    }

    /// <summary>Adds the standard hedging pipeline with its options bound from <paramref name="section"/> (RS-4).</summary>
    /// <param name="builder">The registration.</param>
    /// <param name="section">The section.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddStandardHedging(this TypedHttpClientBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<TypedHttpStandardHedgingOptions>>(new SectionChangeTokenSource<TypedHttpStandardHedgingOptions>(builder.Name, section));
        return builder.AddStandardHedging(options => ResilienceConfiguration.Bind(section, options));
    }

    /// <summary>
    /// Adds a pipeline of your own around the transport. Strategies that send again should ask
    /// <see cref="TypedHttpResilience.MaySendAgain"/> (the request is in the context under
    /// <see cref="TypedHttpResilience.RequestKey"/>); <see cref="TypedHttpResilience.IsTransient"/> says what the
    /// standard pipeline handles.
    /// </summary>
    /// <param name="builder">The registration.</param>
    /// <param name="configure">Adds strategies.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddResilience(this TypedHttpClientBuilder builder, Action<ResiliencePipelineBuilder<TypedHttpResponse>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddResilience((pipeline, _) => configure(pipeline));
    }

    /// <summary>Adds a pipeline of your own around the transport, with access to services; see the other overload.</summary>
    /// <param name="builder">The registration.</param>
    /// <param name="configure">Adds strategies, given the container's provider.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddResilience(this TypedHttpClientBuilder builder, Action<ResiliencePipelineBuilder<TypedHttpResponse>, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return AddPipeline(builder, "custom", (pipeline, context, _) => configure(pipeline, context.ServiceProvider));
    }

    private static TypedHttpClientBuilder AddPipeline(TypedHttpClientBuilder builder, string kind,
        Action<ResiliencePipelineBuilder<TypedHttpResponse>, AddResiliencePipelineContext<TypedHttpPipelineKey>, string> configure)
    {
        string name = builder.Name;
        int custom = 0;
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(TypedHttpPipelineKey) && descriptor.ImplementationInstance is TypedHttpPipelineKey existing && existing.Client == name)
            {
                if (kind != "custom" && existing.Pipeline == kind)
                {
                    return builder; // the standard pipelines once per registration: called again, only the options change
                }
                custom += existing.Pipeline.StartsWith("custom", StringComparison.Ordinal) ? 1 : 0;
            }
        }
        // Each pipeline of your own is one more, outside the ones before it.
        var key = new TypedHttpPipelineKey(name, kind == "custom" && custom > 0 ? "custom" + (custom + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : kind);
        builder.Services.AddSingleton(key);
        builder.Services.AddResiliencePipeline<TypedHttpPipelineKey, TypedHttpResponse>(key, (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            configure(pipeline, context, name);
        });
        return builder.WrapTransport((services, inner) =>
            new ResilienceTransport(inner, services.GetRequiredService<ResiliencePipelineProvider<TypedHttpPipelineKey>>().GetPipeline<TypedHttpResponse>(key)));
    }

    private static void BuildStandard(ResiliencePipelineBuilder<TypedHttpResponse> pipeline, TypedHttpStandardResilienceOptions o, string name)
    {
        if (o.AttemptTimeout.Timeout >= o.TotalRequestTimeout.Timeout)
        {
            throw new InvalidOperationException($"The standard resilience of '{name}': AttemptTimeout ({o.AttemptTimeout.Timeout}) must be shorter than TotalRequestTimeout ({o.TotalRequestTimeout.Timeout}).");
        }
        if (o.CircuitBreaker.SamplingDuration < 2 * o.AttemptTimeout.Timeout)
        {
            throw new InvalidOperationException($"The standard resilience of '{name}': CircuitBreaker.SamplingDuration ({o.CircuitBreaker.SamplingDuration}) must be at least twice AttemptTimeout ({o.AttemptTimeout.Timeout}).");
        }
        TimeProvider time = pipeline.TimeProvider ?? TimeProvider.System;
        RetryStrategyOptions<TypedHttpResponse> user = o.Retry;
        bool unsafeMethods = o.RetryUnsafeMethods;
        Func<RetryPredicateArguments<TypedHttpResponse>, ValueTask<bool>> shouldHandle = user.ShouldHandle;
        Func<RetryDelayGeneratorArguments<TypedHttpResponse>, ValueTask<TimeSpan?>>? delay = user.DelayGenerator;
        bool retryAfter = o.ShouldRetryAfterHeader;
        var retry = new RetryStrategyOptions<TypedHttpResponse>
        {
            Name = user.Name,
            MaxRetryAttempts = user.MaxRetryAttempts,
            BackoffType = user.BackoffType,
            UseJitter = user.UseJitter,
            Delay = user.Delay,
            MaxDelay = user.MaxDelay,
            OnRetry = user.OnRetry,
            Randomizer = user.Randomizer,
            // RS-2: only what may be sent again is retried, whatever the predicate says.
            ShouldHandle = args => TypedHttpResilience.MaySendAgain(args.Context, unsafeMethods) ? shouldHandle(args) : new ValueTask<bool>(false),
            DelayGenerator = args =>
            {
                if (retryAfter && TypedHttpResilience.RetryAfter(args.Outcome.Result, time) is TimeSpan asked)
                {
                    return new ValueTask<TimeSpan?>(asked);
                }
                return delay?.Invoke(args) ?? new ValueTask<TimeSpan?>((TimeSpan?)null);
            },
        };
        pipeline.AddTimeout(o.TotalRequestTimeout).AddRetry(retry).AddCircuitBreaker(o.CircuitBreaker).AddTimeout(o.AttemptTimeout);
    }

    private static void BuildHedging(ResiliencePipelineBuilder<TypedHttpResponse> pipeline, TypedHttpStandardHedgingOptions o, string name)
    {
        if (o.AttemptTimeout.Timeout >= o.TotalRequestTimeout.Timeout)
        {
            throw new InvalidOperationException($"The standard hedging of '{name}': AttemptTimeout ({o.AttemptTimeout.Timeout}) must be shorter than TotalRequestTimeout ({o.TotalRequestTimeout.Timeout}).");
        }
        HedgingStrategyOptions<TypedHttpResponse> user = o.Hedging;
        bool unsafeMethods = o.HedgeUnsafeMethods;
        Func<HedgingPredicateArguments<TypedHttpResponse>, ValueTask<bool>> shouldHandle = user.ShouldHandle;
        Func<HedgingActionGeneratorArguments<TypedHttpResponse>, Func<ValueTask<Outcome<TypedHttpResponse>>>?> generate = user.ActionGenerator;
        var hedging = new HedgingStrategyOptions<TypedHttpResponse>
        {
            Name = user.Name,
            MaxHedgedAttempts = user.MaxHedgedAttempts,
            Delay = user.Delay,
            DelayGenerator = user.DelayGenerator,
            OnHedging = user.OnHedging,
            ShouldHandle = args => TypedHttpResilience.MaySendAgain(args.Context, unsafeMethods) ? shouldHandle(args) : new ValueTask<bool>(false),
            // RS-2: a request that may not be sent again gets no hedged attempt, not even after the delay.
            ActionGenerator = args => TypedHttpResilience.MaySendAgain(args.PrimaryContext, unsafeMethods) ? generate(args) : null,
        };
        pipeline.AddTimeout(o.TotalRequestTimeout).AddHedging(hedging).AddCircuitBreaker(o.CircuitBreaker).AddTimeout(o.AttemptTimeout);
    }
}

/// <summary>The key of a registration's pipeline in Polly's registry; its text (<c>{name}-standard</c>) is the pipeline name in Polly's telemetry.</summary>
/// <param name="Client">The registration's name.</param>
/// <param name="Pipeline">Which pipeline: <c>standard</c>, <c>hedging</c> or <c>custom</c>.</param>
internal sealed record TypedHttpPipelineKey(string Client, string Pipeline)
{
    public override string ToString() => Client + "-" + Pipeline;
}
