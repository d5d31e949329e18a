using System;
using System.Threading.Tasks;
using TypedHttp;

namespace AotBench;

public interface IInventory
{
    [Get("/inventory/{sku}")]
    Task<StockLevel> GetAsync(string sku);
}

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        IInventory api = TypedHttpClient.Create<IInventory>(new TypedHttpClientOptions { BaseAddress = new Uri(args[0]), JsonSerializerOptions = AotJsonContext.Default.Options });
        StockLevel stock = await api.GetAsync("widget");
        Console.WriteLine(stock.Available);
        return stock.Available > 0 ? 0 : 1;
    }
}
