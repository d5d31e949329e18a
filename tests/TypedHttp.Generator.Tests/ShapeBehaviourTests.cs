using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Runs generated code for [JsonPropertyName] query and form keys, collections of multipart parts and raw
/// <see cref="TypedHttpResponse"/> results against a recording transport.
/// </summary>
public sealed class ShapeBehaviourTests : IClassFixture<ShapeBehaviourTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
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

    private readonly ClientFixture _fixture;

    public ShapeBehaviourTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: false);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(int status = 200, string body = "ok")
    {
        var transport = new RecordingTransport { ResponseBody = body, StatusCode = status, ResponseContentType = "text/plain" };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport }, transport);
    }

    private Task<string> Call(string scenario, TypedHttpClientOptions options) => _fixture.Assembly.CallAsync<string>("Shapes.Scenario", scenario, options);

    [Fact]
    public async Task Query_object_keys_are_alias_then_JsonPropertyName_then_property_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("List", options);
        Assert.Equal("http://example.test/users?user_name=ann&min=18&Plain=p&Page.per_page=20", Assert.Single(transport.Requests).BuiltUri);
    }

    [Fact]
    public async Task Form_keys_follow_the_same_rule()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Form", options);
        Assert.Equal("user_name=ann&min=18&Plain=p&Page.per_page=20", Assert.Single(transport.Requests).BodyText);
    }

    [Fact]
    public async Task Collections_of_parts_send_one_part_per_item_named_by_the_parameter()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("Upload", options);
        RecordedRequest request = Assert.Single(transport.Requests);
        string expected =
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"1.txt\"\r\nContent-Type: text/plain\r\n\r\none\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"second\"; filename=\"2.txt\"\r\nContent-Type: application/octet-stream\r\n\r\ntwo\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\nContent-Type: application/octet-stream\r\n\r\nA\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\nContent-Type: application/octet-stream\r\n\r\nB\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nn\r\n" +
            "--b--\r\n";
        Assert.Equal(expected, request.BodyText);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
    }

    [Fact]
    public async Task Empty_collections_of_parts_send_no_part()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options();
        await Call("UploadEmpty", options);
        string expected =
            "--b\r\nContent-Disposition: form-data; name=\"blobs\"; filename=\"c.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nC\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nn\r\n" +
            "--b--\r\n";
        Assert.Equal(expected, Assert.Single(transport.Requests).BodyText);
    }

    [Theory]
    [InlineData(200, "200 text/plain hello")]
    [InlineData(404, "404 text/plain hello")]
    [InlineData(500, "500 text/plain hello")]
    public async Task Raw_response_is_returned_as_it_arrived_whatever_its_status(int status, string expected)
    {
        (TypedHttpClientOptions options, _) = Options(status, "hello");
        Assert.Equal(expected, await Call("Raw", options));
    }
}
