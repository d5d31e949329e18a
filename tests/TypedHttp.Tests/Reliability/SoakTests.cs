using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Reliability;
using Xunit.Abstractions;

namespace TypedHttp.Tests.Reliability;

/// <summary>Runs alone: it counts the process's file descriptors and managed heap.</summary>
[CollectionDefinition("Soak", DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>The short soak: the load run of tests/soak (docs/reliability.md) at 5 000 requests and concurrency 16.</summary>
[Collection("Soak")]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Five_thousand_requests_with_one_percent_of_connections_closed_lose_nothing_and_leak_nothing()
    {
        var run = new LoadRun { Requests = 5_000, Concurrency = 16, MaxConnectionsPerServer = 16, CloseFraction = 0.01 };

        LoadRun.Result r = await run.RunAsync();
        output.WriteLine(r.ToString());

        Assert.Equal(0, r.WrongBodies);
        Assert.True(r.Unexplained == 0, string.Join("\n", r.UnexplainedSamples));
        Assert.Equal(5_000, r.Succeeded + r.Errors.Values.Sum());
        Assert.True(r.Errors.Values.Sum() <= r.ServerCloses, r.ToString());
        Assert.InRange(r.MaxOpenConnections, 1, 16);
        Assert.True(r.FdAfter <= r.FdBefore + 2, r.ToString());
        Assert.True(r.ManagedAfter - r.ManagedBefore < 16 * 1024 * 1024, r.ToString());
    }
}
