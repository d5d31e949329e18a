using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// The origins behind squid: Kestrel on 127.0.0.1 over http and over https (HTTP/1.1 and h2, a certificate for
/// <see cref="SquidServer.OriginHost"/> made at test time), answering
/// <c>METHOD path via=… proxy-authorization=yes|no authorization=… body=N</c>. <c>/private</c> asks for Basic
/// server credentials (<c>webuser</c> / <c>web-pw</c>).
/// </summary>
public sealed class SquidOrigins : IAsyncDisposable
{
    public const string WebUser = "webuser";
    public const string WebPassword = "web-pw";

    private SquidOrigins(X509Certificate2 authority, X509Certificate2 certificate, KestrelServer http, KestrelServer https)
    {
        Authority = authority;
        Certificate = certificate;
        Http = http;
        Https = https;
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Certificate { get; }

    public KestrelServer Http { get; }

    public KestrelServer Https { get; }

    public static async Task<SquidOrigins> StartAsync()
    {
        X509Certificate2 authority = TestCertificates.CreateAuthority();
        X509Certificate2 certificate = TestCertificates.CreateServer(authority, SquidServer.OriginHost);
        KestrelServer http = await KestrelServer.StartAsync(AnswerAsync);
        KestrelServer https = await KestrelServer.StartAsync(AnswerAsync, certificate);
        return new SquidOrigins(authority, certificate, http, https);
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        long length = 0;
        byte[] buffer = new byte[16384];
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            length += n;
        }
        string authorization = context.Request.Headers.Authorization.ToString();
        if (context.Request.Path == "/private"
            && authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebUser}:{WebPassword}")))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"origin\"";
            await context.Response.WriteAsync("origin wants credentials");
            return;
        }
        await context.Response.WriteAsync(
            $"{context.Request.Method} {context.Request.Path} {context.Request.Protocol} via={context.Request.Headers.Via} "
            + $"proxy-authorization={(context.Request.Headers.ContainsKey("Proxy-Authorization") ? "yes" : "no")} "
            + $"authorization={(authorization.Length == 0 ? "none" : authorization.Split(' ')[0])} body={length}");
    }

    public async ValueTask DisposeAsync()
    {
        await Http.DisposeAsync();
        await Https.DisposeAsync();
        Certificate.Dispose();
        Authority.Dispose();
    }
}

/// <summary>One squid of a variant and the origins behind it, shared by one test class (xUnit class fixture).</summary>
public abstract class SquidFixture : IAsyncLifetime
{
    private readonly SquidAuth _auth;
    private SquidServer? _squid;
    private SquidOrigins? _origins;

    protected SquidFixture(SquidAuth auth) => _auth = auth;

    public SquidServer Squid => _squid!;

    public SquidOrigins Origins => _origins!;

    public async Task InitializeAsync()
    {
        _origins = await SquidOrigins.StartAsync();
        _squid = await SquidServer.StartAsync(_auth);
    }

    public async Task DisposeAsync()
    {
        if (_squid is not null)
        {
            await _squid.DisposeAsync();
        }
        if (_origins is not null)
        {
            await _origins.DisposeAsync();
        }
    }

    /// <summary>A session through this squid; origin names resolve to 127.0.0.1 (for a bypassed, direct request).</summary>
    public HttpSession Session(HttpCredentials? proxyCredentials = null, string? bypass = null, Action<HttpSessionOptions>? configure = null) =>
        Stages.StageTest.Session(o =>
        {
            o.Proxy = ProxySettings.Named(Squid.ProxyUri, bypass, proxyCredentials);
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(Origins.Authority);
            configure?.Invoke(o);
        });

    public Uri HttpUri(string path, string host = SquidServer.OriginHost) => Origins.Http.Uri(host, path);

    public Uri HttpsUri(string path, string host = SquidServer.OriginHost) => Origins.Https.Uri(host, path);
}

/// <summary>squid without proxy authentication.</summary>
public sealed class OpenSquidFixture : SquidFixture
{
    public OpenSquidFixture()
        : base(SquidAuth.None)
    {
    }
}

