using System;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TypedHttp;

/// <summary>Builds clients: options of the name (copied), its transport, the transport wrappers, the container's logger factory.</summary>
internal sealed class TypedHttpClientFactoryCore
{
    private readonly IOptionsMonitor<TypedHttpClientOptions> _options;
    private readonly IOptionsMonitor<TypedHttpClientRegistration> _registrations;
    private readonly TypedHttpSessions _sessions;
    private readonly ILoggerFactory? _loggerFactory;

    public TypedHttpClientFactoryCore(IServiceProvider root, IOptionsMonitor<TypedHttpClientOptions> options, IOptionsMonitor<TypedHttpClientRegistration> registrations, TypedHttpSessions sessions)
    {
        Root = root;
        _options = options;
        _registrations = registrations;
        _sessions = sessions;
        _loggerFactory = root.GetService<ILoggerFactory>();
    }

    /// <summary>The root provider: a client resolved from it gets a fresh scope per call for scoped token providers.</summary>
    public IServiceProvider Root { get; }

    public TApi Create<TApi>(IServiceProvider services, string name)
        where TApi : class
    {
        TypedHttpClientOptions options = _options.Get(name).Clone();
        TypedHttpClientRegistration registration = _registrations.Get(name);
        options.LoggerFactory ??= _loggerFactory;
        HttpTransport transport;
        if (options.Transport is not null)
        {
            transport = options.Transport;
        }
        else if (registration.UseHttpClient)
        {
            HttpClient client = services.GetRequiredService<IHttpClientFactory>().CreateClient(name);
            options.BaseAddress ??= client.BaseAddress;
            // the engine's redirect settings of this name (ConfigureSession, BindConfiguration) on this transport too.
            HttpSessionOptions settings = _sessions.GetOptions(name);
            transport = registration.RedirectsByHandler
                ? new HttpClientTransport(client) { FollowRedirects = false }
                : new HttpClientTransport(client)
                {
                    RedirectPolicy = settings.RedirectPolicy,
                    MaxAutomaticRedirections = settings.MaxAutomaticRedirections,
                    RedirectTrustedHosts = [.. settings.RedirectTrustedHosts],
                };
        }
        else
        {
            transport = options.Session ?? _sessions.Get(name);
        }
        foreach (Func<IServiceProvider, HttpTransport, HttpTransport> wrap in registration.TransportWrappers)
        {
            transport = wrap(services, transport);
        }
        options.Transport = transport;
        return TypedHttpClient.Create<TApi>(options);
    }
}

/// <summary>The public factory, bound to the provider it was resolved from.</summary>
internal sealed class TypedHttpClientFactory : ITypedHttpClientFactory
{
    private readonly IServiceProvider _services;
    private readonly TypedHttpClientFactoryCore _core;

    public TypedHttpClientFactory(IServiceProvider services, TypedHttpClientFactoryCore core)
    {
        _services = services;
        _core = core;
    }

    public TApi CreateClient<TApi>(string name)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(name);
        return _core.Create<TApi>(_services, name);
    }
}
