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

/// <summary>Generated clients' request targets: route values escaped (dot segments too), catch-all and optional holes, route objects, custom verbs, [Url].</summary>
[Collection(GeneratedClients.Name)]
public sealed class RouteTests(CoreClients core, RefitSurfaceClients surface)
{
    [Theory]
    [InlineData("42", "http://example.test/api/users/42")]
    [InlineData("a b", "http://example.test/api/users/a%20b")]
    [InlineData("a/b", "http://example.test/api/users/a%2Fb")]
    [InlineData("grün", "http://example.test/api/users/gr%C3%BCn")]
    [InlineData("a?b", "http://example.test/api/users/a%3Fb")]
    [InlineData("a#b", "http://example.test/api/users/a%23b")]
    [InlineData("100%", "http://example.test/api/users/100%25")]
    [InlineData("...", "http://example.test/api/users/...")]
    public async Task Route_values_are_escaped(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("""{"Id":5,"Name":"Ann"}""");
        string result = await core.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);

        Assert.Equal("5:Ann", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(expectedUri, request.Uri);
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Equal("tests", request.Header("X-Client"));
        Assert.Null(request.Body);
    }

    [Theory]
    [InlineData("..", "http://example.test/api/users/%2E%2E")]
    [InlineData(".", "http://example.test/api/users/%2E")]
    public async Task Dot_segment_values_are_escaped_by_the_builder(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("""{"Id":5,"Name":"Ann"}""");
        await core.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);
        Assert.Equal(expectedUri, Assert.Single(transport.Requests).BuiltUri);
    }

    [Theory]
    [InlineData("..", "http://example.test/api/users/%2E%2E")]
    [InlineData(".", "http://example.test/api/users/%2E")]
    public async Task Dot_segment_values_cannot_climb_the_route(string id, string expectedUri)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("""{"Id":5,"Name":"Ann"}""");
        await core.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, id);
        Assert.Equal(expectedUri, Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Catch_all_keeps_slashes_and_escapes_segments()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("plain text");
        string result = await core.Assembly.CallAsync<string>("App.Scenario", "File", options, "docs/a b/ü?.txt");

        Assert.Equal("plain text", result);
        Assert.Equal("http://example.test/api/files/docs/a%20b/%C3%BC%3F.txt", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Catch_all_escapes_dot_segments_in_the_builder()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("plain text");
        await core.Assembly.CallAsync<string>("App.Scenario", "File", options, "docs/../secret");
        Assert.Equal("http://example.test/api/files/docs/%2E%2E/secret", Assert.Single(transport.Requests).BuiltUri);
    }

    [Fact]
    public async Task Custom_verb_through_inherited_only_interface()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options();
        await core.Assembly.CallAsync<string>("App.Scenario", "Purge", options);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("PURGE", request.Method);
        Assert.Equal("http://example.test/api/cache/a%2Fb", request.Uri);
    }

    [Fact]
    public async Task Null_route_value_throws_ArgumentNullException()
    {
        (TypedHttpClientOptions options, _) = CoreClients.Options();
        ArgumentNullException error = await Assert.ThrowsAsync<ArgumentNullException>(
            () => core.Assembly.CallAsync<string>("App.Scenario", "GetUser", options, null));
        Assert.Equal("id", error.ParamName);
    }

    [Fact]
    public async Task Route_object_fills_holes_and_sends_its_other_properties_as_query()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Group", options);
        Assert.Equal("http://example.test/api/v2/groups/42/users/a%2Fb?Expand=all", Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("7", "http://example.test/api/v2/users/7/posts")]
    [InlineData(null, "http://example.test/api/v2/users/posts")]
    [InlineData("a/b", "http://example.test/api/v2/users/a%2Fb/posts")]
    public async Task Optional_segment_is_dropped_when_null(string? id, string expected)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Posts", options, id);
        Assert.Equal(expected, Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("https://other.test/page?cursor=abc", "https://other.test/page?cursor=abc&page=3")]
    [InlineData("/next/ü", "http://example.test/api/next/%C3%BC?page=3")]
    public async Task Url_parameter_replaces_base_address_and_base_path(string next, string expected)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Follow", options, next);
        Assert.Equal(expected, Assert.Single(transport.Requests).Uri);
    }

    [Theory]
    [InlineData("ftp://other.test/x")]
    [InlineData("relative/path")]
    public async Task Url_parameter_refuses_other_schemes_and_relative_paths(string next)
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => surface.Call("Follow", options, next));
        Assert.Equal("next", error.ParamName);
        Assert.Empty(transport.Requests);
    }
}
