using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Reliability;

/// <summary>
/// A loopback server for property tests that send thousands of generated responses: each case is registered
/// under a number, the request target <c>/case/N</c> picks it, and the server sends its bytes in the case's
/// slices (Nagle off, so slices leave as separate segments and the engine meets them in separate reads), then
/// closes gracefully. Unlike <see cref="Infrastructure.ScriptedServer"/> it keeps no per-connection record, so
/// one instance serves a whole property run cheaply.
/// </summary>
internal sealed class ReplayServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<int, (byte[] Bytes, int[] Slices)> _cases = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private int _next;

    public ReplayServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>Registers a response and returns the URI that fetches it.</summary>
    /// <param name="bytes">The raw response.</param>
    /// <param name="slices">Piece sizes to send it in (cycled); empty sends it in one write.</param>
    public Uri Add(byte[] bytes, IReadOnlyList<int>? slices = null)
    {
        int id = Interlocked.Increment(ref _next);
        _cases[id] = (bytes, slices is null ? Array.Empty<int>() : [.. slices]);
        return new Uri($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/case/{id.ToString(CultureInfo.InvariantCulture)}");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            socket.NoDelay = true;
            try
            {
                byte[] head = new byte[8192];
                int have = 0;
                int end;
                while ((end = head.AsSpan(0, have).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    int n = await socket.ReceiveAsync(head.AsMemory(have), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                    if (n == 0 || have + n == head.Length)
                    {
                        return;
                    }
                    have += n;
                }
                string requestLine = System.Text.Encoding.ASCII.GetString(head, 0, head.AsSpan(0, have).IndexOf((byte)'\r'));
                int start = requestLine.IndexOf("/case/", StringComparison.Ordinal) + 6;
                int stop = requestLine.IndexOf(' ', start);
                if (!_cases.TryRemove(int.Parse(requestLine.AsSpan(start, stop - start), CultureInfo.InvariantCulture), out var c))
                {
                    return;
                }
                int offset = 0;
                for (int i = 0; offset < c.Bytes.Length; i++)
                {
                    int size = c.Slices.Length == 0 ? c.Bytes.Length : Math.Max(1, c.Slices[i % c.Slices.Length]);
                    size = Math.Min(size, c.Bytes.Length - offset);
                    await socket.SendAsync(c.Bytes.AsMemory(offset, size), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                    offset += size;
                }
                socket.Shutdown(SocketShutdown.Send);
                // Drain until the client closes, so that the close is graceful on both sides.
                while (await socket.ReceiveAsync(head, SocketFlags.None, _stopping.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Dispose();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _stopping.Dispose();
    }
}
