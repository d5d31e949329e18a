using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// Supplies the access token of one request, for example from a token cache or the current user's session.
/// Registered with <see cref="TypedHttpClientBuilder.AddAccessTokenProvider{TProvider}(string)"/>; it may be a
/// scoped service.
/// </summary>
public interface IAccessTokenProvider
{
    /// <summary>The token to send as <c>Authorization: {scheme} {token}</c>, or null to send none.</summary>
    /// <param name="request">The request about to be sent (its method and URI; its headers may be read).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<string?> GetAccessTokenAsync(TypedHttpRequest request, CancellationToken cancellationToken);
}
