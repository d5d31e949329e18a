using System;
using System.Threading.Tasks;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>
/// Generates, compiles and loads one user source once for all tests of a class (an xunit class fixture):
/// derive a nested <c>ClientFixture</c> that passes the class's source.
/// </summary>
public abstract class CompiledClientFixture : IDisposable
{
    /// <summary>Runs the generator over <paramref name="userSource"/>, asserts a clean compile and loads the result.</summary>
    /// <param name="userSource">The user code, usings included.</param>
    /// <param name="withJsonGenerator">Whether the System.Text.Json generator runs too.</param>
    protected CompiledClientFixture(string userSource, bool withJsonGenerator)
    {
        GeneratorRun run = GeneratorHarness.Run(userSource, withJsonGenerator: withJsonGenerator).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assembly = GeneratedAssembly.Load(run);
    }

    internal GeneratedAssembly Assembly { get; }

    /// <summary>
    /// Runs the user source's <c>App.Scenario.NAME(options)</c> against a recording transport answering "ok" as text,
    /// and returns the one request it sent.
    /// </summary>
    /// <param name="scenario">The scenario method's name.</param>
    internal async Task<RecordedRequest> RecordScenarioAsync(string scenario)
    {
        var transport = new RecordingTransport { ResponseBody = "ok", ResponseContentType = "text/plain" };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/"), Transport = transport };
        await Assembly.CallAsync<string>("App.Scenario", scenario, options);
        return Assert.Single(transport.Requests);
    }

    public void Dispose()
    {
        Assembly.Dispose();
        GC.SuppressFinalize(this);
    }
}
