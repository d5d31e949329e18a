using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// A TCP server for wire tests: it listens on a loopback address and an ephemeral port and runs a script for
/// every accepted connection. A script reads requests and sends exactly the bytes a case needs — malformed ones
/// included — drips them with delays, closes, resets or stays silent. The server counts accepted connections and
/// records every byte it read on each.
/// </summary>
/// <example>
/// <code>
/// await using var server = ScriptedServer.Start(c => c.ServeAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
/// using var response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/a")));
/// Assert.Equal(1, server.AcceptedCount);
/// </code>
/// </example>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly LoopbackListener<ScriptedConnection> _listener;
    private readonly Func<ScriptedConnection, Task> _script;
    private readonly List<ScriptedConnection> _connections = new();
    private readonly List<Exception> _faults = new();

    private ScriptedServer(Func<ScriptedConnection, Task> script, IPAddress address, int? receiveBufferSize)
    {
        _script = script;
        _listener = new LoopbackListener<ScriptedConnection>(Accept, RunScriptAsync, c => c.CloseQuietly(), address, receiveBufferSize: receiveBufferSize);
    }

    /// <summary>Starts a server that runs <paramref name="script"/> for every accepted connection.</summary>
    /// <param name="script">
    /// The per-connection script. When it returns, the server closes the connection gracefully (FIN) unless the
    /// script closed or reset it already. <see cref="ScriptedConnection.Index"/> tells connections apart.
    /// </param>
    /// <param name="address">The loopback address to listen on; 127.0.0.1 by default (use <see cref="IPAddress.IPv6Loopback"/> for [::1]).</param>
    /// <param name="receiveBufferSize">The server side's socket receive buffer; small makes a client's writes block early. The system's by default.</param>
    public static ScriptedServer Start(Func<ScriptedConnection, Task> script, IPAddress? address = null, int? receiveBufferSize = null) =>
        new(script, address ?? IPAddress.Loopback, receiveBufferSize);

    /// <summary>Starts a server whose every connection answers successive requests with <paramref name="responses"/> (see <see cref="ScriptedConnection.ServeAsync"/>).</summary>
    /// <param name="responses">The raw responses, sent one per request read.</param>
    public static ScriptedServer Respond(params string[] responses) => Start(c => c.ServeAsync(responses));

    /// <summary>The address listened on.</summary>
    public IPAddress Address => _listener.Address;

    /// <summary>The port listened on.</summary>
    public int Port => _listener.Port;

    /// <summary>The number of connections accepted so far.</summary>
    public int AcceptedCount => _listener.AcceptedCount;

    /// <summary>The accepted connections, in order.</summary>
    public IReadOnlyList<ScriptedConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.ToArray();
            }
        }
    }

    /// <summary>Exceptions thrown by scripts (other than those caused by stopping the server).</summary>
    public IReadOnlyList<Exception> Faults
    {
        get
        {
            lock (_faults)
            {
                return _faults.ToArray();
            }
        }
    }

    /// <summary>An http URI for this server: <c>http://127.0.0.1:port/path</c> or <c>http://[::1]:port/path</c>.</summary>
    /// <param name="pathAndQuery">The path and query, starting with '/'.</param>
    /// <param name="scheme">The scheme; "http" by default.</param>
    public Uri Uri(string pathAndQuery = "/", string scheme = "http") => _listener.Uri(pathAndQuery, scheme);

    private ScriptedConnection Accept(Socket socket, int index, CancellationToken stopping)
    {
        var connection = new ScriptedConnection(socket, index, stopping);
        lock (_connections)
        {
            _connections.Add(connection);
        }
        return connection;
    }

    private async Task RunScriptAsync(ScriptedConnection connection)
    {
        try
        {
            await _script(connection).ConfigureAwait(false);
            connection.CloseQuietly();
        }
        catch (Exception e)
        {
            if (!connection.Stopping.IsCancellationRequested && e is not (IOException or SocketException or ObjectDisposedException or OperationCanceledException))
            {
                lock (_faults)
                {
                    _faults.Add(e);
                }
            }
            connection.CloseQuietly();
        }
    }

    /// <summary>Stops listening, closes every connection and waits (briefly) for the scripts to end.</summary>
    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

