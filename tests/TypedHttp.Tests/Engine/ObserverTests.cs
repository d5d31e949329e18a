using System;
using System.Collections.Generic;
using System.Net;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>Records what the engine tells its observer, as lines of text (the test formats; the engine does not).</summary>
internal sealed class RecordingObserver : IHttpSessionObserver
{
    private readonly List<string> _events = new();

    public List<string> Events { get { lock (_events) { return new List<string>(_events); } } }

    public List<TypedHttpRequest> FollowUpRequests { get; } = new();

    private void Add(string e)
    {
        lock (_events)
        {
            _events.Add(e);
        }
    }

    public void ConnectionOpened(long id, in PoolKey key, IPEndPoint? peer) =>
        Add($"opened {id} {(key.IsHttps ? "https" : "http")}://{key.Host}:{key.Port} peer={peer?.Address}");

    public void ConnectionStateChanged(long id, bool idle) => Add($"{(idle ? "idle" : "active")} {id}");

    public void ConnectionClosed(long id) => Add($"closed {id}");

    public object? FollowUpStarting(TypedHttpRequest next, int status, FollowUpKind kind)
    {
        lock (_events)
        {
            FollowUpRequests.Add(next);
        }
        Add($"follow-up {kind} after {status}: {next.Method} {next.Uri.PathAndQuery}");
        return kind;
    }

    public void FollowUpCompleted(object? state, TypedHttpResponse? response, Exception? error) =>
        Add($"follow-up {state} completed: {(response is not null ? response.StatusCode.ToString() : error?.GetType().Name)}");
}

/// <summary>The engine's observer (connection lifecycle, follow-ups): called without text, in order.</summary>
public sealed class ObserverTests
{
    [Fact]
    public async Task ConnectionLifecycle_OpenedActiveIdleActiveIdleClosed_WithPoolKeyAndPeer()
    {
        await using var server = ScriptedServer.Respond(Ok("one"), Ok("two"));
        var observer = new RecordingObserver();
        var session = Session(o =>
        {
            o.Observer = observer;
            o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
        });
        Assert.Equal("one", await session.GetStringAsync(new Uri($"http://observed.test:{server.Port}/a")));
        Assert.Equal("two", await session.GetStringAsync(new Uri($"http://observed.test:{server.Port}/b")));
        session.Dispose();

        List<string> events = observer.Events;
        long id = long.Parse(events[0].Split(' ')[1]);
        Assert.Equal(
            [
                $"opened {id} http://observed.test:{server.Port} peer=127.0.0.1",
                $"idle {id}", $"active {id}", $"idle {id}",
                $"closed {id}",
            ],
            events);
    }

    [Fact]
    public async Task AConnectionClosedWhileActive_IsReportedClosedOnce()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        var observer = new RecordingObserver();
        using var session = Session(o => o.Observer = observer);
        Assert.Equal("ok", await session.GetStringAsync(server.Uri("/")));
        await WaitUntilAsync(() => observer.Events.Count == 2, "the close to be reported");
        session.Dispose();
        List<string> events = observer.Events;
        Assert.StartsWith("opened ", events[0]);
        Assert.StartsWith("closed ", events[1]);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task AFailedConnect_IsNeverAnnounced()
    {
        var observer = new RecordingObserver();
        using var session = Session(o => o.Observer = observer);
        await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(new Uri("http://127.0.0.1:1/")));
        Assert.Empty(observer.Events);
    }
}
