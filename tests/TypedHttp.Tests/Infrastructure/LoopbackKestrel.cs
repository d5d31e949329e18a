using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// How every Kestrel-backed test server starts Kestrel: an empty host (no configuration files, no logging) with one
/// endpoint on 127.0.0.1 and an ephemeral port; after the start, the port Kestrel bound. Used by
/// <see cref="KestrelServer"/>, the HTTP/2 and WebSocket Kestrel servers, the HTTP/2 load run and the extension
/// tests' server (linked there).
/// </summary>
internal static class LoopbackKestrel
{
    /// <summary>A builder with Kestrel listening on 127.0.0.1:0.</summary>
    /// <param name="listen">Configures the endpoint (protocols, TLS); none for plain HTTP/1.1 and HTTP/2 defaults.</param>
    /// <param name="kestrel">Configures Kestrel itself (limits, Server header) before the endpoint is added.</param>
    public static WebApplicationBuilder CreateBuilder(Action<ListenOptions>? listen = null, Action<KestrelServerOptions>? kestrel = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            kestrel?.Invoke(options);
            options.Listen(IPAddress.Loopback, 0, endpoint => listen?.Invoke(endpoint));
        });
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and returns the port it listens on.</summary>
    /// <param name="app">An application built from <see cref="CreateBuilder"/>.</param>
    public static async Task<int> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return PortOf(app);
    }

    /// <summary>The port a started <paramref name="app"/> listens on (its first address).</summary>
    /// <param name="app">The started application.</param>
    public static int PortOf(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
}

/// <summary>
/// What every Kestrel-backed test server holds: the running application, its port and whether it speaks TLS; disposing
/// stops and releases the application.
/// </summary>
public abstract class LoopbackKestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <summary>Wraps a started application.</summary>
    /// <param name="app">The application, started with <see cref="LoopbackKestrel.StartAsync"/>.</param>
    /// <param name="port">The port it listens on.</param>
    /// <param name="https">Whether it speaks TLS.</param>
    protected LoopbackKestrelHost(WebApplication app, int port, bool https)
    {
        _app = app;
        Port = port;
        IsHttps = https;
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>Whether the server speaks TLS.</summary>
    public bool IsHttps { get; }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
