using System;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TypedHttp;

/// <summary>Configures one registration made with <c>AddTypedHttpClient</c>.</summary>
public sealed class TypedHttpClientBuilder
{
    internal TypedHttpClientBuilder(IServiceCollection services, string name)
    {
        Services = services;
        Name = name;
    }

    /// <summary>The registration's name: the name of its options, of its engine session and of its HttpClient.</summary>
    public string Name { get; }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Configures the client options of this registration, with access to services.</summary>
    /// <param name="configure">Sets options.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder ConfigureOptions(Action<IServiceProvider, TypedHttpClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddOptions<TypedHttpClientOptions>(Name).Configure<IServiceProvider>((options, services) => configure(services, options));
        return this;
    }

    /// <summary>
    /// Configures the engine session this registration's clients share. It is created once, on first use, and its
    /// options are frozen then.
    /// </summary>
    /// <param name="configure">Sets session options.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder ConfigureSession(Action<HttpSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<TypedHttpClientRegistration>(Name, r => r.SessionActions.Add(configure));
        return this;
    }

    /// <summary>
    /// Binds the client and its session from a configuration section, without reflection: <c>BaseAddress</c>,
    /// <c>Timeout</c>, the session's timeouts (<c>ConnectTimeout</c>, <c>SendTimeout</c>, <c>ReceiveTimeout</c>,
    /// <c>ReceiveResponseTimeout</c>, <c>ResolveTimeout</c>, <c>ExpectContinueTimeout</c>,
    /// <c>PooledConnectionIdleTimeout</c>), <c>UserAgent</c>, <c>MaxConnectionsPerServer</c>,
    /// <c>MaxResponseHeadersLength</c>, <c>RedirectPolicy</c>, <c>MaxRedirects</c>, <c>Proxy</c> and
    /// <c>ProxyBypassList</c> (on the engine session, or on the primary handler with <see cref="UseHttpClient()"/>).
    /// Values that do not parse fail when the first
    /// client is created, naming the configuration path.
    /// </summary>
    /// <param name="section">The section, for example <c>configuration.GetSection("TypedHttp:Users")</c>.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder BindConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Services.Configure<TypedHttpClientOptions>(Name, options => TypedHttpConfiguration.BindClient(section, options));
        Services.Configure<TypedHttpClientRegistration>(Name, r =>
        {
            r.SessionActions.Add(options => TypedHttpConfiguration.BindSession(section, options));
            r.Configuration = section;
        });
        return this;
    }

    /// <summary>
    /// Sends <c>Authorization: {scheme} {token}</c> with the token of <typeparamref name="TProvider"/>, asked before
    /// every request. The provider is resolved from the provider that resolved the client, so a client taken from
    /// a request scope uses that scope's provider; a client resolved from the root provider (held by a singleton)
    /// gets a new scope for each call, disposed after it. Scoped providers therefore never outlive their scope,
    /// and the shared session or HttpClient handlers never hold one. <typeparamref name="TProvider"/> is registered
    /// as transient unless it already is registered.
    /// </summary>
    /// <typeparam name="TProvider">The token provider.</typeparam>
    /// <param name="scheme">The authorization scheme; <c>Bearer</c> by default.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder AddAccessTokenProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(string scheme = "Bearer")
        where TProvider : class, IAccessTokenProvider
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        Services.TryAddTransient<TProvider>();
        Services.Configure<TypedHttpClientRegistration>(Name, r => r.TransportWrappers.Add((services, inner) =>
            new AccessTokenTransport<TProvider>(inner, services, services.GetRequiredService<TypedHttpClientFactoryCore>().Root, scheme)));
        return this;
    }

    /// <summary>
    /// Wraps the transport of each client of this registration (the engine session, or the HttpClient transport with
    /// <see cref="UseHttpClient()"/>) in one of your own, for cross-cutting work around every send; wrappers run
    /// outside the ones added before them. TypedHttp.Resilience and TypedHttp.ServiceDiscovery plug in this way.
    /// </summary>
    /// <param name="wrap">Given the provider that resolved the client and the inner transport, returns the wrapper.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder WrapTransport(Func<IServiceProvider, HttpTransport, HttpTransport> wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        Services.Configure<TypedHttpClientRegistration>(Name, r => r.TransportWrappers.Add(wrap));
        return this;
    }

    /// <summary>
    /// Runs this registration's clients over the <see cref="IHttpClientFactory"/> client of the same name instead of
    /// the engine, so delegating handlers, resilience pipelines and HTTP/2 apply. The returned builder adds them.
    /// The default primary handler is told not to write trace context itself (TypedHttp writes its own span's). The
    /// factory's default logging handlers are removed from the named client (D-4: they log raw credential and cookie
    /// values in their Trace events' state); TypedHttp's own request log, redacted, covers these requests. A logger
    /// added later with <c>AddLogger</c> on the returned builder is kept.
    /// </summary>
    /// <returns>The HttpClient builder of the named client.</returns>
    public IHttpClientBuilder UseHttpClient()
    {
        Services.Configure<TypedHttpClientRegistration>(Name, r => r.UseHttpClient = true);
        IHttpClientBuilder http = Services.AddHttpClient(Name);
        // D-4: the factory's default logging handlers put raw Authorization, Cookie and Set-Cookie values into the
        // structured state of their Trace events; TypedHttp's own request log covers these requests, redacted.
        http.RemoveAllLoggers();
        http.ConfigurePrimaryHttpMessageHandler((handler, services) =>
        {
            TypedHttpClientRegistration registration = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TypedHttpClientRegistration>>().Get(Name);
            ConfigurePrimaryHandler(handler, registration.Configuration, registration.RedirectsByHandler);
        });
        // runs after every other builder action, so it sees the primary handler the client will really have.
        string name = Name;
        Services.PostConfigure<Microsoft.Extensions.Http.HttpClientFactoryOptions>(Name, o => o.HttpMessageHandlerBuilderActions.Add(b =>
        {
            TypedHttpClientRegistration registration = b.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TypedHttpClientRegistration>>().Get(name);
            if (!registration.RedirectsByHandler && FollowsRedirects(b.PrimaryHandler))
            {
                throw new InvalidOperationException(
                    $"The primary handler of the HttpClient '{name}' ({b.PrimaryHandler.GetType().Name}) follows redirects itself (AllowAutoRedirect is true), but TypedHttp follows them on this transport with the engine's redirect policy (R-15). "
                    + "Set AllowAutoRedirect = false on that handler, or call LeaveRedirectsToHandler() on the TypedHttp client builder to keep the handler's redirect rules (R-16).");
            }
        }));
        return http;
    }

    /// <summary>
    /// Leaves redirects to the <see cref="HttpClient"/>'s primary handler on the HttpClient transport, instead of
    /// the engine's redirect stage that runs there by default. Then a method's <c>[RedirectPolicy]</c>, the
    /// engine's credential stripping on another origin and <c>RedirectTrustedHosts</c> do not apply; the handler's
    /// <c>AllowAutoRedirect</c> and <c>MaxAutomaticRedirections</c> (set from configuration's <c>RedirectPolicy</c> and
    /// <c>MaxRedirects</c> when bound) do. Meant for a primary handler of your own that must follow redirects itself.
    /// </summary>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder LeaveRedirectsToHandler()
    {
        Services.Configure<TypedHttpClientRegistration>(Name, r => r.RedirectsByHandler = true);
        return this;
    }

    private static bool FollowsRedirects(HttpMessageHandler handler) => handler switch
    {
        SocketsHttpHandler s => s.AllowAutoRedirect,
        HttpClientHandler h => h.AllowAutoRedirect,
        _ => false,
    };

    /// <summary>Runs this registration's clients over an <see cref="IHttpClientFactory"/> client; see <see cref="UseHttpClient()"/>.</summary>
    /// <param name="configure">Adds handlers to the named HttpClient.</param>
    /// <returns>This builder.</returns>
    public TypedHttpClientBuilder UseHttpClient(Action<IHttpClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(UseHttpClient());
        return this;
    }

    /// <summary>The WinHTTP-style bypass list (<c>*.corp;10.*</c>) as the regular expressions WebProxy takes.</summary>
    private static string[]? BypassPatterns(string? bypass)
    {
        if (string.IsNullOrWhiteSpace(bypass))
        {
            return null;
        }
        string[] entries = bypass.Split([';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = "^" + System.Text.RegularExpressions.Regex.Escape(entries[i]).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
        }
        return entries;
    }

    private static void ConfigurePrimaryHandler(HttpMessageHandler handler, IConfiguration? configuration, bool redirectsByHandler)
    {
        if (handler is SocketsHttpHandler sockets)
        {
            // TypedHttp writes traceparent for its own span; the handler's diagnostics must not write another.
            sockets.ActivityHeadersPropagator = null;
        }
        if (!redirectsByHandler)
        {
            // the transport follows redirects with the engine's rules, one hop per send.
            switch (handler)
            {
                case SocketsHttpHandler s:
                    s.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler h:
                    h.AllowAutoRedirect = false;
                    break;
            }
        }
        if (configuration is null)
        {
            return;
        }
        // The redirect keys reach the handler only when it follows redirects; otherwise the transport reads them.
        RedirectPolicy? redirect = redirectsByHandler ? TypedHttpConfiguration.ReadRedirect(configuration) : null;
        int? maxRedirects = redirectsByHandler ? TypedHttpConfiguration.ReadInt(configuration, "MaxRedirects") : null;
        Uri? proxy = TypedHttpConfiguration.ReadProxy(configuration);
        string? bypass = configuration["ProxyBypassList"];
        IWebProxy? webProxy = proxy is null ? null : new WebProxy(proxy, false, BypassPatterns(bypass));
        switch (handler)
        {
            case SocketsHttpHandler s:
                if (redirect is not null)
                {
                    s.AllowAutoRedirect = redirect != RedirectPolicy.Never;
                }

                if (maxRedirects is not null)
                {
                    s.MaxAutomaticRedirections = maxRedirects.Value;
                }

                if (webProxy is not null) { s.Proxy = webProxy; s.UseProxy = true; }
                break;
            case HttpClientHandler h:
                if (redirect is not null)
                {
                    h.AllowAutoRedirect = redirect != RedirectPolicy.Never;
                }

                if (maxRedirects is not null)
                {
                    h.MaxAutomaticRedirections = maxRedirects.Value;
                }

                if (webProxy is not null) { h.Proxy = webProxy; h.UseProxy = true; }
                break;
        }
    }
}
