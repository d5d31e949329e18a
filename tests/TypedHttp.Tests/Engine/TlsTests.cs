using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>TLS against Kestrel with certificates made at test time (S-1, S-4, S-7).</summary>
public sealed class TlsTests : IClassFixture<TlsTests.Certificates>
{
    private const string Host = "tls.test";
    private readonly Certificates _certs;

    public TlsTests(Certificates certs) => _certs = certs;

    /// <summary>One CA and its leaves for the whole class (key generation is the slow part).</summary>
    public sealed class Certificates : IDisposable
    {
        public X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority();
        public X509Certificate2 OtherAuthority { get; } = TestCertificates.CreateAuthority("Someone Else's CA");

        public X509Certificate2 Server => _server ??= TestCertificates.CreateServer(Authority, Host);
        public X509Certificate2 WrongName => _wrongName ??= TestCertificates.CreateServer(Authority, "other.test");
        public X509Certificate2 Expired => _expired ??= TestCertificates.CreateServer(Authority, Host, expired: true);
        public X509Certificate2 Client => _client ??= TestCertificates.CreateClient(Authority, "service-a");

        private X509Certificate2? _server, _wrongName, _expired, _client;

        public void Dispose()
        {
            Authority.Dispose();
            OtherAuthority.Dispose();
            _server?.Dispose();
            _wrongName?.Dispose();
            _expired?.Dispose();
            _client?.Dispose();
        }
    }

    private static HttpSession TlsSession(Action<HttpSessionOptions>? configure = null) => Session(o =>
    {
        o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback });
        configure?.Invoke(o);
    });

    [Fact]
    public async Task Valid_certificate_pinned_ca_works_and_the_connection_is_reused()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority));

        string first = await session.GetStringAsync(server.Uri(Host, "/1"));
        string second = await session.GetStringAsync(server.Uri(Host, "/2"));

        Assert.StartsWith("conn=", first);
        Assert.EndsWith("client=none", first);
        Assert.Equal(first, second); // same Kestrel connection id: kept alive over TLS
    }

    [Fact]
    public async Task S1_untrusted_certificate_without_callback_is_SecureFailure()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server);
        using HttpSession session = TlsSession();

        await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S1_certificate_from_another_ca_is_SecureFailure()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.OtherAuthority));

        await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S1_wrong_name_is_SecureFailure()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.WrongName);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority));

        await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S1_expired_certificate_is_SecureFailure()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Expired);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority));

        await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S7_caller_callback_can_accept_anything()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Expired);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = static (_, _, _, _) => true);

        Assert.StartsWith("conn=", await session.GetStringAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S4_required_client_certificate_missing_is_ClientAuthCertNeeded()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server, clientCertificates: ClientCertificateMode.RequireCertificate);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority));

        await AssertFailsAsync(HttpError.ClientAuthCertNeeded, HttpPhase.Tls, async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri(Host));
            await response.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task S1_untrusted_certificate_from_a_server_that_allows_client_certificates_is_SecureFailure_not_ClientAuthCertNeeded()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server, clientCertificates: ClientCertificateMode.AllowCertificate);
        using HttpSession session = TlsSession();

        TypedHttpException e = await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri(Host));
            await response.ReadAsStringAsync();
        });
        Assert.Contains("server certificate", e.Message);
        Assert.Contains("CN=" + Host, e.Message);
        Assert.Contains("RemoteCertificateChainErrors", e.Message);
    }

    [Fact]
    public async Task S7_a_callback_that_refuses_a_trusted_certificate_is_named_in_the_SecureFailure()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server, clientCertificates: ClientCertificateMode.AllowCertificate);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = static (_, _, _, _) => false);

        TypedHttpException e = await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls, async () => await session.GetAsync(server.Uri(Host)));
        Assert.Contains("RemoteCertificateValidationCallback", e.Message);
    }

    [Fact]
    public async Task S4_allowed_client_certificate_not_configured_with_a_trusted_server_works()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server, clientCertificates: ClientCertificateMode.AllowCertificate);
        using HttpSession session = TlsSession(o => o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority));

        Assert.EndsWith("client=none", await session.GetStringAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S4_required_client_certificate_configured_is_sent()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server, clientCertificates: ClientCertificateMode.RequireCertificate);
        using HttpSession session = TlsSession(o =>
        {
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority);
            o.ClientCertificates = new X509CertificateCollection { _certs.Client };
        });

        Assert.EndsWith("client=CN=service-a", await session.GetStringAsync(server.Uri(Host)));
    }

    [Fact]
    public async Task S6_SslProtocols_limits_the_version()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server);
        var events = new System.Collections.Concurrent.ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = TlsSession(o =>
        {
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority);
            o.SslProtocols = System.Security.Authentication.SslProtocols.Tls12;
            o.TraceListener = events.Enqueue;
        });

        Assert.StartsWith("conn=", await session.GetStringAsync(server.Uri(Host)));
        Assert.Contains(events, e => e.Kind == HttpTraceEventKind.TlsEstablished && e.Message.Contains("Tls12", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_http_to_a_tls_port_is_an_error_not_a_hang()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(certificate: _certs.Server);
        using HttpSession session = TlsSession();

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () =>
        {
            await using TypedHttpResponse response = await session.GetAsync(new Uri($"http://{Host}:{server.Port}/"));
            await response.ReadAsStringAsync();
        });
        Assert.Contains(e.Error, new[] { HttpError.InvalidServerResponse, HttpError.EmptyResponse, HttpError.ConnectionError });
    }
}
