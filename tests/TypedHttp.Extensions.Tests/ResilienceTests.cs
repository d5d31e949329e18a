using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Extensions.Tests;

public interface IFlakyApi
{
    [Get("/fail/{times}/{code}")]
    Task<string> GetAsync(int times, int code);

    [Post("/fail/{times}/{code}")]
    Task<string> PostAsync(int times, int code, [Body] string body);

    [Get("/retry-after/{seconds}")]
    Task<string> RetryAfterAsync(int seconds);

    [Get("/slow-once")]
    Task<string> SlowOnceAsync();
}

/// <summary>
/// Kestrel on 127.0.0.1 that fails on purpose: <c>/fail/n/code</c> answers <c>code</c> to its first n requests, then
/// 200; <c>/retry-after/s</c> answers 503 with <c>Retry-After: s</c> once, then 200; <c>/slow-once</c> holds its first
/// request until the client gives up, then answers at once. Counts per method and path; each arrival is signalled.
/// </summary>
public sealed class FlakyServer : LoopbackKestrelHost
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    private FlakyServer(WebApplication app, int port)
        : base(app, port, https: false)
    {
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public ConcurrentQueue<(string Method, string Path, string Body)> Seen { get; } = new();

    public SemaphoreSlim Arrived { get; } = new(0);

    public static async Task<FlakyServer> StartAsync()
    {
        WebApplication app = LoopbackKestrel.CreateBuilder().Build();
        FlakyServer? server = null;
        app.Run(context => server!.Answer(context));
        server = new FlakyServer(app, await LoopbackKestrel.StartAsync(app));
        return server;
    }

    private async Task Answer(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        int n = _counts.AddOrUpdate(context.Request.Method + " " + path, 1, (_, c) => c + 1);
        Seen.Enqueue((context.Request.Method, path, body));
        Arrived.Release();
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts[0] == "fail" && n <= int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
        {
            context.Response.StatusCode = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            return;
        }
        if (parts[0] == "retry-after" && n == 1)
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = parts[1];
            return;
        }
        if (parts[0] == "slow-once" && n == 1)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { });
            return;
        }
        await context.Response.WriteAsync($"attempt {n}: {body}");
    }
}

/// <summary>A fake clock that remembers the due time of every timer created on it, so a test moves it only once a wait is armed.</summary>
public sealed class ArmedClock : FakeTimeProvider
{
    public ConcurrentQueue<TimeSpan> Created { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        Created.Enqueue(dueTime);
        return timer;
    }

    /// <summary>Whether a timer for <paramref name="due"/> exists (Task.Delay arms whole milliseconds).</summary>
    public bool IsArmed(TimeSpan due) => Created.Any(c => c >= TimeSpan.Zero && Math.Abs((c - due).TotalMilliseconds) < 1);

    /// <summary>Waits (real time, at most 30 s) until a timer due after <paramref name="due"/> exists.</summary>
    public async Task ArmedAsync(TimeSpan due)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!IsArmed(due))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no timer of {due} was armed within 30 s");
            await Task.Delay(10);
        }
    }
}

/// <summary>RS-1…RS-4: Polly pipelines on the engine, each strategy observed against Kestrel on a fake clock.</summary>
public sealed class ResilienceTests : IAsyncLifetime
{
    private readonly ArmedClock _clock = new();
    private readonly ConcurrentQueue<TimeSpan> _delays = new();
    private FlakyServer _server = null!;

    public async Task InitializeAsync() => _server = await FlakyServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Records each retry's delay, so the test moves the fake clock by exactly that much.</summary>
    private void Observe(TypedHttpStandardResilienceOptions o)
    {
        o.Retry.OnRetry = args =>
        {
            _delays.Enqueue(args.RetryDelay);
            return default;
        };
    }

