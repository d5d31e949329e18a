using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace TypedHttp.Benchmarks;

/// <summary>
/// The engine against SocketsHttpHandler on the same loopback server: a GET read to the end, sequentially and
/// 16 at a time, with the single user (72 bytes) or the 50-user list (3 549 bytes) framed by Content-Length or
/// chunked coding (issue 17's goal: at least 1.1x HttpClient's requests per second). The typed rows are whole calls
/// that deserialize the body: a generated TypedHttp client against hand-written HttpClient + System.Text.Json code.
/// A raw-socket client writing fixed request bytes and reading the known number of response bytes on kept-alive
/// sockets shows the floor: what the loopback round trip and the server cost before any HTTP client does any work.
/// </summary>
[MemoryDiagnoser]
public class EngineLoopbackBenchmarks
{
    private const int Concurrency = 16;
    private ITypedUsers _typed = null!;
    private HandWrittenUsersClient _hand = null!;
    private LoopbackServer _server = null!;
    private HttpSession _session = null!;
    private HttpClient _client = null!;
    private Uri _uri = null!;
    private readonly byte[] _sink = new byte[8192];
    private RawClient[] _raw = null!;

    /// <summary>How the response body is framed.</summary>
    [Params("content-length", "chunked")]
    public string Framing { get; set; } = "content-length";

    /// <summary>The response body: one user or the list of 50.</summary>
    [Params("user", "50 users")]
    public string Payload { get; set; } = "user";

    [GlobalSetup]
    public void Setup()
    {
        string body = Encoding.UTF8.GetString(Payload == "user" ? CannedUsers.One : CannedUsers.Fifty);
        byte[] response = Framing == "chunked"
            ? LoopbackServer.ChunkedResponse(body)
            : LoopbackServer.ContentLengthResponse(body);
        _server = new LoopbackServer(response);
        _uri = _server.Uri(Payload == "user" ? "/users/42?details=true" : "/users");
        _session = new HttpSession(new HttpSessionOptions());
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
        _hand = new HandWrittenUsersClient(new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = _server.Uri("/") });
        _typed = TypedHttpClient.Create<ITypedUsers>(new TypedHttpClientOptions
        {
            BaseAddress = _server.Uri("/"),
            JsonSerializerOptions = BenchJsonContext.Default.Options,
            Session = _session,
        });
        byte[] request = Encoding.ASCII.GetBytes($"GET {_uri.PathAndQuery} HTTP/1.1\r\nHost: {_uri.Authority}\r\n\r\n");
        _raw = new RawClient[Concurrency];
        for (int i = 0; i < _raw.Length; i++)
        {
            _raw[i] = new RawClient(_server.Port, request, response.Length);
        }
        if (EngineGetAsync().Result != HttpClientGetAsync().Result || RawGetAsync(_raw[0]).Result != response.Length
            || TypedCallAsync().Result != HandWrittenCallAsync().Result)
        {
            throw new InvalidOperationException("the clients read different bodies");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (RawClient raw in _raw)
        {
            raw.Dispose();
        }
        _session.Dispose();
        _client.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient GET, sequential")]
    public async Task<int> HttpClientSequential() => await HttpClientGetAsync();

    [Benchmark(Description = "TypedHttp engine GET, sequential")]
    public async Task<int> EngineSequential() => await EngineGetAsync();

    [Benchmark(Description = "raw socket floor, sequential")]
    public async Task<int> RawSequential() => await RawGetAsync(_raw[0]);

    [Benchmark(Description = "HttpClient GET, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task HttpClientConcurrent() => RunConcurrent(_ => HttpClientGetAsync());

    [Benchmark(Description = "TypedHttp engine GET, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task EngineConcurrent() => RunConcurrent(_ => EngineGetAsync());

    [Benchmark(Description = "raw socket floor, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task RawConcurrent() => RunConcurrent(i => RawGetAsync(_raw[i]));

    [Benchmark(Description = "HttpClient + System.Text.Json call, sequential")]
    public async Task<int> HandWrittenCallSequential() => await HandWrittenCallAsync();

    [Benchmark(Description = "TypedHttp generated client call, sequential")]
    public async Task<int> TypedCallSequential() => await TypedCallAsync();

    [Benchmark(Description = "HttpClient + System.Text.Json call, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task HandWrittenCallConcurrent() => RunConcurrent(_ => HandWrittenCallAsync());

    [Benchmark(Description = "TypedHttp generated client call, 16 concurrent", OperationsPerInvoke = Concurrency)]
    public Task TypedCallConcurrent() => RunConcurrent(_ => TypedCallAsync());

    private async Task<int> HandWrittenCallAsync() =>
        Payload == "user" ? (await _hand.GetUserAsync(42, true)).Id : (await _hand.ListAsync()).Count;

    private async Task<int> TypedCallAsync() =>
        Payload == "user" ? (await _typed.GetUserAsync(42, true)).Id : (await _typed.ListAsync()).Count;

    private static Task RunConcurrent(Func<int, Task<int>> call)
    {
        var tasks = new Task[Concurrency];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = call(i);
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

    private static async Task<int> RawGetAsync(RawClient raw) => await raw.RoundTripAsync();

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

    /// <summary>The least any HTTP/1.1 client can do: write fixed request bytes, read the known response length.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly byte[] _request;
        private readonly byte[] _buffer;

        public RawClient(int port, byte[] request, int responseLength)
        {
            _socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            _request = request;
            _buffer = new byte[responseLength];
        }

        public async ValueTask<int> RoundTripAsync()
        {
            await _socket.SendAsync(_request, SocketFlags.None);
            int read = 0;
            while (read < _buffer.Length)
            {
                int n = await _socket.ReceiveAsync(_buffer.AsMemory(read), SocketFlags.None);
                if (n == 0)
                {
                    throw new IOException("the loopback server closed the connection");
                }
                read += n;
            }
            return read;
        }

        public void Dispose() => _socket.Dispose();
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
