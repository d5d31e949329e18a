using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// The listening socket and accept loop every socket-level test server shares (<see cref="ScriptedServer"/>,
/// <see cref="Http2ScriptedServer"/>, the replay server, the stage tests' proxy, the load run's server): it listens
/// on a loopback address and an ephemeral port, wraps each accepted socket in a <typeparamref name="TConnection"/>
/// on the accept loop (so a server's bookkeeping is in step with <see cref="AcceptedCount"/>), serves it on the
/// thread pool, and on <see cref="StopAsync"/> closes what is still being served and waits (briefly) for it.
/// </summary>
/// <typeparam name="TConnection">What a server makes of an accepted socket (the socket itself, or a scripted connection).</typeparam>
/// <example>
/// <code>
/// await using var listener = new LoopbackListener&lt;Socket&gt;((socket, _, _) => socket, ServeAsync, socket => socket.Dispose());
/// var uri = listener.Uri("/a");
/// </code>
/// </example>
internal sealed class LoopbackListener<TConnection> : IAsyncDisposable
    where TConnection : class
{
    private readonly Socket _listener;
    private readonly Func<Socket, int, CancellationToken, TConnection> _accept;
    private readonly Func<TConnection, Task> _serve;
    private readonly Action<TConnection> _close;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Dictionary<TConnection, Task> _serving = new(ReferenceEqualityComparer.Instance);
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _stopped;

    /// <summary>Starts listening and accepting.</summary>
    /// <param name="accept">
    /// Runs on the accept loop for each accepted socket with its 0-based index and the stop token: wraps and
    /// records the connection. Keep it short; the work belongs in <paramref name="serve"/>.
    /// </param>
    /// <param name="serve">Serves one connection on the thread pool. Its exceptions are the caller's to catch; an escaping one is dropped.</param>
    /// <param name="close">Closes a connection still being served when the listener stops (must not throw).</param>
    /// <param name="address">The loopback address to listen on; 127.0.0.1 by default (<see cref="IPAddress.IPv6Loopback"/> for [::1]).</param>
    /// <param name="backlog">The accept queue's length.</param>
    /// <param name="receiveBufferSize">The listening socket's receive buffer (accepted sockets inherit it); null for the system's.</param>
    public LoopbackListener(
        Func<Socket, int, CancellationToken, TConnection> accept,
        Func<TConnection, Task> serve,
        Action<TConnection> close,
        IPAddress? address = null,
        int backlog = 64,
        int? receiveBufferSize = null)
    {
        _stoppingToken = _stopping.Token;
        _accept = accept;
        _serve = serve;
        _close = close;
        Address = address ?? IPAddress.Loopback;
        _listener = new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferSize is int size)
        {
            _listener.ReceiveBufferSize = size;
        }
        _listener.Bind(new IPEndPoint(Address, 0));
        _listener.Listen(backlog);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The address listened on.</summary>
    public IPAddress Address { get; }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>The number of connections accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _accepted);

    /// <summary>Cancelled when the listener stops.</summary>
    public CancellationToken Stopping => _stoppingToken;

    /// <summary>A URI for this listener: <c>http://127.0.0.1:port/path</c> or <c>http://[::1]:port/path</c>.</summary>
    /// <param name="pathAndQuery">The path and query, starting with '/'.</param>
    /// <param name="scheme">The scheme; "http" by default.</param>
    /// <param name="host">The host to name instead of the address (a certificate's name for TLS).</param>
    public Uri Uri(string pathAndQuery = "/", string scheme = "http", string? host = null)
    {
        host ??= Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();
        return new Uri($"{scheme}://{host}:{Port.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}");
    }

    /// <summary>A task that completes when every connection being served now has been served.</summary>
    public Task WhenServedAsync()
    {
        lock (_serving)
        {
            return Task.WhenAll(_serving.Values);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stoppingToken).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            TConnection connection = _accept(socket, Interlocked.Increment(ref _accepted) - 1, _stoppingToken);
            lock (_serving)
            {
                _serving[connection] = Task.Run(() => ServeAsync(connection));
            }
        }
    }

    private async Task ServeAsync(TConnection connection)
    {
        try
        {
            await _serve(connection).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The server's serve callback reports what it cares about; the rest ends the connection.
        }
        finally
        {
            lock (_serving)
            {
                _serving.Remove(connection);
            }
        }
    }

    /// <summary>
    /// Stops: waits up to <paramref name="grace"/> for connections that are about to finish on their own, then
    /// stops accepting, closes every connection still being served and waits (at most 5 s each) for them and the
    /// accept loop. Stopping twice does nothing.
    /// </summary>
    /// <param name="grace">How long connections may finish before they are cut; none by default.</param>
    public async Task StopAsync(TimeSpan grace = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        if (grace > TimeSpan.Zero)
        {
            try
            {
                await WhenServedAsync().WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        _stopping.Cancel();
        _listener.Dispose();
        lock (_serving)
        {
            foreach (TConnection connection in _serving.Keys)
            {
                _close(connection);
            }
        }
        try
        {
            await WhenServedAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A connection ignoring the stop token must not hang the test run.
        }
    }

    /// <summary>Stops (see <see cref="StopAsync"/>) and releases the stop token.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
