using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Engine.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Interop;

/// <summary>One nginx for a test class: a CA, its server certificate and a text file <c>a.txt</c>.</summary>
public sealed class NginxFixture : IAsyncLifetime
{
    public const string Host = "nginx.test";

    private X509Certificate2Holder? _server;

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority();

    public NginxServer Nginx { get; private set; } = null!;

    /// <summary>The text of <c>a.txt</c>: compressible, with the marker of the chunked location's sub_filter.</summary>
    public byte[] Text { get; } = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 800).Select(i => $"line {i} of the nginx test file, nginx-chunked-marker\n")));

    /// <summary>A 2 MiB file <c>big.bin</c>.</summary>
    public byte[] Big { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(2 * 1024 * 1024);

    public async Task InitializeAsync()
    {
        _server = new X509Certificate2Holder(TestCertificates.CreateServer(Authority, Host));
        Nginx = await NginxServer.StartAsync(_server.Certificate, basicAuth: true);
        await File.WriteAllBytesAsync(Path.Combine(Nginx.FilesDirectory, "a.txt"), Text);
        await File.WriteAllBytesAsync(Path.Combine(Nginx.FilesDirectory, "big.bin"), Big);
    }

    public async Task DisposeAsync()
    {
        await Nginx.DisposeAsync();
        _server?.Certificate.Dispose();
        Authority.Dispose();
    }

    private sealed record X509Certificate2Holder(System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate);
}

/// <summary>
/// HTTP/1.1 against nginx from Debian (nginx-light): static files with ranges off, gzip (T-7), chunked output,
/// absolute and relative redirects, auth_basic, keep-alive seen in nginx's access log (C-1, C-2, C-4)
/// and TLS (S-1).
/// </summary>
public sealed class NginxHttp1Tests : IClassFixture<NginxFixture>
{
    private readonly NginxFixture _f;

    public NginxHttp1Tests(NginxFixture fixture) => _f = fixture;

    private static HttpSession Http1Session(Action<HttpSessionOptions>? configure = null) => Session(o =>
    {
        o.DefaultRequestVersion = HttpVersion.Version11;
        o.ShareConnectionsAcrossSessions = false; // each test counts its own session's connections
        configure?.Invoke(o);
    });

    private Uri Http1(string path) => _f.Nginx.Http1Uri(path);

    private static async Task<byte[]> ReadAllAsync(TypedHttpResponse response)
    {
        var body = new MemoryStream();
        await response.Body.CopyToAsync(body);
        return body.ToArray();
    }

