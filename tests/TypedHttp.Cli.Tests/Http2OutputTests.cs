using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Cli.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>-v, -i, -L hop heads and -w '%{http_version}' for HTTP/2 as curl prints them.</summary>
public sealed class Http2OutputTests
{
    private static Task Answer(HttpContext context)
    {
        if (context.Request.Path == "/moved")
        {
            context.Response.StatusCode = 302;
            context.Response.Headers["Location"] = "/x";
            return Task.CompletedTask;
        }
        context.Response.ContentType = "text/plain";
        context.Response.Headers["X-Test"] = "yes";
        return context.Response.WriteAsync("ok");
    }

    /// <summary>The Date header's value (the one field that changes between runs) as <c>*</c>.</summary>
    private static string WithoutDate(string text) => Regex.Replace(text, "date: [^\r\n]*", "date: *");

    [Fact]
    public async Task Verbose_prints_an_h2c_exchange_as_curl_does()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2, handler: Answer);
        CliResult r = await CliRunner.RunAsync("-v", "--http2-prior-knowledge", server.Url("/x?q=1"));
        string[] heads = WithoutDate(r.Stderr).Split('\n').Where(l => l.StartsWith("> ") || l.StartsWith("< ") || l.StartsWith("* [HTTP/2]")).ToArray();
        Assert.Equal(
            new[]
            {
                $"* [HTTP/2] [1] OPENED stream for http://127.0.0.1:{server.Port}/x?q=1",
                "> GET /x?q=1 HTTP/2",
                $"> Host: 127.0.0.1:{server.Port}",
                $"> User-Agent: thttp/{Cli.Version}",
                "> Accept: */*",
                "> ",
                "< HTTP/2 200",
                "< content-type: text/plain",
                "< date: *",
                "< x-test: yes",
                "< ",
            },
            heads);
    }

    [Fact]
    public async Task Verbose_says_the_server_accepted_h2_by_alpn()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1AndHttp2,
            TypedHttp.Tests.Infrastructure.TestCertificates.CreateServer(TypedHttp.Tests.Infrastructure.TestCertificates.CreateAuthority(), "h2.test"));
        CliResult r = await CliRunner.RunAsync("-v", "-k", "--resolve", server.Resolve, server.Url());
        Assert.Contains("\n* ALPN: server accepted h2\n", r.Stderr);
    }

    [Fact]
    public async Task Verbose_says_the_server_accepted_http_1_1_by_alpn()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1,
            TypedHttp.Tests.Infrastructure.TestCertificates.CreateServer(TypedHttp.Tests.Infrastructure.TestCertificates.CreateAuthority(), "h2.test"));
        CliResult r = await CliRunner.RunAsync("-v", "-k", "--resolve", server.Resolve, server.Url());
        Assert.Contains("\n* ALPN: server accepted http/1.1\n", r.Stderr);
    }

    [Fact]
    public async Task Include_prints_the_http2_status_line_and_names_as_received()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2, handler: Answer);
        CliResult r = await CliRunner.RunAsync("-i", "--http2-prior-knowledge", server.Url("/x"));
        Assert.Equal("HTTP/2 200\r\ncontent-type: text/plain\r\ndate: *\r\nx-test: yes\r\n\r\nok", WithoutDate(Encoding.Latin1.GetString(r.Stdout)));
    }

    [Fact]
    public async Task Include_with_location_prints_each_http2_hop_head()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2, handler: Answer);
        CliResult r = await CliRunner.RunAsync("-i", "-L", "--http2-prior-knowledge", server.Url("/moved"));
        Assert.Equal(
            "HTTP/2 302\r\ndate: *\r\nlocation: /x\r\ncontent-length: 0\r\n\r\n"
            + "HTTP/2 200\r\ncontent-type: text/plain\r\ndate: *\r\nx-test: yes\r\n\r\nok",
            WithoutDate(Encoding.Latin1.GetString(r.Stdout)));
    }

    [Fact]
    public async Task Write_out_http_version_is_2_for_http2()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2);
        CliResult r = await CliRunner.RunAsync("-o", "/dev/null", "-w", "%{http_version}", "--http2-prior-knowledge", server.Url());
        Assert.True(r.StdoutText == "2", r.ToString());
    }

    [Fact]
    public async Task Write_out_http_version_is_1_1_for_http_1_1()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1);
        CliResult r = await CliRunner.RunAsync("-o", "/dev/null", "-w", "%{http_version}", server.Url());
        Assert.True(r.StdoutText == "1.1", r.ToString());
    }

    [Fact]
    public async Task Write_out_http_version_is_1_0_for_an_http_1_0_response()
    {
        // Kestrel answers HTTP/1.0 requests with HTTP/1.1 status lines; %{http_version} is the response's version.
        await using var server = TypedHttp.Tests.Infrastructure.ScriptedServer.Respond("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CliResult r = await CliRunner.RunAsync("-o", "/dev/null", "-w", "%{http_version}", "--http1.0", server.Uri().ToString());
        Assert.True(r.StdoutText == "1.0", r.ToString());
    }

    [Fact]
    public async Task Write_out_http_version_is_0_without_a_response()
    {
        CliResult r = await CliRunner.RunAsync("-s", "-w", "%{http_version}", $"http://127.0.0.1:{CliRunner.ClosedPort()}/");
        Assert.True(r.StdoutText == "0", r.ToString());
    }
}
