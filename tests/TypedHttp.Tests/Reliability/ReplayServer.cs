using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Reliability;

/// <summary>
/// A loopback server for property tests that send thousands of generated responses: each case is registered
/// under a number, the request target <c>/case/N</c> picks it, and the server sends its bytes in the case's
/// slices (Nagle off, so slices leave as separate segments and the engine meets them in separate reads), then
/// closes gracefully. Unlike <see cref="ScriptedServer"/> it records nothing it reads, so one instance serves a
/// whole property run cheaply; the accept loop is the shared <see cref="LoopbackListener{TConnection}"/>.
/// </summary>
internal sealed class ReplayServer : IAsyncDisposable
{
    private readonly LoopbackListener<Socket> _listener;
    private readonly ConcurrentDictionary<int, (byte[] Bytes, int[] Slices)> _cases = new();
    private int _next;

    public ReplayServer() => _listener = new LoopbackListener<Socket>(static (socket, _, _) => socket, ServeAsync, static socket => socket.Dispose(), backlog: 128);

    public int Port => _listener.Port;

    /// <summary>Registers a response and returns the URI that fetches it.</summary>
    /// <param name="bytes">The raw response.</param>
    /// <param name="slices">Piece sizes to send it in (cycled); empty sends it in one write.</param>
    public Uri Add(byte[] bytes, IReadOnlyList<int>? slices = null)
    {
        int id = Interlocked.Increment(ref _next);
        _cases[id] = (bytes, slices is null ? Array.Empty<int>() : [.. slices]);
        return _listener.Uri("/case/" + id.ToString(CultureInfo.InvariantCulture));
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
                    int n = await socket.ReceiveAsync(head.AsMemory(have), SocketFlags.None, _listener.Stopping).ConfigureAwait(false);
                    if (n == 0 || have + n == head.Length)
                    {
                        return;
                    }
                    have += n;
                }
                string requestLine = System.Text.Encoding.ASCII.GetString(head, 0, head.AsSpan(0, have).IndexOf((byte)'\r'));
                int start = requestLine.IndexOf("/case/", StringComparison.Ordinal) + 6;
                int stop = requestLine.IndexOf(' ', start);
                if (!_cases.TryRemove(int.Parse(requestLine.AsSpan(start, stop - start), CultureInfo.InvariantCulture), out (byte[] Bytes, int[] Slices) c))
                {
                    return;
                }
                int offset = 0;
                for (int i = 0; offset < c.Bytes.Length; i++)
                {
                    int size = c.Slices.Length == 0 ? c.Bytes.Length : Math.Max(1, c.Slices[i % c.Slices.Length]);
                    size = Math.Min(size, c.Bytes.Length - offset);
                    await socket.SendAsync(c.Bytes.AsMemory(offset, size), SocketFlags.None, _listener.Stopping).ConfigureAwait(false);
                    offset += size;
                }
                socket.Shutdown(SocketShutdown.Send);
                // Drain until the client closes, so that the close is graceful on both sides.
                while (await socket.ReceiveAsync(head, SocketFlags.None, _listener.Stopping).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
