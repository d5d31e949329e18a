using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Benchmarks;

/// <summary>
/// A raw-socket HTTP/1.1 server on 127.0.0.1 answering every request with the same fixed bytes, so that a
/// benchmark measures the client. It reads each request head up to its blank line (benchmark requests carry no
/// body) and keeps connections alive.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly Socket _listener;
    private readonly byte[] _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = new();

    public LoopbackServer(byte[] response)
    {
        _response = response;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public Uri Uri(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>A response with a Content-Length body of <paramref name="body"/>.</summary>
    public static byte[] ContentLengthResponse(string body, string contentType = "application/json") =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n")
            .Concat(Encoding.UTF8.GetBytes(body));

    /// <summary>A response with <paramref name="body"/> sent as one chunk and the last chunk.</summary>
    public static byte[] ChunkedResponse(string body, string contentType = "application/json") =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n{Encoding.UTF8.GetByteCount(body):x}\r\n")
            .Concat(Encoding.UTF8.GetBytes(body))
            .Concat("\r\n0\r\n\r\n"u8.ToArray());

    /// <summary>A chunked response of <paramref name="totalBytes"/> bytes of JSON-safe text in chunks of <paramref name="chunkSize"/>.</summary>
    public static byte[] ChunkedResponse(int totalBytes, int chunkSize)
    {
        byte[] head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        var body = new List<byte>(totalBytes + totalBytes / chunkSize * 8 + 64);
        body.AddRange(head);
        int left = totalBytes;
        while (left > 0)
        {
            int n = Math.Min(chunkSize, left);
            body.AddRange(Encoding.ASCII.GetBytes(n.ToString("x") + "\r\n"));
            for (int i = 0; i < n; i++)
            {
                body.Add((byte)('a' + (i % 26)));
            }
            body.AddRange("\r\n"u8.ToArray());
            left -= n;
        }
        body.AddRange("0\r\n\r\n"u8.ToArray());
        return body.ToArray();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            s.NoDelay = true;
            lock (_accepted)
            {
                _accepted.Add(s);
            }
            _ = Task.Run(() => ServeAsync(s));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        byte[] buffer = new byte[16 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }
                filled += read;
                // Answer every complete request head in the buffer.
                int start = 0;
                while (true)
                {
                    int end = buffer.AsSpan(start, filled - start).IndexOf("\r\n\r\n"u8);
                    if (end < 0)
                    {
                        break;
                    }
                    start += end + 4;
                    await socket.SendAsync(_response, SocketFlags.None, _stop.Token);
                }
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                if (filled == buffer.Length)
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (Socket s in _accepted)
            {
                s.Dispose();
            }
        }
    }
}

internal static class ByteArrayExtensions
{
    public static byte[] Concat(this byte[] a, byte[] b)
    {
        byte[] r = new byte[a.Length + b.Length];
        a.CopyTo(r, 0);
        b.CopyTo(r, a.Length);
        return r;
    }
}
