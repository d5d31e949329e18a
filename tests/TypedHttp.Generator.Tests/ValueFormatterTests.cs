using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// <c>[UrlParameterFormatter]</c> and <c>[FormUrlEncodedParameterFormatter]</c>: the formatter the attribute names
/// formats route, query and form values, told the kind, method, parameter, property path, key and type of each.
/// </summary>
public sealed class ValueFormatterTests : IClassFixture<ValueFormatterTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        [assembly: UrlParameterFormatter(typeof(App.DescribingFormatter))]
        [assembly: FormUrlEncodedParameterFormatter(typeof(App.FormFormatter))]

        namespace App;

        /// <summary>Writes what it was told, separated by '~' (unreserved, so the URI shows it as it is).</summary>
        public sealed class DescribingFormatter : IUrlParameterFormatter
        {
            public string? Format<T>(T value, in UrlParameterContext context) =>
                value is null ? null : $"{context.Kind}~{context.MethodName}~{context.ParameterName}~{context.PropertyPath ?? "-"}~{context.Key}~{typeof(T).Name}~{value}";
        }

        /// <summary>A struct implementing the interface explicitly: the client calls it through a constrained call.</summary>
        public struct FormFormatter : IFormUrlEncodedParameterFormatter
        {
            string? IFormUrlEncodedParameterFormatter.Format<T>(T value, in UrlParameterContext context) => value is null ? null : $"{context.Kind}-{context.PropertyPath}-{value}";
        }

        public sealed class Upper : IUrlParameterFormatter
        {
            public string? Format<T>(T value, in UrlParameterContext context) => value?.ToString()?.ToUpperInvariant();
        }

        public enum Order { Ascending, Descending }

        public sealed class Span
        {
            public int From { get; set; }
        }

        public sealed class Filter
        {
            public string? Name { get; set; }
            public Span? Span { get; set; }
        }

        public sealed class Form
        {
            public string? Note { get; set; }
            [Query(Format = "0.0")] public double Price { get; set; }
        }

        public interface IApi
        {
            [Get("/users/{id}")]
            Task<string> GetAsync(int id);

            [Get("/search")]
            Task<string> SearchAsync(Order order, [Query(Format = "0.00")] double price);

            [Get("/filter")]
            Task<string> FilterAsync(Filter filter);

            [Get("/list")]
            Task<string> ListAsync([Query(CollectionFormat.Csv)] int[] ids, [Query(SerializeNull = true)] string? empty);

            [Post("/form")]
            Task<string> FormAsync([Body(BodySerializationMethod.UrlEncoded)] Form form);
        }

        [UrlParameterFormatter(typeof(Upper))]
        public interface IOwnApi
        {
            [Get("/own/{name}")]
            Task<string> GetAsync(string name, string q);
        }

        public static class Scenario
        {
            public static Task<string> Get(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).GetAsync(5);

            public static Task<string> Search(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).SearchAsync(Order.Descending, 5);

            public static Task<string> Filter(TypedHttpClientOptions options) =>
                TypedHttpClient.Create<IApi>(options).FilterAsync(new Filter { Name = "ann", Span = new Span { From = 3 } });

            public static Task<string> List(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).ListAsync(new[] { 1, 2 }, null);

            public static Task<string> Form(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).FormAsync(new Form { Note = "hi", Price = 2 });

            public static Task<string> Own(TypedHttpClientOptions options) => TypedHttpClient.Create<IOwnApi>(options).GetAsync("ann", "bob");
        }
        """;

    private readonly ClientFixture _fixture;

    public ValueFormatterTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: false);

    private Task<RecordedRequest> SendAsync(string scenario) => _fixture.RecordScenarioAsync(scenario);

    [Fact]
    public async Task Assembly_formatter_formats_a_route_value_told_its_kind_method_parameter_hole_and_type() =>
        Assert.Equal("http://example.test/users/Route~GetAsync~id~-~id~Int32~5", (await SendAsync("Get")).Uri);

    [Fact]
    public async Task Assembly_formatter_formats_a_query_value_while_Query_Format_wins_over_it() =>
        Assert.Equal("http://example.test/search?order=Query~SearchAsync~order~-~order~Order~Descending&price=5.00", (await SendAsync("Search")).Uri);

    [Fact]
    public async Task Assembly_formatter_is_told_the_property_path_and_key_inside_a_query_object() =>
        Assert.Equal("http://example.test/filter?Name=Query~FilterAsync~filter~Name~Name~String~ann&Span.From=Query~FilterAsync~filter~Span.From~Span.From~Int32~3", (await SendAsync("Filter")).Uri);

    [Fact]
    public async Task Assembly_formatter_formats_each_collection_item_and_its_null_is_sent_empty_under_SerializeNull() =>
        Assert.Equal("http://example.test/list?ids=Query~ListAsync~ids~-~ids~Int32~1,Query~ListAsync~ids~-~ids~Int32~2&empty=", (await SendAsync("List")).BuiltUri.Replace("%2C", ","));

    [Fact]
    public async Task Form_formatter_implemented_explicitly_by_a_struct_formats_form_fields_while_Query_Format_wins_over_it() =>
        Assert.Equal("Note=Form-Note-hi&Price=2.0", (await SendAsync("Form")).BodyText);

    [Fact]
    public async Task Interface_formatter_wins_over_the_assembly_formatter() =>
        Assert.Equal("http://example.test/own/ANN?q=BOB", (await SendAsync("Own")).Uri);
}
