using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Extensions.Tests;

public interface IUsersApi
{
    [Get("/who")]
    Task<string> WhoAsync();
}

/// <summary>Kestrel on 127.0.0.1 that answers every request with its own name; over TLS with a certificate for <c>localhost</c>.</summary>
public sealed class NamedServer : LoopbackKestrelHost
{
    private NamedServer(WebApplication app, int port, bool https)
        : base(app, port, https)
    {
    }

    /// <summary>The endpoint as service discovery configuration writes it.</summary>
    public string Endpoint => IsHttps ? $"https://localhost:{Port}" : $"http://127.0.0.1:{Port}";

    public static async Task<NamedServer> StartAsync(string name, X509Certificate2? certificate = null)
    {
        WebApplication app = LoopbackKestrel.CreateBuilder(listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }).Build();
        app.Run(context => context.Response.WriteAsync(name));
        return new NamedServer(app, await LoopbackKestrel.StartAsync(app), certificate is not null);
    }
}

/// <summary>SD-1…SD-7: Microsoft.Extensions.ServiceDiscovery on the engine (and the HttpClient transport), against two Kestrel instances.</summary>
public sealed class ServiceDiscoveryTests : IAsyncLifetime
{
    private NamedServer _a = null!;
    private NamedServer _b = null!;

