using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// Kestrel on 127.0.0.1 with the protocols a case needs: HTTP/2 only over plain TCP (h2c with prior knowledge),
/// or HTTP/1.1 and HTTP/2 (or one of them) over TLS with ALPN. No Server header, so that heads are predictable (Kestrel
/// always adds Date). Without a handler every request is answered with <c>&lt;protocol&gt; conn=&lt;connection id&gt;</c>.
/// Linked into the Cli tests too (tests/TypedHttp.Cli.Tests/Infrastructure/H2Kestrel.cs).
/// </summary>
public sealed class Http2Kestrel : LoopbackKestrelHost
{
    private Http2Kestrel(WebApplication app, int port, bool https)
        : base(app, port, https)
    {
    }

    public static async Task<Http2Kestrel> StartAsync(RequestDelegate? handler = null, HttpProtocols protocols = HttpProtocols.Http2,
        X509Certificate2? certificate = null, Action<KestrelServerLimits>? limits = null)
    {
        WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder(
            listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            },
            kestrel =>
            {
                kestrel.AddServerHeader = false;
                limits?.Invoke(kestrel.Limits);
            });
        WebApplication app = builder.Build();
        app.Run(handler ?? (context => context.Response.WriteAsync($"{context.Request.Protocol} conn={context.Connection.Id}")));
        return new Http2Kestrel(app, await LoopbackKestrel.StartAsync(app), certificate is not null);
    }

    public Uri Uri(string path = "/", string host = "127.0.0.1") => new($"{(IsHttps ? "https" : "http")}://{host}:{Port}{path}");
}
