using System;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary><c>[HttpVersion]</c> on an interface or a method sets the version and policy of each request; the method's wins.</summary>
public sealed class HttpVersionTests : IClassFixture<HttpVersionTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.Net.Http;

        namespace App;

        [HttpVersion("2.0", Policy = HttpVersionPolicy.RequestVersionExact)]
        public interface IApi
        {
            [Get("/interface")]
            Task<string> InterfaceAsync();

            [Get("/method")]
            [HttpVersion("1.1")]
            Task<string> MethodAsync();
        }

        public interface IPlainApi
        {
            [Get("/plain")]
            Task<string> PlainAsync();
        }

        public static class Scenario
        {
            public static Task<string> Interface(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).InterfaceAsync();

            public static Task<string> Method(TypedHttpClientOptions options) => TypedHttpClient.Create<IApi>(options).MethodAsync();

            public static Task<string> Plain(TypedHttpClientOptions options) => TypedHttpClient.Create<IPlainApi>(options).PlainAsync();
        }
        """;

    private readonly ClientFixture _fixture;

    public HttpVersionTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: false);

    private Task<RecordedRequest> SendAsync(string scenario) => _fixture.RecordScenarioAsync(scenario);

    [Fact]
    public async Task Interface_HttpVersion_sets_version_and_policy_of_its_methods_requests()
    {
        RecordedRequest request = await SendAsync("Interface");
        Assert.Equal((HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact), (request.Version, request.VersionPolicy));
    }

    [Fact]
    public async Task Method_HttpVersion_wins_over_the_interfaces_with_the_sessions_policy()
    {
        RecordedRequest request = await SendAsync("Method");
        Assert.Equal((HttpVersion.Version11, (HttpVersionPolicy?)null), (request.Version, request.VersionPolicy));
    }

    [Fact]
    public async Task Without_HttpVersion_the_request_leaves_version_and_policy_to_the_session()
    {
        RecordedRequest request = await SendAsync("Plain");
        Assert.Equal(((Version?)null, (HttpVersionPolicy?)null), (request.Version, request.VersionPolicy));
    }
}
