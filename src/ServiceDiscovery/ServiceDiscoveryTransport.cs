using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.ServiceDiscovery;

namespace TypedHttp;

/// <summary>
/// Resolves each request's origin through <see cref="ServiceEndpointResolver"/> (SD-1): the logical name
/// (<c>https+http://users</c>) becomes one of the endpoints the providers found, taken in turn (SD-3), and the request
/// goes to the inner transport with its URI rewritten to that endpoint, so connecting, pooling, TLS (SNI and the
/// certificate name are the endpoint's host, SD-2) and the trace are the inner transport's. The caller's URI is put
/// back after the send, so a retry outside resolves again.
/// </summary>
internal sealed class ServiceDiscoveryTransport(HttpTransport inner, ServiceEndpointResolver resolver, ServiceEndpointRotation rotation) : HttpTransport
{
    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri original = request.Uri;
        request.Uri = await ResolveAsync(original, cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Uri = original;
        }
    }

    public override async Task<WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri original = request.Uri;
        request.Uri = await ResolveAsync(original, cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.OpenWebSocketAsync(request, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Uri = original;
        }
    }

    private async ValueTask<Uri> ResolveAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (!uri.IsAbsoluteUri || uri.Host.Length == 0)
        {
            return uri;
        }
        // The resolver's key is the scheme and authority: "https+http://users" asks for the https endpoints of
        // "users", or its http ones when none is https (SD-4); the watcher behind it follows the providers' change
        // tokens, so the endpoints it returns are the current ones (SD-5).
        string service = uri.GetLeftPart(UriPartial.Authority);
        ServiceEndpointSource source;
        try
        {
            source = await resolver.GetEndpointsAsync(service, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new TypedHttpException(HttpError.NameNotResolved, HttpPhase.Resolve,
                $"Service discovery could not resolve the service '{service}': {e.Message}", e);
        }
        IReadOnlyList<ServiceEndpoint> endpoints = source.Endpoints;
        if (endpoints.Count == 0)
        {
            throw new TypedHttpException(HttpError.NameNotResolved, HttpPhase.Resolve,
                $"Service discovery found no endpoint for the service '{service}' (SD-6): configure Services:{uri.Host}:{FirstScheme(uri.Scheme)} "
                + "(or another of its schemes), a DNS SRV record, or a provider of your own with services.AddServiceDiscovery().");
        }
        ServiceEndpoint chosen = endpoints.Count == 1 ? endpoints[0] : endpoints[rotation.Next(service, endpoints.Count)];
        return Rewrite(uri, chosen.EndPoint, service);
    }

    /// <summary>The request URI with the chosen endpoint's scheme, host and port (and the path of a URI endpoint before its own).</summary>
    internal static Uri Rewrite(Uri uri, EndPoint endpoint, string service)
    {
        string scheme;
        string host;
        int port;
        string prefix = "";
        switch (endpoint)
        {
            case UriEndPoint { Uri: { } target }:
                scheme = target.Scheme;
                host = target.Host;
                port = target.IsDefaultPort ? -1 : target.Port;
                if (target.AbsolutePath.Length > 1)
                {
                    prefix = target.AbsolutePath.TrimEnd('/');
                }
                break;
            case IPEndPoint ip:
                scheme = FirstScheme(uri.Scheme);
                host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip.Address.ToString() + "]" : ip.Address.ToString();
                port = ip.Port > 0 ? ip.Port : OwnPort(uri);
                break;
            case DnsEndPoint dns:
                scheme = FirstScheme(uri.Scheme);
                host = dns.Host;
                port = dns.Port > 0 ? dns.Port : OwnPort(uri);
                break;
            default:
                throw new TypedHttpException(HttpError.NameNotResolved, HttpPhase.Resolve,
                    $"Service discovery resolved the service '{service}' to a {endpoint.GetType().Name} ({endpoint}); only URI, IP and DNS endpoints can be sent to.");
        }
        string authority = port > 0 ? host + ":" + port.ToString(CultureInfo.InvariantCulture) : host;
        return new Uri(scheme + "://" + authority + prefix + uri.PathAndQuery, UriKind.Absolute);
    }

    /// <summary>The preferred scheme of a <c>https+http</c> pair (the first), or the scheme itself.</summary>
    private static string FirstScheme(string scheme)
    {
        int plus = scheme.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? scheme[..plus] : scheme;
    }

    /// <summary>A port written in the logical URI, or none (the chosen scheme's default).</summary>
    private static int OwnPort(Uri uri) => uri.Port > 0 && !uri.IsDefaultPort ? uri.Port : -1;
}

/// <summary>
/// Takes several endpoints of one service in turn (SD-3), as the round-robin selector of Microsoft's HttpClient
/// integration does: one counter per service, shared by every client of the container.
/// </summary>
internal sealed class ServiceEndpointRotation
{
    private readonly ConcurrentDictionary<string, Counter> _next = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The index of the endpoint to use now among <paramref name="count"/>.</summary>
    public int Next(string service, int count)
    {
        Counter box = _next.GetOrAdd(service, static _ => new Counter());
        uint n = unchecked(Interlocked.Increment(ref box.Value) - 1);
        return (int)(n % (uint)count);
    }

    private sealed class Counter
    {
        public uint Value;
    }
}
