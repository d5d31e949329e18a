using System.Threading.Tasks;
using TypedHttp.Reliability;

namespace TypedHttp.Tests.Reliability;

/// <summary>A short run of the HTTP/2 soak (tests/soak/run.sh --h2 runs the long one).</summary>
public sealed class Http2SoakTests
{
    [Fact]
    public async Task H2_5_hundreds_of_concurrent_streams_with_cancellations_leave_no_wrong_body_and_no_open_stream()
    {
        var run = new Http2LoadRun { Requests = 3000, Concurrency = 200, MaxBodyBytes = 32 * 1024 };

        Http2LoadRun.Result r = await run.RunAsync();

        Assert.True((r.WrongBodies, r.Unexplained, r.StreamsLeftOpen, r.ConnectionsUsed) == (0, 0, 0, 1),
            $"{r}; unexplained: {string.Join(" | ", r.UnexplainedSamples)}");
    }
}
