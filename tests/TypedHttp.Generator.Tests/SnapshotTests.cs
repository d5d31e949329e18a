using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>The generated source of each feature, compared with committed snapshots; every run also compiles cleanly.</summary>
public sealed class SnapshotTests
{
    private static void Verify(string source, string name, bool withJson = false)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + source, withJson)
            .AssertNoGeneratorDiagnostics()
            .AssertCompiles();
        Snapshot.Match(run.SingleClient, name);
    }

    [Fact]
    public void TwoMethodInterface() => Verify("""
        namespace MyApp;

        public sealed record User(int Id, string Name);

        [Headers("Accept: application/json")]
        public interface IUsersApi
        {
            [Get("/users/{id}")]
            Task<User> GetUserAsync(int id, CancellationToken cancellationToken = default);

            [Post("/users")]
            Task<ApiResponse<User>> CreateAsync([Body] User user);
        }
        """, nameof(TwoMethodInterface));
}