/// <summary>One accepted connection of a <see cref="ScriptedServer"/>, as its script sees it.</summary>
public sealed class ScriptedConnection
{
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();
    private readonly List<ScriptedRequest> _requests = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _closed;

    internal ScriptedConnection(Socket socket, int index, CancellationToken stopping)
    {
        _socket = socket;
        Index = index;
        Stopping = stopping;
    }

    /// <summary>The 0-based order in which the server accepted this connection.</summary>
    public int Index { get; }

    /// <summary>Cancelled when the server is disposed.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Every byte read from the client on this connection so far.</summary>
    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary><see cref="Received"/> as Latin-1 text.</summary>
    public string ReceivedText => Encoding.Latin1.GetString(Received);

    /// <summary>The requests read by <see cref="ReadRequestAsync"/>, in order.</summary>
    public IReadOnlyList<ScriptedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>
    /// Reads one request: the head up to the empty line and, when <paramref name="readBody"/>, the body framed by
    /// Content-Length or chunked coding. Returns null when the client closed the connection before sending a byte.
    /// </summary>
    /// <param name="readBody">False to stop after the head (for Expect: 100-continue scripts).</param>
    public async Task<ScriptedRequest?> ReadRequestAsync(bool readBody = true)
    {
        int headEnd;
        while ((headEnd = FindHeadEnd()) < 0)
        {
            if (await FillAsync().ConfigureAwait(false) == 0)
            {
                if (_end == _start)
                {
                    return null;
                }
                throw new IOException("The client closed the connection in the middle of a request head.");
            }
        }
        string head = Encoding.Latin1.GetString(_buffer, _start, headEnd - _start);
        var raw = new MemoryStream();
        raw.Write(_buffer, _start, headEnd - _start);
        _start = headEnd;
        var request = ScriptedRequest.ParseHead(head);
        if (readBody)
        {
            await ReadBodyCoreAsync(request, raw).ConfigureAwait(false);
        }
        request.Raw = raw.ToArray();
        lock (_requests)
        {
            _requests.Add(request);
        }
        return request;
    }

    /// <summary>Reads the body of a request whose head <see cref="ReadRequestAsync"/> read with readBody false.</summary>
    /// <param name="request">The request.</param>
    public Task ReadBodyAsync(ScriptedRequest request) => ReadBodyCoreAsync(request, new MemoryStream());

