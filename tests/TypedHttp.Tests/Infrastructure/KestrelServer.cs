using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1 and an ephemeral port, over HTTP or (with a certificate) HTTPS. Without a handler every
/// request is answered with <c>conn=&lt;connection id&gt;; client=&lt;client certificate subject or none&gt;</c>.
/// </summary>
public sealed class KestrelServer : LoopbackKestrelHost
{
    private KestrelServer(WebApplication app, int port, bool https)
        : base(app, port, https)
    {
    }

    /// <summary>Starts the server.</summary>
    /// <param name="handler">Answers every request; null answers with the connection id and client certificate.</param>
    /// <param name="certificate">The server certificate (with its private key) for HTTPS; null for plain HTTP.</param>
    /// <param name="clientCertificates">Whether a client certificate is asked for (HTTPS only).</param>
    public static async Task<KestrelServer> StartAsync(RequestDelegate? handler = null, X509Certificate2? certificate = null, ClientCertificateMode clientCertificates = ClientCertificateMode.NoCertificate)
    {
        WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder(listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    https.ClientCertificateMode = clientCertificates;
                    https.ClientCertificateValidation = (_, _, _) => true;
                });
            }
        });
        WebApplication app = builder.Build();
        app.Run(handler ?? (context => context.Response.WriteAsync($"conn={context.Connection.Id}; client={context.Connection.ClientCertificate?.Subject ?? "none"}")));
        return new KestrelServer(app, await LoopbackKestrel.StartAsync(app), certificate is not null);
    }

    /// <summary>A URI on this server under <paramref name="host"/> (resolve it to 127.0.0.1 with the session's resolver).</summary>
    /// <param name="host">The host name (for HTTPS, the name the certificate is checked against).</param>
    /// <param name="path">The path and query.</param>
    public Uri Uri(string host = "127.0.0.1", string path = "/") => new($"{(IsHttps ? "https" : "http")}://{host}:{Port}{path}");
}
