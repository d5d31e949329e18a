using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Timeout;

namespace TypedHttp;

/// <summary>
/// Sends each request through a Polly pipeline over the inner transport (RS-1): every attempt sends the same
/// <see cref="TypedHttpRequest"/> again, whose generated bodies are replayable, so a retried POST carries its whole
/// body. A timeout strategy that gives up is <see cref="HttpError.Timeout"/>, as the engine's own timeouts are.
/// </summary>
internal sealed class ResilienceTransport(HttpTransport inner, ResiliencePipeline<TypedHttpResponse> pipeline) : HttpTransport
{
    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(TypedHttpResilience.RequestKey, request);
            Outcome<TypedHttpResponse> outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.inner.SendAsync(state.request, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<TypedHttpResponse>(e);
                    }
                },
                context,
                (inner, request)).ConfigureAwait(false);
            if (outcome.Exception is TimeoutRejectedException timeout && !cancellationToken.IsCancellationRequested)
            {
                throw new TypedHttpException(HttpError.Timeout, HttpPhase.ReceiveHeaders,
                    $"{request.Method} {request.Uri.Scheme}://{request.Uri.Authority} timed out after {timeout.Timeout.TotalSeconds:0.###} s (resilience timeout).", timeout);
            }
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