    private async Task ReadBodyCoreAsync(ScriptedRequest request, MemoryStream raw)
    {
        var body = new MemoryStream();
        if (request.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            while (true)
            {
                string line = await ReadLineAsync(raw).ConfigureAwait(false);
                int semi = line.IndexOf(';');
                int size = int.Parse(semi >= 0 ? line[..semi] : line, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await ReadLineAsync(raw).ConfigureAwait(false)).Length > 0)
                    {
                    }
                    break;
                }
                await ReadExactAsync(body, raw, size).ConfigureAwait(false);
                await ReadLineAsync(raw).ConfigureAwait(false);
            }
        }
        else if (request.Header("Content-Length") is string length)
        {
            await ReadExactAsync(body, raw, int.Parse(length, CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
        request.Body = body.ToArray();
    }

    /// <summary>Sends <paramref name="text"/> as Latin-1 bytes, exactly as written.</summary>
    /// <param name="text">The bytes to send, one char per byte.</param>
    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    /// <summary>Sends <paramref name="bytes"/> exactly.</summary>
    /// <param name="bytes">The bytes to send.</param>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes) =>
        await _socket.SendAsync(bytes, SocketFlags.None, Stopping).ConfigureAwait(false);

    /// <summary>Sends <paramref name="text"/> in pieces of <paramref name="pieceSize"/> bytes with <paramref name="delay"/> between them.</summary>
    /// <param name="text">The bytes to send, one char per byte.</param>
    /// <param name="pieceSize">Bytes per piece.</param>
    /// <param name="delay">The pause after each piece.</param>
    public async Task DripAsync(string text, int pieceSize, TimeSpan delay)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        for (int i = 0; i < bytes.Length; i += pieceSize)
        {
            await SendAsync(bytes.AsMemory(i, Math.Min(pieceSize, bytes.Length - i))).ConfigureAwait(false);
            await Task.Delay(delay, Stopping).ConfigureAwait(false);
        }
    }

    /// <summary>For each response: reads a request, then sends the response. Then waits until the client closes.</summary>
    /// <param name="responses">The raw responses.</param>
    public async Task ServeAsync(params string[] responses)
    {
        foreach (string response in responses)
        {
            if (await ReadRequestAsync().ConfigureAwait(false) is null)
            {
                return;
            }
            await SendAsync(response).ConfigureAwait(false);
        }
        await WaitForClientCloseAsync().ConfigureAwait(false);
    }

    /// <summary>Reads and records whatever the client sends, until it closes the connection or the server stops.</summary>
    public async Task WaitForClientCloseAsync()
    {
        try
        {
            while (await FillAsync().ConfigureAwait(false) > 0)
            {
                _start = _end; // recorded in Received, not parsed
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Accepts the connection and never answers: reads and records until the client closes or the server stops.</summary>
    public Task StaySilentAsync() => WaitForClientCloseAsync();

    /// <summary>Closes gracefully: sends FIN after the data already sent. (Unread received data makes the kernel send RST instead.)</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
    }

    /// <summary>Aborts the connection with a TCP reset (linger 0).</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
    }

    internal void CloseQuietly()
    {
        try
        {
            Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private int FindHeadEnd()
    {
        ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] == (byte)'\n')
            {
                if (i + 1 < data.Length && data[i + 1] == (byte)'\n')
                {
                    return _start + i + 2;
                }
                if (i + 2 < data.Length && data[i + 1] == (byte)'\r' && data[i + 2] == (byte)'\n')
                {
                    return _start + i + 3;
                }
            }
        }
        return -1;
    }

    private async Task<int> FillAsync()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, Stopping).ConfigureAwait(false);
        if (n > 0)
        {
            lock (_received)
            {
                _received.Write(_buffer, _end, n);
            }
            _end += n;
        }
        return n;
    }

    private async Task<string> ReadLineAsync(MemoryStream raw)
    {
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                raw.Write(_buffer, _start, lf + 1 - _start);
                string line = Encoding.Latin1.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                return line;
            }
            if (await FillAsync().ConfigureAwait(false) == 0)
            {
                throw new IOException("The client closed the connection in the middle of a request body.");
            }
        }
    }

    private async Task ReadExactAsync(MemoryStream body, MemoryStream raw, int count)
    {
        while (count > 0)
        {
            if (_start == _end && await FillAsync().ConfigureAwait(false) == 0)
            {
                throw new IOException("The client closed the connection in the middle of a request body.");
            }
            int n = Math.Min(count, _end - _start);
            body.Write(_buffer, _start, n);
            raw.Write(_buffer, _start, n);
            _start += n;
            count -= n;
        }
    }
}

/// <summary>A request as a <see cref="ScriptedConnection"/> read it.</summary>
public sealed class ScriptedRequest
{
    private ScriptedRequest(string head, string requestLine, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Head = head;
        RequestLine = requestLine;
        Headers = headers;
    }

    /// <summary>The head exactly as received, from the request line through the empty line.</summary>
    public string Head { get; }

    /// <summary>The request line, such as <c>GET /a HTTP/1.1</c>.</summary>
    public string RequestLine { get; }

    /// <summary>The header fields in the order received.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The decoded body (chunked framing removed).</summary>
    public byte[] Body { get; internal set; } = Array.Empty<byte>();

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>Every byte of the request as received, framing included.</summary>
    public byte[] Raw { get; internal set; } = Array.Empty<byte>();

    /// <summary>The value of the first header named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">The header name.</param>
    public string? Header(string name)
    {
        foreach (KeyValuePair<string, string> field in Headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }
        return null;
    }

    internal static ScriptedRequest ParseHead(string head)
    {
        string[] lines = head.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var headers = new List<KeyValuePair<string, string>>();
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            if (colon > 0)
            {
                headers.Add(new(lines[i][..colon], lines[i][(colon + 1)..].Trim()));
            }
        }
        return new ScriptedRequest(head, lines[0], headers);
    }
}
