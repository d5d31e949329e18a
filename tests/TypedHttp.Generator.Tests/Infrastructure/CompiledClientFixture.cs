using System;

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

    public void Dispose()
    {
        Assembly.Dispose();
        GC.SuppressFinalize(this);
    }
}
