using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>A per-call timeout on the engine reports the phase the call was in when it expired.</summary>
public sealed class CallTimeoutPhaseTests
{
    private static async Task<TypedHttpException> TimesOutAsync(HttpSession session, Uri uri)
    {
        var core = new ClientCore(new TypedHttpClientOptions { BaseAddress = uri, Session = session }, "Tests.ITimed");
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => core.SendAsync(new TypedHttpRequest("GET", uri), default, timeoutMilliseconds: 200));
        Assert.Equal(HttpError.Timeout, e.Error);
        Assert.Contains("200 ms", e.Message);
        return e;
    }

    [Fact]
    public async Task A_silent_server_is_ReceiveHeaders()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.StaySilentAsync();
        });
        using HttpSession session = Session();
        TypedHttpException e = await TimesOutAsync(session, server.Uri("/"));
        Assert.Equal(HttpPhase.ReceiveHeaders, e.Phase);
        Assert.Contains("receiving the response head", e.Message);
    }

    [Fact]
    public async Task A_resolver_that_never_answers_is_Resolve()
    {
        using HttpSession session = Session(o => o.Resolver = static async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [IPAddress.Loopback];
        });
        TypedHttpException e = await TimesOutAsync(session, new Uri("http://slow-dns.test/"));
        Assert.Equal(HttpPhase.Resolve, e.Phase);
    }

    [Fact]
    public async Task Waiting_for_a_free_connection_is_Connect()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart");
            await c.StaySilentAsync();
        });
        using HttpSession session = Session(o => o.MaxConnectionsPerServer = 1);
        TypedHttpResponse busy = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/busy"))); // holds the only connection
        TypedHttpException e = await TimesOutAsync(session, server.Uri("/"));
        Assert.Equal(HttpPhase.Connect, e.Phase);
        busy.Dispose();
    }

    [Fact]
    public async Task A_slow_TLS_handshake_is_Tls()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync()); // accepts, never answers the ClientHello
        using HttpSession session = Session();
        TypedHttpException e = await TimesOutAsync(session, server.Uri("/", scheme: "https"));
        Assert.Equal(HttpPhase.Tls, e.Phase);
    }
}
