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

/// <summary>Generated clients' results: ApiResponse, Stream, byte[], IApiResponse, IAsyncEnumerable, raw TypedHttpResponse.</summary>
[Collection(GeneratedClients.Name)]
public sealed class ResponseTests(CoreClients core, RefitSurfaceClients surface, ShapeClients shapes)
{
    [Fact]
    public async Task ApiResponse_carries_error_status()
    {
        (TypedHttpClientOptions options, _) = CoreClients.Options("""{"title":"nope"}""", status: 404);
        string result = await core.Assembly.CallAsync<string>("App.Scenario", "Create", options, null, null);
        Assert.Equal("404 <null> error", result);
    }

    [Fact]
    public async Task Stream_result_is_the_response_body()
    {
        Assert.Equal("file body", await surface.Call("File", RefitSurfaceClients.Options("file body").Options));
    }

    [Fact]
    public async Task Bytes_result_is_the_response_body()
    {
        Assert.Equal("C2AB", await surface.Call("Bytes", RefitSurfaceClients.Options("\u00ab").Options));
    }

    [Fact]
    public async Task Stream_result_throws_ApiException_for_error_status()
    {
        (TypedHttpClientOptions options, _) = RefitSurfaceClients.Options("nope", status: 500);
        ApiException error = await Assert.ThrowsAsync<ApiException>(() => surface.Call("File", options));
        Assert.Equal("nope", error.Content);
    }

    [Fact]
    public async Task Interface_api_responses()
    {
        Assert.Equal("200 7 ok", await surface.Call("Item", RefitSurfaceClients.Options("""{"Id":7}""").Options));
        Assert.Equal("404 <null> error", await surface.Call("Item", RefitSurfaceClients.Options("""{"title":"x"}""", status: 404).Options));
        Assert.Equal("204 True", await surface.Call("Delete", RefitSurfaceClients.Options("", status: 204).Options));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", "[{\"Id\":1},", "{\"Id\":2}]")]
    [InlineData("application/x-ndjson", "{\"Id\":1}\n", "{\"Id\":2}\n")]
    [InlineData("application/jsonl", "{\"Id\":1}\r\n", "\r\n{\"Id\":2}")]
    public async Task AsyncEnumerableYieldsItemsAsTheyArrive(string contentType, string first, string rest)
    {
        var body = new GatedStream(first, rest);
        var transport = new RecordingTransport { ResponseContentType = contentType, ResponseStream = () => body };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport, AuthorizationHeaderValueGetter = static (r, ct) => Task.FromResult("t") };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        IAsyncEnumerable<int> ids = surface.Assembly.Call<IAsyncEnumerable<int>>("App.Scenario", "ItemIds", options, timeout.Token);
        Assert.Empty(transport.Requests);   // nothing is sent before the enumeration starts
        await using IAsyncEnumerator<int> enumerator = ids.GetAsyncEnumerator(timeout.Token);

        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(1, enumerator.Current);
        Assert.False(timeout.IsCancellationRequested);
        body.Release();
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(2, enumerator.Current);
        Assert.False(await enumerator.MoveNextAsync());
        Assert.Equal("http://example.test/v2/items", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Async_enumerable_honours_the_methods_CancellationToken()
    {
        var body = new GatedStream("[{\"Id\":1},", "{\"Id\":2}]");
        var transport = new RecordingTransport { ResponseStream = () => body };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport, AuthorizationHeaderValueGetter = static (r, ct) => Task.FromResult("t") };
        using var cancellation = new CancellationTokenSource();

        IAsyncEnumerable<int> ids = surface.Assembly.Call<IAsyncEnumerable<int>>("App.Scenario", "ItemIds", options, cancellation.Token);
        await using IAsyncEnumerator<int> enumerator = ids.GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
        ValueTask<bool> next = enumerator.MoveNextAsync();
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }

    [Fact]
    public async Task Stream_result_is_owned_by_the_caller_and_disposing_it_releases_the_response()
    {
        var body = new RefitSurfaceClients.TrackingStream(Encoding.UTF8.GetBytes("data"));
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        transport.ResponseStream = () => body;

        Stream stream = await surface.Assembly.CallAsync<Stream>("App.Scenario", "OpenFile", options);
        Assert.Same(body, stream);
        Assert.False(body.Disposed);
        await stream.DisposeAsync();
        Assert.True(body.Disposed);
    }

    [Theory]
    [InlineData(200, "200 text/plain hello")]
    [InlineData(404, "404 text/plain hello")]
    [InlineData(500, "500 text/plain hello")]
    public async Task Raw_response_is_returned_as_it_arrived_whatever_its_status(int status, string expected)
    {
        (TypedHttpClientOptions options, _) = ShapeClients.Options(status, "hello");
        Assert.Equal(expected, await shapes.Call("Raw", options));
    }
}
