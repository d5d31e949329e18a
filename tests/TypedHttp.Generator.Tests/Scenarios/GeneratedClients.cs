using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// The generated clients the feature test classes (routes, queries, headers, bodies, responses, policies) call: each
/// scenario's source is generated, compiled and loaded once for all of them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GeneratedClients : ICollectionFixture<CoreClients>, ICollectionFixture<RefitSurfaceClients>, ICollectionFixture<ShapeClients>, ICollectionFixture<PolicyClients>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Generated clients";
}
