using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Cli.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>HTTP/2 failures in curl's exit codes: 92 for a reset stream, 16 for a version that cannot be had.</summary>
public sealed class Http2ErrorTests
{
    [Fact]
    public async Task A_stream_reset_by_the_server_is_92()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http2, handler: context =>
        {
            context.Features.Get<IHttpResetFeature>()!.Reset(2); // INTERNAL_ERROR
            return Task.CompletedTask;
        });
        CliResult r = await CliRunner.RunAsync("--http2-prior-knowledge", server.Url());
        Assert.True(r.ExitCode == 92, r.ToString());
    }

    [Fact]
    public async Task Http2_prior_knowledge_to_an_https_server_without_h2_is_16()
    {
        await using H2Kestrel server = await H2Kestrel.StartAsync(HttpProtocols.Http1,
            TypedHttp.Tests.Infrastructure.TestCertificates.CreateServer(TypedHttp.Tests.Infrastructure.TestCertificates.CreateAuthority(), "h2.test"));
        CliResult r = await CliRunner.RunAsync("--http2-prior-knowledge", "-k", "--resolve", server.Resolve, server.Url());
        Assert.True(r.ExitCode == 16, r.ToString());
    }
}
