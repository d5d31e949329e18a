using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>The follow-up stage's authentication (A-1 … A-9f in docs/behaviour.md) through the engine against scripted servers.</summary>
public sealed class AuthStageTests
{
    private const string Unauthorized = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"api\"\r\nContent-Length: 6\r\n\r\ndenied";

    [Fact]
    public async Task A9_basic_with_utf8_credentials_then_pre_authentication_A9f()
    {
        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("jürgen:pässwörd€"));
        await using ScriptedServer server = Routed(r => r.Header("Authorization") == expected ? Ok("hello") : Unauthorized);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("jürgen", "pässwörd€"));
        using HttpSession session = Session(o => o.Credentials = credentials);

        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/docs/a")));
        Assert.Equal(200, code);
        Assert.Equal("hello", body);
        Assert.Equal(2, server.AllRequests().Count);

        // A-9f: the next request under the same directory sends Basic first.
        (code, _, _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/docs/b")));
        Assert.Equal(200, code);
        Assert.Equal(3, server.AllRequests().Count);
        Assert.Equal(expected, server.AllRequests()[2].Header("Authorization"));
    }

    [Fact]
    public async Task A9f_pre_authentication_off_waits_for_the_challenge()
    {
        await using ScriptedServer server = Routed(r => r.Header("Authorization") is null ? Unauthorized : Ok());
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => { o.Credentials = credentials; o.PreAuthenticate = false; });
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/x")));
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/x")));
        Assert.Equal(4, server.AllRequests().Count);
    }

    [Fact]
    public async Task A6_wrong_credentials_get_one_attempt_and_the_final_401_is_returned()
    {
        await using ScriptedServer server = Routed(_ => Unauthorized);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "wrong"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        Assert.Equal("denied", body);
        Assert.Equal(2, server.AllRequests().Count);
    }

    [Fact]
    public async Task A6_no_credentials_returns_the_401()
    {
        await using ScriptedServer server = Routed(_ => Unauthorized);
        using HttpSession session = Session();
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        Assert.Single(server.AllRequests());
    }

    [Fact]
    public async Task Basic_is_never_sent_over_http_for_credentials_given_for_https()
    {
        await using ScriptedServer server = Routed(r => r.Header("Authorization") is null ? Unauthorized : Ok("leaked"));
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/", scheme: "https"), new HttpCredentials("u", "p")); // same host and port, other scheme
        using HttpSession session = Session(o => o.Credentials = credentials);
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        Assert.All(server.AllRequests(), r => Assert.Null(r.Header("Authorization")));
    }

    [Fact]
    public async Task AllowedAuthSchemes_without_basic_returns_the_401()
    {
        await using ScriptedServer server = Routed(_ => Unauthorized);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => { o.Credentials = credentials; o.AllowedAuthSchemes = HttpAuthSchemes.Digest; });
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        Assert.Single(server.AllRequests());
    }

    [Fact]
    public async Task A9b_digest_is_preferred_over_basic_and_RFC_7616_sha256_verifies_end_to_end()
    {
        var digest = new DigestServer("http-auth@example.org", "Mufasa", "Circle of Life", "SHA-256");
        await using ScriptedServer server = Routed(digest.Answer);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("Mufasa", "Circle of Life"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var request = new TypedHttpRequest("POST", server.Uri("/dir/index.html?q=1")) { Content = new StringRequestContent("body") };
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal(200, code);
        Assert.Equal("verified", body);
        Assert.StartsWith("Digest ", server.AllRequests()[1].Header("Authorization"));
        Assert.Equal("body", server.AllRequests()[1].BodyText); // replayed for the second leg
    }

    [Theory]
    [InlineData("MD5")]
    [InlineData("SHA-256")]
    public async Task Digest_auth_int_hashes_the_replayable_body_and_the_server_verifies_it(string algorithm)
    {
        var digest = new DigestServer("realm", "u", "p", algorithm) { Qop = "auth-int" };
        await using ScriptedServer server = Routed(digest.Answer);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var request = new TypedHttpRequest("POST", server.Uri("/items?x=1")) { Content = new StringRequestContent("{\"a\":1}") };
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal(200, code);
        Assert.Equal("verified", body);
        Assert.Contains("qop=auth-int", server.AllRequests()[1].Header("Authorization"));
        Assert.Equal("{\"a\":1}", server.AllRequests()[1].BodyText);

        // A-9f: the pre-sent answer hashes the next request's own body.
        var next = new TypedHttpRequest("POST", server.Uri("/items?x=2")) { Content = new StringRequestContent("other body") };
        (code, body, _) = await SendAsync(session, next);
        Assert.Equal("verified", body);
        Assert.Equal(3, server.AllRequests().Count);
    }

    [Fact]
    public async Task Digest_auth_int_only_with_a_body_that_cannot_be_replayed_returns_the_401()
    {
        var digest = new DigestServer("realm", "u", "p", "MD5") { Qop = "auth-int" };
        await using ScriptedServer server = Routed(digest.Answer);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new TypedHttp.Tests.Engine.OneShotContent("once"u8.ToArray()) };
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal(401, code);
        Assert.Single(server.AllRequests());
    }

    [Fact]
    public async Task Digest_auth_int_only_with_a_body_over_the_hash_limit_falls_back_to_basic()
    {
        var digest = new DigestServer("realm", "u", "p", "MD5") { Qop = "auth-int" };
        string basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p"));
        await using ScriptedServer server = Routed(r => r.Header("Authorization") == basic ? Ok("basic") : digest.Answer(r));
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        var request = new TypedHttpRequest("POST", server.Uri("/")) { Content = new ByteArrayRequestContent(new byte[TypedHttp.Policy.DigestBody.MaxBytes + 1]) };
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal(200, code);
        Assert.Equal("basic", body);
    }

    [Fact]
    public async Task Digest_stale_true_is_retried_once_with_the_new_nonce()
    {
        var digest = new DigestServer("realm", "u", "p", "MD5") { StaleOnce = true };
        await using ScriptedServer server = Routed(digest.Answer);
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(200, code);
        Assert.Equal("verified", body);
        Assert.Equal(3, server.AllRequests().Count);
    }

    [Fact]
    public async Task Bearer_token_is_refreshed_once_after_a_401()
    {
        await using ScriptedServer server = Routed(r => r.Header("Authorization") == "Bearer fresh"
            ? Ok("in")
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\nContent-Length: 0\r\n\r\n");
        int calls = 0;
        using HttpSession session = Session(o => o.BearerTokenProvider = (_, _) => ValueTask.FromResult<string?>(Interlocked.Increment(ref calls) == 1 ? "stale" : "fresh"));
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(200, code);
        Assert.Equal("in", body);
        Assert.Equal(2, calls);
        Assert.Equal("Bearer stale", server.AllRequests()[0].Header("Authorization"));
    }

    [Fact]
    public async Task Bearer_refresh_happens_once_then_the_401_is_returned()
    {
        await using ScriptedServer server = Routed(_ => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n");
        int calls = 0;
        using HttpSession session = Session(o => o.BearerTokenProvider = (_, _) => ValueTask.FromResult<string?>("t" + Interlocked.Increment(ref calls)));
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        Assert.Equal(2, calls);
        Assert.Equal(2, server.AllRequests().Count);
    }

    [Fact]
    public async Task A4_ntlm_that_the_platform_cannot_do_returns_the_401_without_throwing()
    {
        Prerequisites.Require(Prerequisite.NoNtlmMechanism);
        // NTLM only: Negotiate with credentials the security library refuses is a LoginFailure (A-11, Interop/KerberosTests.cs).
        await using ScriptedServer server = Routed(_ => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n");
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p", "DOMAIN"));
        using HttpSession session = Session(o => o.Credentials = credentials);
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal(401, code);
        // NTLM cannot make its first token here, so nothing is sent again: the first 401 is the answer.
        Assert.Single(server.AllRequests());
    }

    [Fact]
    public async Task Secrets_never_appear_in_the_trace()
    {
        await using ScriptedServer server = Routed(r => r.Header("Authorization") is null ? Unauthorized : Ok());
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("user", "sup3r-secret"));
        var trace = new StringBuilder();
        using HttpSession session = Session(o => { o.Credentials = credentials; o.TraceListener = e => { lock (trace) { trace.AppendLine(e.Message); } }; });
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        string text = trace.ToString();
        Assert.Contains("Basic", text);
        Assert.DoesNotContain("sup3r-secret", text);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("user:sup3r-secret")), text);
    }

    /// <summary>A Digest server (RFC 7616 §3.4) that checks the client's response hash itself.</summary>
    private sealed class DigestServer(string realm, string user, string password, string algorithm)
    {
        private string _nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        private int _challenges;

        public bool StaleOnce { get; init; }

        /// <summary>The qop options offered.</summary>
        public string Qop { get; init; } = "auth, auth-int";

        public string Answer(ScriptedRequest request)
        {
            string? authorization = request.Header("Authorization");
            if (authorization is null || !authorization.StartsWith("Digest ", StringComparison.Ordinal))
            {
                return Challenge(stale: false);
            }
            Dictionary<string, string> p = Parse(authorization["Digest ".Length..]);
            if (StaleOnce && _challenges == 1)
            {
                _nonce = "fresh-nonce-" + _challenges;
                return Challenge(stale: true);
            }
            string ha1 = H($"{user}:{realm}:{password}");
            string ha2 = p.GetValueOrDefault("qop") == "auth-int"
                ? H($"{request.Method()}:{p["uri"]}:{HBytes(request.Body)}") // RFC 7616 §3.4.3: H(entity-body)
                : H($"{request.Method()}:{p["uri"]}");
            string expected = H($"{ha1}:{p["nonce"]}:{p["nc"]}:{p["cnonce"]}:{p["qop"]}:{ha2}");
            bool ok = p["username"] == user && p["realm"] == realm && p["nonce"] == _nonce && p["uri"] == request.Path()
                && p["qop"] == (Qop == "auth-int" ? "auth-int" : "auth") && p["response"] == expected && p["opaque"] == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
            return ok ? Ok("verified") : Challenge(stale: false);
        }

        private string Challenge(bool stale)
        {
            _challenges++;
            return "HTTP/1.1 401 Unauthorized\r\n"
                + $"WWW-Authenticate: Digest realm=\"{realm}\", qop=\"{Qop}\", algorithm={algorithm}, nonce=\"{_nonce}\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"{(stale ? ", stale=true" : "")}\r\n"
                + "WWW-Authenticate: Basic realm=\"fallback\"\r\n"
                + "Content-Length: 0\r\n\r\n";
        }

        private string H(string s) => HBytes(Encoding.UTF8.GetBytes(s));

        private string HBytes(byte[] bytes) => Convert.ToHexStringLower(algorithm == "SHA-256" ? SHA256.HashData(bytes) : MD5.HashData(bytes));

        private static Dictionary<string, string> Parse(string value)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int i = 0;
            while (i < value.Length)
            {
                while (i < value.Length && (value[i] == ' ' || value[i] == ','))
                {
                    i++;
                }
                int eq = value.IndexOf('=', i);
                if (eq < 0)
                {
                    break;
                }
                string name = value[i..eq].Trim();
                i = eq + 1;
                string v;
                if (i < value.Length && value[i] == '"')
                {
                    int end = value.IndexOf('"', i + 1);
                    v = value[(i + 1)..end];
                    i = end + 1;
                }
                else
                {
                    int end = value.IndexOf(',', i);
                    if (end < 0)
                    {
                        end = value.Length;
                    }
                    v = value[i..end].Trim();
                    i = end;
                }
                result[name] = v;
            }
            return result;
        }
    }
}
