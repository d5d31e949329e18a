using System;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using TypedHttp.Tests.Stages;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>HTTP/2 and proxies (H2-9): h2 inside a CONNECT tunnel, HTTP/1.1 in absolute form for plain http.</summary>
public sealed class Http2ProxyTests
{
    [Fact]
    public async Task H2_9_https_through_a_CONNECT_tunnel_negotiates_h_2_inside_it()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using KestrelServer kestrel = await KestrelServer.StartAsync(context => context.Response.WriteAsync(context.Request.Protocol), certificate);
        await using var proxy = new TestProxy(null);
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}");
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
        });

        await using TypedHttpResponse response = await session.GetAsync(kestrel.Uri("secure.test", "/inside"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal((HttpVersion.Version20, "HTTP/2"), (response.Version, body));
    }

    [Fact]
    public async Task H2_9_plain_http_through_a_proxy_stays_on_http_11_under_the_default_policy()
    {
        await using KestrelServer kestrel = await KestrelServer.StartAsync(context => context.Response.WriteAsync(context.Request.Protocol));
        await using var proxy = new TestProxy(null);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}"));

        await using TypedHttpResponse response = await session.GetAsync(kestrel.Uri("127.0.0.1", "/plain"));

        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    [Fact]
    public async Task H2_9_plain_http_through_a_proxy_with_an_exact_http_2_policy_is_refused_clearly()
    {
        await using var proxy = new TestProxy(null);
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}");
            o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        });

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(new Uri("http://origin.test/")));

        Assert.Equal((HttpError.VersionNotAvailable, HttpPhase.Request), (e.Error, e.Phase));
    }
}