    private ServiceProvider Build(Action<TypedHttpClientBuilder> resilience, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }
        resilience(services.AddTypedHttpClient<IFlakyApi>(o => o.BaseAddress = _server.BaseAddress));
        return services.BuildServiceProvider();
    }

    /// <summary>Moves the clock past each retry's delay once the retry waits on it, until the call ends (30 s without progress fails).</summary>
    private async Task<T> AdvancingAsync<T>(Task<T> call)
    {
        int handled = 0;
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!call.IsCompleted)
        {
            if (_delays.Count > handled && _clock.IsArmed(_delays.ElementAt(handled)))
            {
                _clock.Advance(_delays.ElementAt(handled++));
                deadline = DateTime.UtcNow.AddSeconds(30);
                continue;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the call neither ended nor retried within 30 s (retry delays {string.Join(", ", _delays)}; timers {string.Join(", ", _clock.Created)})");
            await Task.WhenAny(call, Task.Delay(10));
        }
        return await call;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task RS1_a_503_is_retried_until_the_server_answers_200()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        string answer = await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(2, 503));
        Assert.Equal("attempt 3: ", answer);
    }

    [Fact]
    public async Task RS1_three_retries_by_default_then_the_last_answer_is_the_callers()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        ApiException e = await Assert.ThrowsAsync<ApiException>(() => AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(10, 500)));
        Assert.Equal((500, 4), (e.NumericStatusCode, _server.Seen.Count));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(502)]
    public async Task RS1_408_429_and_5xx_are_transient(int status)
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(1, status));
        Assert.Equal(2, _server.Seen.Count);
    }

    [Fact]
    public async Task RS1_a_404_is_not_retried()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        await Assert.ThrowsAsync<ApiException>(() => AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(1, 404)));
        Assert.Single(_server.Seen);
    }

    [Fact]
    public async Task RS1_the_backoff_is_exponential_from_two_seconds_with_jitter_on_the_fake_clock()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(o =>
        {
            Observe(o);
            o.Retry.UseJitter = false;
        }));
        await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(3, 503));
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], _delays.ToArray());
    }

    [Fact]
    public async Task RS1_a_retry_waits_on_the_clock_until_its_delay_has_passed()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        Task<string> call = provider.GetRequiredService<IFlakyApi>().GetAsync(1, 503);
        await WaitForAsync(() => _delays.Count == 1);
        await _clock.ArmedAsync(_delays.Single());
        _clock.Advance(_delays.Single() - TimeSpan.FromMilliseconds(1));
        await Task.Delay(200);
        int before = _server.Seen.Count;
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await call;
        Assert.Equal((1, 2), (before, _server.Seen.Count));
    }

    [Fact]
    public async Task RS1_Retry_After_sets_the_delay()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().RetryAfterAsync(7));
        Assert.Equal(TimeSpan.FromSeconds(7), _delays.Single());
    }

    [Fact]
    public async Task RS1_an_attempt_that_outlives_the_attempt_timeout_is_retried()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        Task<string> call = provider.GetRequiredService<IFlakyApi>().SlowOnceAsync();
        Assert.True(await _server.Arrived.WaitAsync(TimeSpan.FromSeconds(30)));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("attempt 2: ", await AdvancingAsync(call));
    }

    [Fact]
    public async Task RS1_the_total_timeout_is_a_Timeout_error()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience());
        Task<string> call = provider.GetRequiredService<IFlakyApi>().SlowOnceAsync();
        Assert.True(await _server.Arrived.WaitAsync(TimeSpan.FromSeconds(30)));
        _clock.Advance(TimeSpan.FromSeconds(9));
        _clock.Advance(TimeSpan.FromSeconds(21));
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => call);
        Assert.Equal(HttpError.Timeout, e.Error);
    }

    [Fact]
    public async Task RS1_a_refused_connection_is_transient_and_retried_three_times()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddTypedHttpClient<IFlakyApi>(o => o.BaseAddress = new Uri($"http://127.0.0.1:{TransportTests.FreePort()}")).AddStandardResilience(Observe);
        await using ServiceProvider provider = services.BuildServiceProvider();
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(0, 200)));
        Assert.Equal((HttpError.CannotConnect, 3), (e.Error, _delays.Count));
    }

    [Fact]
    public async Task RS2_a_POST_is_not_retried_by_default()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe));
        ApiException e = await Assert.ThrowsAsync<ApiException>(() => AdvancingAsync(provider.GetRequiredService<IFlakyApi>().PostAsync(1, 503, "order 1")));
        Assert.Equal((503, 1), (e.NumericStatusCode, _server.Seen.Count));
    }

    [Fact]
    public async Task RS2_with_RetryUnsafeMethods_a_retried_POST_sends_its_whole_body_again()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(o =>
        {
            Observe(o);
            o.RetryUnsafeMethods = true;
        }));
        string answer = await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().PostAsync(1, 503, "order 1"));
        Assert.Equal("attempt 2: order 1 | order 1, order 1", answer + " | " + string.Join(", ", _server.Seen.Select(s => s.Body)));
    }

    [Fact]
    public async Task RS1_the_circuit_breaker_opens_refuses_without_sending_and_closes_after_the_break()
    {
        var state = new CircuitBreakerStateProvider();
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(o =>
        {
            Observe(o);
            o.CircuitBreaker.MinimumThroughput = 2;
            o.CircuitBreaker.FailureRatio = 0.5;
            o.CircuitBreaker.StateProvider = state;
        }));
        IFlakyApi api = provider.GetRequiredService<IFlakyApi>();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => AdvancingAsync(api.GetAsync(2, 503)));
        CircuitState opened = state.CircuitState;
        await Assert.ThrowsAsync<BrokenCircuitException>(() => api.GetAsync(2, 503));
        int sentWhileOpen = _server.Seen.Count;
        _clock.Advance(TimeSpan.FromSeconds(5));
        string answer = await api.GetAsync(2, 503);

        Assert.Equal((CircuitState.Open, 2, "attempt 3: ", CircuitState.Closed), (opened, sentWhileOpen, answer, state.CircuitState));
    }

    [Fact]
    public async Task RS3_hedging_sends_a_second_attempt_after_the_delay_and_the_first_answer_wins()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardHedging());
        Task<string> call = provider.GetRequiredService<IFlakyApi>().SlowOnceAsync();
        Assert.True(await _server.Arrived.WaitAsync(TimeSpan.FromSeconds(30)));
        await _clock.ArmedAsync(TimeSpan.FromSeconds(2));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("attempt 2: ", await call.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RS3_a_POST_is_not_hedged_by_default()
    {
        await using ServiceProvider provider = Build(b => b.AddStandardHedging());
        await Assert.ThrowsAsync<ApiException>(() => provider.GetRequiredService<IFlakyApi>().PostAsync(1, 503, "x").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(_server.Seen);
    }

    [Fact]
    public async Task RS4_options_are_bound_from_configuration_and_a_change_rebuilds_the_pipeline()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["R:Retry:MaxRetryAttempts"] = "1",
            ["R:Retry:UseJitter"] = "false",
            ["R:Retry:Delay"] = "00:00:01",
        }).Build();
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(configuration.GetSection("R")).AddStandardResilience(Observe));
        IFlakyApi api = provider.GetRequiredService<IFlakyApi>();

        await Assert.ThrowsAsync<ApiException>(() => AdvancingAsync(api.GetAsync(10, 503)));
        int first = _server.Seen.Count;
        configuration["R:Retry:MaxRetryAttempts"] = "2";
        configuration.Reload();
        await Assert.ThrowsAsync<ApiException>(() => AdvancingAsync(api.GetAsync(10, 503)));

        Assert.Equal((2, 3, TimeSpan.FromSeconds(1)), (first, _server.Seen.Count - first, _delays.First()));
    }

    [Fact]
    public void RS4_a_value_that_does_not_parse_fails_naming_its_path()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["R:Retry:MaxRetryAttempts"] = "many" }).Build();
        using ServiceProvider provider = Build(b => b.AddStandardResilience(configuration.GetSection("R")));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IFlakyApi>());
        Assert.Contains("R:Retry:MaxRetryAttempts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RS1_retries_are_logged_by_Polly_under_the_pipeline_name()
    {
        var logs = new CapturingLoggerProvider();
        await using ServiceProvider provider = Build(b => b.AddStandardResilience(Observe), logs);
        await AdvancingAsync(provider.GetRequiredService<IFlakyApi>().GetAsync(1, 503));
        Assert.Contains(logs.Captured, c => c.Category == "Polly" && c.Text.Contains(typeof(IFlakyApi).FullName + "-standard", StringComparison.Ordinal) && c.Text.Contains("OnRetry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RS1_a_pipeline_of_your_own_runs_around_the_engine()
    {
        int attempts = 0;
        await using ServiceProvider provider = Build(b => b.AddResilience(pipeline => pipeline.AddRetry(new RetryStrategyOptions<TypedHttpResponse>
        {
            MaxRetryAttempts = 5,
            Delay = TimeSpan.Zero,
            ShouldHandle = args => new ValueTask<bool>(TypedHttpResilience.MaySendAgain(args.Context, unsafeMethods: false) && TypedHttpResilience.IsTransient(args.Outcome)),
            OnRetry = _ =>
            {
                attempts++;
                return default;
            },
        })));
        await provider.GetRequiredService<IFlakyApi>().GetAsync(4, 500);
        Assert.Equal((4, 5), (attempts, _server.Seen.Count));
    }
}
