using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// A scenario of generated clients for the feature test classes: [JsonPropertyName] query and form keys, collections of
/// multipart parts and raw <see cref="TypedHttpResponse"/> results; compiled and loaded once.
/// </summary>
public sealed class ShapeClients : CompiledClientFixture
{
    internal const string UserSource = GeneratorHarness.Usings + """
        using System.IO;
        using System.Text;
        using System.Text.Json.Serialization;

        namespace Shapes;

        public sealed class Filter
        {
            [JsonPropertyName("user_name")] public string? UserName { get; set; }
            [AliasAs("min")][JsonPropertyName("min_age")] public int MinAge { get; set; }
            public string? Plain { get; set; }
            public Paging? Page { get; set; }
        }

        public sealed class Paging
        {
            [JsonPropertyName("per_page")] public int PerPage { get; set; }
        }

        public interface IShapesApi
        {
            [Get("/users")]
            Task<string> ListAsync(Filter filter);

            [Post("/users")]
            Task<string> FormAsync([Body(BodySerializationMethod.UrlEncoded)] Filter filter);

            [Post("/upload")]
            [Multipart("b")]
            Task<string> UploadAsync([AliasAs("file")] IEnumerable<StreamPart>? streams, ByteArrayPart[]? blobs, List<byte[]> raw, string note);

            [Get("/raw")]
            Task<TypedHttpResponse> RawAsync();
        }

        public static class Scenario
        {
            private static IShapesApi Create(TypedHttpClientOptions options) => TypedHttpClient.Create<IShapesApi>(options);

            private static Filter Filter() => new Filter { UserName = "ann", MinAge = 18, Plain = "p", Page = new Paging { PerPage = 20 } };

            public static Task<string> List(TypedHttpClientOptions options) => Create(options).ListAsync(Filter());

            public static Task<string> Form(TypedHttpClientOptions options) => Create(options).FormAsync(Filter());

            public static Task<string> Upload(TypedHttpClientOptions options) =>
                Create(options).UploadAsync(
                    new[]
                    {
                        new StreamPart(new MemoryStream(Encoding.UTF8.GetBytes("one")), "1.txt", "text/plain"),
                        new StreamPart(new MemoryStream(Encoding.UTF8.GetBytes("two")), "2.txt", name: "second"),
                    },
                    null,
                    new List<byte[]> { new byte[] { 65 }, new byte[] { 66 } },
                    "n");

            public static Task<string> UploadEmpty(TypedHttpClientOptions options) =>
                Create(options).UploadAsync(new List<StreamPart>(), new ByteArrayPart[] { new ByteArrayPart(new byte[] { 67 }, "c.bin") }, new List<byte[]>(), "n");

            public static async Task<string> Raw(TypedHttpClientOptions options)
            {
                using TypedHttpResponse response = await Create(options).RawAsync();
                using var reader = new StreamReader(response.Body);
                return response.StatusCode + " " + response.Headers.GetValue("Content-Type") + " " + await reader.ReadToEndAsync();
            }
        }
        """;

    /// <summary>Generates, compiles and loads the user source once for every test class of the <see cref="GeneratedClients"/> collection.</summary>
    public ShapeClients()
        : base(UserSource, withJsonGenerator: false)
    {
    }

    internal static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(int status = 200, string body = "ok")
    {
        var transport = new RecordingTransport { ResponseBody = body, StatusCode = status, ResponseContentType = "text/plain" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport }, transport);
    }

    internal Task<string> Call(string scenario, TypedHttpClientOptions options) => Assembly.CallAsync<string>("Shapes.Scenario", scenario, options);
}
