using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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
        namespace Declarative;

        public interface IPolicyApi
        {
            [Get("/items")]
            Task<string> ListAsync();

            [Delete("/items/{id}")]
            Task @delete(int id);
        }

        public static class Scenario
        {
            public static Task<string> List(TypedHttpClientOptions options) => TypedHttpClient.Create<IPolicyApi>(options).ListAsync();

            public static async Task<string> Delete(TypedHttpClientOptions options)
            {
                await TypedHttpClient.Create<IPolicyApi>(options).@delete(3);
                return "done";
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public DeclarativeBehaviourTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture : IDisposable
    {
        public ClientFixture()
        {
            GeneratorRun run = GeneratorHarness.Run(UserSource).AssertNoGeneratorDiagnostics().AssertCompiles();
            Assembly = GeneratedAssembly.Load(run);
        }

        internal GeneratedAssembly Assembly { get; }

        public void Dispose() => Assembly.Dispose();
    }

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(HttpTransport? transport = null)
    {
        var recording = new RecordingTransport { ResponseBody = "ok" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport ?? recording }, recording);
    }

    private Task<string> Call(string scenario, params object?[] arguments) => _fixture.Assembly.CallAsync<string>("Declarative.Scenario", scenario, arguments);

    [Fact]
    public async Task TheCallsSpanIsTaggedWithTheInterfaceMethodsName()
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
}
