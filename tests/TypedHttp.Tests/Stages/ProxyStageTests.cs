using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>Proxies (P-1…P-5) through a test proxy on 127.0.0.1 that asks for Basic credentials first (407).</summary>
public sealed class ProxyStageTests
{
    private static readonly string ProxyAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("proxyuser:proxy-pw"));

    [Fact]
    public async Task P5_plain_http_goes_in_absolute_form_and_a_407_is_answered_with_proxy_credentials()
    {
        await using ScriptedServer origin = Routed(r => Ok("via proxy " + r.RequestLine));
        await using var proxy = new TestProxy(ProxyAuthorization);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("proxyuser", "proxy-pw")));
        int code; string body;
        try
        {
            (code, body, _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://origin.test:{origin.Port}/path?q=1")));
        }
        catch (TypedHttpException e)
        {
            throw new InvalidOperationException(string.Join(" | ", proxy.Faults) + " heads: " + string.Join(" || ", proxy.Heads), e);
        }
        Assert.Empty(proxy.Faults);
        Assert.Equal(200, code);
        Assert.Equal("via proxy GET /path?q=1 HTTP/1.1", body);
        List<string> heads = proxy.Heads;
        Assert.Equal(2, heads.Count);
        Assert.StartsWith($"GET http://origin.test:{origin.Port}/path?q=1 HTTP/1.1", heads[0]);
        Assert.DoesNotContain("Proxy-Authorization", heads[0]);
        Assert.Contains("Proxy-Authorization: " + ProxyAuthorization, heads[1]);

        // A-9f for the proxy: the next request sends the credentials first.
        await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://origin.test:{origin.Port}/again")));
        Assert.Equal(3, proxy.Heads.Count);
    }

    [Fact]
    public async Task P5_a_final_407_without_credentials_is_returned()
    {
        await using var proxy = new TestProxy(ProxyAuthorization);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}"));
        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri("http://origin.test:1/")));
        Assert.Equal(407, code);
    }

    [Fact]
    public async Task P5_https_through_a_CONNECT_tunnel_with_407_first_and_TLS_checked_against_the_origin()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "secure.test");
        await using KestrelServer kestrel = await KestrelServer.StartAsync(context => context.Response.WriteAsync("tunnelled " + context.Request.Path), certificate);
        await using var proxy = new TestProxy(ProxyAuthorization);
        var events = new StringBuilder();
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("proxyuser", "proxy-pw"));
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
            o.TraceListener = e => { lock (events) { events.AppendLine(e.Message); } };
        });
        (int code, string? body, TypedHttpResponse? response) = await SendAsync(session, new TypedHttpRequest("GET", kestrel.Uri("secure.test", "/inside")));
        Assert.Equal(200, code);
        Assert.Equal("tunnelled /inside", body);
        List<string> heads = proxy.Heads;
        Assert.Equal(2, heads.Count);
        Assert.StartsWith($"CONNECT secure.test:{kestrel.Port} HTTP/1.1", heads[0]);
        Assert.Contains($"Host: secure.test:{kestrel.Port}", heads[0]);
        Assert.Contains("Proxy-Authorization: " + ProxyAuthorization, heads[1]);
        Assert.True(proxy.TunnelledUp > 0 && proxy.TunnelledDown > 0, "bytes went both ways through the tunnel");
        string trace = events.ToString();
        Assert.Contains("CONNECT", trace);
        Assert.DoesNotContain("proxy-pw", trace);
        Assert.DoesNotContain("hidden body", body);
    }

    [Fact]
    public async Task P5_the_origin_name_is_checked_through_the_tunnel()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "other.test");
        await using KestrelServer kestrel = await KestrelServer.StartAsync(context => context.Response.WriteAsync("no"), certificate);
        await using var proxy = new TestProxy(null);
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}");
            o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(authority);
        });
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", kestrel.Uri("secure.test"))));
        Assert.Equal(HttpError.SecureFailure, e.Error);
    }

    [Fact]
    public async Task P5_a_CONNECT_407_without_credentials_is_returned_with_no_body()
    {
        await using var proxy = new TestProxy(ProxyAuthorization);
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}"));
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri("https://secure.test:1/")));
        Assert.Equal(407, code);
        Assert.Equal("", body); // the proxy's CONNECT answer body stays hidden
    }

    [Fact]
    public async Task P5_a_refused_CONNECT_is_CannotConnect()
    {
        await using ScriptedServer proxy = Routed(_ => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}"));
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", new Uri("https://secure.test:1/"))));
        Assert.Equal(HttpError.CannotConnect, e.Error);
        Assert.Equal(HttpPhase.Connect, e.Phase);
        Assert.Contains("403", e.Message);
    }

    [Fact]
    public async Task P3_a_bypassed_host_is_reached_directly()
    {
        await using ScriptedServer origin = Routed(r => Ok(r.RequestLine));
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named("http://127.0.0.1:1", "direct.test"));
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://direct.test:{origin.Port}/x")));
        Assert.Equal("GET /x HTTP/1.1", body);
    }
}
