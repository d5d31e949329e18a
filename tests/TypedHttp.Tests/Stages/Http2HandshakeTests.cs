using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Policy;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Engine.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>
/// H2-15: NTLM and Negotiate authenticate a connection, which HTTP/2 multiplexes. A 401 that starts such a handshake
/// over HTTP/2 moves the handshake (on one HTTP/1.1 connection, A-4) and the origin to HTTP/1.1; a request that
/// insists on HTTP/2 gets the 401. Kestrel over TLS offers both by ALPN; the token exchange is scripted through the
/// test-only seam, as in <see cref="HandshakePinningTests"/>.
/// </summary>
public sealed class Http2HandshakeTests : IClassFixture<Http2Certificates>
{
    private static readonly string Type1 = "NTLM " + B64("negotiate");
    private static readonly string Type3 = "NTLM " + B64("authenticate:challenge");

    private readonly Http2Certificates _certs;

    public Http2HandshakeTests(Http2Certificates certs) => _certs = certs;

    [Fact]
    public async Task H2_15_a_ntlm_challenge_over_http_2_runs_the_handshake_on_one_http_11_connection()
    {
        var seen = new ConcurrentQueue<string>();
        await using Http2Kestrel server = await StartAsync(seen);
        using HttpSession session = NtlmSession(server, HttpVersionPolicy.RequestVersionOrLower);

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/a", Http2Certificates.Host));
        await response.ReadAsStringAsync();

        Assert.Equal(new[] { "HTTP/2 -", "HTTP/1.1 " + Type1, "HTTP/1.1 " + Type3, "legs 2 and 3 on one connection" }, Describe(seen.ToArray()));
    }

    [Fact]
    public async Task H2_15_after_a_ntlm_handshake_the_origin_is_spoken_to_in_http_11()
    {
        var seen = new ConcurrentQueue<string>();
        await using Http2Kestrel server = await StartAsync(seen);
        using HttpSession session = NtlmSession(server, HttpVersionPolicy.RequestVersionOrLower);
        await using (TypedHttpResponse first = await session.GetAsync(server.Uri("/a", Http2Certificates.Host)))
        {
            await first.ReadAsStringAsync();
        }

        await using TypedHttpResponse later = await session.GetAsync(server.Uri("/open", Http2Certificates.Host));

        Assert.Equal(System.Net.HttpVersion.Version11, later.Version);
    }

    [Fact]
    public async Task H2_15_a_request_that_insists_on_http_2_gets_the_ntlm_401()
    {
        var seen = new ConcurrentQueue<string>();
        await using Http2Kestrel server = await StartAsync(seen);
        using HttpSession session = NtlmSession(server, HttpVersionPolicy.RequestVersionExact);

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/a", Http2Certificates.Host));

        Assert.Equal((401, System.Net.HttpVersion.Version20, 1), (response.StatusCode, response.Version, seen.Count));
    }

    /// <summary>
    /// Kestrel over TLS with HTTP/1.1 and HTTP/2: <c>/open</c> answers anyone; any other path runs the three NTLM legs
    /// and records each request as <c>connection protocol authorization</c>.
    /// </summary>
    private Task<Http2Kestrel> StartAsync(ConcurrentQueue<string> seen) => Http2Kestrel.StartAsync(async context =>
    {
        if (context.Request.Path == "/open")
        {
            await context.Response.WriteAsync("open");
            return;
        }
        string authorization = context.Request.Headers.Authorization.ToString();
        seen.Enqueue($"{context.Connection.Id} {context.Request.Protocol} {(authorization.Length == 0 ? "-" : authorization)}");
        if (authorization == Type3)
        {
            await context.Response.WriteAsync("authenticated");
            return;
        }
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = authorization == Type1 ? "NTLM " + B64("challenge") : "NTLM";
    }, HttpProtocols.Http1AndHttp2, _certs.Server);

    private HttpSession NtlmSession(Http2Kestrel server, HttpVersionPolicy policy)
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/", Http2Certificates.Host), new HttpCredentials("u", "p", "DOM"));
        return Session(o =>
        {
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority);
            o.DefaultVersionPolicy = policy;
            o.Credentials = credentials;
            o.TestOnlyConnectionAuthenticatorFactory = (scheme, c, host) => new ScriptedNtlm();
        });
    }

    /// <summary>Each request's protocol and authorization, then whether the second and third came on one connection.</summary>
    private static string[] Describe(string[] legs)
    {
        string[] connections = legs.Select(leg => leg.Split(' ')[0]).ToArray();
        string same = connections.Length == 3 && connections[1] == connections[2] ? "legs 2 and 3 on one connection" : "legs 2 and 3 not on one connection";
        return legs.Select(leg => leg.Split(' ', 2)[1]).Append(same).ToArray();
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
}
