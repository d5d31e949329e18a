using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Benchmarks;

/// <summary>
/// HTTP/2 (h2c with prior knowledge) against one Kestrel server in the same process: the engine against
/// SocketsHttpHandler with <c>Version20</c> + <c>RequestVersionExact</c>, with and without
/// <c>EnableMultipleHttp2Connections</c> (issue 13's goals: at least 1.0x HttpClient's requests per second
/// sequentially, 1.25x at 16 and 256 streams, 1.0x its download throughput, at most 0.5x its allocations).
/// <c>dotnet run -c Release --project benchmarks/TypedHttp.Benchmarks -- serve-h2 PORT</c> starts the same server
/// alone, for <c>h2load</c>.
/// </summary>
[MemoryDiagnoser]
public class Http2Benchmarks
{
    private const string Body = "{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.test\"}";
    private H2Server _server = null!;
    private HttpSession _session = null!;
    private HttpClient _client = null!;
    private HttpClient _clientMulti = null!;
    private Uri _user = null!;
    private Uri _big = null!;
    private readonly byte[] _sink = new byte[64 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        _server = H2Server.StartAsync(0).GetAwaiter().GetResult();
        _user = new Uri($"http://127.0.0.1:{_server.Port}/users/42");
        _big = new Uri($"http://127.0.0.1:{_server.Port}/big");
        _session = new HttpSession(new HttpSessionOptions { DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact });
        _client = CreateClient(multiple: false);
        _clientMulti = CreateClient(multiple: true);
        if (EngineGetAsync(_user).Result != ClientGetAsync(_client, _user).Result || EngineGetAsync(_big).Result != H2Server.BigBody.Length)
        {
            throw new InvalidOperationException("the clients read different bodies");
        }
    }

    private static HttpClient CreateClient(bool multiple) =>
        new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false, EnableMultipleHttp2Connections = multiple })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _client.Dispose();
        _clientMulti.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "HttpClient h2 GET, sequential")]
    public Task<int> HttpClientSequential() => ClientGetAsync(_client, _user);

    [Benchmark(Description = "TypedHttp engine h2 GET, sequential")]
    public Task<int> EngineSequential() => EngineGetAsync(_user);

    [Benchmark(Description = "HttpClient h2 GET, 16 streams", OperationsPerInvoke = 16)]
    public Task HttpClient16() => Many(16, () => ClientGetAsync(_client, _user));

    [Benchmark(Description = "HttpClient h2 GET, 16 streams, multiple connections", OperationsPerInvoke = 16)]
    public Task HttpClientMulti16() => Many(16, () => ClientGetAsync(_clientMulti, _user));

    [Benchmark(Description = "TypedHttp engine h2 GET, 16 streams", OperationsPerInvoke = 16)]
    public Task Engine16() => Many(16, () => EngineGetAsync(_user));

    [Benchmark(Description = "HttpClient h2 GET, 256 streams", OperationsPerInvoke = 256)]
    public Task HttpClient256() => Many(256, () => ClientGetAsync(_client, _user));

    [Benchmark(Description = "HttpClient h2 GET, 256 streams, multiple connections", OperationsPerInvoke = 256)]
    public Task HttpClientMulti256() => Many(256, () => ClientGetAsync(_clientMulti, _user));

    [Benchmark(Description = "TypedHttp engine h2 GET, 256 streams", OperationsPerInvoke = 256)]
    public Task Engine256() => Many(256, () => EngineGetAsync(_user));

    [Benchmark(Description = "HttpClient h2 10 MiB download")]
    public Task<int> HttpClientDownload() => ClientGetAsync(_client, _big);

    [Benchmark(Description = "TypedHttp engine h2 10 MiB download")]
    public Task<int> EngineDownload() => EngineGetAsync(_big);

    private static Task Many(int count, Func<Task<int>> call)
    {
        var tasks = new Task[count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = call();
        }
        return Task.WhenAll(tasks);
    }

    private async Task<int> ClientGetAsync(HttpClient client, Uri uri)
    {
        using HttpResponseMessage response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        return await DrainAsync(body);
    }

    private async Task<int> EngineGetAsync(Uri uri)
    {
        using var request = new TypedHttpRequest("GET", uri);
        await using TypedHttpResponse response = await _session.SendAsync(request);
        return await DrainAsync(response.Body);
    }

    private async Task<int> DrainAsync(Stream body)
    {
        int total = 0;
        int n;
        // One shared sink: the bytes are discarded, so concurrent readers may overwrite each other.
        while ((n = await body.ReadAsync(_sink)) > 0)
        {
            total += n;
        }
        return total;
    }

    /// <summary>The benchmark's Kestrel: h2c only, <c>/users/42</c> (a small JSON body) and <c>/big</c> (10 MiB).</summary>
    public sealed class H2Server : IAsyncDisposable
    {
        public static readonly byte[] BigBody = Enumerable.Range(0, 10 * 1024 * 1024).Select(i => (byte)i).ToArray();
        private static readonly byte[] s_user = System.Text.Encoding.UTF8.GetBytes(Body);
        private readonly WebApplication _app;

        private H2Server(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public static async Task<H2Server> StartAsync(int port)
        {
            WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.Limits.Http2.MaxStreamsPerConnection = 1000;
                k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
            });
            WebApplication app = builder.Build();
            app.Run(context =>
            {
                byte[] body = context.Request.Path == "/big" ? BigBody : s_user;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = body.Length;
                return context.Response.Body.WriteAsync(body).AsTask();
            });
            await app.StartAsync();
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new H2Server(app, new Uri(address).Port);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