    [Fact]
    public async Task Static_file_arrives_whole_with_its_Content_Length()
    {
        using HttpSession session = Http1Session();

        await using TypedHttpResponse response = await session.GetAsync(Http1("/static/big.bin"));
        byte[] body = await ReadAllAsync(response);

        Assert.Equal((200, _f.Big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), true),
            (response.StatusCode, response.Headers.GetValue("Content-Length"), _f.Big.AsSpan().SequenceEqual(body)));
    }

    [Fact]
    public async Task Range_request_to_a_location_with_ranges_off_gets_the_whole_file_as_200()
    {
        using HttpSession session = Http1Session();
        var request = new TypedHttpRequest("GET", Http1("/static/a.txt"));
        request.Headers.Add("Range", "bytes=0-9");

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal((200, _f.Text.Length), (response.StatusCode, (await ReadAllAsync(response)).Length));
    }

    [Fact]
    public async Task T7_gzip_body_is_decoded_with_AutomaticDecompression()
    {
        using HttpSession session = Http1Session(o => o.AutomaticDecompression = true);

        await using TypedHttpResponse response = await session.GetAsync(Http1("/gzip/a.txt"));

        Assert.Equal((false, Encoding.ASCII.GetString(_f.Text)), (response.Headers.Contains("Content-Encoding"), Encoding.ASCII.GetString(await ReadAllAsync(response))));
    }

    [Fact]
    public async Task T7_gzip_body_arrives_as_sent_without_AutomaticDecompression()
    {
        using HttpSession session = Http1Session();
        var request = new TypedHttpRequest("GET", Http1("/gzip/a.txt"));
        request.Headers.Add("Accept-Encoding", "gzip");

        await using TypedHttpResponse response = await session.SendAsync(request);
        byte[] raw = await ReadAllAsync(response);
        using var gunzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        var decoded = new MemoryStream();
        await gunzip.CopyToAsync(decoded);

        Assert.Equal(("gzip", "chunked", Encoding.ASCII.GetString(_f.Text)), (response.Headers.GetValue("Content-Encoding"), response.Headers.GetValue("Transfer-Encoding"), Encoding.ASCII.GetString(decoded.ToArray())));
    }

    [Fact]
    public async Task Chunked_output_arrives_whole()
    {
        using HttpSession session = Http1Session();

        await using TypedHttpResponse response = await session.GetAsync(Http1("/chunked/a.txt"));
        string body = Encoding.ASCII.GetString(await ReadAllAsync(response));

        string text = Encoding.ASCII.GetString(_f.Text);
        int marker = text.IndexOf("nginx-chunked-marker", StringComparison.Ordinal);
        string expected = string.Concat(text.AsSpan(0, marker), "x", text.AsSpan(marker + "nginx-chunked-marker".Length)); // sub_filter replaces the first one
        Assert.Equal(("chunked", expected), (response.Headers.GetValue("Transfer-Encoding"), body));
    }

    [Theory]
    [InlineData("/redirect/absolute")]
    [InlineData("/redirect/relative")]
    public async Task R1_redirect_is_followed_to_the_file(string path)
    {
        using HttpSession session = Http1Session();

        await using TypedHttpResponse response = await session.GetAsync(Http1(path));

        Assert.Equal((200, 1, Http1("/static/a.txt"), _f.Text.Length), (response.StatusCode, response.RedirectCount, response.RequestUri, (await ReadAllAsync(response)).Length));
    }

    [Fact]
    public async Task R6_a_redirect_loop_beyond_MaxAutomaticRedirections_is_TooManyRedirects()
    {
        using HttpSession session = Http1Session(o => o.MaxAutomaticRedirections = 3);

        await AssertFailsAsync(HttpError.TooManyRedirects, HttpPhase.ReceiveHeaders, async () => await session.GetAsync(Http1("/loop")));
    }

    [Fact]
    public async Task A2_auth_basic_is_answered_with_the_session_s_credentials()
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(Http1("/"), null, new HttpCredentials(NginxServer.BasicUser, NginxServer.BasicPassword));
        using HttpSession session = Http1Session(o => o.Credentials = credentials);

        await using TypedHttpResponse response = await session.GetAsync(Http1("/private/a.txt"));

        Assert.Equal((200, _f.Text.Length), (response.StatusCode, (await ReadAllAsync(response)).Length));
    }

    [Fact]
    public async Task A2_auth_basic_with_a_wrong_password_returns_the_401()
    {
        var credentials = new HttpCredentialCache();
        credentials.Add(Http1("/"), null, new HttpCredentials(NginxServer.BasicUser, "wrong"));
        using HttpSession session = Http1Session(o => o.Credentials = credentials);

        await using TypedHttpResponse response = await session.GetAsync(Http1("/private/a.txt"));

        Assert.Equal((401, "Basic realm=\"nginx test\""), (response.StatusCode, response.Headers.GetValue("WWW-Authenticate")));
    }

    [Fact]
    public async Task C2_three_requests_in_a_row_go_on_one_kept_alive_connection_in_nginx_s_log()
    {
        using HttpSession session = Http1Session();
        string tag = "/static/a.txt?c2=" + Guid.NewGuid().ToString("N");
        int before = _f.Nginx.Http1AccessLog.Length;

        for (int i = 0; i < 3; i++)
        {
            await using TypedHttpResponse response = await session.GetAsync(Http1(tag));
            await ReadAllAsync(response);
        }

        string[] lines = _f.Nginx.Http1AccessLog.Skip(before).ToArray();
        Assert.Equal(["1 GET", "2 GET", "3 GET"], lines.Select(l => string.Join(' ', l.Split(' ')[1..3])));
        Assert.Single(lines.Select(l => l.Split(' ')[0]).Distinct());
    }

    [Fact]
    public async Task S1_tls_to_the_http_1_1_server_checks_the_certificate_and_speaks_http_1_1()
    {
        using HttpSession session = Session(o =>
        {
            o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_f.Authority);
        });

        await using TypedHttpResponse response = await session.GetAsync(_f.Nginx.Http1TlsUri(NginxFixture.Host, "/static/a.txt"));

        Assert.Equal((200, HttpVersion.Version11, _f.Text.Length), (response.StatusCode, response.Version, (await ReadAllAsync(response)).Length));
    }

    [Fact]
    public async Task S1_tls_with_an_untrusted_certificate_is_SecureFailure()
    {
        using HttpSession session = Session(o => o.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback }));

        await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(_f.Nginx.Http1TlsUri(NginxFixture.Host, "/static/a.txt")));
    }
}
