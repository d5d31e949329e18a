using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// A scenario of generated clients for the feature test classes: the Refit-compatible surface (query collections and
/// objects, enum aliases, route objects, base paths, [Url], authorization, header collections, forms, multipart, streams
/// and result types); compiled and loaded once, called against a recording transport.
/// </summary>
public sealed class RefitSurfaceClients : CompiledClientFixture
{
    internal const string UserSource = GeneratorHarness.Usings + """
        using System.IO;
        using System.Text;
        using System.Runtime.CompilerServices;
        using System.Runtime.Serialization;
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record Item(int Id);
        public sealed record Meta(string Title);

        public enum Order
        {
            [EnumMember(Value = "asc")] Ascending,
            [JsonStringEnumMemberName("desc")] Descending,
            Random,
        }

        public sealed class Range
        {
            public double From { get; set; }
            public DateTime? Until { get; set; }
        }

        public sealed class Filter
        {
            public string? Name { get; set; }
            [AliasAs("min_age")] public int MinAge { get; set; }
            [Query(CollectionFormat.Pipes)] public int[]? Codes { get; set; }
            public Order Order { get; set; }
            public Range? Span { get; set; }
        }

        public sealed record GroupRequest(int GroupId, string UserId, string? Expand);

        public sealed class Login
        {
            public string User { get; set; } = "";
            [AliasAs("pass word")] public string? Password { get; set; }
            public decimal Amount { get; set; }
            [Query(CollectionFormat.Csv)] public List<string> Scopes { get; set; } = new();
        }

        [JsonSerializable(typeof(Item))]
        [JsonSerializable(typeof(Meta))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        [BasePath("/v2")]
        [Headers("Authorization: Bearer")]
        public interface IApi
        {
            [Get("/search")]
            Task<string> SearchAsync(
                int[] ids,
                [Query(CollectionFormat.Csv)] List<string> tags,
                [Query(CollectionFormat.Ssv)] IEnumerable<double> scores,
                [Query(CollectionFormat.Tsv)] string[] words,
                Order order,
                Order? missing,
                [Query(Format = "yyyy-MM-dd")] DateTime day,
                [Query(Format = "0.00")] decimal price,
                [Query("_", "f")] Filter filter,
                IDictionary<string, int> extra);

            [Get("/groups/{request.groupId}/users/{request.UserId}")]
            Task<string> GroupAsync(GroupRequest request);

            [Get("")]
            Task<string> FollowAsync([Url] string next, int? page);

            [Get("/users/{id?}/posts")]
            Task<string> PostsAsync(string? id);

            [Get("/me")]
            [Headers("Authorization: Basic dXNlcjpwYXNz")]
            Task<string> BasicAsync([HeaderCollection] IDictionary<string, string>? headers);

            [Get("/me")]
            Task<string> TokenAsync([Authorize] string? token);

            [Get("/me")]
            Task<string> GetterAsync();

            [Post("/login")]
            Task<string> LoginAsync([Body(BodySerializationMethod.UrlEncoded)] Login login);

            [Post("/fields")]
            Task<string> FieldsAsync([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> fields);

            [Put("/blob")]
            Task<string> BlobAsync([Body] Stream content);

            [Post("/upload/{id}")]
            [Multipart("test-boundary")]
            Task<string> UploadAsync(int id, string description, byte[] raw, StreamPart part, FileInfoPart doc, Meta meta, [AliasAs("n")] double number);

            [Post("/random")]
            [Multipart]
            Task<string> RandomAsync(string text);

            [Get("/file")]
            Task<Stream> FileAsync();

            [Get("/file")]
            Task<byte[]> BytesAsync();

            [Get("/item")]
            Task<IApiResponse<Item>> ItemAsync();

            [Delete("/item")]
            Task<IApiResponse> DeleteAsync();

            [Get("/items")]
            IAsyncEnumerable<Item> ItemsAsync(CancellationToken cancellationToken = default);
        }

        public static class Scenario
        {
            private static IApi Create(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                return TypedHttpClient.Create<IApi>(options);
            }

            public static Task<string> Search(TypedHttpClientOptions options) =>
                Create(options).SearchAsync(
                    new[] { 1, 2 },
                    new List<string> { "a,b", "c d" },
                    new[] { 1.5, 2.25 },
                    new[] { "x", "y" },
                    Order.Descending,
                    null,
                    new DateTime(2024, 3, 9, 13, 0, 0),
                    1234.5m,
                    new Filter { Name = "Zoë", MinAge = 18, Codes = new[] { 7, 8 }, Order = Order.Ascending, Span = new Range { From = 0.5, Until = null } },
                    new Dictionary<string, int> { ["x y"] = 1, ["z"] = 2 });

            public static Task<string> Group(TypedHttpClientOptions options) =>
                Create(options).GroupAsync(new GroupRequest(42, "a/b", "all"));

            public static Task<string> Posts(TypedHttpClientOptions options, string? id) => Create(options).PostsAsync(id);

            public static Task<string> Follow(TypedHttpClientOptions options, string next) => Create(options).FollowAsync(next, 3);

            public static Task<string> Basic(TypedHttpClientOptions options, IDictionary<string, string>? headers) => Create(options).BasicAsync(headers);

            public static Task<string> Token(TypedHttpClientOptions options, string? token) => Create(options).TokenAsync(token);

            public static Task<string> Getter(TypedHttpClientOptions options) => Create(options).GetterAsync();

            public static Task<string> Login(TypedHttpClientOptions options) =>
                Create(options).LoginAsync(new Login { User = "ann@example.org", Password = "p&ss wörd+", Amount = 12.5m, Scopes = new List<string> { "read", "write" } });

            public static Task<string> Fields(TypedHttpClientOptions options) =>
                Create(options).FieldsAsync(new Dictionary<string, string> { ["a"] = "1 2", ["b"] = "ü" });

            public static Task<string> Blob(TypedHttpClientOptions options, Stream content) => Create(options).BlobAsync(content);

            public static Task<string> Upload(TypedHttpClientOptions options, string filePath) =>
                Create(options).UploadAsync(
                    5,
                    "héllo",
                    new byte[] { 0, 1, 2 },
                    new StreamPart(new MemoryStream(Encoding.UTF8.GetBytes("stream text")), "a\"b\r\n.txt", "text/plain"),
                    new FileInfoPart(new FileInfo(filePath), "doc.txt", name: "document"),
                    new Meta("T"),
                    1234.5);

            public static Task<string> Random(TypedHttpClientOptions options) => Create(options).RandomAsync("x");

            public static async Task<string> File(TypedHttpClientOptions options)
            {
                using Stream stream = await Create(options).FileAsync();
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync();
            }

            public static Task<Stream> OpenFile(TypedHttpClientOptions options) => Create(options).FileAsync();

            public static Task<string> UploadStream(TypedHttpClientOptions options, Stream stream, string filePath) =>
                Create(options).UploadAsync(1, "d", new byte[0], new StreamPart(stream, "s.bin"), new FileInfoPart(new FileInfo(filePath), "f"), new Meta("m"), 1);

            public static async Task<string> Bytes(TypedHttpClientOptions options) => Convert.ToHexString(await Create(options).BytesAsync());

            public static async Task<string> Item(TypedHttpClientOptions options)
            {
                IApiResponse<Item> response = await Create(options).ItemAsync();
                return response.NumericStatusCode + " " + (response.Content?.Id.ToString() ?? "<null>") + " " + (response.Error is null ? "ok" : "error");
            }

            public static async Task<string> Delete(TypedHttpClientOptions options)
            {
                IApiResponse response = await Create(options).DeleteAsync();
                return response.NumericStatusCode + " " + response.IsSuccessStatusCode;
            }

            public static async IAsyncEnumerable<int> ItemIds(TypedHttpClientOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await foreach (Item item in Create(options).ItemsAsync(cancellationToken))
                {
                    yield return item.Id;
                }
            }
        }
        """;

    /// <summary>Generates, compiles and loads the user source once for every test class of the <see cref="GeneratedClients"/> collection.</summary>
    public RefitSurfaceClients()
        : base(UserSource, withJsonGenerator: true)
    {
    }

    internal static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(string responseBody = "ok", int status = 200)
    {
        var transport = new RecordingTransport { ResponseBody = responseBody, StatusCode = status };
        var options = new TypedHttpClientOptions
        {
            BaseAddress = new Uri("http://example.test/api/"),
            Transport = transport,
            AuthorizationHeaderValueGetter = static (request, ct) => Task.FromResult("test-token"),
        };
        return (options, transport);
    }

    internal Task<string> Call(string scenario, params object?[] arguments) => Assembly.CallAsync<string>("App.Scenario", scenario, arguments);

    internal static async Task<T> InGerman<T>(Func<Task<T>> action)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo beforeUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            return await action();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    internal static string Headers(RecordedRequest request) => string.Join(" | ", request.Headers.Select(h => h.Key + ": " + h.Value));

    internal sealed class TrackingStream : MemoryStream
    {
        public TrackingStream(byte[] bytes) : base(bytes) { }

        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