/// <summary>squid with Basic proxy authentication.</summary>
public sealed class BasicSquidFixture : SquidFixture
{
    public BasicSquidFixture()
        : base(SquidAuth.Basic)
    {
    }
}

/// <summary>squid with Digest proxy authentication.</summary>
public sealed class DigestSquidFixture : SquidFixture
{
    public DigestSquidFixture()
        : base(SquidAuth.Digest)
    {
    }
}

/// <summary>The engine through a real squid (Debian's squid 5.7) without proxy authentication.</summary>
public sealed class SquidOpenProxyTests(OpenSquidFixture fixture) : IClassFixture<OpenSquidFixture>
{
    [Fact]
    public async Task P5_plain_http_through_squid_goes_in_absolute_form_and_squid_forwards_it()
    {
        using HttpSession session = fixture.Session();

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/plain?q=1")));

        Assert.Equal(200, status);
        Assert.Matches(@"^GET /plain HTTP/1\.1 via=1\.1 [^ ]+ \(squid/5\.7\) proxy-authorization=no", body);
        Assert.True(fixture.Squid.AccessLog.Contains($" GET http://{SquidServer.OriginHost}:{fixture.Origins.Http.Port}/plain?q=1 ", StringComparison.Ordinal), fixture.Squid.AccessLog);
    }

