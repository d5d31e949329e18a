using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// an HTTP/1.1 connection as the follow-up stage's <see cref="ConnectionAffinity"/> sees it: held on a 401
/// (<see cref="Hold"/>), kept for the next leg of an NTLM/Negotiate handshake, and the leg sent on it.
/// </summary>
internal sealed partial class HttpConnection : IBindableConnection
{
    bool IBindableConnection.TryKeep() => TakeHeld() is not null;

    void IBindableConnection.LetGo() => Unhold();

    void IBindableConnection.Release() => Release();

    /// <summary>
    /// Sends the next handshake leg on this connection, which the previous leg's 401 came on. Null when the connection
    /// turned out closed before any byte of a response (the server dropped it between legs); it is then closed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<TypedHttpResponse?> IBindableConnection.SendNextLegAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        IsReused = true;
        CarriedConnectionAuth = true; // C-8: a connection-bound handshake's leg; this connection stays with its session
        if (!IsUsableWhenIdle(Environment.TickCount64, Timeout.InfiniteTimeSpan))
        {
            if (HttpTrace.IsEnabled(_options))
            {
                HttpTrace.Emit(_options, HttpTraceEventKind.Authenticating, Id, "The server closed the authentication handshake's connection between legs");
            }
            Abort();
            return null;
        }
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.ConnectionReused, Id, "Sending the next authentication leg on the same connection (A-4)");
        }
        try
        {
            return await SendAsync(request, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (TypedHttpException e) when (!ReceivedResponseBytes && HttpSession.IsStaleConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return null; // SendAsync closed the connection
        }
    }
}
