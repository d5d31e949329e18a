using BenchmarkDotNet.Running;

namespace TypedHttp.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/TypedHttp.Benchmarks -- --filter '*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
