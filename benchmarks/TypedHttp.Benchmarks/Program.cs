using BenchmarkDotNet.Running;

namespace TypedHttp.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/TypedHttp.Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/TypedHttp.Benchmarks -- serve-h2 PORT   (the HTTP/2 benchmark's server, for h2load)
    public static void Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "serve-h2")
        {
            Http2Benchmarks.H2Server server = Http2Benchmarks.H2Server.StartAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
            System.Console.WriteLine($"h2c on 127.0.0.1:{server.Port}; Ctrl+C stops");
            System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
