using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;
using TypedHttp.Testing;

namespace TypedHttp.Extensions.Tests;

/// <summary>Collects the TypedHttp spans (and, on request, HttpClient's) of one server port.</summary>
internal sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanCollector(bool includeHttpClient = false)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "TypedHttp" || (includeHttpClient && s.Name == "System.Net.Http"),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => Stopped.Add(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentBag<Activity> Stopped { get; } = new();

    public Activity[] Ours(int port) => Stopped.Where(a => a.Source.Name == "TypedHttp" && Equals(a.GetTagItem("server.port"), port)).ToArray();

    public void Dispose() => _listener.Dispose();
}

/// <summary>Collects measurements of the TypedHttp meter.</summary>
internal sealed class MeasurementCollector : IDisposable
{
    private readonly MeterListener _listener = new();

    public MeasurementCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TypedHttp")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dict = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> t in tags)
        {
            dict[t.Key] = t.Value;
        }
        Measurements.Enqueue((instrument.Name, instrument.Unit, value, dict));
    }

    public (string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)[] For(string instrument, int port) =>
        Measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("server.port"), port)).ToArray();

    public void Dispose() => _listener.Dispose();
}

[Collection("Telemetry")]
public sealed class TelemetryTests
{
    private static IParityApi Engine(TestServer server, HttpSession session) =>
        TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, JsonSerializerOptions = TestJsonContext.Default.Options, Session = session });

    [Fact]
    public async Task One_client_span_per_call_with_the_http_conventions_and_its_traceparent_on_the_wire()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var spans = new SpanCollector();
        using var session = new HttpSession();
        await Engine(server, session).GetAsync(5, null, null);

        Activity span = Assert.Single(spans.Ours(server.Port));
        Assert.Equal("GET", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("GET", span.GetTagItem("http.request.method"));
        Assert.Equal($"http://127.0.0.1:{server.Port}/items/5", span.GetTagItem("url.full"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.Equal("1.1", span.GetTagItem("network.protocol.version"));
        Assert.Equal(typeof(IParityApi).FullName, span.GetTagItem("typedhttp.interface"));
        Assert.Null(span.GetTagItem("error.type"));
        SeenRequest seen = Assert.Single(server.Drain());
        Assert.Equal(1, seen.Count("traceparent"));
        Assert.Equal(span.Id, seen.Header("traceparent"));
    }

    [Fact]
    public async Task Over_HttpClient_the_wire_carries_our_span_once_even_when_HttpClient_traces_too()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var spans = new SpanCollector(includeHttpClient: true);
        using var client = new HttpClient();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, JsonSerializerOptions = TestJsonContext.Default.Options, Transport = new HttpClientTransport(client) });
        await api.GetAsync(5, null, null);

        Activity ours = Assert.Single(spans.Ours(server.Port));
        SeenRequest seen = Assert.Single(server.Drain());
        Assert.Equal(1, seen.Count("traceparent"));
        Assert.Equal(ours.Id, seen.Header("traceparent"));
        // HttpClient's own span, if any, is a child of ours and did not replace the header.
        Activity[] inner = spans.Stopped.Where(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == ours.SpanId).ToArray();
        Assert.NotEmpty(inner);
        Assert.All(inner, a => Assert.Equal(ours.TraceId, a.TraceId));
    }

    [Fact]
    public async Task The_ambient_trace_is_continued()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var session = new HttpSession();
        using Activity parent = new Activity("incoming").SetIdFormat(ActivityIdFormat.W3C).Start();
        await Engine(server, session).DeleteAsync(1);
        parent.Stop();
        SeenRequest seen = Assert.Single(server.Drain());
        Assert.StartsWith($"00-{parent.TraceId}-", seen.Header("traceparent"));
    }

    [Fact]
    public async Task Errors_set_error_type_and_status()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var spans = new SpanCollector();
        using var session = new HttpSession();
        await Assert.ThrowsAsync<ApiException>(() => Engine(server, session).StatusAsync(503));
        Activity span = Assert.Single(spans.Ours(server.Port));
        Assert.Equal("503", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);

        int port = TransportTests.FreePort();
        IParityApi refused = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Session = session });
        await Assert.ThrowsAsync<TypedHttpException>(() => refused.DeleteAsync(1));
        Activity failed = Assert.Single(spans.Ours(port));
        Assert.Equal("cannot_connect", failed.GetTagItem("error.type"));
        Assert.Null(failed.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task The_method_name_hook_tags_the_span()
    {
        using var spans = new SpanCollector();
        InMemoryTransport transport = DelayedTransport.Create(TimeSpan.Zero);
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = new Uri("http://hooks.test:8123"), Transport = transport }, "My.IApi");
        await core.SendAsync(new TypedHttpRequest("GET", new Uri("http://hooks.test:8123/x")), default, methodName: "GetXAsync");
        Activity span = Assert.Single(spans.Ours(8123));
        Assert.Equal("GetXAsync", span.GetTagItem("typedhttp.method"));
        Assert.Equal("My.IApi", span.GetTagItem("typedhttp.interface"));
    }

    [Fact]
    public async Task Request_duration_and_active_requests_are_measured()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var metrics = new MeasurementCollector();
        using var session = new HttpSession();
        await Engine(server, session).GetAsync(1, null, null);
        await Assert.ThrowsAsync<ApiException>(() => Engine(server, session).StatusAsync(404));

        (string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)[] durations = metrics.For("http.client.request.duration", server.Port);
        Assert.Equal(2, durations.Length);
        Assert.All(durations, d => Assert.Equal("s", d.Unit));
        Assert.All(durations, d => Assert.InRange(d.Value, 0.0000001, 10));
        Assert.Equal("GET", durations[0].Tags["http.request.method"]);
        Assert.Equal(200, durations[0].Tags["http.response.status_code"]);
        Assert.Equal("http", durations[0].Tags["url.scheme"]);
        Assert.Equal("127.0.0.1", durations[0].Tags["server.address"]);
        Assert.Equal("1.1", durations[0].Tags["network.protocol.version"]);
        Assert.False(durations[0].Tags.ContainsKey("error.type"));
        Assert.Equal("404", durations[1].Tags["error.type"]);

        (string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)[] active = metrics.For("http.client.active_requests", server.Port);
        Assert.Equal([1.0, -1.0, 1.0, -1.0], active.Select(a => a.Value));
    }

    [Fact]
    public async Task Connection_metrics_need_no_opt_in_and_follow_each_connections_state_and_lifetime()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var metrics = new MeasurementCollector();
        var session = new HttpSession(new HttpSessionOptions());
        await Engine(server, session).GetAsync(1, null, null);
        await Engine(server, session).GetAsync(2, null, null);
        (string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags)[] open = metrics.For("http.client.open_connections", server.Port);
        // Opened active, idle after the first call, active for the second, idle again.
        Assert.Equal(["+1 active", "-1 active", "+1 idle", "-1 idle", "+1 active", "-1 active", "+1 idle"],
            open.Select(o => $"{(o.Value > 0 ? "+" : "")}{o.Value} {o.Tags["http.connection.state"]}"));
        foreach ((string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags) m in open)
        {
            Assert.Equal("127.0.0.1", m.Tags["server.address"]);
            Assert.Equal("http", m.Tags["url.scheme"]);
            Assert.Equal("127.0.0.1", m.Tags["network.peer.address"]);
            Assert.Equal("1.1", m.Tags["network.protocol.version"]);
        }

        session.Dispose();
        open = metrics.For("http.client.open_connections", server.Port);
        Assert.Equal("-1 idle", $"{open[^1].Value} {open[^1].Tags["http.connection.state"]}");
        Assert.Equal(0, open.Sum(o => o.Value));
        (string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags) duration = Assert.Single(metrics.For("http.client.connection.duration", server.Port));
        Assert.Equal("s", duration.Unit);
        Assert.True(duration.Value > 0);
        Assert.Equal("127.0.0.1", duration.Tags["server.address"]);
        Assert.Equal("http", duration.Tags["url.scheme"]);
        Assert.False(duration.Tags.ContainsKey("http.connection.state"));
    }

    [Fact]
    public async Task A_per_call_timeout_is_a_Timeout_error_and_the_options_timeout_applies_too()
    {
        InMemoryTransport slow = DelayedTransport.Create(TimeSpan.FromSeconds(5));
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = new Uri("http://t.test"), Transport = slow }, "My.IApi");
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => core.SendAsync(new TypedHttpRequest("GET", new Uri("http://t.test/a")), default, timeoutMilliseconds: 100));
        Assert.Equal(HttpError.Timeout, e.Error);
        Assert.Contains("100 ms", e.Message);

        var withOptions = new ClientCore(new TypedHttpClientOptions { BaseAddress = new Uri("http://t.test"), Transport = slow, Timeout = TimeSpan.FromMilliseconds(100) }, "My.IApi");
        e = await Assert.ThrowsAsync<TypedHttpException>(() => withOptions.SendAsync(new TypedHttpRequest("GET", new Uri("http://t.test/a")), default));
        Assert.Equal(HttpError.Timeout, e.Error);

        using var cts = new CancellationTokenSource(100);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => core.SendAsync(new TypedHttpRequest("GET", new Uri("http://t.test/a")), cts.Token, timeoutMilliseconds: 10_000));
    }
}
