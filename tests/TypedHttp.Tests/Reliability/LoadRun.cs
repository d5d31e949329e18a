using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Reliability;

/// <summary>
/// A bounded load run against an in-process loopback server built on raw sockets, shared by the soak command
/// (tests/soak) and the short soak test. Public API only (the soak project sees no internals): connection counts come
/// from the <c>TypedHttp</c> EventSource. The server answers each request with a body that carries the request's id
/// (Content-Length and chunked in turn, random sizes) and, for a given fraction of requests, closes the connection
/// instead — before the response or in the middle of its body.
/// </summary>
public sealed class LoadRun
{
    public int Requests { get; init; } = 100_000;
    public int Concurrency { get; init; } = 64;
    public double CloseFraction { get; init; } = 0.01;
    public int MaxConnectionsPerServer { get; init; } = 64;
    public int Seed { get; init; } = 9;
    public bool WarmUp { get; init; } = true;

    public sealed class Result
    {
        public int Succeeded;
        public int WrongBodies;
        public int Unexplained;
        public int ServerCloses;
        public int ServerClosesMidBody;
        public long MaxOpenConnections;
        public long ConnectionsOpened;
        public long Retries;
        public int FdBefore;
        public int FdAfter;
        public string FdKindsBefore = "";
        public string FdKindsAfter = "";
        public long ManagedBefore;
        public long ManagedAfter;
        public TimeSpan Elapsed;
        public readonly ConcurrentDictionary<string, int> Errors = new();
        public readonly ConcurrentQueue<string> UnexplainedSamples = new();

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"elapsed               {Elapsed.TotalSeconds:0.0} s");
            sb.AppendLine(CultureInfo.InvariantCulture, $"succeeded             {Succeeded}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"wrong bodies          {WrongBodies}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"unexplained errors    {Unexplained}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"server closes         {ServerCloses} ({ServerClosesMidBody} mid-body)");
            foreach (KeyValuePair<string, int> e in Errors)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  error {e.Key,-40} {e.Value}");
            }
            sb.AppendLine(CultureInfo.InvariantCulture, $"engine retries        {Retries}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"connections opened    {ConnectionsOpened}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"max open connections  {MaxOpenConnections}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"open fds              {FdBefore} before ({FdKindsBefore}), {FdAfter} after ({FdKindsAfter})");
            sb.Append(CultureInfo.InvariantCulture, $"managed heap          {ManagedBefore / 1024} KiB before, {ManagedAfter / 1024} KiB after");
            return sb.ToString();
        }
    }

    /// <summary>Errors a server that closes connections may explain: the response head or body cut short, or the connection failing.</summary>
    public static bool IsExplained(TypedHttpException e) =>
        (e.Error, e.Phase) is (HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders)
            // A close before any response byte on a fresh connection (a reused one is retried, C-5).
            or (HttpError.EmptyResponse, HttpPhase.ReceiveHeaders)
            or (HttpError.ResponseTruncated, HttpPhase.ReceiveBody)
            or (HttpError.ConnectionError, HttpPhase.ReceiveHeaders or HttpPhase.ReceiveBody or HttpPhase.Send);

    public static int OpenFileDescriptors() => Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;

    /// <summary>What the open descriptors are (socket, pipe, anon_inode:[eventpoll], file paths), counted by kind.</summary>
    public static string DescribeFileDescriptors()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string fd in Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd") : [])
        {
            string? target = null;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
            }
            string kind = target is null ? "?" : target.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe" : target.StartsWith('/') ? "file" : target;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        return string.Join(", ", System.Linq.Enumerable.Select(kinds, k => $"{k.Key} {k.Value}"));
    }

    public async Task<Result> RunAsync(CancellationToken cancellationToken = default)
    {
        var result = new Result();
        if (WarmUp)
        {
            // The first sockets create the runtime's socket engine (epoll descriptors and their threads) for the
            // process lifetime: warm it up so the baseline counts only what the run itself could leak.
            await new LoadRun { Requests = 200, Concurrency = 4, CloseFraction = 0, WarmUp = false }.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        Settle();
        result.FdKindsBefore = DescribeFileDescriptors();
        result.FdBefore = OpenFileDescriptors();
        result.ManagedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        await using (var server = new LoadServer(CloseFraction, Seed, result))
        using (var counter = new ConnectionCounter(server.Port))
        {
            using (var session = new HttpSession(new HttpSessionOptions
            {
                MaxConnectionsPerServer = MaxConnectionsPerServer,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                SendTimeout = TimeSpan.FromSeconds(10),
                ReceiveTimeout = TimeSpan.FromSeconds(10),
                ReceiveResponseTimeout = TimeSpan.FromSeconds(20),
                UseCookies = false,
            }))
            {
                int next = -1;
                var workers = new Task[Concurrency];
                for (int w = 0; w < workers.Length; w++)
                {
                    workers[w] = Task.Run(async () =>
                    {
                        int id;
                        while ((id = Interlocked.Increment(ref next)) < Requests)
                        {
                            await OneAsync(session, server.Port, id, result, cancellationToken).ConfigureAwait(false);
                        }
                    }, cancellationToken);
                }
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            result.Elapsed = clock.Elapsed;
            result.MaxOpenConnections = counter.MaxOpen;
            result.ConnectionsOpened = counter.Opened;
            result.Retries = counter.Retries;
            await server.StopAsync().ConfigureAwait(false);
            for (int i = 0; i < 100 && counter.Open > 0; i++)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
        Settle();
        result.FdAfter = OpenFileDescriptors();
        // Descriptors closed by other work in the process (or by the kernel after a peer's close) can lag on a busy
        // machine: give them a few seconds. A leaked descriptor stays open however long this waits.
        for (int i = 0; i < 10 && result.FdAfter > result.FdBefore + 2; i++)
        {
            Settle();
            result.FdAfter = OpenFileDescriptors();
        }
        result.FdKindsAfter = DescribeFileDescriptors();
        result.ManagedAfter = GC.GetTotalMemory(forceFullCollection: true);
        return result;
    }

    private static void Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Thread.Sleep(200);
    }

    private static async Task OneAsync(HttpSession session, int port, int id, Result result, CancellationToken cancellationToken)
    {
        string expected = LoadServer.Body(id);
        var uri = new Uri($"http://127.0.0.1:{port}/r/{id.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", uri), cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(response.Body, Encoding.ASCII);
            string body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == 200 && body == expected)
            {
                Interlocked.Increment(ref result.Succeeded);
            }
            else
            {
                Interlocked.Increment(ref result.WrongBodies);
            }
        }
        catch (TypedHttpException e)
        {
            result.Errors.AddOrUpdate($"{e.Error}/{e.Phase}", 1, (_, n) => n + 1);
            if (!IsExplained(e))
            {
                Interlocked.Increment(ref result.Unexplained);
                if (result.UnexplainedSamples.Count < 5)
                {
                    result.UnexplainedSamples.Enqueue(e.ToString());
                }
            }
        }
    }

    /// <summary>Counts this server's connections from the engine's own trace: opened, open now, most open at once, retries.</summary>
    private sealed class ConnectionCounter : EventListener
    {
        private readonly string _peer;
        private readonly ConcurrentDictionary<long, byte> _ours = new();
        private readonly ConcurrentDictionary<long, byte> _seen = new();
        private long _open;
        private long _maxOpen;
        private long _opened;
        private long _retries;

        public ConnectionCounter(int port)
        {
            _peer = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
            foreach (EventSource source in EventSource.GetSources())
            {
                OnEventSourceCreated(source);
            }
        }

        public long Open => Interlocked.Read(ref _open);
        public long MaxOpen => Interlocked.Read(ref _maxOpen);
        public long Opened => Interlocked.Read(ref _opened);
        public long Retries => Interlocked.Read(ref _retries);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "TypedHttp" && _peer is not null)
            {
                EnableEvents(eventSource, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.Payload is not { Count: 2 } || e.Payload[0] is not long id || e.Payload[1] is not string message)
            {
                return;
            }
            switch (e.EventName)
            {
                case "Connected" when message.EndsWith("-> " + _peer, StringComparison.Ordinal):
                    _ours.TryAdd(id, 0);
                    _seen.TryAdd(id, 0);
                    Interlocked.Increment(ref _opened);
                    long open = Interlocked.Increment(ref _open);
                    long max;
                    while (open > (max = Interlocked.Read(ref _maxOpen)) && Interlocked.CompareExchange(ref _maxOpen, open, max) != max)
                    {
                    }
                    break;
                case "Closing" when _ours.TryRemove(id, out _):
                    Interlocked.Decrement(ref _open);
                    break;
                case "Retrying" when _seen.ContainsKey(id):
                    Interlocked.Increment(ref _retries);
                    break;
            }
        }
    }

    /// <summary>The loopback server: raw sockets, keep-alive, one response per request, occasional closes.</summary>
    private sealed class LoadServer : IAsyncDisposable
    {
        private readonly LoopbackListener<Connection> _listener;
        private readonly double _closeFraction;
        private readonly int _seed;
        private readonly Result _result;

        public LoadServer(double closeFraction, int seed, Result result)
        {
            _closeFraction = closeFraction;
            _seed = seed;
            _result = result;
            _listener = new LoopbackListener<Connection>(Accept, ServeAsync, static c => c.Socket.Dispose(), backlog: 512);
        }

        public int Port => _listener.Port;

        /// <summary>The body for request <paramref name="id"/>: its id, padded to a size that depends on it.</summary>
        public static string Body(int id)
        {
            string tag = "id=" + id.ToString(CultureInfo.InvariantCulture) + ";";
            int length = tag.Length + (int)((uint)(id * 2654435761u) % 3000u);
            return tag + new string((char)('a' + id % 26), length - tag.Length);
        }

        private Connection Accept(Socket s, int index, CancellationToken stopping)
        {
            s.NoDelay = true;
            return new Connection(s, new Random(_seed * 7919 + index + 1));
        }

        private async Task ServeAsync(Connection connection)
        {
            (Socket s, Random random) = connection;
            byte[] buffer = new byte[8192];
            int start = 0, end = 0;
            try
            {
                while (true)
                {
                    int headEnd;
                    while ((headEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        if (start > 0)
                        {
                            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        int n = await s.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _listener.Stopping).ConfigureAwait(false);
                        if (n == 0)
                        {
                            return;
                        }
                        end += n;
                    }
                    string line = Encoding.ASCII.GetString(buffer, start, buffer.AsSpan(start, headEnd).IndexOf((byte)'\r'));
                    start += headEnd + 4;
                    int slash = line.IndexOf("/r/", StringComparison.Ordinal) + 3;
                    int id = int.Parse(line.AsSpan(slash, line.IndexOf(' ', slash) - slash), CultureInfo.InvariantCulture);
                    byte[] body = Encoding.ASCII.GetBytes(Body(id));
                    bool chunked = id % 2 == 1;
                    byte[] response = chunked ? Chunk(body, random) : [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"), .. body];
                    if (random.NextDouble() < _closeFraction)
                    {
                        Interlocked.Increment(ref _result.ServerCloses);
                        if (random.Next(2) == 0)
                        {
                            Interlocked.Increment(ref _result.ServerClosesMidBody);
                            await s.SendAsync(response.AsMemory(0, response.Length / 2), SocketFlags.None, _listener.Stopping).ConfigureAwait(false);
                        }
                        return;
                    }
                    await s.SendAsync(response, SocketFlags.None, _listener.Stopping).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                try
                {
                    s.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                s.Dispose();
            }
        }

        private static byte[] Chunk(byte[] body, Random random)
        {
            var output = new MemoryStream();
            output.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"u8);
            for (int offset = 0; offset < body.Length;)
            {
                int size = Math.Min(body.Length - offset, random.Next(1, 1500));
                output.Write(Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                output.Write(body, offset, size);
                output.Write("\r\n"u8);
                offset += size;
            }
            output.Write("0\r\n\r\n"u8);
            return output.ToArray();
        }

        public Task StopAsync() => _listener.StopAsync();

        public ValueTask DisposeAsync() => _listener.DisposeAsync();

        /// <summary>An accepted socket and the random source that decides its closes.</summary>
        private sealed record Connection(Socket Socket, Random Random);
    }
}
