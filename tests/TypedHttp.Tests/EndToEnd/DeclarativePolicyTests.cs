using System;
using System.Linq;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.EndToEnd;

[RedirectPolicy(RedirectPolicy.Never)]
public interface IRedirectingApi
{
    [Get("/start")]
    Task<ApiResponse<string>> StartAsync();

    [Get("/start")]
    Task<string> StartOrThrowAsync();

    [Get("/start")]
    [RedirectPolicy(RedirectPolicy.Always)]
    Task<string> FollowAsync();
}

/// <summary>
/// Redirect policies declared on a generated client's interface and method reach the engine through
/// <see cref="TypedHttpRequest.RedirectPolicy"/>: a server answers <c>/start</c> with 302 to <c>/final</c>.
/// </summary>
public sealed class DeclarativePolicyTests : IAsyncLifetime
{
    private const string Redirect = "HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n";
    private const string Final = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfinal";

    private readonly ScriptedServer _server = ScriptedServer.Start(async connection =>
    {
        while (await connection.ReadRequestAsync() is { } request)
        {
            await connection.SendAsync(request.RequestLine.StartsWith("GET /start ", StringComparison.Ordinal) ? Redirect : Final);
        }
    });

    private readonly HttpSession _session = new(); // its own policy is the default, DisallowHttpsToHttp: it would follow
    private IRedirectingApi _api = null!;

    public Task InitializeAsync()
    {
        _api = TypedHttpClient.Create<IRedirectingApi>(new TypedHttpClientOptions { BaseAddress = _server.Uri("/"), Session = _session });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Interface_policy_Never_returns_the_302_as_the_response()
    {
        ApiResponse<string> response = await _api.StartAsync();

        Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/final", response.Headers.GetValue("Location"));
        Assert.NotNull(response.Error);
        Assert.Equal(new[] { "GET /start HTTP/1.1" }, _server.Connections.SelectMany(c => c.Requests).Select(r => r.RequestLine));
    }

    [Fact]
    public async Task Interface_policy_Never_makes_the_302_an_ApiException()
    {
        ApiException error = await Assert.ThrowsAsync<ApiException>(() => _api.StartOrThrowAsync());

        Assert.Equal(System.Net.HttpStatusCode.Found, error.StatusCode);
    }

    [Fact]
    public async Task Method_policy_Always_wins_and_follows_the_redirect()
    {
        Assert.Equal("final", await _api.FollowAsync());
        Assert.Equal(
            new[] { "GET /start HTTP/1.1", "GET /final HTTP/1.1" },
            _server.Connections.SelectMany(c => c.Requests).Select(r => r.RequestLine));
    }
}
