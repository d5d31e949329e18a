using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Extensions.Tests;

/// <summary>A configuration section sets the engine session's HTTP version and policy (H2-1).</summary>
public sealed class Http2ConfigurationTests
{
    private static HttpSessionOptions Bind(string version, string policy)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TypedHttp:Users:BaseAddress"] = "http://127.0.0.1:1",
            ["TypedHttp:Users:HttpVersion"] = version,
            ["TypedHttp:Users:HttpVersionPolicy"] = policy,
        }).Build();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>().BindConfiguration(configuration.GetSection("TypedHttp:Users"));
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IParityApi>();
        return provider.GetRequiredService<TypedHttpSessions>().Get(typeof(IParityApi).FullName!).Options;
    }

    [Fact]
    public void H2_1_HttpVersion_and_HttpVersionPolicy_reach_the_session()
    {
        HttpSessionOptions session = Bind("1.1", "RequestVersionExact");

        Assert.Equal((HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact), (session.DefaultRequestVersion, session.DefaultVersionPolicy));
    }

    [Fact]
    public void H2_1_a_bad_HttpVersion_names_its_path()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Bind("1.2", "RequestVersionOrLower"));

        Assert.Equal("The configuration value 'TypedHttp:Users:HttpVersion' = '1.2' is not 1.0, 1.1, 2.0 or 3.0.", e.Message);
    }
}
