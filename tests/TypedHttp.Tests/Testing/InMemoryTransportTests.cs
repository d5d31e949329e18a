using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Testing;

namespace TypedHttp.Tests.Testing;

public sealed record Pet(int Id, string Name);

[JsonSerializable(typeof(Pet))]
internal sealed partial class PetJsonContext : JsonSerializerContext;

public interface IPetsApi
{
    [Get("/pets/{id}")]
    Task<Pet> GetAsync(int id, CancellationToken cancellationToken = default);

    [Post("/pets")]
    Task<ApiResponse<Pet>> AddAsync([Body] Pet pet);
}

public sealed class InMemoryTransportTests
{
    private static IPetsApi Api(InMemoryTransport transport) => TypedHttpClient.Create<IPetsApi>(new TypedHttpClientOptions
    {
        BaseAddress = new Uri("http://pets.test/v1"),
        JsonSerializerOptions = PetJsonContext.Default.Options,
        Transport = transport,
    });

    [Fact]
    public async Task A_generated_client_runs_on_canned_bytes_without_a_network()
    {
        var transport = InMemoryTransport.Respond(200, """{"Id":7,"Name":"Rex"}""");

        Pet pet = await Api(transport).GetAsync(7);

        Assert.Equal(new Pet(7, "Rex"), pet);
        Assert.Equal("GET", transport.LastRequest!.Method);
        Assert.Equal("http://pets.test/v1/pets/7", transport.LastRequest.Uri.AbsoluteUri);
        Assert.Equal(1, transport.RequestCount);
    }

    [Fact]
    public async Task The_request_body_is_recorded_as_the_engine_would_send_it()
    {
        var transport = new InMemoryTransport((request, _) =>
            ValueTask.FromResult(InMemoryTransport.CreateResponse(request.Request, 201, request.Body)));

        ApiResponse<Pet> created = await Api(transport).AddAsync(new Pet(1, "Ada"));

        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Pet(1, "Ada"), created.Content);
        Assert.Equal("""{"Id":1,"Name":"Ada"}""", transport.LastRequest!.BodyText);
        Assert.Equal("POST", transport.LastRequest.Method);
    }

    [Fact]
    public async Task A_canned_failure_surfaces_as_ApiException_with_the_body()
    {
        var transport = InMemoryTransport.Respond(404, "no such pet", "text/plain");

        ApiException ex = await Assert.ThrowsAsync<ApiException>(() => Api(transport).GetAsync(9));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("no such pet", ex.Content);
        Assert.Equal("Not Found", ex.ReasonPhrase);
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_before_anything_is_answered()
    {
        var transport = InMemoryTransport.Respond(200, "{}");
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Api(transport).GetAsync(1, cts.Token));
        Assert.Equal(0, transport.RequestCount);
    }
}
