using System;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Engine.Http2;

namespace TypedHttp.Cli.Tests.Infrastructure;

/// <summary>
/// The engine tests' <see cref="Http2Kestrel"/> (linked into this project) as thttp's tests use it: without a handler
/// every request is answered with the protocol used (<c>HTTP/2</c>, <c>HTTP/1.1</c>), and over TLS the host is
/// <c>h2.test</c>, reached through <see cref="Resolve"/>.
/// </summary>
public sealed class H2Kestrel : IAsyncDisposable
{
    private readonly Http2Kestrel _server;

    private H2Kestrel(Http2Kestrel server) => _server = server;

    public int Port => _server.Port;

    public bool IsHttps => _server.IsHttps;

    public static async Task<H2Kestrel> StartAsync(HttpProtocols protocols, X509Certificate2? certificate = null, RequestDelegate? handler = null) =>
        new(await Http2Kestrel.StartAsync(handler ?? (context => context.Response.WriteAsync(context.Request.Protocol)), protocols, certificate));

    /// <summary>A URL on this server; over TLS the host is <c>h2.test</c> (give <see cref="Resolve"/> with it).</summary>
    public string Url(string path = "/") => IsHttps ? $"https://h2.test:{Port}{path}" : $"http://127.0.0.1:{Port}{path}";

    /// <summary>The --resolve entry for <see cref="Url"/>'s host.</summary>
    public string Resolve => $"h2.test:{Port}:127.0.0.1";

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
