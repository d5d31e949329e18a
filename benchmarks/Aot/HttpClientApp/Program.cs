using System;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;

namespace AotBench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var client = new HttpClient { BaseAddress = new Uri(args[0]) };
        StockLevel stock = (await client.GetFromJsonAsync("/inventory/widget", AotJsonContext.Default.StockLevel))!;
        Console.WriteLine(stock.Available);
        return stock.Available > 0 ? 0 : 1;
    }
}
