using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Reliability;

/// <summary>A client the generator builds for the hostile-input tests.</summary>
public interface IHostileApi
{
    [Get("/files/{name}")]
    Task<string> GetFileAsync(string name, string? q = null);

    [Get("/h")]
    Task<string> WithHeaderAsync([Header("X-Trace")] string? trace);
}

/// <summary>
/// Hostile input from callers and servers: CR/LF/NUL never reach the wire raw, route values cannot climb the route
/// (checked on the wire through a generated client), and secrets never appear in the trace (listener and
/// EventSource), the logs or exception messages. Redirect, downgrade, TLS and decompression-bomb cases are covered
/// by the Stages/, Engine/ and Policy/ tests named in docs/reliability.md.
/// </summary>
public sealed class HostileInputTests
{
    private static IHostileApi Client(ScriptedServer server, HttpSession session, ILoggerFactory? logs = null) =>
        TypedHttpClient.Create<IHostileApi>(new TypedHttpClientOptions { BaseAddress = server.Uri("/api/"), Session = session, LoggerFactory = logs });

    private static ScriptedServer OkServer() => ScriptedServer.Start(c => c.ServeAsync(Enumerable.Repeat(Ok("ok"), 20).ToArray()));

    [Theory]
    [InlineData("..", "/api/files/%2E%2E")]
    [InlineData(".", "/api/files/%2E")]
    [InlineData("%2e%2e", "/api/files/%252e%252e")]
    [InlineData("%2E%2E", "/api/files/%252E%252E")]
    [InlineData("../admin", "/api/files/..%2Fadmin")]
    [InlineData("..\\admin", "/api/files/..%5Cadmin")]
    [InlineData("a/../../b", "/api/files/a%2F..%2F..%2Fb")]
    [InlineData("x?admin=1#f", "/api/files/x%3Fadmin%3D1%23f")]
    [InlineData("a\r\nX-Injected: 1", "/api/files/a%0D%0AX-Injected%3A%201")]
    [InlineData("nul\0byte", "/api/files/nul%00byte")]
    public async Task Route_values_reach_the_wire_as_one_escaped_segment(string value, string expectedTarget)
    {
        await using ScriptedServer server = OkServer();
        using HttpSession session = Session();

        Assert.Equal("ok", await Client(server, session).GetFileAsync(value));

        ScriptedRequest request = server.Connections[0].Requests[0];
        Assert.Equal($"GET {expectedTarget} HTTP/1.1", request.RequestLine);
        Assert.Null(request.Header("X-Injected"));
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1", "q=a%0D%0AX-Injected%3A%201")]
    [InlineData("\0&admin=1", "q=%00%26admin%3D1")]
    [InlineData("x#frag", "q=x%23frag")]
    public async Task Query_values_with_controls_are_escaped_on_the_wire(string value, string expectedQuery)
    {
        await using ScriptedServer server = OkServer();
        using HttpSession session = Session();

        await Client(server, session).GetFileAsync("f", value);

        ScriptedRequest request = server.Connections[0].Requests[0];
        Assert.Equal($"GET /api/files/f?{expectedQuery} HTTP/1.1", request.RequestLine);
        Assert.Null(request.Header("X-Injected"));
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\nX-Injected: 1")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    public async Task A_header_parameter_with_CR_LF_or_NUL_is_refused_and_nothing_is_sent(string value)
    {
        await using ScriptedServer server = OkServer();
        using HttpSession session = Session();

        await AssertRefusedAsync(() => Client(server, session).WithHeaderAsync(value));

        Assert.Equal(0, server.AcceptedCount);
    }

    [Theory]
    [InlineData("X-A\r\nX-Injected", "1")]
    [InlineData("X A", "1")]
    [InlineData("X-A:", "1")]
    [InlineData("", "1")]
    [InlineData("X-A", "1\r\n\r\nGET /smuggled HTTP/1.1")]
    public async Task A_caller_header_with_a_bad_name_or_value_is_refused_before_any_connection(string name, string value)
    {
        await using ScriptedServer server = OkServer();
        using HttpSession session = Session();

        await AssertRefusedAsync(async () =>
        {
            var request = new TypedHttpRequest("GET", server.Uri("/"));
            request.Headers.Add(name, value);
            await session.SendAsync(request);
        });

        Assert.Equal(0, server.AcceptedCount);
    }

    /// <summary>
    /// Refused as a caller error: <see cref="HttpHeaderCollection.Add"/> throws <see cref="ArgumentException"/> when
    /// the bad header is added, and the session's own check (<see cref="HttpError.InvalidRequest"/> in phase Request)
    /// catches what reaches it another way. Either way nothing is sent.
    /// </summary>
    private static async Task AssertRefusedAsync(Func<Task> action)
    {
        Exception e = await Assert.ThrowsAnyAsync<Exception>(action);
        Assert.True(e is ArgumentException or TypedHttpException { Error: HttpError.InvalidRequest, Phase: HttpPhase.Request }, e.ToString());
    }

    [Fact]
    public async Task An_overlong_status_line_alone_is_HeaderSizeOverflow()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 " + new string('R', 70_000) + "\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session();

        await AssertFailsAsync(HttpError.HeaderSizeOverflow, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(server.Uri("/")));
    }

    // ------------------------------------------------------------------ secrets

    private const string Bearer = "S3CR3T-BEARER-7f3a";
    private const string CallerCookie = "S3CR3T-COOKIE-91bd";
    private const string Password = "S3CR3T-PASSWORD-c0de";
    private const string ServerCookie = "S3CR3T-SETCOOKIE-5e5e";
    private const string ProxyAuth = "S3CR3T-PROXY-0b0b";

    private static readonly string[] Secrets =
    [
        Bearer, CallerCookie, Password, ServerCookie, ProxyAuth,
        Convert.ToBase64String(Encoding.UTF8.GetBytes("ada:" + Password)),
    ];

    private sealed class Capture : EventListener
    {
        public readonly ConcurrentQueue<string> Lines = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "TypedHttp")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e) =>
            Lines.Enqueue(string.Join(" | ", e.Payload?.Select(p => p?.ToString()) ?? []));
    }

    private sealed class ListLoggerFactory : ILoggerFactory, ILogger
    {
        public readonly ConcurrentQueue<string> Lines = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) { }

        public void Dispose() { }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Enqueue(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (KeyValuePair<string, object?> v in values)
                {
                    Lines.Enqueue($"{v.Key}={v.Value}");
                }
            }
            if (exception is not null)
            {
                Lines.Enqueue(exception.ToString());
            }
        }
    }

    [Fact]
    public async Task Secrets_never_appear_in_the_trace_the_event_source_the_logs_or_exception_messages()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            if (c.Index == 0)
            {
                // 401 with a Basic challenge, then 200 with a Set-Cookie, then a reset in the middle of the third response.
                await c.ReadRequestAsync();
                await c.SendAsync("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
                await c.ReadRequestAsync();
                await c.SendAsync($"HTTP/1.1 200 OK\r\nSet-Cookie: sid={ServerCookie}; Path=/\r\nContent-Length: 2\r\n\r\nok");
                await c.ReadRequestAsync();
                await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart");
                await Task.Delay(50);
                c.Reset();
                return;
            }
            await c.ServeAsync(Enumerable.Repeat(Ok("ok"), 5).ToArray());
        });
        var trace = new ConcurrentQueue<string>();
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("ada", Password));
        using var events = new Capture();
        var logs = new ListLoggerFactory();
        using HttpSession session = Session(o =>
        {
            o.Credentials = credentials;
            o.TraceListener = e => trace.Enqueue(e.Message);
        });
        var messages = new List<string>();

        // A session-credential round trip that stores a cookie.
        Assert.Equal("ok", await session.GetStringAsync(server.Uri("/login")));
        // Caller secrets on a request that fails mid-body.
        var request = new TypedHttpRequest("GET", server.Uri("/secret"));
        request.Headers.Add("Authorization", "Bearer " + Bearer);
        request.Headers.Add("Proxy-Authorization", "Basic " + ProxyAuth);
        request.Headers.Add("Cookie", "c=" + CallerCookie);
        TypedHttpException failed = await Assert.ThrowsAsync<TypedHttpException>(async () =>
        {
            await using TypedHttpResponse response = await session.SendAsync(request);
            await response.ReadAsStringAsync();
        });
        messages.Add(failed.ToString());
        // A generated client with logging, through the same session (pre-authentication and the stored cookie).
        IHostileApi api = Client(server, session, logs);
        Assert.Equal("ok", await api.GetFileAsync("f"));
        messages.Add((await Assert.ThrowsAnyAsync<Exception>(() => api.WithHeaderAsync("x\r\n" + Bearer))).ToString());

        Assert.NotEmpty(trace);
        Assert.NotEmpty(logs.Lines);
        string[] everything = [.. trace, .. events.Lines, .. logs.Lines, .. messages];
        foreach (string line in everything)
        {
            foreach (string secret in Secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"'{secret}' leaked: {line}");
            }
        }
        // The secrets did go on the wire (the test would prove nothing otherwise).
        string wire = string.Concat(server.Connections.Select(c => c.ReceivedText));
        Assert.Contains(Bearer, wire, StringComparison.Ordinal);
        Assert.Contains(ServerCookie, wire, StringComparison.Ordinal);
        Assert.Contains(Secrets[^1], wire, StringComparison.Ordinal);
    }
}
