using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// the connection an NTLM or Negotiate handshake is bound to, owned by the follow-up stage for one request.
/// Those schemes authenticate a connection, not a request, so every leg after the first 401 must go on the
/// connection that 401 came on, never through the pool. Only HTTP/1.1 produces such a binding (a request that may
/// start or continue a handshake sets <see cref="RequestPlan.MayBindConnection"/>, and the HTTP/1.1 codec then keeps
/// a 401's connection out of the pool); on HTTP/2, which multiplexes a connection, the stage instead sends the
/// handshake over HTTP/1.1 (H2-15).
/// </summary>
/// <remarks>
/// Two steps: a 401's connection is <em>held</em> while its response is read (<see cref="Adopt"/>), then, once the
/// response was drained, either <em>bound</em> for the next leg (<see cref="Bind"/>) or let go to the pool
/// (<see cref="LetGo"/>). <see cref="Dispose"/> releases whatever is left when the request ends.
/// </remarks>
internal sealed class ConnectionAffinity
{
    private IBindableConnection? _held;
    private IBindableConnection? _bound;

    /// <summary>Whether a connection is bound for the next leg (<see cref="SendNextLegAsync"/> then sends on it).</summary>
    public bool IsBound => _bound is not null;

    /// <summary>Takes the response's connection handle, if its codec held one for this request (a 401 on HTTP/1.1).</summary>
    public void Adopt(TypedHttpResponse response)
    {
        _held = response.Affinity;
        response.Affinity = null;
    }

    /// <summary>The held connection is not needed for a next leg: it goes back to the pool (once its response ends).</summary>
    public void LetGo()
    {
        IBindableConnection? held = _held;
        _held = null;
        held?.LetGo();
    }

    /// <summary>
    /// After the held response was drained: binds its connection for the next leg. False when there was none or the
    /// server closed it (the hold is then dropped).
    /// </summary>
    public bool Bind()
    {
        IBindableConnection? held = _held;
        _held = null;
        if (held is not null && held.TryKeep())
        {
            _bound = held;
            return true;
        }
        return false;
    }

    /// <summary>
    /// Sends the next leg on the bound connection (which is then no longer bound). Null when that connection turned
    /// out closed before any byte of a response (the server dropped it between legs).
    /// </summary>
    public ValueTask<TypedHttpResponse?> SendNextLegAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        IBindableConnection bound = _bound!;
        _bound = null;
        return bound.SendNextLegAsync(request, plan, cancellationToken);
    }

    /// <summary>The request is over: a held connection goes back to the pool, a bound one whose leg was never sent too.</summary>
    public void Dispose()
    {
        LetGo();
        IBindableConnection? bound = _bound;
        _bound = null;
        bound?.Release();
    }
}

/// <summary>
/// A connection that a codec can bind to one request for a connection-oriented handshake: only HTTP/1.1's. A
/// response carries it as an opaque handle (<see cref="TypedHttpResponse.Affinity"/>) to the follow-up stage's
/// <see cref="ConnectionAffinity"/>, which is the only thing that uses it.
/// </summary>
internal interface IBindableConnection
{
    /// <summary>After the 401 was drained: whether the connection is open and parked, now leased to the request for the next leg.</summary>
    bool TryKeep();

    /// <summary>Drops the hold: a parked connection goes back to the pool, one still in use goes there when its response ends.</summary>
    void LetGo();

    /// <summary>Gives a kept connection whose next leg was never sent back to the pool (or closes it when not reusable).</summary>
    void Release();

    /// <summary>Sends the next leg on the kept connection; null when it was closed before any response byte.</summary>
    ValueTask<TypedHttpResponse?> SendNextLegAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken);
}
