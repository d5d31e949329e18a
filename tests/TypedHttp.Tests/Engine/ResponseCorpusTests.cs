using System;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>
/// Seeded property-style tests of the response parser: valid responses split at arbitrary points decode the
/// same, and damaged or random input ends in a <see cref="TypedHttpException"/> or a complete response — never a
/// hang and never another kind of exception.
/// </summary>
public sealed class ResponseCorpusTests
{
    public static readonly TheoryData<string, string, string> ValidResponses = new()
    {
        { "content-length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz" },
        { "chunked+trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0a;x=1\r\n0123456789\r\n3\r\nabc\r\n0\r\nT-One: 1\r\nT-Two: 2\r\n\r\n", "0123456789abc" },
        { "interim+bare-lf", "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nX: y\nContent-Length: 4\n\nbody", "body" },
        { "obs-fold", "HTTP/1.1 200 OK\r\nX-F: a\r\n b\r\nContent-Length: 3\r\n\r\nxyz", "xyz" },
        { "close-delimited", "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nrest of the stream", "rest of the stream" },
    };

    [Theory]
    [MemberData(nameof(ValidResponses))]
    public async Task Valid_response_split_at_random_points_decodes_the_same(string name, string raw, string body)
    {
        _ = name;
        for (int seed = 0; seed < 8; seed++)
        {
            var random = new Random(seed);
            await using var server = ScriptedServer.Start(async c =>
            {
                await c.ReadRequestAsync();
                byte[] bytes = Encoding.Latin1.GetBytes(raw);
                for (int i = 0; i < bytes.Length;)
                {
                    int n = Math.Min(bytes.Length - i, random.Next(1, 24));
                    await c.SendAsync(bytes.AsMemory(i, n));
                    await Task.Delay(1);
                    i += n;
                }
                c.Close();
            });
            using HttpSession session = Session();
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            Assert.Equal(body, await response.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Damaged_responses_fail_cleanly()
    {
        const string Valid = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        var random = new Random(1234);
        for (int round = 0; round < 40; round++)
        {
            byte[] bytes = Encoding.Latin1.GetBytes(Valid);
            int damage = random.Next(1, 4);
            for (int d = 0; d < damage; d++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            if (random.Next(3) == 0)
            {
                Array.Resize(ref bytes, random.Next(bytes.Length));
            }
            await ExpectCleanOutcomeAsync(bytes);
        }
    }

    [Fact]
    public async Task Random_bytes_fail_cleanly()
    {
        var random = new Random(99);
        for (int round = 0; round < 30; round++)
        {
            byte[] bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (round % 3 == 0 && bytes.Length > 10)
            {
                Encoding.ASCII.GetBytes("HTTP/1.1 ").CopyTo(bytes, 0);
            }
            await ExpectCleanOutcomeAsync(bytes);
        }
    }

    private static async Task ExpectCleanOutcomeAsync(byte[] bytes)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(bytes);
            c.Close();
        });
        using HttpSession session = Session(o =>
        {
            o.ReceiveTimeout = TimeSpan.FromSeconds(2);
            o.ReceiveResponseTimeout = TimeSpan.FromSeconds(4);
        });
        try
        {
            await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
            await response.ReadAsStringAsync();
        }
        catch (TypedHttpException e)
        {
            Assert.NotEqual(HttpError.Timeout, e.Error); // the server closed: nothing may wait for more
        }
    }
}
