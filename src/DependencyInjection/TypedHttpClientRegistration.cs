using System;
using System.Collections.Generic;

namespace TypedHttp;

/// <summary>What a named registration says besides <see cref="TypedHttpClientOptions"/>; kept as named options.</summary>
internal sealed class TypedHttpClientRegistration
{
    /// <summary>Applied, in order, to the options of the name's engine session when it is created.</summary>
    public List<Action<HttpSessionOptions>> SessionActions { get; } = new();

    /// <summary>Wrap the transport of each new client, in order (access tokens).</summary>
    public List<Func<IServiceProvider, HttpTransport, HttpTransport>> TransportWrappers { get; } = new();

    /// <summary>Whether clients run over the IHttpClientFactory client of the same name.</summary>
    public bool UseHttpClient { get; set; }

    /// <summary>Whether the HttpClient's primary handler follows redirects rather than the transport .</summary>
    public bool RedirectsByHandler { get; set; }

    /// <summary>The bound configuration section, read again for the HttpClient's primary handler.</summary>
    public Microsoft.Extensions.Configuration.IConfiguration? Configuration { get; set; }
}
