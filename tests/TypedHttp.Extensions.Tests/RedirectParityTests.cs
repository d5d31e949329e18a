using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Extensions.Tests;

public interface IRedirectApi
{
    [Get("/to")]
    Task<string> FollowAsync(string target, int code);

    [Get("/to")]
    [RedirectPolicy(RedirectPolicy.Never)]
    Task<ApiResponse<string>> NeverAsync(string target, int code);

    [Get("/to")]
    [RedirectPolicy(RedirectPolicy.Always)]
    Task<string> AlwaysAsync(string target, int code);

    [Get("/to")]
    Task<ApiResponse<string>> MaybeAsync(string target, int code);

    [Post("/to")]
    Task<string> PostAsync(string target, int code, [Body] string body);

    [Get("/to")]
    Task<string> WithSecretsAsync(string target, int code, [Header("Authorization")] string authorization, [Header("Cookie")] string cookie);

    [Get("/loop/0")]
    Task<string> LoopAsync();
}

/// <summary>
/// Kestrel on 127.0.0.1 (plain or TLS for <c>localhost</c>): <c>/to?target=…&amp;code=…</c> answers that status with
/// that Location, <c>/loop/n</c> redirects to <c>/loop/n+1</c>, anything else echoes the method, the path, the
/// Authorization and Cookie it got and the body.
/// </summary>
public sealed class RedirectServer : LoopbackKestrelHost
{
    private RedirectServer(WebApplication app, int port, bool https)
        : base(app, port, https)
    {
    }

    public Uri BaseAddress => new(IsHttps ? $"https://localhost:{Port}" : $"http://127.0.0.1:{Port}");

    public static async Task<RedirectServer> StartAsync(X509Certificate2? certificate = null)
    {
        WebApplication app = LoopbackKestrel.CreateBuilder(listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }).Build();
        app.Run(Answer);
        return new RedirectServer(app, await LoopbackKestrel.StartAsync(app), certificate is not null);
    }

    private static async Task Answer(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        if (path == "/to")
        {
            context.Response.StatusCode = int.Parse(context.Request.Query["code"]!, System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.Location = context.Request.Query["target"].ToString();
            return;
        }
        if (path.StartsWith("/loop/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/loop/" + (int.Parse(path["/loop/".Length..], System.Globalization.CultureInfo.InvariantCulture) + 1);
            return;
        }
        string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        await context.Response.WriteAsync($"{context.Request.Method} {path} auth={context.Request.Headers.Authorization} cookie={context.Request.Headers.Cookie} body={body}");
    }
}

/// <summary>R-15: the engine's redirect rules give the same results over the engine and over HttpClient.</summary>
public sealed class RedirectParityTests : IAsyncLifetime
{
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority();
    private RedirectServer _a = null!;
    private RedirectServer _b = null!;
    private RedirectServer _tls = null!;

    public async Task InitializeAsync()
    {
        _a = await RedirectServer.StartAsync();
        _b = await RedirectServer.StartAsync();
        _tls = await RedirectServer.StartAsync(TestCertificates.CreateServer(_authority, "localhost"));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _tls.DisposeAsync();
        _authority.Dispose();
    }

    private ServiceProvider Build(bool overHttpClient, Uri baseAddress)
    {
        RemoteCertificateValidationCallback trust = TestCertificates.TrustOnly(_authority);
        var services = new ServiceCollection();
        TypedHttpClientBuilder builder = services.AddTypedHttpClient<IRedirectApi>(o => o.BaseAddress = baseAddress)
            .ConfigureSession(s =>
            {
                s.MaxAutomaticRedirections = 3;
                s.RemoteCertificateValidationCallback = trust;
            });
        if (overHttpClient)
        {
            builder.UseHttpClient(http => http.ConfigurePrimaryHttpMessageHandler((handler, _) =>
            {
                switch (handler)
                {
                    case HttpClientHandler h:
                        h.ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => trust(message, certificate, chain, errors);
                        break;
                    case SocketsHttpHandler s:
                        s.SslOptions.RemoteCertificateValidationCallback = trust;
                        break;
                }
            }));
        }
        return services.BuildServiceProvider();
    }

    private string At(RedirectServer server, string path) => new Uri(server.BaseAddress, path).ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_a_methods_RedirectPolicy_Never_returns_the_302(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        using ApiResponse<string> response = await provider.GetRequiredService<IRedirectApi>().NeverAsync(At(_a, "/final"), 302);
        Assert.Equal(302, response.NumericStatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_the_limit_of_three_redirects_is_TooManyRedirects(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => provider.GetRequiredService<IRedirectApi>().LoopAsync());
        Assert.Equal(HttpError.TooManyRedirects, e.Error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_a_303_after_POST_is_a_GET_without_the_body(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().PostAsync(At(_a, "/final"), 303, "payload");
        Assert.Equal("GET /final auth= cookie= body=", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_a_307_after_POST_sends_the_body_again(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().PostAsync(At(_a, "/final"), 307, "payload");
        Assert.Equal("POST /final auth= cookie= body=payload", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_credentials_and_cookies_set_by_the_caller_stay_on_their_origin(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().WithSecretsAsync(At(_b, "/elsewhere"), 307, "Bearer s3cr3t", "id=s3cr3t");
        Assert.Equal("GET /elsewhere auth= cookie= body=", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_credentials_and_cookies_set_by_the_caller_follow_a_redirect_on_the_same_origin(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().WithSecretsAsync(At(_a, "/same"), 302, "Bearer s3cr3t", "id=s3cr3t");
        Assert.Equal("GET /same auth=Bearer s3cr3t cookie=id=s3cr3t body=", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_https_to_http_is_not_followed_under_the_default_policy(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _tls.BaseAddress);
        using ApiResponse<string> response = await provider.GetRequiredService<IRedirectApi>().MaybeAsync(At(_a, "/plain"), 302);
        Assert.Equal(302, response.NumericStatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_https_to_http_is_followed_under_a_methods_RedirectPolicy_Always(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _tls.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().AlwaysAsync(At(_a, "/plain"), 302);
        Assert.Equal("GET /plain auth= cookie= body=", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task R15_http_to_https_is_followed(bool overHttpClient)
    {
        await using ServiceProvider provider = Build(overHttpClient, _a.BaseAddress);
        string answer = await provider.GetRequiredService<IRedirectApi>().FollowAsync(At(_tls, "/secure"), 301);
        Assert.Equal("GET /secure auth= cookie= body=", answer);
    }

    [Fact]
    public async Task R16_a_primary_handler_that_follows_redirects_itself_fails_naming_the_fix()
    {
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IRedirectApi>(o => o.BaseAddress = _a.BaseAddress)
            .UseHttpClient(http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler()));
        await using ServiceProvider provider = services.BuildServiceProvider();

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IRedirectApi>());
        Assert.Contains("LeaveRedirectsToHandler()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R16_LeaveRedirectsToHandler_keeps_the_handlers_own_rules()
    {
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IRedirectApi>(o => o.BaseAddress = _a.BaseAddress)
            .LeaveRedirectsToHandler()
            .UseHttpClient(http => http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxAutomaticRedirections = 5 }));
        await using ServiceProvider provider = services.BuildServiceProvider();

        // The handler's limit (5) and rules apply, not the engine's: SocketsHttpHandler returns the last 3xx instead of failing.
        using ApiResponse<string> response = await provider.GetRequiredService<IRedirectApi>().MaybeAsync(At(_a, "/loop/0"), 302);
        Assert.Equal(302, response.NumericStatusCode);
    }
}
