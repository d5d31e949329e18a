using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp;

/// <summary>
/// Sets <c>Authorization</c> from an <see cref="IAccessTokenProvider"/> before each send. The provider comes from
/// the service provider that resolved the client (a request scope, say), or, for a client resolved from the root
/// provider, from a scope created for the call and disposed after it, so a scoped provider never lives on in a
/// singleton. The engine session and the HttpClient handlers below are shared and never see the provider.
/// </summary>
internal sealed class AccessTokenTransport<TProvider> : HttpTransport
    where TProvider : class, IAccessTokenProvider
{
    private readonly HttpTransport _inner;
    private readonly IServiceProvider? _services;
    private readonly IServiceScopeFactory _scopes;
    private readonly string _scheme;

    public AccessTokenTransport(HttpTransport inner, IServiceProvider services, IServiceProvider root, string scheme)
    {
        _inner = inner;
        _services = ReferenceEquals(services, root) ? null : services;
        _scopes = root.GetRequiredService<IServiceScopeFactory>();
        _scheme = scheme;
    }

    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        await SetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        return await _inner.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A WebSocket handshake gets the token as a request does (WS-12).</summary>
    public override async Task<System.Net.WebSockets.WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        await SetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        return await _inner.OpenWebSocketAsync(request, options, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SetTokenAsync(TypedHttpRequest request, CancellationToken cancellationToken)
    {
        string? token;
        if (_services is not null)
        {
            token = await _services.GetRequiredService<TProvider>().GetAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            AsyncServiceScope scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                token = await scope.ServiceProvider.GetRequiredService<TProvider>().GetAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
            }
        }
        if (token is not null)
        {
            request.Headers.Set("Authorization", string.Concat(_scheme, " ", token));
        }
    }
}
