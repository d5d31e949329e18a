using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace TypedHttp.Benchmarks;

public sealed record Tick(int Seq, string Symbol, decimal Price);

[JsonSerializable(typeof(Tick))]
public sealed partial class TickJson : JsonSerializerContext;

/// <summary>
/// One JSON message echoed over a loopback WebSocket: <see cref="WebSocketChannel{TSend, TReceive}"/> against the
/// hand-written equivalent (SerializeToUtf8Bytes, SendAsync, ReceiveAsync into a reused buffer, Deserialize). Both run on
/// a WebSocket made by <see cref="WebSocket.CreateFromStream(System.IO.Stream, bool, string?, TimeSpan)"/> over a TCP
/// connection to an echoing server in the same process, so the difference is the channel's own work.
/// </summary>
[MemoryDiagnoser]
public class WebSocketChannelBenchmarks
{
    private readonly List<IDisposable> _owned = new();
    private WebSocket _handWritten = null!;
    private WebSocketChannel<Tick, Tick> _channel = null!;
    private IAsyncEnumerator<Tick> _messages = null!;
    private byte[] _receiveBuffer = null!;
    private Tick _tick = null!;

    /// <summary>Characters of the message's text field: a small message, and one of about 64 KiB.</summary>
    [Params(16, 65536)]
    public int SymbolLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tick = new Tick(42, new string('s', SymbolLength), 101.25m);
        _receiveBuffer = new byte[SymbolLength + 1024];
        _handWritten = ConnectAsync().GetAwaiter().GetResult();
        _channel = new WebSocketChannel<Tick, Tick>(ConnectAsync().GetAwaiter().GetResult(), TickJson.Default.Tick, TickJson.Default.Tick);
        _messages = _channel.ReadAllAsync().GetAsyncEnumerator();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _messages.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _channel.Dispose();
        _handWritten.Dispose();
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<Tick> HandWrittenEcho()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(_tick, TickJson.Default.Tick);
        await _handWritten.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        int count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _handWritten.ReceiveAsync(_receiveBuffer.AsMemory(count), CancellationToken.None);
            count += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonSerializer.Deserialize(_receiveBuffer.AsSpan(0, count), TickJson.Default.Tick)!;
    }

    [Benchmark]
    public async Task<Tick> ChannelEcho()
    {
        await _channel.SendAsync(_tick);
        await _messages.MoveNextAsync();
        return _messages.Current;
    }

    /// <summary>A client WebSocket over a loopback TCP connection to a server WebSocket that echoes every message.</summary>
    private async Task<WebSocket> ConnectAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        Task connect = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        TcpClient accepted = await listener.AcceptTcpClientAsync();
        await connect;
        listener.Stop();
        accepted.NoDelay = true;
        _owned.Add(client);
        _owned.Add(accepted);
        var server = WebSocket.CreateFromStream(accepted.GetStream(), isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        _owned.Add(server);
        _ = Task.Run(() => EchoAsync(server));
        return WebSocket.CreateFromStream(client.GetStream(), isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
    }

    private static async Task EchoAsync(WebSocket server)
    {
        byte[] buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                int count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await server.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                await server.SendAsync(buffer.AsMemory(0, count), result.MessageType, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or System.IO.IOException)
        {
            // The benchmark's cleanup disposed the connection.
        }
    }
}
