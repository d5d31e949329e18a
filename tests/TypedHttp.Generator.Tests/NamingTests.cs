using System.Linq;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>Generated files and classes never collide with each other or with the user's types.</summary>
public sealed class NamingTests
{
    [Fact]
    public void Same_named_interfaces_get_distinct_files()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace A
            {
                public interface IApi { [Get("/a")] Task GetAsync(); }

                public static class Outer
                {
                    public interface IApi { [Get("/ab")] Task GetAsync(); }
                }
            }

            namespace A.Inner
            {
                public interface IApi { [Get("/a.b")] Task GetAsync(); }
            }

            namespace C
            {
                public interface IApi { [Get("/c")] Task GetAsync(); }
            }

            public interface IApi { [Get("/global")] Task GetAsync(); }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();

        Assert.Equal(
            new[] { "A.IApi.g.cs", "A.Inner.IApi.g.cs", "A.Outer+IApi.g.cs", "C.IApi.g.cs", "IApi.g.cs" },
            run.Clients.Select(c => c.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
    }

    [Fact]
    public void User_types_in_a_namespace_starting_with_TypedHttp_are_ordinary_bodies_and_results()
    {
        GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace TypedHttp.Samples.Orders;

            public sealed record Order(int Id);

            public interface IOrdersApi
            {
                [Post("/orders")]
                Task<Order> CreateAsync([Body] Order order);

                [Get("/orders/{id}")]
                Task<ApiResponse<Order>> GetAsync(int id);
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
    }

    [Fact]
    public void User_type_named_like_the_generated_class_does_not_collide()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace MyApp;

            public interface IUsersApi
            {
                [Get("/users")]
                Task<string> ListAsync();
            }

            public sealed class UsersApiClient
            {
                public IUsersApi Create() => TypedHttpClient.Create<IUsersApi>(new TypedHttpClientOptions());
            }

            public static class UsersApiClientRegistration
            {
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Contains("file sealed class UsersApiClient", run.SingleClient);
    }

    [Fact]
    public void Partial_interface_across_files_gets_one_client()
    {
        GeneratorRun run = GeneratorHarness.Run(
            GeneratorHarness.Usings + """
            namespace MyApp;

            public partial interface IApi
            {
                Task<string> HelperFreeMethodIsAnError_NotHere() => Task.FromResult("");
            }
            """,
            false,
            GeneratorHarness.Usings + """
            namespace MyApp;

            public partial interface IApi
            {
                [Get("/a")] Task AAsync();
            }
            """,
            GeneratorHarness.Usings + """
            namespace MyApp;

            public partial interface IApi
            {
                [Post("/b")] Task BAsync();
            }
            """).AssertNoGeneratorDiagnostics().AssertCompiles();
        string client = run.SingleClient;
        Assert.Contains("IApi.AAsync()", client);
        Assert.Contains("IApi.BAsync()", client);
    }

    [Fact]
    public void An_aliased_http_attribute_still_makes_a_client()
    {
        GeneratorRun run = GeneratorHarness.Run(
            GeneratorHarness.Usings + """
            using Fetch = TypedHttp.GetAttribute;

            namespace MyApp;

            public interface IApi
            {
                [Fetch("/a")] Task<string> AAsync();
            }

            public class NotAnApi
            {
                [Fetch("/b")] public Task<string> BAsync() => Task.FromResult("");
            }
            """);
        Assert.Contains("IApi.AAsync()", run.SingleClient);
        Assert.Equal(new[] { "THTTP015" }, run.GeneratorDiagnostics.Select(d => d.Id));
    }
}
