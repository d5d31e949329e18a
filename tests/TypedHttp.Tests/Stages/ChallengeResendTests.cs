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

    /// <summary>
    /// A-14: the first connection answers <paramref name="challenge"/> to the head alone and records the request's
    /// Expect field; later connections read the request and answer <c>got=N credentials=yes|no expect=…</c>.
    /// </summary>
    private static ScriptedServer ChallengeTheHead(string challenge, string credentialsHeader, Action<string?> firstExpect) => ScriptedServer.Start(async c =>
    {
        if (c.Index == 0)
        {
            ScriptedRequest? head = await c.ReadRequestAsync(readBody: false);
            firstExpect(head?.Header("Expect"));
            await c.SendAsync(challenge);
            await c.StaySilentAsync();
            return;
        }
        while (await c.ReadRequestAsync() is { } request)
        {
            string body = $"got={request.Body.Length} credentials={(request.Header(credentialsHeader) is null ? "no" : "yes")} expect={request.Header("Expect") ?? "none"}";
            await c.SendAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        }
    });

    [Fact]
    public async Task A14_a_POST_of_2_MiB_to_a_proxy_with_credentials_asks_for_100_continue_and_is_answered_after_the_407()
    {
        string? expect = null;
        await using ScriptedServer proxy = ChallengeTheHead(Challenge407, "Proxy-Authorization", e => expect = e);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p")));

        (int status, string body, _) = await SendAsync(session, Post(new Uri("http://origin.test/upload"), 2 * 1024 * 1024));

        Assert.Equal((200, "got=2097152 credentials=yes expect=none", "100-continue"), (status, body, expect));
    }

    [Fact]
    public async Task A14_a_POST_of_2_MiB_to_a_server_the_session_has_credentials_for_asks_for_100_continue()
    {
        string? expect = null;
        await using ScriptedServer server = ChallengeTheHead(Challenge401, "Authorization", e => expect = e);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri(), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);

        (int status, string body, _) = await SendAsync(session, Post(server.Uri("/upload"), 2 * 1024 * 1024));

        Assert.Equal((200, "got=2097152 credentials=yes expect=none", "100-continue"), (status, body, expect));
    }

    [Fact]
    public async Task A14_a_POST_of_2_MiB_without_credentials_is_sent_without_Expect()
    {
        await using ScriptedServer server = Routed(r => $"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nexpect={(r.Header("Expect") is null ? "none" : "some")}");
        using HttpSession session = Session();

        (int status, string body, _) = await SendAsync(session, Post(server.Uri("/upload"), 2 * 1024 * 1024));

        Assert.Equal((200, "expect=none"), (status, body));
    }

    [Fact]
    public async Task A14_a_POST_below_1_MiB_with_credentials_is_sent_without_Expect()
    {
        string? expect = "not read";
        await using ScriptedServer proxy = ChallengeTheHead(Challenge407, "Proxy-Authorization", e => expect = e);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("u", "p")));

        (int status, _, _) = await SendAsync(session, Post(new Uri("http://origin.test/upload"), 1024 * 1024 - 1));

        Assert.Equal((200, null), (status, expect));
    }
}
