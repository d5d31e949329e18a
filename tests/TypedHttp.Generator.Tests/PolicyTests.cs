using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>What generated clients pass to the runtime besides the request: the method's name on the call's span, [Timeout], [RedirectPolicy].</summary>
[Collection(GeneratedClients.Name)]
public sealed class PolicyTests(PolicyClients policy)
{
    [Fact]
    public async Task The_calls_span_is_tagged_with_the_interface_methods_name()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "TypedHttp",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((activity.GetTagItem("typedhttp.interface") as string) == "Declarative.IPolicyApi")
                {
                    lock (stopped)
                    {
                        stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        Assert.Equal("ok", await policy.Call("List", PolicyClients.Options().Options));
        Assert.Equal("done", await policy.Call("Delete", PolicyClients.Options().Options));

        lock (stopped)
        {
            Assert.Equal(new[] { "ListAsync", "delete" }, stopped.Select(a => a.GetTagItem("typedhttp.method") as string));
            Assert.Equal(new[] { "GET", "DELETE" }, stopped.Select(a => a.GetTagItem("http.request.method") as string));
        }
    }

    [Fact]
    public async Task Timeout_attribute_ends_a_call_that_gets_no_answer_with_a_timeout_error()
    {
        var silent = new SilentTransport();
        // The client's own timeout is infinite: only the method's [Timeout(200)] can end the call.
        TypedHttpException error = await Assert.ThrowsAsync<TypedHttpException>(() => policy.Call("Slow", PolicyClients.Options(silent).Options, CancellationToken.None));
        Assert.Equal(HttpError.Timeout, error.Error);
        Assert.Equal(1, silent.Calls);
    }

    [Fact]
    public async Task Timeout_attribute_applies_to_async_enumerables()
    {
        TypedHttpException error = await Assert.ThrowsAsync<TypedHttpException>(() => policy.Call("SlowItems", PolicyClients.Options(new SilentTransport()).Options));
        Assert.Equal(HttpError.Timeout, error.Error);
    }

    [Fact]
    public async Task Callers_own_cancellation_stays_a_cancellation_under_a_timeout_attribute()
    {
        using var cancel = new CancellationTokenSource();
        Task<string> call = policy.Call("Slow", PolicyClients.Options(new SilentTransport()).Options, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Redirect_policy_attribute_is_set_on_the_request_and_the_method_wins()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = PolicyClients.Options();
        await policy.Call("List", options);
        await policy.Call("Follow", options);
        await policy.Call("Plain", options);
        await policy.Call("DerivedPlain", options);
        Assert.Equal(
            new RedirectPolicy?[] { RedirectPolicy.Never, RedirectPolicy.Always, null, RedirectPolicy.DisallowHttpsToHttp },
            transport.Requests.Select(r => r.RedirectPolicy));
    }
}
