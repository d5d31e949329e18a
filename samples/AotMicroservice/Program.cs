// An ASP.NET Core slim service published with Native AOT. It answers /orders/{sku} by calling the inventory
// service through a generated TypedHttp client. The same binary also serves the inventory API, so two copies
// make the pair: INVENTORY_URL tells one where the other listens (default: itself). The client is registered with
// TypedHttp.DependencyInjection, which binds its options without reflection, and finds its peer by the logical name
// "inventory" through service discovery (Microsoft.Extensions.ServiceDiscovery; the endpoint comes from configuration,
// Services:inventory:http:0, here set from INVENTORY_URL).
using System;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp;

namespace AotMicroservice;

public sealed record StockLevel(string Sku, int Available);

public sealed record Reservation(string Sku, int Quantity);

public sealed record OrderQuote(string Sku, int Available, bool CanOrder, string Source);

[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(Reservation))]
[JsonSerializable(typeof(OrderQuote))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
public sealed partial class ServiceJsonContext : JsonSerializerContext;

/// <summary>The downstream inventory service, as this service sees it.</summary>
[Headers("Accept: application/json", "User-Agent: aot-microservice")]
public interface IInventoryApi
{
    [Get("/inventory/{sku}")]
    Task<StockLevel> GetStockAsync(string sku, CancellationToken cancellationToken);

    [Post("/inventory/reservations")]
    Task<ApiResponse<StockLevel>> ReserveAsync([Body] Reservation reservation, CancellationToken cancellationToken);
}

/// <summary>
/// A generic read API shared by resources: the generator writes a closed client for each construction it sees
/// (here <c>IReadApi&lt;StockLevel, string&gt;</c>, named at the AddTypedHttpClient call), so Native AOT needs no
/// reflection for it either.
/// </summary>
public interface IReadApi<T, in TKey> where T : class
{
    [Get("/inventory/{id}")]
    Task<T> GetAsync(TKey id, CancellationToken cancellationToken);
}

public static class Program
{
    public static void Main(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJsonContext.Default));

        string inventoryUrl = builder.Configuration["INVENTORY_URL"] ?? builder.Configuration["urls"] ?? "http://127.0.0.1:5080";
        // Service discovery: "https+http://inventory" resolves through the configuration provider to INVENTORY_URL
        // (https preferred, http here); Aspire's AppHost would write the same keys.
        builder.Configuration["Services:inventory:http:0"] = inventoryUrl;
        builder.Services.AddServiceDiscovery();
        // One registration: a transient client over one engine session for this name, options bound without
        // reflection (the timeouts can come from configuration: TypedHttp:Inventory:ConnectTimeout and the like).
        builder.Services.AddTypedHttpClient<IInventoryApi>(o =>
            {
                o.BaseAddress = new Uri("https+http://inventory");
                o.JsonSerializerOptions = ServiceJsonContext.Default.Options;
            })
            .AddServiceDiscovery()
            .BindConfiguration(builder.Configuration.GetSection("TypedHttp:Inventory"))
            // Polly's standard pipeline on the engine (retries, timeouts, circuit breaker), tunable under Resilience:Inventory.
            .AddStandardResilience(builder.Configuration.GetSection("Resilience:Inventory"));
        builder.Services.AddTypedHttpClient<IReadApi<StockLevel, string>>(o =>
        {
            o.BaseAddress = new Uri(inventoryUrl);
            o.JsonSerializerOptions = ServiceJsonContext.Default.Options;
        });

        WebApplication app = builder.Build();

        // The inventory API (what the other copy calls).
        app.MapGet("/inventory/{sku}", (string sku) => Results.Ok(new StockLevel(sku, StockFor(sku))));
        app.MapPost("/inventory/reservations", (Reservation r) =>
            r.Quantity <= StockFor(r.Sku)
                ? Results.Ok(new StockLevel(r.Sku, StockFor(r.Sku) - r.Quantity))
                : Results.Conflict(new StockLevel(r.Sku, StockFor(r.Sku))));

        // The orders API: answers by calling the inventory service through the generated client.
        app.MapGet("/orders/{sku}", async (string sku, int? quantity, IInventoryApi inventory, CancellationToken ct) =>
        {
            StockLevel stock = await inventory.GetStockAsync(sku, ct);
            ApiResponse<StockLevel> reservation = await inventory.ReserveAsync(new Reservation(sku, quantity ?? 1), ct);
            return Results.Ok(new OrderQuote(sku, stock.Available, reservation.IsSuccessStatusCode, inventoryUrl));
        });

        // The same stock level through the generic client.
        app.MapGet("/stock/{sku}", async (string sku, IReadApi<StockLevel, string> stock, CancellationToken ct) =>
            Results.Ok(await stock.GetAsync(sku, ct)));

        app.Run();
    }

    private static int StockFor(string sku) => sku.Length * 7;
}
