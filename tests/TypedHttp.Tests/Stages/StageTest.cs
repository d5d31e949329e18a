using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Stages;

/// <summary>Helpers for the follow-up and bridge stage tests.</summary>
internal static class StageTest
{
    /// <summary>A session with short timeouts; host names resolve to 127.0.0.1.</summary>
    public static HttpSession Session(Action<HttpSessionOptions>? configure = null) => Engine.EngineTest.LoopbackSession(configure);

    /// <summary>A scripted server that answers each request on each connection with <paramref name="respond"/>.</summary>
    public static ScriptedServer Routed(Func<ScriptedRequest, string> respond) => ScriptedServer.Start(async c =>
    {
        while (await c.ReadRequestAsync() is { } request)
        {
            await c.SendAsync(respond(request));
        }
    });

    /// <summary>A scripted server answering with raw bytes.</summary>
    public static ScriptedServer RoutedBytes(Func<ScriptedRequest, byte[]> respond) => ScriptedServer.Start(async c =>
    {
        while (await c.ReadRequestAsync() is { } request)
        {
            await c.SendAsync(respond(request));
        }
    });

    public static string Path(this ScriptedRequest request) => request.RequestLine.Split(' ')[1];

    public static string Method(this ScriptedRequest request) => request.RequestLine.Split(' ')[0];

    public static async Task<(int Status, string Body, TypedHttpResponse Response)> SendAsync(HttpSession session, TypedHttpRequest request)
    {
        TypedHttpResponse response = await session.SendAsync(request);
        string body = await response.ReadAsStringAsync();
        await response.DisposeAsync();
        return (response.StatusCode, body, response);
    }

    public static List<ScriptedRequest> AllRequests(this ScriptedServer server)
    {
        var all = new List<ScriptedRequest>();
        foreach (ScriptedConnection c in server.Connections)
        {
            all.AddRange(c.Requests);
        }
        return all;
    }
}

/// <summary>
/// A small HTTP proxy for tests, on 127.0.0.1: answers the first request of each client without (or with wrong)
/// Proxy-Authorization with 407 (Basic), forwards plain http requests given in absolute form to the origin (every
/// host name goes to 127.0.0.1), and opens CONNECT tunnels that copy bytes both ways.
/// </summary>
internal sealed class TestProxy : IAsyncDisposable
{
    private readonly LoopbackListener<Socket> _listener;
    private readonly string? _expectedAuthorization;
    private readonly List<string> _heads = new();
    private long _tunnelledUp, _tunnelledDown;

    public TestProxy(string? expectedAuthorization)
    {
        _expectedAuthorization = expectedAuthorization;
        _listener = new LoopbackListener<Socket>(static (socket, _, _) => socket, ServeAsync, static socket => socket.Dispose());
    }

    public int Port => _listener.Port;

    /// <summary>Failures inside the proxy (a test asserts there are none).</summary>
    public List<Exception> Faults { get; } = new();

    /// <summary>Every request head the proxy received, in order.</summary>
    public List<string> Heads { get { lock (_heads) { return new List<string>(_heads); } } }

    public long TunnelledUp => Interlocked.Read(ref _tunnelledUp);

    public long TunnelledDown => Interlocked.Read(ref _tunnelledDown);

    private async Task ServeAsync(Socket socket)
    {
        using (var stream = new NetworkStream(socket, ownsSocket: true))
        {
            try
            {
                while (await ReadHeadAsync(stream) is string head)
                {
                    lock (_heads)
                    {
                        _heads.Add(head);
                    }
                    string[] lines = head.Split("\r\n");
                    string[] requestLine = lines[0].Split(' ');
                    string? authorization = null;
                    int contentLength = 0;
                    foreach (string line in lines)
                    {
                        if (line.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                        {
                            authorization = line["Proxy-Authorization:".Length..].Trim();
                        }
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            contentLength = int.Parse(line["Content-Length:".Length..].Trim());
                        }
                    }
                    byte[] requestBody = new byte[contentLength];
                    await stream.ReadExactlyAsync(requestBody);
                    if (_expectedAuthorization is not null && authorization != _expectedAuthorization)
                    {
                        byte[] refusal = Encoding.ASCII.GetBytes("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\nContent-Length: 12\r\n\r\nhidden body.");
                        await stream.WriteAsync(refusal);
                        if (requestLine[0] == "CONNECT")
                        {
                            return; // the client closes a refused tunnel anyway
                        }
                        continue;
                    }
                    if (requestLine[0] == "CONNECT")
                    {
                        int colon = requestLine[1].LastIndexOf(':');
                        using var origin = new TcpClient();
                        await origin.ConnectAsync(IPAddress.Loopback, int.Parse(requestLine[1][(colon + 1)..]));
                        await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray());
                        NetworkStream upstream = origin.GetStream();
                        Task up = PumpAsync(stream, upstream, up: true);
                        Task down = PumpAsync(upstream, stream, up: false);
                        await Task.WhenAny(up, down);
                        return;
                    }
                    // Absolute form: one origin connection per request, origin form, the answer copied back (Content-Length framing).
                    var target = new Uri(requestLine[1]);
                    using var server = new TcpClient();
                    await server.ConnectAsync(IPAddress.Loopback, target.Port);
                    var forwarded = new StringBuilder($"{requestLine[0]} {target.PathAndQuery} {requestLine[2]}\r\n");
                    for (int i = 1; i < lines.Length; i++)
                    {
                        if (lines[i].Length > 0 && !lines[i].StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
                        {
                            forwarded.Append(lines[i]).Append("\r\n");
                        }
                    }
                    forwarded.Append("\r\n");
                    NetworkStream o = server.GetStream();
                    await o.WriteAsync(Encoding.Latin1.GetBytes(forwarded.ToString()));
                    await o.WriteAsync(requestBody);
                    string answer = await ReadHeadAsync(o) ?? throw new IOException("origin closed");
                    int answerLength = 0;
                    foreach (string line in answer.Split("\r\n"))
                    {
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            answerLength = int.Parse(line["Content-Length:".Length..].Trim());
                        }
                    }
                    byte[] answerBody = new byte[answerLength];
                    await o.ReadExactlyAsync(answerBody);
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(answer + "\r\n\r\n"));
                    await stream.WriteAsync(answerBody);
                }
            }
            catch (Exception) when (_listener.Stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                lock (_heads)
                {
                    Faults.Add(e);
                }
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool up)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n));
                if (up)
                {
                    Interlocked.Add(ref _tunnelledUp, n);
                }
                else
                {
                    Interlocked.Add(ref _tunnelledDown, n);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task<string?> ReadHeadAsync(Stream stream)
    {
        var bytes = new List<byte>();
        byte[] one = new byte[1];
        while (true)
        {
            int n = await stream.ReadAsync(one);
            if (n == 0)
            {
                return bytes.Count == 0 ? null : throw new IOException("head cut short");
            }
            bytes.Add(one[0]);
            int c = bytes.Count;
            if (c >= 4 && bytes[c - 4] == '\r' && bytes[c - 3] == '\n' && bytes[c - 2] == '\r' && bytes[c - 1] == '\n')
            {
                return Encoding.Latin1.GetString(bytes.ToArray(), 0, c - 4);
            }
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
