using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.ServiceDiscovery;

namespace TypedHttp;

/// <summary>
/// Microsoft.Extensions.ServiceDiscovery for TypedHttp clients (SD-1…SD-6), on the engine and on the HttpClient
/// transport alike.
/// </summary>
public static class TypedHttpServiceDiscoveryExtensions
{
    /// <summary>
    /// Resolves this registration's requests through <see cref="ServiceEndpointResolver"/> (SD-1): with
    /// <c>BaseAddress = new Uri("https+http://users")</c> each request goes to one of the endpoints the providers
    /// registered by <c>services.AddServiceDiscovery()</c> find for <c>users</c> (configuration
    /// <c>Services:users:https</c>, DNS SRV when added, any provider of your own), https ones first and http ones when
    /// none is https (SD-4), several taken in turn (SD-3), changes picked up without a restart (SD-5). The request's
    /// URI is rewritten to the endpoint, so the engine connects, pools and does TLS for the endpoint's host (SD-2). A
    /// name nothing resolves is <see cref="HttpError.NameNotResolved"/> naming the service (SD-6). Adds the resolver
    /// itself (<c>AddServiceDiscoveryCore</c>) if <c>services.AddServiceDiscovery()</c> was not called, but no provider.
    /// </summary>
    /// <param name="builder">The registration.</param>
    /// <returns>The builder.</returns>
    public static TypedHttpClientBuilder AddServiceDiscovery(this TypedHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(ServiceDiscoveryRegistration) && descriptor.ImplementationInstance is ServiceDiscoveryRegistration existing && existing.Client == builder.Name)
            {
                return builder; // once per registration: a second call would resolve an already resolved URI again
            }
        }
        builder.Services.AddSingleton(new ServiceDiscoveryRegistration(builder.Name));
        builder.Services.AddServiceDiscoveryCore();
        builder.Services.TryAddSingleton(static _ => new ServiceEndpointRotation());
        return builder.WrapTransport(static (services, inner) =>
            new ServiceDiscoveryTransport(inner, services.GetRequiredService<ServiceEndpointResolver>(), services.GetRequiredService<ServiceEndpointRotation>()));
    }

    /// <summary>Marks a registration that has service discovery.</summary>
    private sealed record ServiceDiscoveryRegistration(string Client);
}
