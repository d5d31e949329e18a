using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>The trace (OM-11, D-1…D-3): the session's listener and the TypedHttp EventSource; secrets redacted.</summary>
[Collection("TypedHttp EventSource")]
public sealed class TraceTests
{
    [Fact]
    public async Task Events_follow_the_exchange_and_secrets_are_redacted()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: session=s3cr3t-cookie\r\nContent-Length: 2\r\n\r\nok",
            Ok("again"));
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o =>
        {
            o.TraceListener = events.Enqueue;
            o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { System.Net.IPAddress.Loopback });
        });
        var request = new TypedHttpRequest("GET", new Uri($"http://trace.test:{server.Port}/t"));
        request.Headers.Add("Authorization", "Bearer top-secret-token");
        request.Headers.Add("Cookie", "id=cookie-secret");
        request.Headers.Add("Proxy-Authorization", "Basic proxy-secret");
        request.Headers.Add("X-Visible", "shown");

        await (await session.SendAsync(request)).DisposeAsync();
        Assert.Equal("again", await session.GetStringAsync(new Uri($"http://trace.test:{server.Port}/u")));
        session.Dispose();

        HttpTraceEventKind[] kinds = events.Select(e => e.Kind).ToArray();
        Assert.Equal(
            new[]
            {
                HttpTraceEventKind.Resolving, HttpTraceEventKind.Resolved, HttpTraceEventKind.Connecting, HttpTraceEventKind.Connected,
                HttpTraceEventKind.SendingRequest, HttpTraceEventKind.RequestSent, HttpTraceEventKind.IntermediateResponse, HttpTraceEventKind.HeadersReceived,
                HttpTraceEventKind.ConnectionReused, HttpTraceEventKind.SendingRequest, HttpTraceEventKind.RequestSent, HttpTraceEventKind.HeadersReceived,
                HttpTraceEventKind.Closing,
            },
            kinds);
        string all = string.Join("\n", events.Select(e => e.Message));
        Assert.DoesNotContain("top-secret-token", all);
        Assert.DoesNotContain("cookie-secret", all);
        Assert.DoesNotContain("proxy-secret", all);
        Assert.DoesNotContain("s3cr3t-cookie", all);
        Assert.Contains("Authorization: ***", all);
        Assert.Contains("Set-Cookie: ***", all);
        Assert.Contains("X-Visible: shown", all);
        Assert.Contains($"Host: trace.test:{server.Port}", all);
        Assert.Single(events.Select(e => e.ConnectionId).Distinct());
    }

    [Fact]
    public async Task Failures_and_retries_are_traced()
    {
        await using ScriptedServer server = StaleAfterFirst("second");
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = events.Enqueue);

        await session.GetStringAsync(server.Uri("/"));
        await session.GetStringAsync(server.Uri("/"));

        Assert.Contains(events, e => e.Kind == HttpTraceEventKind.Failed && e.Message.Contains("EmptyResponse", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == HttpTraceEventKind.Retrying);
    }

    [Fact]
    public async Task EventSource_named_TypedHttp_carries_the_events()
    {
        await using var server = ScriptedServer.Respond(Ok("es"));
        using var listener = new Listener();
        using HttpSession session = Session();

        var request = new TypedHttpRequest("GET", server.Uri("/es"));
        request.Headers.Add("Authorization", "Bearer es-secret");
        await (await session.SendAsync(request)).DisposeAsync();

        string marker = $"127.0.0.1:{server.Port}";
        var mine = listener.Events.Where(e => e.Message.Contains(marker, StringComparison.Ordinal) || e.Message.Contains("/es", StringComparison.Ordinal)).ToList();
        Assert.Contains(mine, e => e.Name == "Connecting");
        Assert.Contains(mine, e => e.Name == "SendingRequest" && e.Message.Contains("Authorization: ***", StringComparison.Ordinal));
        Assert.DoesNotContain(listener.Events, e => e.Message.Contains("es-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Session_listener_gets_the_heads_in_clear_as_sent_while_the_EventSource_stays_redacted()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nSet-Cookie: sid=clear-set-cookie\r\nContent-Length: 2\r\n\r\nok");
        using var listener = new Listener();
        var events = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o =>
        {
            o.TraceListener = e => events.Enqueue(e with { Headers = Copy(e.Headers) });
            o.UserAgent = "agent/1";
        });
        Uri uri = server.Uri("/clear?q=a%20b");
        var request = new TypedHttpRequest("POST", uri) { Content = new ByteArrayRequestContent(new byte[] { 1, 2, 3 }) };
        request.Headers.Add("Authorization", "Bearer clear-token");
        request.Headers.Add("Cookie", "c=clear-cookie");
        request.Headers.Add("X-Padded", " spaced");
        await (await session.SendAsync(request)).DisposeAsync();

        HttpTraceEvent sending = Assert.Single(events, e => e.Kind == HttpTraceEventKind.SendingRequest);
        Assert.Equal(uri, sending.RequestUri);
        // The fields in clear are exactly the head the server received.
        StringBuilder wire = new System.Text.StringBuilder(sending.Message.Split('\n')[0]).Append("\r\n");
        foreach (KeyValuePair<string, string> field in sending.Headers!)
        {
            wire.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
        }
        Assert.Equal(server.Connections[0].Requests[0].Head, wire.Append("\r\n").ToString());
        Assert.Equal("Bearer clear-token", sending.Headers!.GetValue("Authorization"));
        Assert.Equal("agent/1", sending.Headers!.GetValue("User-Agent"));
        Assert.Equal("3", sending.Headers!.GetValue("Content-Length"));

        HttpTraceEvent received = Assert.Single(events, e => e.Kind == HttpTraceEventKind.HeadersReceived);
        Assert.Equal(uri, received.RequestUri);
        Assert.Equal("HTTP/1.1 200 OK", received.Message.Split('\n')[0]);
        Assert.Equal("sid=clear-set-cookie", received.Headers!.GetValue("Set-Cookie"));

        // Messages (the listener's and the EventSource's) never carry the secrets.
        string messages = string.Join("\n", events.Select(e => e.Message)) + string.Join("\n", listener.Events.Select(e => e.Message));
        foreach (string secret in new[] { "clear-token", "clear-cookie", "clear-set-cookie" })
        {
            Assert.DoesNotContain(secret, messages);
        }
        Assert.Contains(listener.Events, e => e.Name == "SendingRequest" && e.Message.Contains("Authorization: ***", StringComparison.Ordinal) && e.Message.Contains("User-Agent: agent/1", StringComparison.Ordinal));
        Assert.Contains(listener.Events, e => e.Name == "HeadersReceived" && e.Message.Contains("Set-Cookie: ***", StringComparison.Ordinal));
        Assert.All(events.Where(e => e.Kind is not (HttpTraceEventKind.SendingRequest or HttpTraceEventKind.HeadersReceived)), e => Assert.Null(e.Headers));
    }

    private static HttpHeaderCollection? Copy(HttpHeaderCollection? headers)
    {
        if (headers is null)
        {
            return null;
        }
        var copy = new HttpHeaderCollection(headers.Count);
        foreach (KeyValuePair<string, string> field in headers)
        {
            copy.AddUnchecked(field.Key, field.Value);
        }
        return copy;
    }

    private sealed class Listener : EventListener
    {
        public ConcurrentQueue<(string Name, string Message)> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "TypedHttp")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventSource.Name == "TypedHttp" && eventData.Payload is { Count: 2 } payload)
            {
                Events.Enqueue((eventData.EventName ?? "", payload[1] as string ?? ""));
            }
        }
    }
}
