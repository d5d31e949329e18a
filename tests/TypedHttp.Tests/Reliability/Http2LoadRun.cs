using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Reliability;

/// <summary>
/// The HTTP/2 soak (issue 13): many concurrent streams on one h2c connection to Kestrel, bodies of random sizes
/// whose every byte is checked, a share of requests abandoned mid-body (the body disposed: RST_STREAM CANCEL) or
/// cancelled before their head, and a share of streams reset by the server. Afterwards no stream may be left open,
/// and every failure must be one the run caused. Shared by tests/soak (<c>run.sh --h2</c>) and a short test.
/// </summary>
public sealed class Http2LoadRun
{
    public int Requests { get; init; } = 10_000;
    public int Concurrency { get; init; } = 256;
    public double AbandonFraction { get; init; } = 0.05;
    public double CancelFraction { get; init; } = 0.02;
    public double ServerResetFraction { get; init; } = 0.01;
    public int MaxBodyBytes { get; init; } = 64 * 1024;
    public int Seed { get; init; } = 20261207;

    public sealed class Result
    {
        public int Succeeded;
        public int WrongBodies;
        public int Abandoned;
        public int Cancelled;
        public int ServerResets;
        public int Unexplained;
        public ConcurrentQueue<string> UnexplainedSamples { get; } = new();
        public int ConnectionsUsed { get; set; }
        public int StreamsLeftOpen { get; set; }
        public long ManagedBefore { get; set; }
        public long ManagedAfter { get; set; }
        public TimeSpan Elapsed { get; set; }

        public override string ToString() =>
            $"{Succeeded} ok, {WrongBodies} wrong bodies, {Abandoned} abandoned mid-body, {Cancelled} cancelled, {ServerResets} reset by the server, " +
            $"{Unexplained} unexplained; {ConnectionsUsed} connection(s), {StreamsLeftOpen} stream(s) left open; heap {ManagedBefore / 1024} -> {ManagedAfter / 1024} KiB; {Elapsed.TotalSeconds:0.0} s";
    }

    /// <summary>The body of <c>/bytes/{length}/{seed}</c>: the same bytes on both sides.</summary>
    private static byte Expected(int seed, int index) => (byte)((index * 31) ^ seed);

    public async Task<Result> RunAsync()
    {
        var result = new Result();
        await using WebApplication app = await StartServerAsync();
        int port = LoopbackKestrel.PortOf(app);
        using var session = new HttpSession(new HttpSessionOptions
        {
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ReceiveTimeout = TimeSpan.FromSeconds(30),
        });
        var plan = new (int Length, int Seed, int Mode)[Requests];
        var random = new Random(Seed);
        for (int i = 0; i < plan.Length; i++)
        {
            double roll = random.NextDouble();
            int mode = roll < AbandonFraction ? 1 : roll < AbandonFraction + CancelFraction ? 2 : roll < AbandonFraction + CancelFraction + ServerResetFraction ? 3 : 0;
            plan[i] = (random.Next(0, MaxBodyBytes + 1), random.Next(0, 256), mode);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        result.ManagedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int next = -1;
        var workers = new Task[Concurrency];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                byte[] buffer = new byte[16 * 1024];
                int i;
                while ((i = Interlocked.Increment(ref next)) < plan.Length)
                {
                    await OneAsync(session, port, plan[i], buffer, result);
                }
            });
        }
        await Task.WhenAll(workers);
        watch.Stop();
        result.Elapsed = watch.Elapsed;
        result.ConnectionsUsed = session.Http2ConnectionCount;
        // A stream given back by a reset is released by the reader loop: give it a moment.
        for (int i = 0; i < 100 && session.ActiveHttp2StreamCount != 0; i++)
        {
            await Task.Delay(20);
        }
        result.StreamsLeftOpen = session.ActiveHttp2StreamCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        result.ManagedAfter = GC.GetTotalMemory(forceFullCollection: true);
        return result;
    }

    private static async Task OneAsync(HttpSession session, int port, (int Length, int Seed, int Mode) item, byte[] buffer, Result result)
    {
        string path = item.Mode == 3 ? $"/reset/{item.Length}/{item.Seed}" : $"/bytes/{item.Length}/{item.Seed}";
        using var request = new TypedHttpRequest("GET", new Uri($"http://127.0.0.1:{port}{path}"));
        using var cts = new CancellationTokenSource();
        if (item.Mode == 2)
        {
            cts.Cancel();
        }
        try
        {
            await using TypedHttpResponse response = await session.SendAsync(request, cts.Token);
            int index = 0;
            int n;
            while ((n = await response.Body.ReadAsync(buffer)) > 0)
            {
                for (int k = 0; k < n; k++)
                {
                    if (buffer[k] != Expected(item.Seed, index + k))
                    {
                        Interlocked.Increment(ref result.WrongBodies);
                        return;
                    }
                }
                index += n;
                if (item.Mode == 1 && index >= item.Length / 2)
                {
                    Interlocked.Increment(ref result.Abandoned);
                    return; // disposing the response resets the stream
                }
            }
            if (index != item.Length)
            {
                Interlocked.Increment(ref result.WrongBodies);
                return;
            }
            if (item.Mode == 1)
            {
                Interlocked.Increment(ref result.Abandoned); // a body too short to abandon half-way
                return;
            }
            if (item.Mode == 3)
            {
                Explain(result, $"{path}: the server's reset did not reach the client");
                return;
            }
            Interlocked.Increment(ref result.Succeeded);
        }
        catch (OperationCanceledException) when (item.Mode == 2)
        {
            Interlocked.Increment(ref result.Cancelled);
        }
        catch (TypedHttpException e) when (item.Mode == 3 && e.Error == HttpError.StreamReset)
        {
            Interlocked.Increment(ref result.ServerResets);
        }
        catch (Exception e)
        {
            Explain(result, $"{path} (mode {item.Mode}): {e.GetType().Name}: {e.Message}");
        }
    }

    private static void Explain(Result result, string what)
    {
        Interlocked.Increment(ref result.Unexplained);
        if (result.UnexplainedSamples.Count < 10)
        {
            result.UnexplainedSamples.Enqueue(what);
        }
    }

    private static async Task<WebApplication> StartServerAsync()
    {
        WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder(l => l.Protocols = HttpProtocols.Http2, k => k.Limits.Http2.MaxStreamsPerConnection = 1000);
        WebApplication app = builder.Build();
        app.Run(async context =>
        {
            string[] parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
            int length = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            int seed = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            if (parts[0] == "reset")
            {
                await context.Response.StartAsync();
                context.Abort(); // over HTTP/2: RST_STREAM for this stream only
                return;
            }
            context.Response.ContentLength = length;
            byte[] chunk = new byte[Math.Min(length, 8192)];
            for (int offset = 0; offset < length; offset += chunk.Length)
            {
                int n = Math.Min(chunk.Length, length - offset);
                for (int k = 0; k < n; k++)
                {
                    chunk[k] = Expected(seed, offset + k);
                }
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, n));
            }
        });
        await app.StartAsync();
        return app;
    }
}
