using System;
using System.Net.Http;
using System.Threading.Tasks;
using Refit;

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
        var client = new HttpClient { BaseAddress = new Uri(args[0]) };
        IInventory api = RestService.ForGenerated<IInventory>(client, new RefitSettings(new SystemTextJsonContentSerializer(AotJsonContext.Default.Options)));
        StockLevel stock = await api.GetAsync("widget");
        Console.WriteLine(stock.Available);
        return stock.Available > 0 ? 0 : 1;
    }
}