    [Fact]
    public async Task P5_https_through_squid_goes_through_a_CONNECT_tunnel_to_the_origin()
    {
        using HttpSession session = fixture.Session();

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpsUri("/secret")));

        Assert.Equal((200, true), (status, body.StartsWith("GET /secret HTTP/", StringComparison.Ordinal) && body.EndsWith(" via= proxy-authorization=no authorization=none body=0", StringComparison.Ordinal)));
        Assert.Contains($"CONNECT {SquidServer.OriginHost}:{fixture.Origins.Https.Port} ", fixture.Squid.AccessLog);
    }

    [Fact]
    public async Task P5_the_origin_certificate_is_checked_through_the_squid_tunnel()
    {
        using X509Certificate2 otherAuthority = TestCertificates.CreateAuthority("Not the origin's CA");
        using HttpSession session = fixture.Session(configure: o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(otherAuthority));

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(fixture.HttpsUri("/secret")));

        Assert.Equal(HttpError.SecureFailure, e.Error);
    }

    [Fact]
    public async Task H2_9_https_through_squid_negotiates_h_2_inside_the_tunnel()
    {
        using HttpSession session = fixture.Session();

        await using TypedHttpResponse response = await session.GetAsync(fixture.HttpsUri("/h2"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal((HttpVersion.Version20, "GET /h2 HTTP/2 via= proxy-authorization=no authorization=none body=0"), (response.Version, body));
    }

    [Fact]
    public async Task P5_a_plain_http_request_squid_denies_returns_squids_403()
    {
        using HttpSession session = fixture.Session();

        (int status, string body, TypedHttpResponse response) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/", SquidServer.DeniedHost)));

        Assert.Equal((403, "squid/5.7"), (status, response.Headers.GetValues("Server").Single()));
    }

    [Fact]
    public async Task P5_a_CONNECT_squid_denies_is_CannotConnect_naming_the_403()
    {
        using HttpSession session = fixture.Session();

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(fixture.HttpsUri("/", SquidServer.DeniedHost)));

        Assert.Equal((HttpError.CannotConnect, HttpPhase.Connect, true), (e.Error, e.Phase, e.Message.Contains("403", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P5_a_CONNECT_to_a_port_squid_does_not_tunnel_to_is_CannotConnect_naming_the_403()
    {
        using HttpSession session = fixture.Session();

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(new Uri($"https://{SquidServer.OriginHost}:1000/")));

        Assert.Equal((HttpError.CannotConnect, HttpPhase.Connect, true), (e.Error, e.Phase, e.Message.Contains("403", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P3_a_host_on_the_bypass_list_is_reached_directly_and_squid_never_sees_it()
    {
        using HttpSession session = fixture.Session(bypass: "*.bypass.test");
        string before = fixture.Squid.AccessLog;

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/direct", "web.bypass.test")));

        Assert.Equal((200, "GET /direct HTTP/1.1 via= proxy-authorization=no authorization=none body=0", before), (status, body, fixture.Squid.AccessLog));
    }

    [Fact]
    public async Task P5_a_proxy_that_is_down_is_CannotConnect_naming_the_proxy()
    {
        int nobody = ServerProcess.FreePort();
        using HttpSession session = Stages.StageTest.Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{nobody}"));

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(fixture.HttpUri("/")));

        Assert.Equal((HttpError.CannotConnect, HttpPhase.Connect, true), (e.Error, e.Phase, e.Message.Contains($"proxy 127.0.0.1:{nobody}", StringComparison.Ordinal)));
    }

    [Fact]
    public void P5_squid_starts_quickly_enough_to_share_one_per_test_class()
    {
        // Recorded for docs/engine.md ("Tested against"); the bound is only there to catch a squid that hangs at start.
        Assert.InRange(fixture.Squid.StartupTime, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}

/// <summary>The engine through a real squid with Basic proxy authentication (basic_ncsa_auth).</summary>
public sealed class SquidBasicProxyTests(BasicSquidFixture fixture) : IClassFixture<BasicSquidFixture>
{
    private static readonly HttpCredentials ProxyUser = new(SquidServer.UserName, SquidServer.Password);

    [Fact]
    public async Task A9e_squids_407_is_answered_once_and_the_answer_is_sent_first_on_later_requests()
    {
        using HttpSession session = fixture.Session(ProxyUser);
        int before = fixture.Squid.AccessLogLines(407).Length;

        (int first, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/one")));
        (int second, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/two")));
        (int third, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/three")));

        Assert.Equal((200, 200, 200, 1), (first, second, third, fixture.Squid.AccessLogLines(407).Length - before));
    }

    [Fact]
    public async Task P5_squid_sees_the_proxy_user_and_the_origin_never_sees_proxy_authorization()
    {
        using HttpSession session = fixture.Session(ProxyUser);

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/user")));

        Assert.Equal((200, true, true), (status, body.Contains("proxy-authorization=no", StringComparison.Ordinal),
            fixture.Squid.AccessLogLines(200).Any(line => line.Contains("/user " + SquidServer.UserName + " ", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A6_a_wrong_proxy_password_returns_squids_407()
    {
        using HttpSession session = fixture.Session(new HttpCredentials(SquidServer.UserName, "wrong"));

        (int status, _, TypedHttpResponse response) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/")));

        Assert.Equal((407, true), (status, response.Headers.Contains("Proxy-Authenticate")));
    }

    [Fact]
    public async Task A6_without_proxy_credentials_squids_407_is_returned()
    {
        using HttpSession session = fixture.Session();

        (int status, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/")));

        Assert.Equal(407, status);
    }

    [Fact]
    public async Task P5_https_through_squid_answers_the_CONNECT_407_and_reaches_the_origin()
    {
        using HttpSession session = fixture.Session(ProxyUser);

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpsUri("/tunnel")));

        Assert.Equal((200, true), (status, body.StartsWith("GET /tunnel ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P5_a_CONNECT_with_a_wrong_proxy_password_returns_the_407_with_no_body()
    {
        using HttpSession session = fixture.Session(new HttpCredentials(SquidServer.UserName, "wrong"));

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpsUri("/tunnel")));

        Assert.Equal((407, ""), (status, body));
    }

    [Fact]
    public async Task A2_server_authentication_and_proxy_authentication_together_through_squid()
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(new Uri($"http://{SquidServer.OriginHost}:{fixture.Origins.Http.Port}"), new HttpCredentials(SquidOrigins.WebUser, SquidOrigins.WebPassword));
        using HttpSession session = fixture.Session(ProxyUser, configure: o => o.Credentials = credentials);

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/private")));

        Assert.Equal((200, true), (status, body.Contains("proxy-authorization=no authorization=Basic", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A2_server_authentication_inside_a_squid_tunnel_that_asked_for_proxy_credentials()
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(new Uri($"https://{SquidServer.OriginHost}:{fixture.Origins.Https.Port}"), new HttpCredentials(SquidOrigins.WebUser, SquidOrigins.WebPassword));
        using HttpSession session = fixture.Session(ProxyUser, configure: o => o.Credentials = credentials);

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpsUri("/private")));

        Assert.Equal((200, true), (status, body.Contains("authorization=Basic", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P7_with_the_plain_http_tunnel_an_http_request_goes_through_a_CONNECT_squid_authenticates()
    {
        using HttpSession session = Stages.StageTest.Session(o =>
            o.Proxy = ProxySettings.Named(fixture.Squid.ProxyUri, null, ProxyUser).WithPlainHttpTunnel());
        string before = fixture.Squid.AccessLog;

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/plain-tunnel")));

        string added = fixture.Squid.AccessLog[before.Length..];
        Assert.Equal((200, true, true, false), (status, body.StartsWith("GET /plain-tunnel HTTP/1.1 via= ", StringComparison.Ordinal),
            added.Contains($" CONNECT {SquidServer.OriginHost}:{fixture.Origins.Http.Port} ", StringComparison.Ordinal), added.Contains(" GET http://", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P7_a_proxy_limited_to_Digest_does_not_answer_squids_Basic_407()
    {
        using HttpSession session = Stages.StageTest.Session(o =>
            o.Proxy = ProxySettings.Named(fixture.Squid.ProxyUri, null, ProxyUser).WithAuthSchemes(HttpAuthSchemes.Digest));

        (int status, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/digest-only")));

        Assert.Equal(407, status);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(70_000)]
    [InlineData(1_000_000)]
    [InlineData(16_000_000)]
    public async Task A13_a_POST_that_squid_answers_407_is_resent_with_credentials_and_arrives_whole(int size)
    {
        using HttpSession session = fixture.Session(ProxyUser, configure: o =>
        {
            o.ReceiveResponseTimeout = TimeSpan.FromSeconds(15);
            o.SendTimeout = TimeSpan.FromSeconds(15);
        });
        var request = new TypedHttpRequest("POST", fixture.HttpUri("/upload")) { Content = new ByteArrayRequestContent(new byte[size]) };

        (int status, string body, _) = await SendAsync(session, request);

        Assert.Equal((200, $"POST /upload HTTP/1.1"), (status, body[..body.IndexOf(" via=", StringComparison.Ordinal)]));
        Assert.EndsWith($"body={size}", body);
    }
}

/// <summary>The engine through a real squid with Digest proxy authentication (digest_file_auth).</summary>
public sealed class SquidDigestProxyTests(DigestSquidFixture fixture) : IClassFixture<DigestSquidFixture>
{
    private static readonly HttpCredentials ProxyUser = new(SquidServer.UserName, SquidServer.Password);

    [Fact]
    public async Task A9e_squids_Digest_407_is_answered_and_later_requests_send_the_next_nonce_count_first()
    {
        using HttpSession session = fixture.Session(ProxyUser);
        int before = fixture.Squid.AccessLogLines(407).Length;

        (int first, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/digest-one")));
        (int second, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/digest-two")));

        Assert.Equal((200, 200, 1), (first, second, fixture.Squid.AccessLogLines(407).Length - before));
    }

    [Fact]
    public async Task A6_a_wrong_Digest_proxy_password_returns_squids_407()
    {
        using HttpSession session = fixture.Session(new HttpCredentials(SquidServer.UserName, "wrong"));

        (int status, _, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpUri("/")));

        Assert.Equal(407, status);
    }

    [Fact]
    public async Task P5_https_through_squid_answers_a_Digest_CONNECT_407()
    {
        using HttpSession session = fixture.Session(ProxyUser);

        (int status, string body, _) = await SendAsync(session, new TypedHttpRequest("GET", fixture.HttpsUri("/digest-tunnel")));

        Assert.Equal((200, true), (status, body.StartsWith("GET /digest-tunnel ", StringComparison.Ordinal)));
    }
}
