using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TypedHttp.Extensions.Tests;

public sealed class ScopedTokenProvider : IAccessTokenProvider, IDisposable
{
    private static int s_next;

    public int Instance { get; } = Interlocked.Increment(ref s_next);

    public bool Disposed { get; private set; }

    public static List<ScopedTokenProvider> Created { get; } = new();

    public ScopedTokenProvider()
    {
        lock (Created)
        {
            Created.Add(this);
        }
    }

    public ValueTask<string?> GetAccessTokenAsync(TypedHttpRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>("token-" + Instance);

    public void Dispose() => Disposed = true;
}

public sealed class StampHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Add("X-Handler", "stamped");
        return base.SendAsync(request, cancellationToken);
    }
}

public sealed class DependencyInjectionTests
{
    private static void Json(TypedHttpClientOptions o) => o.JsonSerializerOptions = TestJsonContext.Default.Options;

    [Fact]
    public async Task Closed_construction_of_a_generic_interface_is_registered_and_sends()
    {
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IResourceApi<Reply, Guid>>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            Json(o);
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        Reply reply = await provider.GetRequiredService<IResourceApi<Reply, Guid>>().GetAsync(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));

        Assert.Equal(new Reply("reply", 42), reply);
        Assert.Equal("/items/0f8fad5b-d9cb-469f-a165-70867728950e", Assert.Single(server.Drain()).RawTarget);
    }

    [Fact]
    public async Task Construction_registered_with_a_lambda_that_reads_the_generated_json_context()
    {
        // TestJsonContext.Default comes from the System.Text.Json generator, which runs beside TypedHttp's: in
        // TypedHttp's view the lambda does not bind, and the construction must be found all the same.
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IResourceApi<Reply, long>>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = TestJsonContext.Default.Options;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        Reply reply = await provider.GetRequiredService<IResourceApi<Reply, long>>().GetAsync(12345678901);

        Assert.Equal(new Reply("reply", 42), reply);
        Assert.Equal("/items/12345678901", Assert.Single(server.Drain()).RawTarget);
    }

    [Fact]
    public async Task Clients_of_one_name_share_one_session_and_its_connections()
    {
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>(o => o.BaseAddress = server.BaseAddress);
        await using ServiceProvider provider = services.BuildServiceProvider();

        IParityApi first = provider.GetRequiredService<IParityApi>();
        IParityApi second = provider.GetRequiredService<IParityApi>();
        Assert.NotSame(first, second);
        string a = await first.ConnectionAsync();
        string b = await second.ConnectionAsync();
        Assert.Equal(a, b);
        Assert.Same(provider.GetRequiredService<TypedHttpSessions>().Get(typeof(IParityApi).FullName!), provider.GetRequiredService<TypedHttpSessions>().Get(typeof(IParityApi).FullName!));
    }

    [Fact]
    public async Task Named_clients_are_keyed_services_with_their_own_options_and_sessions()
    {
        await using TestServer one = await TestServer.StartAsync();
        await using TestServer two = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>("one", o => o.BaseAddress = one.BaseAddress);
        services.AddTypedHttpClient<IParityApi>("two", o => o.BaseAddress = two.BaseAddress);
        await using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IParityApi>("one").DeleteAsync(1);
        await provider.GetRequiredService<ITypedHttpClientFactory>().CreateClient<IParityApi>("two").DeleteAsync(2);

        Assert.Equal("/items/1", Assert.Single(one.Drain()).RawTarget);
        Assert.Equal("/items/2", Assert.Single(two.Drain()).RawTarget);
        Assert.Null(provider.GetService<IParityApi>());
        TypedHttpSessions sessions = provider.GetRequiredService<TypedHttpSessions>();
        Assert.NotSame(sessions.Get("one"), sessions.Get("two"));
    }

    [Fact]
    public async Task Options_and_session_are_bound_from_configuration_without_reflection()
    {
        await using TestServer server = await TestServer.StartAsync();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TypedHttp:Parity:BaseAddress"] = server.BaseAddress.ToString(),
            ["TypedHttp:Parity:Timeout"] = "00:00:07",
            ["TypedHttp:Parity:ConnectTimeout"] = "2.5",
            ["TypedHttp:Parity:ReceiveTimeout"] = "Infinite",
            ["TypedHttp:Parity:MaxConnectionsPerServer"] = "4",
            ["TypedHttp:Parity:UserAgent"] = "parity/1",
        }).Build();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>(Json).BindConfiguration(configuration.GetSection("TypedHttp:Parity"));
        await using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IParityApi>().GetAsync(1, null, null);

        Assert.Equal("parity/1", Assert.Single(server.Drain()).Header("User-Agent"));
        HttpSessionOptions session = provider.GetRequiredService<TypedHttpSessions>().Get(typeof(IParityApi).FullName!).Options;
        Assert.Equal(TimeSpan.FromSeconds(2.5), session.ConnectTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, session.ReceiveTimeout);
        Assert.Equal(4, session.MaxConnectionsPerServer);
        TypedHttpClientOptions options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TypedHttpClientOptions>>().Get(typeof(IParityApi).FullName);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
    }

    [Fact]
    public async Task A_bad_configuration_value_names_its_path()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apis:Parity:BaseAddress"] = "http://127.0.0.1:1",
            ["Apis:Parity:ConnectTimeout"] = "soon",
        }).Build();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>().BindConfiguration(configuration.GetSection("Apis:Parity"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IParityApi>());
        Assert.Equal("The configuration value 'Apis:Parity:ConnectTimeout' = 'soon' is not a positive TimeSpan (00:00:05), a number of seconds or Infinite.", e.Message);
    }

    [Fact]
    public async Task Redirect_keys_apply_to_the_engine_session_and_to_HttpClient()
    {
        await using TestServer server = await TestServer.StartAsync();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apis:P:BaseAddress"] = server.BaseAddress.ToString(),
            ["Apis:P:RedirectPolicy"] = "Never",
        }).Build();
        var engine = new ServiceCollection();
        engine.AddTypedHttpClient<IParityApi>(Json).BindConfiguration(configuration.GetSection("Apis:P"));
        await using (ServiceProvider provider = engine.BuildServiceProvider())
        {
            // RedirectPolicy Never on the engine session: the 307 comes back instead of being followed.
            ApiException e = await Assert.ThrowsAsync<ApiException>(() => provider.GetRequiredService<IParityApi>().RedirectedPostAsync(new Reply("x", 1)));
            Assert.Equal(307, e.NumericStatusCode);
            HttpSessionOptions session = provider.GetRequiredService<TypedHttpSessions>().Get(typeof(IParityApi).FullName!).Options;
            Assert.Equal(RedirectPolicy.Never, session.RedirectPolicy);
        }

        var overHttpClient = new ServiceCollection();
        overHttpClient.AddTypedHttpClient<IParityApi>(Json).BindConfiguration(configuration.GetSection("Apis:P")).UseHttpClient();
        await using (ServiceProvider provider = overHttpClient.BuildServiceProvider())
        {
            // RedirectPolicy Never: HttpClient returns the 307 instead of following it.
            ApiException e = await Assert.ThrowsAsync<ApiException>(() => provider.GetRequiredService<IParityApi>().RedirectedPostAsync(new Reply("x", 1)));
            Assert.Equal(307, e.NumericStatusCode);
        }
    }

    [Fact]
    public async Task A_scoped_token_provider_comes_from_the_clients_scope_or_a_scope_per_call()
    {
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddScoped<ScopedTokenProvider>();
        services.AddTypedHttpClient<IParityApi>(o => o.BaseAddress = server.BaseAddress).AddAccessTokenProvider<ScopedTokenProvider>();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        ScopedTokenProvider inScope;
        await using (AsyncServiceScope scope = provider.CreateAsyncScope())
        {
            inScope = scope.ServiceProvider.GetRequiredService<ScopedTokenProvider>();
            IParityApi api = scope.ServiceProvider.GetRequiredService<IParityApi>();
            await api.DeleteAsync(1);
            await api.DeleteAsync(2);
        }
        SeenRequest[] seen = server.Drain();
        Assert.All(seen, s => Assert.Equal("Bearer token-" + inScope.Instance, s.Header("Authorization")));
        Assert.True(inScope.Disposed);

        // Held by a singleton (resolved from the root): each call gets its own scope, disposed after it.
        IParityApi rooted = provider.GetRequiredService<IParityApi>();
        await rooted.DeleteAsync(3);
        await rooted.DeleteAsync(4);
        string?[] tokens = server.Drain().Select(s => s.Header("Authorization")).ToArray();
        Assert.Equal(2, tokens.Distinct().Count());
        ScopedTokenProvider[] perCall;
        lock (ScopedTokenProvider.Created)
        {
            perCall = ScopedTokenProvider.Created.Where(p => tokens.Contains("Bearer token-" + p.Instance)).ToArray();
        }
        Assert.Equal(2, perCall.Length);
        Assert.All(perCall, p => Assert.True(p.Disposed));
    }

    [Fact]
    public async Task UseHttpClient_runs_through_the_named_clients_handlers_with_the_containers_logger()
    {
        await using TestServer server = await TestServer.StartAsync();
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddTransient<StampHandler>();
        services.AddTypedHttpClient<IParityApi>(Json)
            .UseHttpClient(http => http.ConfigureHttpClient(c => c.BaseAddress = server.BaseAddress).AddHttpMessageHandler<StampHandler>());
        await using ServiceProvider provider = services.BuildServiceProvider();

        Reply reply = await provider.GetRequiredService<IParityApi>().GetAsync(1, null, null);

        Assert.Equal(42, reply.Value);
        Assert.Equal("stamped", Assert.Single(server.Drain()).Header("X-Handler"));
        Assert.Contains(logs.Entries, e => e.Category == "TypedHttp." + typeof(IParityApi).FullName && e.Message.StartsWith("GET http://127.0.0.1:", StringComparison.Ordinal));
    }
}
