using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Cli.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1 with the protocols a case needs: HTTP/2 only over plain TCP (h2c with prior knowledge),
/// HTTP/1.1 only, or HTTP/1.1 and HTTP/2 over TLS with ALPN. No Server header, so that heads are predictable (Kestrel
/// always adds Date). Without a handler every request is answered with the protocol used (<c>HTTP/2</c>, <c>HTTP/1.1</c>).
/// </summary>
public sealed class H2Kestrel : IAsyncDisposable
{
    private readonly WebApplication _app;

    private H2Kestrel(WebApplication app, int port, bool https)
    {
        _app = app;
        Port = port;
        IsHttps = https;
    }

    public int Port { get; }

    public bool IsHttps { get; }

    public static async Task<H2Kestrel> StartAsync(HttpProtocols protocols, X509Certificate2? certificate = null, RequestDelegate? handler = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        WebApplication app = builder.Build();
        app.Run(handler ?? (context => context.Response.WriteAsync(context.Request.Protocol)));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new H2Kestrel(app, new Uri(address).Port, certificate is not null);
    }

    /// <summary>A URL on this server; over TLS the host is <c>h2.test</c> (give <see cref="Resolve"/> with it).</summary>
    public string Url(string path = "/") => IsHttps ? $"https://h2.test:{Port}{path}" : $"http://127.0.0.1:{Port}{path}";

    /// <summary>The --resolve entry for <see cref="Url"/>'s host.</summary>
    public string Resolve => $"h2.test:{Port}:127.0.0.1";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
