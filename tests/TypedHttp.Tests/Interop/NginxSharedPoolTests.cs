using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using TypedHttp.Policy;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// C-7, C-8, C-9: the process-wide pool of anonymous connections. nginx's access log ($connection,
/// $connection_requests) shows which connection each request came on; the NTLM case runs on a scripted server (the
/// token exchange scripted through the test-only seam) and the client-certificate case on Kestrel over TLS.
/// </summary>
public sealed class NginxSharedPoolTests : IClassFixture<NginxFixture>
{
    private readonly NginxFixture _f;

    public NginxSharedPoolTests(NginxFixture fixture) => _f = fixture;

    /// <summary>One options shape for every session of a test: equal settings, so the sessions may share.</summary>
    private static Action<HttpSessionOptions> Http1 => static o => o.DefaultRequestVersion = HttpVersion.Version11;

    private static async Task<byte[]> FetchAsync(HttpSession session, Uri uri)
    {
        await using TypedHttpResponse response = await session.GetAsync(uri);
        var body = new MemoryStream();
        await response.Body.CopyToAsync(body);
        return body.ToArray();
    }

    /// <summary>The access-log lines of requests to <paramref name="uri"/>'s path: (connection, request on it).</summary>
    private (string Connection, string Request)[] Log(string path) =>
        _f.Nginx.Http1AccessLog.Select(l => l.Split(' ')).Where(f => f[3] == path).Select(f => (f[0], f[1])).ToArray();

    private Uri Unique(out string path)
    {
        path = "/static/" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(Path.Combine(_f.Nginx.FilesDirectory, path["/static/".Length..]), _f.Text);
        return _f.Nginx.Http1Uri(path);
    }

    [Fact]
    public async Task C7_two_sessions_with_the_same_settings_send_on_one_connection_of_nginx()
    {
        Uri uri = Unique(out string path);
        using HttpSession a = Session(Http1);
        using HttpSession b = Session(Http1);

        await FetchAsync(a, uri);
        await FetchAsync(b, uri);

        (string Connection, string Request)[] log = Log(path);
        Assert.Equal([(log[0].Connection, "1"), (log[0].Connection, "2")], log);
    }

    [Fact]
    public async Task C7_a_disposed_session_hands_its_idle_connection_to_a_live_session_with_the_same_settings()
    {
        Uri uri = Unique(out string path);
        using HttpSession a = Session(Http1);
        HttpSession b = Session(Http1);
        await FetchAsync(a, uri);
        await FetchAsync(b, uri); // takes a's idle connection

        b.Dispose();
        await FetchAsync(a, uri);

        (string Connection, string Request)[] log = Log(path);
        Assert.Equal([(log[0].Connection, "1"), (log[0].Connection, "2"), (log[0].Connection, "3")], log);
    }

    [Fact]
    public async Task C7_disposing_a_session_leaves_the_connection_another_session_took_from_it_working()
    {
        using HttpSession a = Session(Http1);
        using HttpSession b = Session(Http1);
        await FetchAsync(a, _f.Nginx.Http1Uri("/static/a.txt"));

        await using TypedHttpResponse response = await b.GetAsync(_f.Nginx.Http1Uri("/static/big.bin"));
        a.Dispose();
        var body = new MemoryStream();
        await response.Body.CopyToAsync(body);

        Assert.True(_f.Big.AsSpan().SequenceEqual(body.ToArray()), $"b read {body.Length} of {_f.Big.Length} bytes");
    }

    [Fact]
    public async Task C7_with_ShareConnectionsAcrossSessions_off_each_session_opens_its_own_connection()
    {
        Uri uri = Unique(out string path);
        using HttpSession a = Session(o => { Http1(o); o.ShareConnectionsAcrossSessions = false; });
        using HttpSession b = Session(o => { Http1(o); o.ShareConnectionsAcrossSessions = false; });

        await FetchAsync(a, uri);
        await FetchAsync(b, uri);

        (string Connection, string Request)[] log = Log(path);
        Assert.Equal(((string, string))(log[1].Connection, "1"), log[1]);
        Assert.NotEqual(log[0].Connection, log[1].Connection);
    }

    [Fact]
    public async Task C7_sessions_with_different_timeouts_do_not_share()
    {
        Uri uri = Unique(out string path);
        using HttpSession a = Session(Http1);
        using HttpSession b = Session(o => { Http1(o); o.ReceiveTimeout = TimeSpan.FromSeconds(7); });

        await FetchAsync(a, uri);
        await FetchAsync(b, uri);

        (string Connection, string Request)[] log = Log(path);
        Assert.NotEqual(log[0].Connection, log[1].Connection);
    }

    [Fact]
    public async Task C7_tls_sessions_with_the_same_validation_callback_share_and_learn_http_1_1_from_each_other()
    {
        string path = "/static/a.txt";
        RemoteCertificateValidationCallback trust = TestCertificates.TrustOnly(_f.Authority);
        Action<HttpSessionOptions> tls = o =>
        {
            o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            o.RemoteCertificateValidationCallback = trust;
        };
        using HttpSession a = Session(tls);
        using HttpSession b = Session(tls);
        int before = _f.Nginx.Http1AccessLog.Length;

        await FetchAsync(a, _f.Nginx.Http1TlsUri(NginxFixture.Host, path));
        await FetchAsync(b, _f.Nginx.Http1TlsUri(NginxFixture.Host, path));

        string[][] log = _f.Nginx.Http1AccessLog.Skip(before).Select(l => l.Split(' ')).ToArray();
        Assert.Equal([(log[0][0], "1"), (log[0][0], "2")], log.Select(f => (f[0], f[1])));
    }

