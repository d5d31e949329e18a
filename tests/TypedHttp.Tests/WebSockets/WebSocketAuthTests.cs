using System;
using System.Linq;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Policy;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>Server authentication of the handshake (WS-6): Digest, Bearer, NTLM legs on one connection, pre-authentication.</summary>
public sealed class WebSocketAuthTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    /// <summary>A server that answers each request on a connection with <paramref name="answer"/> until it upgrades.</summary>
    private static ScriptedServer Serving(Func<ScriptedConnection, ScriptedRequest, string> answer) => ScriptedServer.Start(async c =>
    {
        while (await c.ReadRequestAsync() is { } request)
        {
            string response = answer(c, request);
            await c.SendAsync(response);
            if (response.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                await c.WaitForClientCloseAsync();
                return;
            }
        }
    });

    private static HttpCredentialCache Credentials(ScriptedServer server, string? domain = null)
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), domain is null ? new HttpCredentials("u", "p") : new HttpCredentials("u", "p", domain));
        return credentials;
    }

    [Fact]
    public async Task WS_6_NTLM_legs_and_the_101_run_on_the_handshakes_one_connection()
    {
        await using ScriptedServer server = Serving((c, r) => r.Header("Authorization") switch
        {
            null => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n",
            string a when a == "NTLM " + B64("negotiate") => $"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM {B64("challenge")}\r\nContent-Length: 0\r\n\r\n",
            string a when a == "NTLM " + B64("authenticate:challenge") => SwitchingProtocols(r),
            _ => "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
        });
        using HttpSession session = Session(o =>
        {
            o.Credentials = Credentials(server, "DOM");
            o.TestOnlyConnectionAuthenticatorFactory = (_, _, _) => new ScriptedNtlm();
        });
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline());
        Assert.Equal((WebSocketState.Open, 1, 3), (socket.State, server.AcceptedCount, server.Connections[0].Requests.Count));
    }

    [Fact]
    public async Task WS_6_a_Digest_challenge_is_answered_for_the_GET_of_the_handshake()
    {
        await using ScriptedServer server = Serving((c, r) => r.Header("Authorization") is string a && a.StartsWith("Digest ", StringComparison.Ordinal)
            ? SwitchingProtocols(r)
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"ws\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(o => o.Credentials = Credentials(server));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat?room=2", "ws"), cancellationToken: Deadline());
        string authorization = server.Connections[0].Requests[1].Header("Authorization")!;
        Assert.Contains("uri=\"/chat?room=2\"", authorization);
    }

    [Fact]
    public async Task WS_6_the_bearer_token_provider_authorizes_the_handshake()
    {
        await using ScriptedServer server = Serving((c, r) => r.Header("Authorization") == "Bearer t0ken"
            ? SwitchingProtocols(r)
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(o => o.BearerTokenProvider = (_, _) => ValueTask.FromResult<string?>("t0ken"));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline());
        Assert.Single(server.Connections[0].Requests);
    }

    [Fact]
    public async Task WS_6_Basic_that_worked_once_is_sent_first_on_the_next_handshake()
    {
        string basic = "Basic " + B64("u:p");
        await using ScriptedServer server = Serving((c, r) => r.Header("Authorization") == basic
            ? SwitchingProtocols(r)
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(o => o.Credentials = Credentials(server));
        using (WebSocket first = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline()))
        {
        }
        using WebSocket second = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline());
        Assert.Equal(new[] { 2, 1 }, server.Connections.Select(c => c.Requests.Count));
    }

    [Fact]
    public async Task WS_6_a_401_whose_connection_closes_is_answered_on_a_fresh_connection()
    {
        string basic = "Basic " + B64("u:p");
        await using ScriptedServer server = Serving((c, r) => r.Header("Authorization") == basic
            ? SwitchingProtocols(r)
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(o => o.Credentials = Credentials(server));
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri("/chat", "ws"), cancellationToken: Deadline());
        Assert.Equal((WebSocketState.Open, 2), (socket.State, server.AcceptedCount));
    }

    /// <summary>The client side of a scripted NTLM exchange: negotiate, then authenticate with the server's challenge.</summary>
    private sealed class ScriptedNtlm : IConnectionAuthenticator
    {
        public string SchemeName => "NTLM";

        public string? GetNextHeaderValue(string? serverToken68) =>
            serverToken68 is null ? "NTLM " + B64("negotiate") : "NTLM " + B64("authenticate:" + Encoding.ASCII.GetString(Convert.FromBase64String(serverToken68)));

        public void Dispose() { }
    }
}
