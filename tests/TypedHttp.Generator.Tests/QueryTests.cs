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

/// <summary>Generated clients' query strings: invariant formatting, collections, objects, dictionaries, enums, key naming.</summary>
[Collection(GeneratedClients.Name)]
public sealed class QueryTests(CoreClients core, RefitSurfaceClients surface, ShapeClients shapes)
{
    [Fact]
    public async Task Query_is_formatted_invariantly_whatever_the_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo beforeUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("ok");
            await core.Assembly.CallAsync<string>("App.Scenario", "Search", options);

            Assert.Equal(
                "http://example.test/api/search?fixed=1" +
                "&q=gr%C3%BCne%20%C3%84pfel%20%26%20Birnen" +
                "&score=1.5&price=1234.56&exact=true&color=DarkBlue" +
                "&since=2024-01-02T03%3A04%3A05.0000000Z" +
                "&at=2024-01-02T03%3A04%3A05.0000000%2B02%3A00" +
                "&id=0f8fad5b-d9cb-469f-a165-70867728950e" +
                "&per_page=30",
                Assert.Single(transport.Requests).Uri);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    [Fact]
    public async Task Query_collections_objects_dictionaries_enums_and_formats_are_invariant()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await RefitSurfaceClients.InGerman(() => surface.Call("Search", options));

        Assert.Equal(
            "http://example.test/api/v2/search" +
            "?ids=1&ids=2" +
            "&tags=a%2Cb%2Cc%20d" +
            "&scores=1.5%202.25" +
            "&words=x%09y" +
            "&order=desc" +
            "&day=2024-03-09" +
            "&price=1234.50" +
            "&f_Name=Zo%C3%AB&f_min_age=18&f_Codes=7%7C8&f_Order=asc&f_Span_From=0.5" +
            "&x%20y=1&z=2",
            Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Query_object_keys_are_alias_then_JsonPropertyName_then_property_name()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = ShapeClients.Options();
        await shapes.Call("List", options);
        Assert.Equal("http://example.test/users?user_name=ann&min=18&Plain=p&Page.per_page=20", Assert.Single(transport.Requests).BuiltUri);
    }
}