    [Fact]
    public async Task C7_tls_sessions_with_different_validation_callbacks_do_not_share()
    {
        string path = "/static/a.txt";
        using HttpSession a = Session(o => { o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback }); o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_f.Authority); });
        using HttpSession b = Session(o => { o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback }); o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_f.Authority); });
        int before = _f.Nginx.Http1AccessLog.Length;

        await FetchAsync(a, _f.Nginx.Http1TlsUri(NginxFixture.Host, path));
        await FetchAsync(b, _f.Nginx.Http1TlsUri(NginxFixture.Host, path));

        string[][] log = _f.Nginx.Http1AccessLog.Skip(before).Select(l => l.Split(' ')).ToArray();
        Assert.NotEqual(log[0][0], log[1][0]);
    }

    [Fact]
    public async Task C9_http_2_connections_are_not_shared_between_sessions()
    {
        RemoteCertificateValidationCallback trust = TestCertificates.TrustOnly(_f.Authority);
        Action<HttpSessionOptions> tls = o =>
        {
            o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            o.RemoteCertificateValidationCallback = trust;
        };
        using HttpSession a = Session(tls);
        using HttpSession b = Session(tls);

        await FetchAsync(a, _f.Nginx.TlsUri(NginxFixture.Host, "/conn"));
        byte[] second = await FetchAsync(b, _f.Nginx.TlsUri(NginxFixture.Host, "/conn"));
        byte[] again = await FetchAsync(a, _f.Nginx.TlsUri(NginxFixture.Host, "/conn"));

        Assert.NotEqual(Encoding.ASCII.GetString(again), Encoding.ASCII.GetString(second));
    }

    [Fact]
    public async Task C8_a_connection_that_carried_ntlm_is_not_given_to_another_session()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            while (await c.ReadRequestAsync() is { } request)
            {
                string? auth = request.Header("Authorization");
                string path = request.RequestLine.Split(' ')[1];
                if (path == "/anonymous")
                {
                    await c.SendAsync(Wire.Ok("anonymous on " + c.Index));
                }
                else if (auth is null)
                {
                    await c.SendAsync("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n");
                }
                else if (auth == "NTLM " + B64("negotiate"))
                {
                    await c.SendAsync($"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM {B64("challenge")}\r\nContent-Length: 0\r\n\r\n");
                }
                else
                {
                    await c.SendAsync(Wire.Ok("authenticated on " + c.Index));
                }
            }
        });
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("u", "p", "DOM"));
        using HttpSession a = LoopbackSession(o =>
        {
            o.Credentials = credentials;
            o.TestOnlyConnectionAuthenticatorFactory = static (_, _, _) => new ScriptedNtlm();
        });
        using HttpSession b = LoopbackSession();
        Assert.Equal("authenticated on 0", Encoding.ASCII.GetString(await FetchAsync(a, server.Uri("/private"))));

        byte[] anonymous = await FetchAsync(b, server.Uri("/anonymous"));

        Assert.Equal("anonymous on 1", Encoding.ASCII.GetString(anonymous));
    }

    [Fact]
    public async Task C7_the_same_scripted_server_sees_one_connection_for_two_anonymous_sessions()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            while (await c.ReadRequestAsync() is not null)
            {
                await c.SendAsync(Wire.Ok("on " + c.Index));
            }
        });
        using HttpSession a = LoopbackSession();
        using HttpSession b = LoopbackSession();
        await FetchAsync(a, server.Uri("/"));

        byte[] second = await FetchAsync(b, server.Uri("/"));

        Assert.Equal(("on 0", 1), (Encoding.ASCII.GetString(second), server.AcceptedCount));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task C8_a_tls_connection_that_sent_a_client_certificate_is_not_given_to_another_session(bool serverAsks)
    {
        using X509Certificate2 server = TestCertificates.CreateServer(_f.Authority, NginxFixture.Host);
        using X509Certificate2 client = TestCertificates.CreateClient(_f.Authority, "service-a");
        await using KestrelServer kestrel = await KestrelServer.StartAsync(
            ctx => ctx.Response.WriteAsync(ctx.Connection.Id + " " + (ctx.Connection.ClientCertificate?.Subject ?? "none")),
            server, serverAsks ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate);
        RemoteCertificateValidationCallback trust = TestCertificates.TrustOnly(_f.Authority);
        var certificates = new X509CertificateCollection { client };
        Action<HttpSessionOptions> tls = o =>
        {
            Http1(o);
            o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            o.RemoteCertificateValidationCallback = trust;
            o.ClientCertificates = certificates;
        };
        using HttpSession a = Session(tls);
        using HttpSession b = Session(tls);

        string first = Encoding.ASCII.GetString(await FetchAsync(a, kestrel.Uri(NginxFixture.Host)));
        string second = Encoding.ASCII.GetString(await FetchAsync(b, kestrel.Uri(NginxFixture.Host)));

        // The control (no certificate asked for, so none sent): the same settings share the connection.
        Assert.Equal((serverAsks ? "CN=service-a" : "none", !serverAsks), (first.Split(' ', 2)[1], first.Split(' ')[0] == second.Split(' ')[0]));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    private sealed class ScriptedNtlm : IConnectionAuthenticator
    {
        public string SchemeName => "NTLM";

        public string? GetNextHeaderValue(string? serverToken68) =>
            serverToken68 is null ? "NTLM " + B64("negotiate") : "NTLM " + B64("authenticate:" + Encoding.ASCII.GetString(Convert.FromBase64String(serverToken68)));

        public void Dispose() { }
    }
}
