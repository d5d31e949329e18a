using System;
using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Request shapes of Refit's own test suite that TypedHttp refused at compile time (section 2 of the Refit drop-in
/// work): each now builds and sends the request Refit sends.
/// </summary>
public sealed class RefitSuiteTests : IClassFixture<RefitSuiteTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.IO;

        namespace App;

        public enum Color { Red, Green }

        public sealed class Search
        {
            public string? Term { get; set; }
            public Dictionary<Color, int>? Weights { get; set; }
        }

        public sealed class Point
        {
            public int X { get; set; }
            public int Y { get; set; }
            public override string ToString() => X + ";" + Y;
        }

        public sealed record Item(int Id);

        [System.Text.Json.Serialization.JsonSerializable(typeof(Item))]
        public partial class ItemJson : System.Text.Json.Serialization.JsonSerializerContext
        {
        }

        [PathPrefix("/v3")]
        public interface IFeatures
        {
            [Get("/point")]
            Task<string> PointAsync([Query(TreatAsString = true)] Point at);

            [Post("/form")]
            Task<string> FormAsync([Body(BodySerializationMethod.UrlEncoded)] string form);

            [Get("/item")]
            Task<Item> ItemAsync();
        }

        public sealed class Paging
        {
            public int PageSize { get; set; }
            public string? URLValue { get; set; }
            [AliasAs("Keep_Me")] public int Kept { get; set; }
        }

        [QueryKeyNaming(QueryKeyNaming.SnakeCaseLower)]
        public interface ISnake
        {
            [Get("/paged")]
            Task<string> PagedAsync([Query] Paging paging);
        }

        [QueryKeyNaming(QueryKeyNaming.CamelCase)]
        public interface ICamel
        {
            [Get("/paged")]
            Task<string> PagedAsync([Query] Paging paging);
        }

        public interface IPlain
        {
            Task<string> GetAsync(int id);
        }

        public interface IHiding : IPlain
        {
            [Get("/hidden/{id}")]
            new Task<string> GetAsync(int id);
        }

        [Headers("X-Base: base", "Api-Version: 1")]
        public interface IBaseHeaders
        {
        }

        [Headers("Accept: text/plain")]
        public interface IApi : IBaseHeaders
        {
            [Get("/colors")]
            Task<string> ColorsAsync(IDictionary<Color, string> byColor, [Query("-", "n")] Dictionary<int, bool> byNumber);

            [Get("/search")]
            Task<string> SearchAsync([Query] Search search);

            [Get("/unversioned")]
            [Headers("Api-Version")]
            Task<string> UnversionedAsync();

            [Get("/versioned")]
            Task<string> VersionedAsync();

            [Get("/price/{amount}")]
            Task<string> PriceAsync([Query(Format = "0.00")] double amount);

            [Get("/users/{id}")]
            Task<string> UserAsync([Header("X-User")] int id);

            [Get("/file")]
            Task<ApiResponse<Stream>> FileAsync();
        }

        public static class Scenario
        {
            public static Task<string> Snake(TypedHttpClientOptions options) => TypedHttpClient.Create<ISnake>(options).PagedAsync(new Paging { PageSize = 5, URLValue = "u", Kept = 1 });

            public static Task<string> Camel(TypedHttpClientOptions options) => TypedHttpClient.Create<ICamel>(options).PagedAsync(new Paging { PageSize = 5, URLValue = "u", Kept = 1 });

            public static Task<string> Point(TypedHttpClientOptions options) => TypedHttpClient.Create<IFeatures>(options).PointAsync(new Point { X = 1, Y = 2 });

            public static Task<string> Form(TypedHttpClientOptions options) => TypedHttpClient.Create<IFeatures>(options).FormAsync("a=b&c");

            public static async Task<string> Item(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = ItemJson.Default.Options;
                try
                {
                    return (await TypedHttpClient.Create<IFeatures>(options).ItemAsync()).ToString();
                }
                catch (ValidationApiException e)
                {
                    return "validation " + (int)e.StatusCode + " " + e.Content.Title + " " + string.Join(",", e.Content.Errors["Name"]);
                }
                catch (ApiException e)
                {
                    return "api " + (int)e.StatusCode + " " + e.Content + " | " + e.Message;
                }
            }

            public static Task<string> Colors(TypedHttpClientOptions options) =>
                TypedHttpClient.Create<IApi>(options).ColorsAsync(
                    new Dictionary<Color, string> { [Color.Red] = "r", [Color.Green] = "g" },
                    new Dictionary<int, bool> { [7] = true });

            public static Task<string> Search(TypedHttpClientOptions options) =>
                TypedHttpClient.Create<IApi>(options).SearchAsync(new Search { Term = "x", Weights = new() { [Color.Green] = 2 } });

            public static Task<string> Unversioned(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).UnversionedAsync();

            public static Task<string> Versioned(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).VersionedAsync();

            public static Task<string> Price(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).PriceAsync(5);

            public static Task<string> User(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).UserAsync(42);

            public static Task<string> ThroughTheBase(TypedHttpClientOptions options) => ((IPlain)TypedHttpClient.Create<IHiding>(options)).GetAsync(3);

            public static async Task<string> File(TypedHttpClientOptions options)
            {
                using ApiResponse<Stream> response = await TypedHttpClient.Create<IApi>(options).FileAsync();
                using var reader = new StreamReader(response.Content!);
                return (int)response.StatusCode + " " + await reader.ReadToEndAsync();
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public RefitSuiteTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    private async Task<RecordedRequest> SendAsync(string scenario)
    {
        var transport = new RecordingTransport { ResponseBody = "ok", ResponseContentType = "text/plain" };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport };
        await _fixture.Assembly.CallAsync<string>("App.Scenario", scenario, options);
        return Assert.Single(transport.Requests);
    }

    private async Task<string> ItemAsync(int status, string contentType, string body)
    {
        var transport = new RecordingTransport { StatusCode = status, ResponseBody = body, ResponseContentType = contentType };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport };
        return await _fixture.Assembly.CallAsync<string>("App.Scenario", "Item", options);
    }

    private static string Headers(RecordedRequest request) => string.Join(" | ", request.Headers.Select(h => h.Key + ": " + h.Value));

    [Fact]
    public async Task Query_dictionaries_with_enum_and_int_keys_send_one_pair_per_entry()
    {
        RecordedRequest request = await SendAsync("Colors");
        Assert.Equal("http://example.test/colors?Red=r&Green=g&n-7=true", request.Uri);
    }

    [Fact]
    public async Task A_dictionary_with_enum_keys_inside_a_query_object_is_flattened()
    {
        RecordedRequest request = await SendAsync("Search");
        Assert.Equal("http://example.test/search?Term=x&Weights.Green=2", request.Uri);
    }

    [Fact]
    public async Task A_lone_header_name_on_the_method_removes_the_interface_level_header()
    {
        RecordedRequest request = await SendAsync("Unversioned");
        Assert.Equal("X-Base: base | Accept: text/plain", Headers(request));
    }

    [Fact]
    public async Task Headers_of_a_base_interface_apply_to_the_derived_interfaces_own_methods()
    {
        RecordedRequest request = await SendAsync("Versioned");
        Assert.Equal("X-Base: base | Api-Version: 1 | Accept: text/plain", Headers(request));
    }

    [Fact]
    public async Task Query_format_on_a_parameter_that_fills_a_route_hole_formats_the_hole()
    {
        RecordedRequest request = await SendAsync("Price");
        Assert.Equal("http://example.test/price/5.00", request.Uri);
    }

    [Fact]
    public async Task A_header_parameter_named_like_a_route_hole_fills_the_hole_and_sends_the_header()
    {
        RecordedRequest request = await SendAsync("User");
        Assert.Equal("http://example.test/users/42 X-User=42", request.Uri + " X-User=" + request.Header("X-User"));
    }

    [Fact]
    public async Task A_base_method_without_an_HTTP_attribute_hidden_by_a_new_Get_method_sends_the_derived_request()
    {
        RecordedRequest request = await SendAsync("ThroughTheBase");
        Assert.Equal("http://example.test/hidden/3", request.Uri);
    }

    [Fact]
    public async Task ApiResponse_of_Stream_gives_the_status_and_the_body_stream()
    {
        var transport = new RecordingTransport { ResponseBody = "file body", ResponseContentType = "application/octet-stream" };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport };
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "File", options);
        Assert.Equal("200 file body", result);
    }

    [Fact]
    public async Task PathPrefix_is_put_before_every_route_as_BasePath_is()
    {
        RecordedRequest request = await SendAsync("Point");
        Assert.StartsWith("http://example.test/v3/point", request.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_TreatAsString_sends_the_objects_text_as_one_value()
    {
        RecordedRequest request = await SendAsync("Point");
        Assert.Equal("http://example.test/v3/point?at=1%3B2", request.Uri);
    }

    [Fact]
    public async Task A_UrlEncoded_string_body_is_sent_escaped_as_a_form_as_Refit_sends_it()
    {
        RecordedRequest request = await SendAsync("Form");
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8 a%3Db%26c", request.ContentType + " " + request.BodyText);
    }

    [Fact]
    public async Task A_2xx_body_that_is_not_JSON_where_JSON_is_read_is_an_ApiException_with_its_text()
    {
        string result = await ItemAsync(200, "text/html", "<html>proxy</html>");
        Assert.Equal("api 200 <html>proxy</html> | GET http://example.test/v3/item answered 200 with a 'text/html' body, not JSON for 'App.Item'.", result);
    }

    [Fact]
    public async Task JSON_labelled_text_plain_is_still_read_as_JSON_as_Refit_reads_it()
    {
        string result = await ItemAsync(200, "text/plain", "{\"Id\":5}");
        Assert.Equal("Item { Id = 5 }", result);
    }

    [Fact]
    public async Task A_2xx_JSON_body_is_still_read_as_JSON()
    {
        string result = await ItemAsync(200, "application/problem+json", "{\"Id\":4}");
        Assert.Equal("Item { Id = 4 }", result);
    }

    [Fact]
    public async Task Problem_details_with_errors_are_a_ValidationApiException_with_the_errors_by_field()
    {
        string result = await ItemAsync(400, "application/problem+json", "{\"title\":\"Invalid\",\"status\":400,\"errors\":{\"Name\":[\"required\",\"short\"]}}");
        Assert.Equal("validation 400 Invalid required,short", result);
    }

    [Fact]
    public async Task QueryKeyNaming_SnakeCaseLower_writes_property_keys_in_snake_case_and_keeps_aliases()
    {
        RecordedRequest request = await SendAsync("Snake");
        Assert.Equal("http://example.test/paged?page_size=5&url_value=u&Keep_Me=1", request.Uri);
    }

    [Fact]
    public async Task QueryKeyNaming_CamelCase_writes_property_keys_in_camel_case_as_Refits_camel_case_key_formatter()
    {
        RecordedRequest request = await SendAsync("Camel");
        Assert.Equal("http://example.test/paged?pageSize=5&urlValue=u&Keep_Me=1", request.Uri);
    }
}
