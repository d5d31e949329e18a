using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TypedHttp.Extensions.Tests;

/// <summary>
/// Captures everything a logger is given: category, message, every key and value of a structured state, the
/// exception, and every scope (its text and, for structured scopes, every key and value).
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Text)> Captured { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    public IEnumerable<string> Categories => Captured.Select(c => c.Category).Distinct();

    public IEnumerable<string> AllText => Captured.Select(c => c.Text);

    private static IEnumerable<string> Flatten(object? state)
    {
        yield return state?.ToString() ?? "";
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (KeyValuePair<string, object?> pair in pairs)
            {
                yield return pair.Key;
                yield return Describe(pair.Value);
            }
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "",
        string s => s,
        IEnumerable e => string.Join(",", e.Cast<object?>().Select(Describe)),
        _ => value.ToString() ?? "",
    };

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            foreach (string text in Flatten(state))
            {
                owner.Captured.Enqueue((category, LogLevel.None, "scope: " + text));
            }
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Captured.Enqueue((category, logLevel, formatter(state, exception)));
            owner.Captured.Enqueue((category, logLevel, eventId.Name ?? ""));
            foreach (string text in Flatten(state))
            {
                owner.Captured.Enqueue((category, logLevel, text));
            }
            if (exception is not null)
            {
                owner.Captured.Enqueue((category, logLevel, exception.ToString()));
            }
        }
    }
}

/// <summary>D-4: no credential or cookie value reaches any log, on either transport, at any level.</summary>
[Collection("Telemetry")]
public sealed class SecretLoggingTests
{
    private static ServiceProvider Build(TestServer server, CapturingLoggerProvider logs, bool overHttpClient)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        TypedHttpClientBuilder builder = services.AddTypedHttpClient<IParityApi>(o => o.BaseAddress = server.BaseAddress);
        if (overHttpClient)
        {
            builder.UseHttpClient();
        }
        return services.BuildServiceProvider();
    }

    private static async Task CallWithSecretsAsync(ServiceProvider provider) =>
        await provider.GetRequiredService<IParityApi>().SecretAsync("Bearer s3cr3t-token", "id=s3cr3t-cookie-in", "Basic s3cr3t-proxy");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task D4_no_secret_reaches_any_message_state_or_scope_at_trace_level(bool overHttpClient)
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using ServiceProvider provider = Build(server, logs, overHttpClient);

        await CallWithSecretsAsync(provider);

        Assert.NotEmpty(logs.Captured);
        Assert.DoesNotContain(logs.AllText, t => t.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task D4_the_secrets_go_on_the_wire_and_the_redacted_request_log_is_written(bool overHttpClient)
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using ServiceProvider provider = Build(server, logs, overHttpClient);

        await CallWithSecretsAsync(provider);

        SeenRequest seen = Assert.Single(server.Drain());
        Assert.Equal<string?[]>(
            ["Bearer s3cr3t-token", "id=s3cr3t-cookie-in", "Basic s3cr3t-proxy", "TypedHttp." + typeof(IParityApi).FullName],
            [seen.Header("Authorization"), seen.Header("Cookie"), seen.Header("Proxy-Authorization"), logs.Categories.Single(c => c.StartsWith("TypedHttp.", StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task D4_the_HttpClient_factorys_own_loggers_write_nothing_for_a_TypedHttp_client()
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using ServiceProvider provider = Build(server, logs, overHttpClient: true);

        await CallWithSecretsAsync(provider);

        Assert.DoesNotContain(logs.Categories, c => c.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }
}
