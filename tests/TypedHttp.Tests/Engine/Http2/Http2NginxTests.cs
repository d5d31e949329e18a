using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// HTTP/2 against a server nobody here wrote: nginx from Debian, over TLS with ALPN and over h2c (H2-2, H2-3, H2-5,
/// H2-7, H2-13).
/// </summary>
public sealed class Http2NginxTests : IClassFixture<Http2Certificates>
{
    private const string Host = Http2Certificates.Host;
    private readonly Http2Certificates _certs;

    public Http2NginxTests(Http2Certificates certs) => _certs = certs;

    private HttpSession TlsSession(Action<HttpSessionOptions>? configure = null) => Session(o =>
    {
        o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback });
        o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority);
        configure?.Invoke(o);
    });

    private static HttpSession H2cSession() => Session(o => o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact);

    [Fact]
    public async Task Nginx_tls_negotiates_http_2_by_alpn()
    {
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server);
        using HttpSession session = TlsSession();

        await using TypedHttpResponse response = await session.GetAsync(nginx.TlsUri(Host, "/"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal((200, HttpVersion.Version20, "proto=HTTP/2.0"), (response.StatusCode, response.Version, body));
    }

    [Fact]
    public async Task Nginx_h_2c_speaks_http_2_by_prior_knowledge()
    {
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server);
        using HttpSession session = H2cSession();

        Assert.Equal("proto=HTTP/2.0", await session.GetStringAsync(nginx.H2cUri("/")));
    }

    [Fact]
    public async Task Nginx_static_file_arrives_whole_over_tls()
    {
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server);
        byte[] file = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 3);
        await File.WriteAllBytesAsync(Path.Combine(nginx.FilesDirectory, "blob.bin"), file);
        using HttpSession session = TlsSession();

        await using TypedHttpResponse response = await session.GetAsync(nginx.TlsUri(Host, "/files/blob.bin"));
        var copy = new MemoryStream();
        await response.Body.CopyToAsync(copy);

        Assert.Equal(SHA256.HashData(file), SHA256.HashData(copy.ToArray()));
    }

    [Fact]
    public async Task Nginx_concurrent_requests_are_multiplexed_on_one_connection()
    {
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server);
        using HttpSession session = TlsSession();

        string[] connections = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => session.GetStringAsync(nginx.TlsUri(Host, "/conn"))));

        Assert.Single(connections.Distinct());
    }

    [Fact]
    public async Task Nginx_upload_reaches_the_server_whole()
    {
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server);
        using HttpSession session = TlsSession();
        byte[] payload = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);

        var request = new TypedHttpRequest("POST", nginx.TlsUri(Host, "/upload")) { Content = new ByteArrayRequestContent(payload) };
        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal((200, payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), (response.StatusCode, await response.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Nginx_go_away_after_keep_alive_requests_moves_to_a_new_connection_without_failures()
    {
        // keepalive_requests 5: nginx sends GOAWAY after the fifth request on a connection (H2-13).
        await using NginxServer nginx = await NginxServer.StartAsync(_certs.Server, keepAliveRequests: 5);
        using HttpSession session = H2cSession();

        var connections = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 17; i++)
        {
            connections.Add(await session.GetStringAsync(nginx.H2cUri("/conn")));
        }

        Assert.Equal(4, connections.Distinct().Count());
    }
}
