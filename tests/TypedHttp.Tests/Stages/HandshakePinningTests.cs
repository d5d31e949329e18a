using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>
/// A-4, A-5: every leg of an NTLM/Negotiate handshake goes on the connection the previous 401 came on, whatever
/// else waits for the pool; a handshake whose connection closed between legs starts over once on a fresh one. The
/// token exchange is scripted through the test-only seam (NegotiateAuthentication needs GSSAPI/NTLM libraries).
/// </summary>
public sealed class HandshakePinningTests
{
    private static readonly string Type1 = "NTLM " + B64("negotiate");

    [Fact]
    public async Task A4_all_legs_stay_on_one_connection_while_another_request_waits_for_it()
    {
        var firstReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new HandshakeServer(async (c, request) =>
        {
            if (c.Requests.Count == 1)
            {
                firstReceived.TrySetResult();
                await releaseFirst.Task;
            }
        });
        await using ScriptedServer listener = server.Start();
        int created = 0;
        using HttpSession session = Session(o =>
        {
            o.Credentials = Credentials(listener);
            o.MaxConnectionsPerServer = 1;
            o.TestOnlyConnectionAuthenticatorFactory = (scheme, credentials, host) => { Interlocked.Increment(ref created); return new ScriptedNtlm(); };
        });

        Task<(int Status, string Body, TypedHttpResponse Response)> a = SendAsync(session, new TypedHttpRequest("GET", listener.Uri("/a")));
        await firstReceived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task<(int Status, string Body, TypedHttpResponse Response)> b = SendAsync(session, new TypedHttpRequest("GET", listener.Uri("/b")));
        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (session.WaitingForConnectionCount == 0)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(10), "the second request never waited for the connection");
            await Task.Delay(5);
        }
        releaseFirst.SetResult();

        (int codeA, string? bodyA, TypedHttpResponse _) = await a.WaitAsync(TimeSpan.FromSeconds(10));
        (int codeB, string? bodyB, TypedHttpResponse _) = await b.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(server.Failures);
        Assert.Equal((200, "a"), (codeA, bodyA));
        Assert.Equal((200, "b"), (codeB, bodyB));
        Assert.Equal(1, listener.AcceptedCount);
        Assert.Equal(
            new[] { "/a -", "/a " + Type1, "/a NTLM " + B64("authenticate:challenge-0"), "/b -" },
            listener.Connections[0].Requests.Select(r => r.Path() + " " + (r.Header("Authorization") ?? "-")));
        Assert.Equal(1, created);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A4_a_handshake_whose_connection_closed_between_legs_starts_over_once_on_a_fresh_one(bool announced)
    {
        var server = new HandshakeServer(closeAfterChallengeOn: 0, announceClose: announced);
        await using ScriptedServer listener = server.Start();
        int created = 0;
        using HttpSession session = Session(o =>
        {
            o.Credentials = Credentials(listener);
            o.TestOnlyConnectionAuthenticatorFactory = (scheme, credentials, host) => { Interlocked.Increment(ref created); return new ScriptedNtlm(); };
        });

        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", listener.Uri("/a")));
        Assert.Equal((200, "a"), (code, body));
        Assert.Empty(server.Failures);
        Assert.Equal(2, created);
        Assert.Equal(new[] { "-", Type1 }, listener.Connections[0].Requests.Select(r => r.Header("Authorization") ?? "-"));
        Assert.Equal(new[] { Type1, "NTLM " + B64("authenticate:challenge-1") }, listener.Connections[1].Requests.Select(r => r.Header("Authorization") ?? "-"));
    }

    [Fact]
    public async Task A4_the_restart_happens_once_then_the_401_is_the_answer()
    {
        var server = new HandshakeServer(closeAfterChallengeOn: -1, announceClose: true);
        await using ScriptedServer listener = server.Start();
        using HttpSession session = Session(o =>
        {
            o.Credentials = Credentials(listener);
            o.TestOnlyConnectionAuthenticatorFactory = (scheme, credentials, host) => new ScriptedNtlm();
        });

        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", listener.Uri("/a")));
        Assert.Equal(401, code);
        Assert.Equal(3, listener.AcceptedCount); // the first handshake, its one restart, then the last leg alone
    }

    private static HttpCredentialCache Credentials(ScriptedServer server)
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p", "DOM"));
        return credentials;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    /// <summary>The client side: negotiate, then authenticate with the server's challenge.</summary>
    private sealed class ScriptedNtlm : IConnectionAuthenticator
    {
        public string SchemeName => "NTLM";

        public string? GetNextHeaderValue(string? serverToken68) =>
            serverToken68 is null ? Type1 : "NTLM " + B64("authenticate:" + Encoding.ASCII.GetString(Convert.FromBase64String(serverToken68)));

        public void Dispose() { }
    }

    /// <summary>
    /// A server that runs the three NTLM legs (anonymous, negotiate, authenticate) per connection and fails the
    /// handshake when any other request arrives on that connection between legs, or a leg arrives on another
    /// connection than the one that issued the challenge.
    /// </summary>
    private sealed class HandshakeServer(Func<ScriptedConnection, ScriptedRequest, Task>? beforeAnswer = null, int closeAfterChallengeOn = int.MinValue, bool announceClose = true)
    {
        private const string Bare401 = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n";

        public ConcurrentQueue<string> Failures { get; } = new();

        public ScriptedServer Start() => ScriptedServer.Start(async c =>
        {
            bool inHandshake = false; // after this connection's anonymous 401 or challenge, until the last leg
            while (await c.ReadRequestAsync() is { } request)
            {
                if (beforeAnswer is not null)
                {
                    await beforeAnswer(c, request);
                }
                string? auth = request.Header("Authorization");
                string path = request.Path();
                if (path != "/a")
                {
                    if (inHandshake)
                    {
                        Failures.Enqueue($"{path} arrived on connection {c.Index} between handshake legs");
                        await c.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                        continue;
                    }
                    await c.SendAsync(Ok(path.TrimStart('/')));
                    continue;
                }
                if (auth is null)
                {
                    inHandshake = true;
                    await c.SendAsync(Bare401);
                }
                else if (auth == Type1)
                {
                    inHandshake = true;
                    bool close = closeAfterChallengeOn == -1 || closeAfterChallengeOn == c.Index;
                    await c.SendAsync($"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM {B64("challenge-" + c.Index)}\r\n{(close && announceClose ? "Connection: close\r\n" : "")}Content-Length: 0\r\n\r\n");
                    if (close)
                    {
                        c.Close();
                        return;
                    }
                }
                else if (auth == "NTLM " + B64("authenticate:challenge-" + c.Index) && inHandshake)
                {
                    inHandshake = false;
                    await c.SendAsync(Ok("a"));
                }
                else
                {
                    if (closeAfterChallengeOn != -1)
                    {
                        Failures.Enqueue($"leg '{auth}' arrived on connection {c.Index}");
                    }
                    inHandshake = false;
                    await c.SendAsync(Bare401);
                }
            }
        });
    }
}
