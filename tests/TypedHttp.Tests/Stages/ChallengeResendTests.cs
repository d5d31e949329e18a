using System;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>
/// A-13 on the wire: a server or proxy that answers a challenge before reading the body, then never answers on that
/// connection again (as squid 5.7 does to a POST above about 64 KB). The resend must go on a new connection.
/// </summary>
public sealed class ChallengeResendTests
{
    private const string Challenge407 = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n";
    private const string Challenge401 = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"s\"\r\nContent-Length: 0\r\n\r\n";

    /// <summary>
    /// The first connection reads only the head, answers <paramref name="challenge"/> and then stays silent; every
    /// later connection reads the request and answers <c>got=N credentials=yes|no</c>.
    /// </summary>
    private static ScriptedServer ChallengeThenSilence(string challenge, string credentialsHeader) => ScriptedServer.Start(async c =>
    {
        if (c.Index == 0)
        {
            await c.ReadRequestAsync(readBody: false);
            await c.SendAsync(challenge);
            await c.StaySilentAsync();
            return;
        }
        while (await c.ReadRequestAsync() is { } request)
        {
            string body = $"got={request.Body.Length} credentials={(request.Header(credentialsHeader) is null ? "no" : "yes")}";
            await c.SendAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
    });

    private static TypedHttpRequest Post(Uri uri, int size) => new("POST", uri) { Content = new ByteArrayRequestContent(new byte[size]) };

    [Fact]
    public async Task A13_the_resend_after_a_407_to_a_POST_goes_on_a_new_connection()
    {
        await using ScriptedServer proxy = ChallengeThenSilence(Challenge407, "Proxy-Authorization");
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p")));

        (int status, string body, _) = await SendAsync(session, Post(new Uri("http://origin.test/upload"), 100_000));

        Assert.Equal((200, "got=100000 credentials=yes", 2), (status, body, proxy.AcceptedCount));
    }

    [Fact]
    public async Task A13_the_resend_after_a_401_to_a_POST_goes_on_a_new_connection()
    {
        await using ScriptedServer server = ChallengeThenSilence(Challenge401, "Authorization");
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri(), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);

        (int status, string body, _) = await SendAsync(session, Post(server.Uri("/upload"), 100_000));

        Assert.Equal((200, "got=100000 credentials=yes", 2), (status, body, server.AcceptedCount));
    }

    [Fact]
    public async Task A13_a_small_POST_is_resent_on_a_new_connection_too()
    {
        await using ScriptedServer proxy = ChallengeThenSilence(Challenge407, "Proxy-Authorization");
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p")));

        (int status, string body, _) = await SendAsync(session, Post(new Uri("http://origin.test/upload"), 10));

        Assert.Equal((200, "got=10 credentials=yes", 2), (status, body, proxy.AcceptedCount));
    }

    [Fact]
    public async Task A13_a_request_without_a_body_is_resent_on_the_connection_the_407_came_on()
    {
        await using ScriptedServer proxy = Routed(r => r.Header("Proxy-Authorization") is null ? Challenge407 : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p")));

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri("http://origin.test/")));

        Assert.Equal((200, "ok", 1), (status, body, proxy.AcceptedCount));
    }

    [Fact]
    public async Task A9e_a_401_from_the_origin_behind_a_proxy_is_answered_with_the_proxy_credentials_still_sent()
    {
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p"));
        await using ScriptedServer proxy = Routed(r =>
            r.Header("Proxy-Authorization") != expected ? Challenge407
            : r.Header("Authorization") is null ? Challenge401
            : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nboth");
        var credentials = new HttpCredentialCache();
        credentials.Add(new Uri("http://origin.test"), new HttpCredentials("web", "w"));
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p"));
            o.Credentials = credentials;
        });

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri("http://origin.test/")));

        Assert.Equal((200, "both"), (status, body));
    }
}
