using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>Many streams on one connection (RFC 9113 §5.1, H2-5): every body to its own request, cancellations in the middle, nothing left open.</summary>
public sealed class Http2ConcurrencyTests
{
    private static string BodyFor(string path) => string.Concat(Enumerable.Repeat(path + ";", 50 + path.Length * 37 % 400));

    [Fact]
    public async Task Rfc_9113_5_1_hundreds_of_streams_with_cancellations_each_gets_its_body_none_left_open()
    {
        const int Count = 300;
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxConcurrentStreams, 1000u));
            await c.ServeConcurrentlyAsync(-1, async (responder, r, index) =>
            {
                string body = BodyFor(r.Path!);
                byte[] bytes = Encoding.ASCII.GetBytes(body);
                await Task.Delay(index * 7 % 25);
                await responder.SendHeadersAsync(r.StreamId, [(":status", "200"), ("content-length", bytes.Length.ToString())], endStream: false);
                int half = bytes.Length / 2;
                await c.SendDataAsync(r.StreamId, bytes[..half], endStream: false);
                await Task.Delay(index % 5);
                await c.SendDataAsync(r.StreamId, bytes[half..], endStream: true);
            }); // until the client closes (cancelled requests may never have been sent)
        });
        using HttpSession session = Http2Wire.Session();
        var random = new Random(12345);
        var wrong = new ConcurrentBag<string>();
        int cancelled = 0, completed = 0;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
        {
            string path = $"/r{i}";
            using var cts = new CancellationTokenSource();
            if (i % 4 == 1)
            {
                cts.CancelAfter(random.Next(0, 30));
            }
            try
            {
                await using TypedHttpResponse response = await session.GetAsync(server.Uri(path), cts.Token);
                var buffer = new System.IO.MemoryStream();
                await response.Body.CopyToAsync(buffer, cts.Token);
                if (Encoding.ASCII.GetString(buffer.ToArray()) != BodyFor(path))
                {
                    wrong.Add(path);
                }
                Interlocked.Increment(ref completed);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                Interlocked.Increment(ref cancelled);
            }
        }));
        Http2Connection[] connections = Http2Wire.Connections(session);
        await WaitUntilAsync(() => connections.All(c => c.ActiveStreamCount == 0), "every stream slot was given back");

        Assert.Equal(("", Count, 1, 1, true, true),
            (string.Join(",", wrong), completed + cancelled, connections.Length, server.AcceptedCount, completed >= Count / 2, clock.Elapsed < TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Rfc_9113_5_1_2_more_requests_than_the_server_allows_all_complete_on_one_connection()
    {
        const int Count = 60;
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxConcurrentStreams, 7u));
            await c.ServeOneAsync("warm");
            await c.ServeConcurrentlyAsync(Count, async (responder, r, index) =>
            {
                await Task.Delay(index % 3);
                await responder.RespondAsync(r.StreamId, r.Path!);
            });
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri());

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => session.GetStringAsync(server.Uri($"/{i}"))));

        Assert.Equal((true, 1), (bodies.Select((b, i) => b == $"/{i}").All(x => x), server.AcceptedCount));
    }
}
