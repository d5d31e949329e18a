using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Engine.Http2;

namespace TypedHttp.Tests.EndToEnd;

[HttpVersion("2.0", Policy = HttpVersionPolicy.RequestVersionExact)]
public interface IH2cApi
{
    [Get("/hello")]
    Task<TypedHttpResponse> HelloAsync();

    [Get("/hello")]
    [HttpVersion("1.1", Policy = HttpVersionPolicy.RequestVersionExact)]
    Task<TypedHttpResponse> Http11Async();
}

/// <summary>
/// <c>[HttpVersion]</c> on a generated client's interface and method reaches the engine (H2-1): over plain http the
/// interface's 2.0 with <c>RequestVersionExact</c> speaks h2c by prior knowledge to Kestrel, and a method's 1.1 wins.
/// </summary>
public sealed class GeneratedClientHttpVersionTests
{
    [Fact]
    public async Task H2_1_interface_HttpVersion_20_exact_runs_the_generated_client_over_h2c()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http2);
        using var session = new HttpSession();
        IH2cApi api = TypedHttpClient.Create<IH2cApi>(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session });

        await using TypedHttpResponse response = await api.HelloAsync();
        string body = await new StreamReader(response.Body).ReadToEndAsync();

        Assert.Equal((HttpVersion.Version20, "HTTP/2"), (response.Version, body.Split(' ')[0]));
    }

    [Fact]
    public async Task H2_1_method_HttpVersion_11_wins_over_the_interfaces_20()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1);
        using var session = new HttpSession();
        IH2cApi api = TypedHttpClient.Create<IH2cApi>(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session });

        await using TypedHttpResponse response = await api.Http11Async();
        string body = await new StreamReader(response.Body).ReadToEndAsync();

        Assert.Equal((HttpVersion.Version11, "HTTP/1.1"), (response.Version, body.Split(' ')[0]));
    }
}
