using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>The follow-up stage's redirects (R-1 … R-14 in docs/behaviour.md) through the engine against scripted servers.</summary>
public sealed class RedirectStageTests
{
    [Theory]
    [InlineData(300)]
    [InlineData(301)]
    [InlineData(302)]
    public async Task R1_R2_post_becomes_get_on_300_301_302(int status)
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(status, "/next") : Ok(r.Method()));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/start")) { Content = new StringRequestContent("{\"a\":1}") };
        (int code, string? body, TypedHttpResponse? response) = await SendAsync(session, request);
        Assert.Equal(200, code);
        Assert.Equal("GET", body);
        Assert.Equal(1, response.RedirectCount);
        Assert.Equal(server.Uri("/next"), response.RequestUri);
    }

    [Fact]
    public async Task R2_303_turns_post_into_get_with_no_body_and_no_content_length()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(303, "/next") : Ok(r.Method()));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/start")) { Content = new StringRequestContent("payload") };
        request.Headers.Add("X-Keep", "yes");
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal("GET", body);
        ScriptedRequest second = server.AllRequests()[1];
        Assert.StartsWith("GET /next ", second.RequestLine);
        Assert.Null(second.Header("Content-Length"));
        Assert.Null(second.Header("Transfer-Encoding"));
        Assert.Null(second.Header("Content-Type"));
        Assert.Empty(second.Body);
        Assert.Equal("yes", second.Header("X-Keep"));
    }

    [Fact]
    public async Task R2_303_keeps_head()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(303, "/next") : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        using HttpSession session = Session();
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("HEAD", server.Uri("/start")));
        Assert.Equal(200, code);
        Assert.StartsWith("HEAD /next ", server.AllRequests()[1].RequestLine);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task R2_OM8_307_and_308_replay_a_json_body_byte_identically(int status)
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(status, "/next") : Ok(r.Method()));
        using HttpSession session = Session();
        byte[] json = Encoding.UTF8.GetBytes("{\"name\":\"Zoë\",\"items\":[1,2,3],\"nested\":{\"ok\":true}}");
        var request = new TypedHttpRequest("PUT", server.Uri("/start")) { Content = new ByteArrayRequestContent(json, "application/json") };
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal("PUT", body);
        List<ScriptedRequest> all = server.AllRequests();
        Assert.Equal(json, all[0].Body);
        Assert.Equal(json, all[1].Body);
        Assert.Equal("application/json", all[1].Header("Content-Type"));
        Assert.Equal(json.Length.ToString(), all[1].Header("Content-Length"));
    }

    [Fact]
    public async Task OM8_a_non_replayable_body_on_307_returns_the_3xx_without_error()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/start" ? Redirect(307, "/next") : Ok());
        using HttpSession session = Session();
        var request = new TypedHttpRequest("POST", server.Uri("/start")) { Content = new OneShotContent("once") };
        (int code, string _, TypedHttpResponse? response) = await SendAsync(session, request);
        Assert.Equal(307, code);
        Assert.Equal(0, response.RedirectCount);
        Assert.Single(server.AllRequests());
    }

    [Fact]
    public async Task R6_a_redirect_loop_fails_with_TooManyRedirects_after_the_limit()
    {
        await using ScriptedServer server = Routed(r => Redirect(302, "/loop"));
        using HttpSession session = Session(o => o.MaxAutomaticRedirections = 4);
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/loop"))));
        Assert.Equal(HttpError.TooManyRedirects, e.Error);
        Assert.Equal(5, server.AllRequests().Count);
    }

    [Fact]
    public async Task R6_ten_redirects_are_followed_by_default()
    {
        await using ScriptedServer server = Routed(r =>
        {
            int n = int.Parse(r.Path().TrimStart('/'));
            return n < 10 ? Redirect(302, "/" + (n + 1)) : Ok("done");
        });
        using HttpSession session = Session();
        (int code, string? body, TypedHttpResponse? response) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/0")));
        Assert.Equal("done", body);
        Assert.Equal(10, response.RedirectCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://example.com/file")]
    [InlineData("file:///etc/passwd")]
    public async Task R7_R8_missing_or_non_http_location_fails_with_RedirectFailed(string location)
    {
        string answer = location.Length == 0 ? "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n" : Redirect(302, location);
        await using ScriptedServer server = Routed(_ => answer);
        using HttpSession session = Session();
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/"))));
        Assert.Equal(HttpError.RedirectFailed, e.Error);
    }

    [Fact]
    public async Task R9_relative_locations_resolve_against_the_current_uri_and_the_fragment_is_not_carried()
    {
        await using ScriptedServer server = Routed(r => r.Path() switch
        {
            "/a/b" => Redirect(301, "c?x=1"),
            "/a/c?x=1" => Redirect(302, "../d"),
            _ => Ok(r.Path()),
        });
        using HttpSession session = Session();
        (int _, string? body, TypedHttpResponse? response) = await SendAsync(session, new TypedHttpRequest("GET", new Uri(server.Uri("/a/b") + "#frag")));
        Assert.Equal("/d", body);
        Assert.Equal(2, response.RedirectCount);
        Assert.Equal("", response.RequestUri.Fragment);
    }

    [Fact]
    public async Task R3_policy_never_per_request_returns_the_3xx()
    {
        await using ScriptedServer server = Routed(r => Redirect(302, "/elsewhere"));
        using HttpSession session = Session();
        var request = new TypedHttpRequest("GET", server.Uri("/")) { RedirectPolicy = RedirectPolicy.Never };
        (int code, string _, TypedHttpResponse? response) = await SendAsync(session, request);
        Assert.Equal(302, code);
        Assert.Equal(server.Uri("/"), response.RequestUri);
    }

    [Fact]
    public async Task R3_session_policy_never_returns_the_3xx()
    {
        await using ScriptedServer server = Routed(r => Redirect(302, "/elsewhere"));
        using HttpSession session = Session(o => o.RedirectPolicy = RedirectPolicy.Never);
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(302, code);
    }

    [Fact]
    public async Task R4_https_to_http_under_the_default_policy_returns_the_3xx_and_always_follows_it()
    {
        await using ScriptedServer plain = Routed(_ => Ok("plain"));
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using KestrelServer secure = await KestrelServer.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = plain.Uri("/").ToString();
            return Task.CompletedTask;
        }, certificate);
        using (HttpSession session = Session(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority)))
        {
            (int code, string _, TypedHttpResponse? response) = await SendAsync(session, new TypedHttpRequest("GET", secure.Uri("secure.test")));
            Assert.Equal(302, code);
            Assert.Equal(0, response.RedirectCount);
        }
        using (HttpSession session = Session(o => { o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority); o.RedirectPolicy = RedirectPolicy.Always; }))
        {
            (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", secure.Uri("secure.test")));
            Assert.Equal(200, code);
            Assert.Equal("plain", body);
        }
    }

    [Fact]
    public async Task R14_the_3xx_body_is_drained_and_the_connection_reused()
    {
        string big = new('x', 100_000);
        await using ScriptedServer server = Routed(r => r.Path() == "/start"
            ? $"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: {big.Length}\r\n\r\n{big}"
            : Ok("after"));
        using HttpSession session = Session();
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/start")));
        Assert.Equal("after", body);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Caller_secrets_and_session_credentials_do_not_follow_a_redirect_to_another_origin()
    {
        // Two ports on 127.0.0.1 are two origins (scheme, host, port).
        await using ScriptedServer second = Routed(r => r.Header("Authorization") is null
            ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"b\"\r\nContent-Length: 0\r\n\r\n"
            : Ok("leaked"));
        await using ScriptedServer first = Routed(r => r.Path() == "/same" ? Redirect(302, "/to-other") : Redirect(302, second.Uri("/landing").ToString()));
        var credentials = new HttpCredentialCache();
        credentials.Add(first.Uri("/"), new HttpCredentials("alice", "first-secret"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var request = new TypedHttpRequest("GET", first.Uri("/same"));
        request.Headers.Add("Authorization", "Bearer caller-token");
        request.Headers.Add("Cookie", "caller=1");
        request.Headers.Add("Proxy-Authorization", "Basic cHJveHk6cHJveHk=");
        (int code, string _, TypedHttpResponse? response) = await SendAsync(session, request);

        Assert.Equal(401, code); // no credentials for the second origin, the 401 is the answer
        Assert.Equal(2, response.RedirectCount);
        List<ScriptedRequest> firstRequests = first.AllRequests();
        Assert.Equal("Bearer caller-token", firstRequests[1].Header("Authorization")); // same origin: kept
        Assert.Equal("caller=1", firstRequests[1].Header("Cookie"));
        ScriptedRequest landed = Assert.Single(second.AllRequests());
        Assert.Null(landed.Header("Authorization"));
        Assert.Null(landed.Header("Cookie"));
        Assert.Null(landed.Header("Proxy-Authorization"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("LOCALHOST")]
    public async Task RedirectTrustedHosts_keeps_caller_headers_on_another_origin(string trusted)
    {
        await using ScriptedServer second = Routed(r => Ok(r.Header("Authorization") ?? "none"));
        await using ScriptedServer first = Routed(r => Redirect(302, $"http://localhost:{second.Port}/"));
        using HttpSession session = Session(o => o.RedirectTrustedHosts.Add(trusted));
        var request = new TypedHttpRequest("GET", first.Uri("/"));
        request.Headers.Add("Authorization", "Bearer caller-token");
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal("Bearer caller-token", body);
    }

    [Fact]
    public async Task OM11_each_redirect_is_a_trace_event()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/a" ? Redirect(301, "/b") : r.Path() == "/b" ? Redirect(302, "/c") : Ok());
        var events = new List<string>();
        using HttpSession session = Session(o => o.TraceListener = e => { if (e.Kind == HttpTraceEventKind.Redirect) { lock (events) { events.Add(e.Message); } } });
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/a")));
        Assert.Equal(2, events.Count);
        Assert.Contains("/b", events[0]);
        Assert.Contains("301", events[0]);
    }

    private sealed class OneShotContent(string text) : RequestContent
    {
        public override long? Length => Encoding.UTF8.GetByteCount(text);

        public override bool IsReplayable => false;

        public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
            destination.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }
}
