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
    public async Task Connection_lifecycle_opened_active_idle_active_idle_closed_with_pool_key_and_peer()
    {
        await using var server = ScriptedServer.Respond(Ok("one"), Ok("two"));
        var observer = new RecordingObserver();
        HttpSession session = Session(o =>
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
    public async Task A_connection_closed_while_active_is_reported_closed_once()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        var observer = new RecordingObserver();
        using HttpSession session = Session(o => o.Observer = observer);
        Assert.Equal("ok", await session.GetStringAsync(server.Uri("/")));
        await WaitUntilAsync(() => observer.Events.Count == 2, "the close to be reported");
        session.Dispose();
        List<string> events = observer.Events;
        Assert.StartsWith("opened ", events[0]);
        Assert.StartsWith("closed ", events[1]);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task A_failed_connect_is_never_announced()
    {
        var observer = new RecordingObserver();
        using HttpSession session = Session(o => o.Observer = observer);
        await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(new Uri("http://127.0.0.1:1/")));
        Assert.Empty(observer.Events);
    }

    [Fact]
    public async Task Follow_ups_redirect_then_server_auth_are_reported_in_order_and_the_callers_request_is_left_alone()
    {
        await using ScriptedServer server = Stages.StageTest.Routed(r => Stages.StageTest.Path(r) switch
        {
            "/a" => Redirect(302, "/b"),
            _ when r.Header("Authorization") is null => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
            _ => Ok("in"),
        });
        var observer = new RecordingObserver();
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => { o.Observer = observer; o.Credentials = credentials; });
        var request = new TypedHttpRequest("GET", server.Uri("/a"));
        request.Headers.Add("X-Mine", "1");
        Assert.Equal("in", await (await session.SendAsync(request)).ReadAsStringAsync());

        Assert.Equal(
            [
                "follow-up Redirect after 302: GET /b", "follow-up Redirect completed: 401",
                "follow-up ServerAuth after 401: GET /b", "follow-up ServerAuth completed: 200",
            ],
            observer.Events.FindAll(e => e.StartsWith("follow-up", StringComparison.Ordinal)));
        Assert.All(observer.FollowUpRequests, next => Assert.NotSame(request, next));
        Assert.Equal("1", observer.FollowUpRequests[1].Headers.GetValue("X-Mine"));
        Assert.Single(request.Headers); // the engine's copies carried the follow-ups
    }

    [Fact]
    public async Task Follow_ups_a_stale_connection_retry_is_reported()
    {
        await using ScriptedServer server = StaleAfterFirst("retried");
        var observer = new RecordingObserver();
        using HttpSession session = Session(o => o.Observer = observer);
        Assert.Equal("first", await session.GetStringAsync(server.Uri("/")));
        Assert.Equal("retried", await session.GetStringAsync(server.Uri("/again")));
        Assert.Equal(
            ["follow-up StaleRetry after 0: GET /again", "follow-up StaleRetry completed: 200"],
            observer.Events.FindAll(e => e.StartsWith("follow-up", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Follow_ups_a_failed_redirect_hop_completes_with_the_error()
    {
        await using ScriptedServer server = Stages.StageTest.Routed(_ => Redirect(302, "http://127.0.0.1:1/gone"));
        var observer = new RecordingObserver();
        using HttpSession session = Session(o => o.Observer = observer);
        await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(server.Uri("/")));
        Assert.Equal(
            ["follow-up Redirect after 302: GET /gone", "follow-up Redirect completed: TypedHttpException"],
            observer.Events.FindAll(e => e.StartsWith("follow-up", StringComparison.Ordinal)));
    }
}
