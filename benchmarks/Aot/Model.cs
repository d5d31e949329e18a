using System.Text.Json.Serialization;

namespace AotBench;

public sealed record StockLevel(string Sku, int Available);

[JsonSerializable(typeof(StockLevel))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
public sealed partial class AotJsonContext : JsonSerializerContext;
