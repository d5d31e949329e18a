using System;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TypedHttp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TypedHttp clients.</summary>
public static class TypedHttpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the generated client of <typeparamref name="TApi"/> as a transient service. Its registration name
    /// is the interface's full name; every client of the name shares one engine session (or, with
    /// <see cref="TypedHttpClientBuilder.UseHttpClient()"/>, the named HttpClient's handler pipeline).
    /// </summary>
    /// <typeparam name="TApi">The client interface.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the client's options, or null.</param>
    /// <returns>A builder for the registration.</returns>
    public static TypedHttpClientBuilder AddTypedHttpClient<TApi>(this IServiceCollection services, Action<TypedHttpClientOptions>? configure = null)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(services);
        string name = typeof(TApi).FullName ?? typeof(TApi).Name;
        TypedHttpClientBuilder builder = AddCore(services, name, configure);
        services.TryAddTransient<TApi>(static provider => provider.GetRequiredService<TypedHttpClientFactoryCore>().Create<TApi>(provider, DefaultName<TApi>.Value));
        return builder;
    }

    /// <summary>
    /// Registers a named client of <typeparamref name="TApi"/>: a keyed transient service whose key is
    /// <paramref name="name"/> (<c>[FromKeyedServices("name")]</c>), also created by
    /// <see cref="ITypedHttpClientFactory.CreateClient{TApi}(string)"/>. Each name has its own options, session and
    /// HttpClient.
    /// </summary>
    /// <typeparam name="TApi">The client interface.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The registration's name and service key.</param>
    /// <param name="configure">Sets the client's options, or null.</param>
    /// <returns>A builder for the registration.</returns>
    public static TypedHttpClientBuilder AddTypedHttpClient<TApi>(this IServiceCollection services, string name, Action<TypedHttpClientOptions>? configure = null)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        TypedHttpClientBuilder builder = AddCore(services, name, configure);
        services.TryAddKeyedTransient<TApi>(name, static (provider, key) => provider.GetRequiredService<TypedHttpClientFactoryCore>().Create<TApi>(provider, (string)key!));
        return builder;
    }

    private static TypedHttpClientBuilder AddCore(IServiceCollection services, string name, Action<TypedHttpClientOptions>? configure)
    {
        services.AddOptions();
        services.TryAddSingleton<TypedHttpSessions>();
        services.TryAddSingleton<TypedHttpClientFactoryCore>();
        services.TryAddTransient<ITypedHttpClientFactory, TypedHttpClientFactory>();
        if (configure is not null)
        {
            services.Configure(name, configure);
        }
        else
        {
            services.AddOptions<TypedHttpClientOptions>(name);
        }
        return new TypedHttpClientBuilder(services, name);
    }

    private static class DefaultName<TApi>
    {
        public static readonly string Value = typeof(TApi).FullName ?? typeof(TApi).Name;
    }
}