    public async Task InitializeAsync()
    {
        _a = await NamedServer.StartAsync("a");
        _b = await NamedServer.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private static ServiceProvider Build(IConfiguration configuration, string baseAddress, Action<TypedHttpClientBuilder>? more = null, bool discovery = true)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddServiceDiscovery();
        TypedHttpClientBuilder builder = services.AddTypedHttpClient<IUsersApi>(o => o.BaseAddress = new Uri(baseAddress));
        if (discovery)
        {
            builder.AddServiceDiscovery();
        }
        more?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    private static IConfigurationRoot Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static async Task<string[]> AskAsync(IUsersApi api, int times)
    {
        string[] answers = new string[times];
        for (int i = 0; i < times; i++)
        {
            answers[i] = await api.WhoAsync();
        }
        return answers;
    }

    [Fact]
    public async Task SD3_two_configured_endpoints_both_get_traffic_on_the_engine()
    {
        IConfigurationRoot configuration = Configuration(("Services:users:http:0", _a.Endpoint), ("Services:users:http:1", _b.Endpoint));
        await using ServiceProvider provider = Build(configuration, "http://users");
        string[] answers = await AskAsync(provider.GetRequiredService<IUsersApi>(), 4);
        Assert.Equal(new[] { "a", "b" }, answers.Distinct().Order());
    }

    [Fact]
    public async Task SD3_the_endpoints_are_taken_in_turn()
    {
        IConfigurationRoot configuration = Configuration(("Services:users:http:0", _a.Endpoint), ("Services:users:http:1", _b.Endpoint));
        await using ServiceProvider provider = Build(configuration, "http://users");
        string[] answers = await AskAsync(provider.GetRequiredService<IUsersApi>(), 4);
        Assert.All(answers.Zip(answers.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task SD3_two_configured_endpoints_both_get_traffic_on_the_HttpClient_transport()
    {
        IConfigurationRoot configuration = Configuration(("Services:users:http:0", _a.Endpoint), ("Services:users:http:1", _b.Endpoint));
        await using ServiceProvider provider = Build(configuration, "https+http://users", b => b.UseHttpClient());
        string[] answers = await AskAsync(provider.GetRequiredService<IUsersApi>(), 4);
        Assert.Equal(new[] { "a", "b" }, answers.Distinct().Order());
    }

    [Fact]
    public async Task SD4_https_plus_http_reaches_the_http_endpoint_when_no_https_one_is_configured()
    {
        IConfigurationRoot configuration = Configuration(("Services:users:http:0", _a.Endpoint));
        await using ServiceProvider provider = Build(configuration, "https+http://users");
        Assert.Equal("a", await provider.GetRequiredService<IUsersApi>().WhoAsync());
    }

    [Fact]
    public async Task SD4_https_plus_http_prefers_the_https_section_when_both_are_configured()
    {
        // The https section holds server b (plain HTTP, so the test needs no TLS): the section chosen is the https one.
        IConfigurationRoot configuration = Configuration(("Services:users:https:0", _b.Endpoint), ("Services:users:http:0", _a.Endpoint));
        await using ServiceProvider provider = Build(configuration, "https+http://users");
        Assert.Equal("b", await provider.GetRequiredService<IUsersApi>().WhoAsync());
    }

    [Fact]
    public async Task SD5_a_configuration_change_at_run_time_is_picked_up_without_a_restart()
    {
        IConfigurationRoot configuration = Configuration(("Services:users:http:0", _a.Endpoint));
        await using ServiceProvider provider = Build(configuration, "https+http://users");
        IUsersApi api = provider.GetRequiredService<IUsersApi>();
        string before = await api.WhoAsync();
        configuration["Services:users:http:0"] = _b.Endpoint;
        configuration.Reload();
        string after = before;
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (after == "a" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            after = await api.WhoAsync();
        }
        Assert.Equal(("a", "b"), (before, after));
    }

    [Fact]
    public async Task SD6_a_service_nothing_resolves_is_NameNotResolved_naming_the_service()
    {
        // Without the pass-through provider (which hands an unknown name to DNS), only configuration answers.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(("Services:users:http:0", _a.Endpoint)));
        services.AddServiceDiscoveryCore().AddConfigurationServiceEndpointProvider();
        services.AddTypedHttpClient<IUsersApi>(o => o.BaseAddress = new Uri("https+http://billing")).AddServiceDiscovery();
        await using ServiceProvider provider = services.BuildServiceProvider();
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => provider.GetRequiredService<IUsersApi>().WhoAsync());
        Assert.Equal(HttpError.NameNotResolved, e.Error);
        Assert.Contains("'https+http://billing'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SD7_a_discovery_scheme_without_AddServiceDiscovery_is_refused_naming_the_call_to_add()
    {
        await using ServiceProvider provider = Build(Configuration(("Services:users:http:0", _a.Endpoint)), "https+http://users", discovery: false);
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => provider.GetRequiredService<IUsersApi>().WhoAsync());
        Assert.Equal(HttpError.UnrecognizedScheme, e.Error);
        Assert.Contains(".AddServiceDiscovery() on the client's builder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SD2_TLS_checks_the_certificate_against_the_endpoints_host_not_the_service_name()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        await using NamedServer tls = await NamedServer.StartAsync("tls", TestCertificates.CreateServer(authority, "localhost"));
        RemoteCertificateValidationCallback trust = TestCertificates.TrustOnly(authority);
        await using ServiceProvider provider = Build(Configuration(("Services:users:https:0", tls.Endpoint)), "https+http://users",
            b => b.ConfigureSession(s => s.RemoteCertificateValidationCallback = trust));
        Assert.Equal("tls", await provider.GetRequiredService<IUsersApi>().WhoAsync());
    }

    [Fact]
    public void SD2_a_URI_endpoint_gives_the_request_its_scheme_host_port_and_path_before_the_callers()
    {
        Uri rewritten = ServiceDiscoveryTransport.Rewrite(new Uri("https+http://users/api/who?x=1"),
            new Microsoft.Extensions.ServiceDiscovery.UriEndPoint(new Uri("https://localhost:5001/base/")), "https+http://users");
        Assert.Equal("https://localhost:5001/base/api/who?x=1", rewritten.AbsoluteUri);
    }

    [Fact]
    public void SD2_an_IP_endpoint_takes_the_preferred_scheme_of_the_pair()
    {
        Uri rewritten = ServiceDiscoveryTransport.Rewrite(new Uri("https+http://users/who"),
            new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 8443), "https+http://users");
        Assert.Equal("https://[::1]:8443/who", rewritten.AbsoluteUri);
    }
}
