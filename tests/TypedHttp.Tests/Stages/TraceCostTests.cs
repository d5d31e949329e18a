using System;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>The follow-up stage builds its trace lines (redirects, authentication) only when someone listens.</summary>
[Collection("TypedHttp EventSource")]
public sealed class TraceCostTests
{
    private const string Challenge = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n";

    private static async Task<int> RedirectThenAuthenticateAsync(Action<HttpSessionOptions>? configure)
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/from" ? Redirect(302, "/to") : r.Header("Authorization") is null ? Challenge : Ok("there"));
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => { o.Credentials = credentials; configure?.Invoke(o); });
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/from")));
        Assert.Equal(200, code);
        Assert.Equal("there", body);
        return session.FollowUpTraceMessages;
    }

    [Fact]
    public async Task Redirect_and_auth_messages_are_not_built_when_nobody_listens()
    {
        Assert.Equal(0, await RedirectThenAuthenticateAsync(null));
        Assert.False(TypedHttpEventSource.Log.IsEnabled(), "an EventSource listener elsewhere in the run would make this test meaningless");
    }

    [Fact]
    public async Task Redirect_and_auth_messages_are_built_for_a_listener()
    {
        Assert.Equal(2, await RedirectThenAuthenticateAsync(o => o.TraceListener = _ => { }));
    }
}
