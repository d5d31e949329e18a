using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// A scenario of generated clients for the feature test classes: users with JSON bodies (the System.Text.Json generator
/// runs for the user's JsonSerializerContext), route escaping, culture-invariant queries, a custom verb; compiled and
/// loaded once, called against a recording transport.
/// </summary>
public sealed class CoreClients : CompiledClientFixture
{
    internal const string UserSource = GeneratorHarness.Usings + """
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record User(int Id, string Name);

        public enum Color { Red, DarkBlue }

        [JsonSerializable(typeof(User))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        public sealed class PurgeAttribute : HttpMethodAttribute
        {
            public PurgeAttribute(string path) : base("PURGE", path) { }
        }

        [Headers("Accept: application/json", "X-Client: tests")]
        public interface IApi
        {
            [Get("/users/{id}")]
            Task<User> GetUserAsync(string id, CancellationToken cancellationToken = default);

            [Get("/files/{**path}")]
            Task<string> FileAsync(string path);

            [Get("/search?fixed=1")]
            Task<string> SearchAsync(string? q, double score, decimal price, bool exact, Color color, DateTime since, DateTimeOffset at, Guid id, int? missing, [AliasAs("per_page")] int perPage);

            [Post("/users")]
            [Headers("accept: text/plain")]
            Task<ApiResponse<User>> CreateAsync([Body] User user, [Header("X-Request-Id")] string? requestId, [Header("X-Client")] string? client);

            [Put("/notes/{id}")]
            ValueTask<string> NoteAsync(int id, [Body] string text);

            [Post("/blobs")]
            Task BlobAsync([Body] byte[] bytes);

            [Purge("/cache/{key}")]
            Task PurgeAsync(string key);
        }

        public interface IDerivedApi : IApi
        {
        }

        public static class Scenario
        {
            private static T Create<T>(TypedHttpClientOptions options) where T : class
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                return TypedHttpClient.Create<T>(options);
            }

            public static async Task<string> GetUser(TypedHttpClientOptions options, string id)
            {
                User user = await Create<IApi>(options).GetUserAsync(id);
                return user.Id + ":" + user.Name;
            }

            public static Task<string> File(TypedHttpClientOptions options, string path) => Create<IApi>(options).FileAsync(path);

            public static Task<string> Search(TypedHttpClientOptions options) =>
                Create<IApi>(options).SearchAsync(
                    "grüne Äpfel & Birnen", 1.5, 1234.56m, true, Color.DarkBlue,
                    new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
                    new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
                    new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), null, 30);

            public static async Task<string> Create(TypedHttpClientOptions options, string? requestId, string? client)
            {
                ApiResponse<User> response = await Create<IApi>(options).CreateAsync(new User(7, "Zoë"), requestId, client);
                return response.NumericStatusCode + " " + (response.Content?.Name ?? "<null>") + " " + (response.Error is null ? "ok" : "error");
            }

            public static async Task<string> Note(TypedHttpClientOptions options) => await Create<IApi>(options).NoteAsync(3, "héllo");

            public static async Task<string> Blob(TypedHttpClientOptions options)
            {
                await Create<IApi>(options).BlobAsync(new byte[] { 0, 1, 2, 255 });
                return "done";
            }

            public static async Task<string> Purge(TypedHttpClientOptions options)
            {
                await Create<IDerivedApi>(options).PurgeAsync("a/b");
                return "done";
            }
        }
        """;

    /// <summary>Generates, compiles and loads the user source once for every test class of the <see cref="GeneratedClients"/> collection.</summary>
    public CoreClients()
        : base(UserSource, withJsonGenerator: true)
    {
    }

    internal static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(string responseBody = "", int status = 200)
    {
        var transport = new RecordingTransport { ResponseBody = responseBody, StatusCode = status };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/api/"), Transport = transport }, transport);
    }
}
