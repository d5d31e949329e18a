using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// What generated clients pass to the runtime besides the request: the interface method's name (seen on the call's
/// span), a declared per-call timeout, and a declared redirect policy.
/// </summary>
public sealed class DeclarativeBehaviourTests : IClassFixture<DeclarativeBehaviourTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.Text.Json.Serialization;

        namespace Declarative;

        [JsonSerializable(typeof(string))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        [Timeout(60000)]
        [RedirectPolicy(RedirectPolicy.Never)]
        public interface IPolicyApi
        {
            [Get("/items")]
            Task<string> ListAsync();

            [Delete("/items/{id}")]
            Task @delete(int id);

            [Get("/slow")]
            [Timeout(200)]
            Task<string> SlowAsync(CancellationToken cancellationToken = default);

            [Get("/follow")]
            [RedirectPolicy(RedirectPolicy.Always)]
            Task<ApiResponse<string>> FollowAsync();
        }

        public interface IPlainApi
        {
            [Get("/plain")]
            Task<string> PlainAsync();

            [Get("/slow")]
            [Timeout(200)]
            IAsyncEnumerable<string> SlowItemsAsync();
        }

        [RedirectPolicy(RedirectPolicy.DisallowHttpsToHttp)]
        public interface IDerivedApi : IPlainApi
        {
        }

        public static class Scenario
        {
            public static Task<string> List(TypedHttpClientOptions options) => TypedHttpClient.Create<IPolicyApi>(options).ListAsync();

            public static async Task<string> Delete(TypedHttpClientOptions options)
            {
                await TypedHttpClient.Create<IPolicyApi>(options).@delete(3);
                return "done";
            }

            public static Task<string> Slow(TypedHttpClientOptions options, CancellationToken cancellationToken) => TypedHttpClient.Create<IPolicyApi>(options).SlowAsync(cancellationToken);

            public static async Task<string> Follow(TypedHttpClientOptions options) => (await TypedHttpClient.Create<IPolicyApi>(options).FollowAsync()).NumericStatusCode.ToString();

            public static Task<string> Plain(TypedHttpClientOptions options) => TypedHttpClient.Create<IPlainApi>(options).PlainAsync();

            public static Task<string> DerivedPlain(TypedHttpClientOptions options) => TypedHttpClient.Create<IDerivedApi>(options).PlainAsync();

            public static async Task<string> SlowItems(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                await foreach (string item in TypedHttpClient.Create<IPlainApi>(options).SlowItemsAsync())
                {
                    return item;
                }
                return "<none>";
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public DeclarativeBehaviourTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(HttpTransport? transport = null)
    {
        var recording = new RecordingTransport { ResponseBody = "ok" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport ?? recording }, recording);
    }

    private Task<string> Call(string scenario, params object?[] arguments) => _fixture.Assembly.CallAsync<string>("Declarative.Scenario", scenario, arguments);

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

        Assert.Equal("ok", await Call("List", Options().Options));
        Assert.Equal("done", await Call("Delete", Options().Options));

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
        TypedHttpException error = await Assert.ThrowsAsync<TypedHttpException>(() => Call("Slow", Options(silent).Options, CancellationToken.None));
        Assert.Equal(HttpError.Timeout, error.Error);
        Assert.Equal(1, silent.Calls);
    }

    [Fact]
    public async Task Timeout_attribute_applies_to_async_enumerables()
    {
        TypedHttpException error = await Assert.ThrowsAsync<TypedHttpException>(() => Call("SlowItems", Options(new SilentTransport()).Options));
        Assert.Equal(HttpError.Timeout, error.Error);
    }

    [Fact]
    public async Task Callers_own_cancellation_stays_a_cancellation_under_a_timeout_attribute()
    {
        using var cancel = new CancellationTokenSource();
        Task<string> call = Call("Slow", Options(new SilentTransport()).Options, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task Redirect_policy_attribute_is_set_on_the_request_and_the_method_wins()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("List", options);
        await Call("Follow", options);
        await Call("Plain", options);
        await Call("DerivedPlain", options);
        Assert.Equal(
            new RedirectPolicy?[] { RedirectPolicy.Never, RedirectPolicy.Always, null, RedirectPolicy.DisallowHttpsToHttp },
            transport.Requests.Select(r => r.RedirectPolicy));
    }
}
