using System;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace TypedHttp.Benchmarks;

/// <summary>
/// The engine against SocketsHttpHandler on the same loopback server: a GET read to the end, sequentially and
/// 16 at a time, with a small Content-Length body (issue 3's goal: at least 1.3x HttpClient's requests per second).
/// </summary>
[MemoryDiagnoser]
public class EngineLoopbackBenchmarks
{
    private const int Concurrency = 16;
    private LoopbackServer _server = null!;
    private HttpSession _session = null!;
    private HttpClient _client = null!;
    private Uri _uri = null!;
    private readonly byte[] _sink = new byte[8192];

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackServer(LoopbackServer.ContentLengthResponse("{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.test\"}"));
        _uri = _server.Uri("/users/42?active=true");
        _session = new HttpSession(new HttpSessionOptions());
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _client.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient GET, sequential")]
    public async Task<int> HttpClientSequential() => await HttpClientGetAsync();

    [Benchmark(Description = "TypedHttp engine GET, sequential")]
    public async Task<int> EngineSequential() => await EngineGetAsync();

    [Benchmark(Description = "HttpClient GET, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task HttpClientConcurrent() => RunConcurrent(HttpClientGetAsync);

    [Benchmark(Description = "TypedHttp engine GET, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task EngineConcurrent() => RunConcurrent(EngineGetAsync);

    private static Task RunConcurrent(Func<Task<int>> call)
    {
        var tasks = new Task[Concurrency];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = call();
        }
        return Task.WhenAll(tasks);
    }

    private async Task<int> HttpClientGetAsync()
    {
        using HttpResponseMessage response = await _client.GetAsync(_uri, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        return await DrainAsync(body);
    }

    private async Task<int> EngineGetAsync()
    {
        using var request = new TypedHttpRequest("GET", _uri);
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
}

/// <summary>Decoding a 10 MiB chunked body (16 KiB chunks): engine against SocketsHttpHandler (goal: at least 1.0x).</summary>
[MemoryDiagnoser]
public class ChunkedDecodeBenchmarks
{
    public const int BodyBytes = 10 * 1024 * 1024;
    private LoopbackServer _server = null!;
    private HttpSession _session = null!;
    private HttpClient _client = null!;
    private Uri _uri = null!;
    private readonly byte[] _buffer = new byte[64 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackServer(LoopbackServer.ChunkedResponse(BodyBytes, 16 * 1024));
        _uri = _server.Uri("/big");
        _session = new HttpSession(new HttpSessionOptions());
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _client.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient 10 MiB chunked")]
    public async Task<long> HttpClientChunked()
    {
        using HttpResponseMessage response = await _client.GetAsync(_uri, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        return await ReadAllAsync(body);
    }

    [Benchmark(Description = "TypedHttp engine 10 MiB chunked")]
    public async Task<long> EngineChunked()
    {
        using var request = new TypedHttpRequest("GET", _uri);
        await using TypedHttpResponse response = await _session.SendAsync(request);
        return await ReadAllAsync(response.Body);
    }

    private async Task<long> ReadAllAsync(Stream body)
    {
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(_buffer)) > 0)
        {
            total += n;
        }
        if (total != BodyBytes)
        {
            throw new InvalidOperationException($"read {total} bytes, expected {BodyBytes}");
        }
        return total;
    }
}
