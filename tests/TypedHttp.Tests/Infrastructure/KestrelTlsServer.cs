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
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// Kestrel over HTTPS on 127.0.0.1 and an ephemeral port. Every request is answered with
/// <c>conn=&lt;connection id&gt;; client=&lt;client certificate subject or none&gt;</c>.
/// </summary>
public sealed class KestrelTlsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTlsServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>Starts the server with <paramref name="certificate"/>.</summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="clientCertificates">Whether a client certificate is asked for.</param>
    public static async Task<KestrelTlsServer> StartAsync(X509Certificate2 certificate, ClientCertificateMode clientCertificates = ClientCertificateMode.NoCertificate)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.ClientCertificateMode = clientCertificates;
            https.ClientCertificateValidation = (_, _, _) => true;
        })));
        WebApplication app = builder.Build();
        app.Run(context => context.Response.WriteAsync($"conn={context.Connection.Id}; client={context.Connection.ClientCertificate?.Subject ?? "none"}"));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelTlsServer(app, new Uri(address).Port);
    }

    /// <summary>An https URI on this server under <paramref name="host"/> (resolve it to 127.0.0.1 with the session's resolver).</summary>
    /// <param name="host">The host name the certificate is checked against.</param>
    /// <param name="path">The path.</param>
    public Uri Uri(string host, string path = "/") => new($"https://{host}:{Port}{path}");

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
