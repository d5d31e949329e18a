using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace TypedHttp.Extensions.Tests;

/// <summary>Records every log entry: level, category, formatted message, structured state and scopes.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, string[] State, Exception? Exception)> Entries { get; } = new();

    public ConcurrentQueue<string> Scopes { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    public IEnumerable<string> AllText() =>
        Entries.SelectMany(e => e.State.Append(e.Message).Append(e.Exception?.ToString() ?? "")).Concat(Scopes);

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Scopes.Enqueue(state.ToString() ?? "");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string[] values = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.Select(kv => kv.Key + "=" + kv.Value).ToArray()
                : [state?.ToString() ?? ""];
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), values, exception));
        }
    }
}

[Collection("Telemetry")]
public sealed class LoggingTests
{
    [Fact]
    public async Task One_information_line_per_request_with_method_uri_status_and_duration()
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new RecordingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        using var session = new HttpSession();
        Uri baseWithUser = new UriBuilder(server.BaseAddress) { UserName = "user", Password = "hunter2" }.Uri;
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = baseWithUser, JsonSerializerOptions = TestJsonContext.Default.Options, Session = session, LoggerFactory = factory });

        await api.GetAsync(3, null, null);

        (LogLevel Level, string Category, string Message, string[] State, Exception? Exception) entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("TypedHttp." + typeof(IParityApi).FullName, entry.Category);
        Assert.Matches($@"^GET http://127\.0\.0\.1:{server.Port}/items/3 answered 200 in \d+\.\d ms$", entry.Message);
        Assert.Contains("HttpMethod=GET", entry.State);
        Assert.Contains("StatusCode=200", entry.State);
        Assert.Contains(entry.State, s => s.StartsWith("ElapsedMilliseconds=", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.AllText(), t => t.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Secrets_never_appear_in_messages_state_or_scopes_even_at_trace()
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new RecordingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var session = new HttpSession();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, Session = session, LoggerFactory = factory });

        await api.SecretAsync("Bearer s3cr3t-token", "id=s3cr3t-cookie-in", "Basic s3cr3t-proxy");

        Assert.Equal(3, logs.Entries.Count);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("Authorization: ***", StringComparison.Ordinal) && e.Message.Contains("Cookie: ***", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("Set-Cookie: ***", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.AllText(), t => t.Contains("s3cr3t", StringComparison.Ordinal));
        // The secrets did go on the wire.
        SeenRequest seen = Assert.Single(server.Drain());
        Assert.Equal("Bearer s3cr3t-token", seen.Header("Authorization"));
    }

    [Fact]
    public async Task A_failure_is_one_warning_with_the_error_kind()
    {
        var logs = new RecordingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        using var session = new HttpSession();
        int port = TransportTests.FreePort();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Session = session, LoggerFactory = factory });

        await Assert.ThrowsAsync<TypedHttpException>(() => api.DeleteAsync(4));

        (LogLevel Level, string Category, string Message, string[] State, Exception? Exception) entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Matches($@"^DELETE http://127\.0\.0\.1:{port}/items/4 failed after \d+\.\d ms: cannot_connect$", entry.Message);
        Assert.IsType<TypedHttpException>(entry.Exception);
    }

    [Fact]
    public async Task Nothing_is_logged_below_the_configured_level()
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new RecordingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Warning));
        using var session = new HttpSession();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, JsonSerializerOptions = TestJsonContext.Default.Options, Session = session, LoggerFactory = factory });
        await api.GetAsync(3, null, null);
        Assert.Empty(logs.Entries);
    }
}
