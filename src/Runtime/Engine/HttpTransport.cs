using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Sends requests and returns responses. <see cref="HttpSession"/> is the engine's transport; generated clients
/// run on any transport.
/// </summary>
public abstract class HttpTransport
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns the response once its headers have arrived. The caller
    /// reads <see cref="TypedHttpResponse.Body"/> and disposes the response.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <exception cref="TypedHttpException">The exchange failed before a complete response head arrived.</exception>
    public abstract ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default);
}
