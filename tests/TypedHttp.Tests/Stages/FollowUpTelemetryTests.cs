using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Internal;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>Follow-up round trips as child spans of the call's span, each with its own traceparent on the wire.</summary>
public sealed class FollowUpTelemetryTests
{
    private static ActivityListener Listen(ConcurrentBag<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "TypedHttp",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public async Task A_302_then_200_is_a_parent_and_a_child_span_and_the_second_request_names_the_child()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(302, "/final") : Ok("done"));
        var stopped = new ConcurrentBag<Activity>();
        using ActivityListener listener = Listen(stopped);
        using HttpSession session = Session();
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session }, "Tests.IFollow");

        Assert.Equal("done", await core.SendStringAsync(new TypedHttpRequest("GET", server.Uri("/start")), default));

        Activity[] ours = stopped.Where(a => Equals(a.GetTagItem("server.port"), server.Port)).ToArray();
        Assert.Equal(2, ours.Length);
        Activity parent = Assert.Single(ours, a => a.GetTagItem("typedhttp.follow_up") is null);
        Activity child = Assert.Single(ours, a => a.GetTagItem("typedhttp.follow_up") is "redirect");
        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.Equal(parent.SpanId, child.ParentSpanId);
        Assert.Equal(ActivityKind.Client, child.Kind);
        Assert.Equal("GET", child.DisplayName);
        Assert.Equal(200, child.GetTagItem("http.response.status_code"));
        Assert.Equal(1, child.GetTagItem("http.request.resend_count"));
        Assert.Equal(server.Uri("/final").ToString(), child.GetTagItem("url.full"));

        List<ScriptedRequest> requests = server.AllRequests();
        Assert.Equal(2, requests.Count);
        Assert.Equal($"00-{parent.TraceId}-{parent.SpanId}-01", requests[0].Header("traceparent"));
        Assert.Equal($"00-{child.TraceId}-{child.SpanId}-01", requests[1].Header("traceparent"));
        Assert.Single(requests[1].Headers, h => h.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Each_auth_round_trip_is_a_child_span_with_its_own_traceparent()
    {
        await using ScriptedServer server = Routed(r => r.Header("Authorization") is null
            ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"
            : Ok("in"));
        var stopped = new ConcurrentBag<Activity>();
        using ActivityListener listener = Listen(stopped);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session }, "Tests.IFollow");

        Assert.Equal("in", await core.SendStringAsync(new TypedHttpRequest("GET", server.Uri("/")), default));

        Activity[] ours = stopped.Where(a => Equals(a.GetTagItem("server.port"), server.Port)).ToArray();
        Activity parent = Assert.Single(ours, a => a.GetTagItem("typedhttp.follow_up") is null);
        Activity child = Assert.Single(ours, a => a.GetTagItem("typedhttp.follow_up") is "server_auth");
        Assert.Equal(parent.SpanId, child.ParentSpanId);
        Assert.Equal(200, parent.GetTagItem("http.response.status_code"));
        Assert.Contains(child.SpanId.ToString(), server.AllRequests()[1].Header("traceparent"));
    }

    [Fact]
    public async Task Without_a_listener_no_child_span_is_made_and_the_follow_up_keeps_the_ambient_traceparent()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(302, "/final") : Ok("done"));
        using HttpSession session = Session();
        using Activity ambient = new Activity("ambient").SetIdFormat(ActivityIdFormat.W3C).Start();
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session }, "Tests.IFollow");
        Assert.Equal("done", await core.SendStringAsync(new TypedHttpRequest("GET", server.Uri("/start")), default));
        List<ScriptedRequest> requests = server.AllRequests();
        Assert.Equal(requests[0].Header("traceparent"), requests[1].Header("traceparent"));
        Assert.Contains(ambient.SpanId.ToString(), requests[1].Header("traceparent"));
    }
}
