// QuickStart: starts a small users API on 127.0.0.1 (an ephemeral port), then calls every method of a
// TypedHttp client declared for it and prints what came back. No setup; exits 0 when every call behaved.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedHttp;

namespace QuickStart;

public sealed record User(int Id, string Name, string Email);

public sealed record NewUser(string Name, string Email);

[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(NewUser))]
[JsonSerializable(typeof(List<User>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class AppJsonContext : JsonSerializerContext;

/// <summary>The client: declared, never implemented by hand.</summary>
[Headers("Accept: application/json")]
public interface IUsersApi
{
    [Get("/users/{id}")]
    Task<User> GetUserAsync(int id, CancellationToken cancellationToken = default);

    [Get("/users")]
    Task<List<User>> ListAsync(int page, [AliasAs("per_page")] int perPage = 30);

    [Post("/users")]
    Task<ApiResponse<User>> CreateAsync([Body] NewUser user);

    [Delete("/users/{id}")]
    Task DeleteAsync(int id, [Header("X-Request-Reason")] string? reason = null);

    [Get("/users/{id}/card")]
    Task<string> GetCardAsync(int id);
}

public static class Program
{
    public static async Task<int> Main()
    {
        await using WebApplication server = StartServer();
        string address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"users API listening on {address}");

        IUsersApi api = TypedHttpClient.Create<IUsersApi>(new TypedHttpClientOptions
        {
            BaseAddress = new Uri(address),
            JsonSerializerOptions = AppJsonContext.Default.Options,
        });

        User ada = await api.GetUserAsync(1);
        Console.WriteLine($"GET    /users/1            -> {ada}");

        List<User> page = await api.ListAsync(page: 1, perPage: 2);
        Console.WriteLine($"GET    /users?page=1&per_page=2 -> {page.Count} users: {string.Join(", ", page.Select(u => u.Name))}");

        ApiResponse<User> created = await api.CreateAsync(new NewUser("Grace", "grace@example.test"));
        Console.WriteLine($"POST   /users              -> {created.NumericStatusCode}, Location: {created.Headers.GetValue("Location")}, {created.Content}");

        string card = await api.GetCardAsync(created.Content!.Id);
        Console.WriteLine($"GET    /users/{created.Content.Id}/card       -> \"{card}\"");

        await api.DeleteAsync(created.Content.Id, reason: "quick start cleanup");
        Console.WriteLine($"DELETE /users/{created.Content.Id}            -> done");

        try
        {
            await api.GetUserAsync(created.Content.Id);
            Console.WriteLine("GET    deleted user         -> unexpectedly found");
            return 1;
        }
        catch (ApiException ex)
        {
            Console.WriteLine($"GET    /users/{created.Content.Id}            -> ApiException {ex.NumericStatusCode}: {ex.Content}");
        }

        bool ok = ada.Name == "Ada" && page.Count == 2 && created.StatusCode == System.Net.HttpStatusCode.Created && card.Contains("Grace", StringComparison.Ordinal);
        Console.WriteLine(ok ? "all calls behaved" : "some call misbehaved");
        return ok ? 0 : 1;
    }

    private static WebApplication StartServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
        WebApplication app = builder.Build();

        var users = new ConcurrentDictionary<int, User>();
        users[1] = new User(1, "Ada", "ada@example.test");
        users[2] = new User(2, "Alan", "alan@example.test");
        users[3] = new User(3, "Edsger", "edsger@example.test");
        int nextId = 3;

        app.MapGet("/users/{id:int}", (int id) => users.TryGetValue(id, out User? u) ? Results.Ok(u) : Results.NotFound($"no user {id}"));
        app.MapGet("/users", (int page, int per_page) =>
            users.Values.OrderBy(u => u.Id).Skip((page - 1) * per_page).Take(per_page).ToList());
        app.MapPost("/users", (NewUser n) =>
        {
            var u = new User(Interlocked.Increment(ref nextId), n.Name, n.Email);
            users[u.Id] = u;
            return Results.Created($"/users/{u.Id}", u);
        });
        app.MapDelete("/users/{id:int}", (int id, HttpRequest request) =>
            request.Headers["X-Request-Reason"].Count == 1 && users.TryRemove(id, out _) ? Results.NoContent() : Results.BadRequest());
        app.MapGet("/users/{id:int}/card", (int id) => users.TryGetValue(id, out User? u) ? Results.Text($"{u.Name} <{u.Email}>") : Results.NotFound());

        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }
}
