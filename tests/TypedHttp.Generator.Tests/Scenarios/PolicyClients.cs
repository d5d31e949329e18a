using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// A scenario of generated clients for <see cref="PolicyTests"/>: what they pass to the runtime besides the request (the
/// interface method's name, a declared per-call timeout, a declared redirect policy); compiled and loaded once.
/// </summary>
public sealed class PolicyClients : CompiledClientFixture
{
    internal const string UserSource = GeneratorHarness.Usings + """
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

    /// <summary>Generates, compiles and loads the user source once for every test class of the <see cref="GeneratedClients"/> collection.</summary>
    public PolicyClients()
        : base(UserSource, withJsonGenerator: true)
    {
    }

    internal static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(HttpTransport? transport = null)
    {
        var recording = new RecordingTransport { ResponseBody = "ok" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport ?? recording }, recording);
    }

    internal Task<string> Call(string scenario, params object?[] arguments) => Assembly.CallAsync<string>("Declarative.Scenario", scenario, arguments);
}
