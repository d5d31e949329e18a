using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Cli.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>--http2, --http2-prior-knowledge, --http1.1, --http1.0 and the default, against Kestrel over http and https.</summary>
public sealed class Http2OptionTests
{
    private static Task<H2Kestrel> TlsServer(HttpProtocols protocols) =>
        H2Kestrel.StartAsync(protocols, TypedHttp.Tests.Infrastructure.TestCertificates.CreateServer(TypedHttp.Tests.Infrastructure.TestCertificates.CreateAuthority(), "h2.test"));

    private static Task<CliResult> RunTls(H2Kestrel server, params string[] more) =>
        CliRunner.RunAsync([.. more, "-k", "--resolve", server.Resolve, server.Url()]);

    [Fact]
    public async Task Http2_prior_knowledge_speaks_h2c_over_http()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2);
        CliResult r = await CliRunner.RunAsync("--http2-prior-knowledge", server.Url());
        Assert.True(r.StdoutText == "HTTP/2", r.ToString());
    }

    [Fact]
    public async Task Http2_prior_knowledge_speaks_h2_over_https()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server, "--http2-prior-knowledge");
        Assert.True(r.StdoutText == "HTTP/2", r.ToString());
    }

    [Fact]
    public async Task Http2_over_https_is_h2_by_alpn()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server, "--http2");
        Assert.True(r.StdoutText == "HTTP/2", r.ToString());
    }

    [Fact]
    public async Task Http2_over_http_is_http_1_1()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1);
        CliResult r = await CliRunner.RunAsync("--http2", server.Url());
        Assert.True(r.StdoutText == "HTTP/1.1", r.ToString());
    }

    [Fact]
    public async Task The_default_over_https_is_h2_by_alpn()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server);
        Assert.True(r.StdoutText == "HTTP/2", r.ToString());
    }

    [Fact]
    public async Task The_default_over_http_is_http_1_1()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1);
        CliResult r = await CliRunner.RunAsync(server.Url());
        Assert.True(r.StdoutText == "HTTP/1.1", r.ToString());
    }

    [Fact]
    public async Task Http1_1_over_tls_to_an_h2_capable_server_is_http_1_1()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server, "--http1.1");
        Assert.True(r.StdoutText == "HTTP/1.1", r.ToString());
    }

    [Fact]
    public async Task Http1_0_speaks_http_1_0()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1);
        CliResult r = await CliRunner.RunAsync("--http1.0", server.Url());
        Assert.True(r.StdoutText == "HTTP/1.0", r.ToString());
    }

    [Fact]
    public async Task Http1_0_over_tls_to_an_h2_capable_server_is_http_1_0()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server, "-0");
        Assert.True(r.StdoutText == "HTTP/1.0", r.ToString());
    }

    [Fact]
    public async Task The_last_version_option_wins()
    {
        await using H2Kestrel server = await TlsServer(HttpProtocols.Http1AndHttp2);
        CliResult r = await RunTls(server, "--http1.1", "--http2");
        Assert.True(r.StdoutText == "HTTP/2", r.ToString());
    }
}
