using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary><c>[Query(SerializeNull = true)]</c>: null values sent as empty ones (<c>key=</c>) in queries, query objects and forms.</summary>
public sealed class SerializeNullTests : IClassFixture<SerializeNullTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        namespace App;

        public sealed class Filter
        {
            public string? Name { get; set; }
            [Query(SerializeNull = true)] public string? Tag { get; set; }
            public int? Page { get; set; }
        }

        public sealed class Form
        {
            public string? Skipped { get; set; }
            [Query(SerializeNull = true)] public string? Note { get; set; }
            public int Count { get; set; }
        }

        public interface IApi
        {
            [Get("/values")]
            Task<string> ValuesAsync([Query(SerializeNull = true)] string? name, int? page, [Query(SerializeNull = true)] int? size);

            [Get("/object")]
            Task<string> ObjectAsync(Filter filter);

            [Get("/all")]
            Task<string> AllAsync([Query(SerializeNull = true)] Filter? filter);

            [Get("/shapes")]
            Task<string> ShapesAsync([Query(CollectionFormat.Csv, SerializeNull = true)] int[]? ids, [Query(SerializeNull = true)] IDictionary<string, string?> extra);

            [Post("/form")]
            Task<string> FormAsync([Body(BodySerializationMethod.UrlEncoded)] Form form);
        }

        public static class Scenario
        {
            public static Task<string> Values(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).ValuesAsync(null, null, null);

            public static Task<string> Object(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).ObjectAsync(new Filter());

            public static Task<string> All(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).AllAsync(new Filter());

            public static Task<string> AllNull(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).AllAsync(null);

            public static Task<string> Shapes(TypedHttpClientOptions options) =>
                TypedHttpClient.Create<IApi>(options).ShapesAsync(null, new Dictionary<string, string?> { ["a"] = null, ["b"] = "1" });

            public static Task<string> Form(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).FormAsync(new Form());
        }
        """;

    private readonly ClientFixture _fixture;

    public SerializeNullTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: false);

    private Task<RecordedRequest> SendAsync(string scenario) => _fixture.RecordScenarioAsync(scenario);

    [Fact]
    public async Task Null_parameters_marked_SerializeNull_are_sent_empty_and_the_others_omitted() =>
        Assert.Equal("http://example.test/values?name=&size=", (await SendAsync("Values")).Uri);

    [Fact]
    public async Task Null_property_marked_SerializeNull_in_a_query_object_is_sent_empty() =>
        Assert.Equal("http://example.test/object?Tag=", (await SendAsync("Object")).Uri);

    [Fact]
    public async Task SerializeNull_on_a_query_object_sends_every_null_property_empty() =>
        Assert.Equal("http://example.test/all?Name=&Tag=&Page=", (await SendAsync("All")).Uri);

    [Fact]
    public async Task SerializeNull_on_a_null_query_object_sends_nothing() =>
        Assert.Equal("http://example.test/all", (await SendAsync("AllNull")).Uri);

    [Fact]
    public async Task Null_collection_is_one_empty_pair_and_null_dictionary_values_are_empty() =>
        Assert.Equal("http://example.test/shapes?ids=&a=&b=1", (await SendAsync("Shapes")).Uri);

    [Fact]
    public async Task Null_form_field_marked_SerializeNull_is_sent_empty_and_the_others_omitted() =>
        Assert.Equal("Note=&Count=0", (await SendAsync("Form")).BodyText);
}
