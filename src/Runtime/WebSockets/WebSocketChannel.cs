using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;

namespace TypedHttp;

/// <summary>
/// A typed duplex channel over a WebSocket: each message is one JSON text message, written from
/// <typeparamref name="TSend"/> and read as <typeparamref name="TReceive"/> through source-generated type information
/// (the application's <c>JsonSerializerContext</c>), so no reflection runs (WS-14). Generated <c>[WebSocket]</c> methods
/// returning <c>Task&lt;WebSocketChannel&lt;TSend, TReceive&gt;&gt;</c> make one; it can also wrap any open WebSocket.
/// </summary>
/// <typeparam name="TSend">What the client sends.</typeparam>
/// <typeparam name="TReceive">What the server sends.</typeparam>
/// <remarks>
/// <para>
/// Sends may come from several callers at once: they are written one after another (a WebSocket allows one send at a
/// time). One <see cref="ReadAllAsync"/> enumeration may run at a time, beside the sends.
/// </para>
/// <para>
/// Reading refuses a message larger than <see cref="MaxMessageBytes"/> by closing with 1009 (MessageTooBig), and a binary
/// message by closing with 1003 (InvalidMessageType), and then throws <see cref="WebSocketException"/> (WS-16). A text
/// message that is not valid JSON for <typeparamref name="TReceive"/> throws <see cref="JsonException"/> naming the type
/// and the JSON path; the WebSocket stays open and the next enumeration reads the next message (WS-15). Buffers are
/// rented from the shared pool: beyond what deserialization makes, a message allocates nothing.
/// </para>
/// </remarks>
public sealed class WebSocketChannel<TSend, TReceive> : IAsyncDisposable, IDisposable
{
    private const int InitialReceiveBuffer = 4096;

    private readonly JsonTypeInfo<TSend> _sendTypeInfo;
    private readonly JsonTypeInfo<TReceive> _receiveTypeInfo;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private PooledBufferWriter? _sendBuffer; // under _sendLock
    private Utf8JsonWriter? _jsonWriter;     // under _sendLock
    private int _reading;
    private int _disposed;

    /// <summary>Wraps an open WebSocket.</summary>
    /// <param name="webSocket">The WebSocket; the channel owns it from now on (disposing the channel disposes it).</param>
    /// <param name="sendTypeInfo">Source-generated type information for what is sent.</param>
    /// <param name="receiveTypeInfo">Source-generated type information for what is received.</param>
    /// <param name="maxMessageBytes">The largest message read, in bytes (<see cref="TypedHttpClientOptions.DefaultMaxWebSocketMessageBytes"/> by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageBytes"/> is not positive.</exception>
    public WebSocketChannel(WebSocket webSocket, JsonTypeInfo<TSend> sendTypeInfo, JsonTypeInfo<TReceive> receiveTypeInfo, int maxMessageBytes = TypedHttpClientOptions.DefaultMaxWebSocketMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(webSocket);
        ArgumentNullException.ThrowIfNull(sendTypeInfo);
        ArgumentNullException.ThrowIfNull(receiveTypeInfo);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        WebSocket = webSocket;
        _sendTypeInfo = sendTypeInfo;
        _receiveTypeInfo = receiveTypeInfo;
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The underlying WebSocket, for what the channel does not do itself (binary frames, keep-alive state).</summary>
    public WebSocket WebSocket { get; }

    /// <summary>The largest message <see cref="ReadAllAsync"/> accepts, in bytes.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>The subprotocol the server chose, or null.</summary>
    public string? SubProtocol => WebSocket.SubProtocol;

    /// <summary>The WebSocket's state.</summary>
    public WebSocketState State => WebSocket.State;

    /// <summary>The close status the server sent, once it closed (WS-17); null before.</summary>
    public WebSocketCloseStatus? CloseStatus => WebSocket.CloseStatus;

    /// <summary>The description of the server's close, once it closed; null before.</summary>
    public string? CloseStatusDescription => WebSocket.CloseStatusDescription;

    /// <summary>Sends <paramref name="message"/> as one JSON text message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send (which aborts the WebSocket, as for any WebSocket send).</param>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    /// <exception cref="WebSocketException">The WebSocket is not open for sending.</exception>
    public async ValueTask SendAsync(TSend message, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            PooledBufferWriter buffer = _sendBuffer ??= new PooledBufferWriter(InitialReceiveBuffer);
            if (_jsonWriter is null)
            {
                JsonSerializerOptions options = _sendTypeInfo.Options;
                _jsonWriter = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth, SkipValidation = true });
            }
            else
            {
                _jsonWriter.Reset(buffer);
            }
            JsonSerializer.Serialize(_jsonWriter, message, _sendTypeInfo);
            _jsonWriter.Flush();
            await WebSocket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendBuffer?.Clear();
            if (_disposed != 0)
            {
                ReleaseSendBuffers();
            }
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Reads the server's messages as they arrive, each deserialized as <typeparamref name="TReceive"/>, until the server
    /// closes (its close is answered, so the close handshake completes, and the enumeration ends; <see cref="CloseStatus"/>
    /// then shows it). Breaking out of the loop leaves the WebSocket open.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the next message (which aborts the WebSocket, as for any WebSocket receive).</param>
    /// <returns>The messages. A JSON <c>null</c> message is a null (default) item.</returns>
    /// <exception cref="JsonException">A message is not valid JSON for <typeparamref name="TReceive"/>; the message names the type and the path.</exception>
    /// <exception cref="WebSocketException">A message was larger than <see cref="MaxMessageBytes"/> (closed with 1009) or binary (closed with 1003), or the connection failed.</exception>
    /// <exception cref="InvalidOperationException">Another enumeration is running.</exception>
    public async IAsyncEnumerable<TReceive> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("Another ReadAllAsync enumeration of this WebSocketChannel is running; read the messages in one loop.");
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(InitialReceiveBuffer, MaxMessageBytes + 1L));
        try
        {
            while (true)
            {
                int count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        // Grow up to one byte beyond the limit, so that a message above it is seen as such.
                        int size = (int)Math.Min(buffer.Length * 2L, MaxMessageBytes + 1L);
                        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await WebSocket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                    count += result.Count;
                    if (count > MaxMessageBytes)
                    {
                        await RefuseAsync(WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
                        throw new WebSocketException(WebSocketError.Faulted,
                            $"The server sent a WebSocket message larger than the limit of {MaxMessageBytes} bytes (MaxMessageBytes); the WebSocket was closed with 1009 (MessageTooBig).");
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (WebSocket.State == WebSocketState.CloseReceived)
                    {
                        // Complete the close handshake with the server's own status.
                        await WebSocket.CloseOutputAsync(WebSocket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, WebSocket.CloseStatusDescription, cancellationToken).ConfigureAwait(false);
                    }
                    yield break;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await RefuseAsync(WebSocketCloseStatus.InvalidMessageType, "binary message").ConfigureAwait(false);
                    throw new WebSocketException(WebSocketError.InvalidMessageType,
                        $"The server sent a binary WebSocket message where JSON text messages of '{typeof(TReceive).FullName}' were expected; the WebSocket was closed with 1003 (InvalidMessageType).");
                }
                yield return Deserialize(buffer.AsSpan(0, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>
    /// Closes the WebSocket with <paramref name="closeStatus"/>: the close handshake, waiting for the server's close. While
    /// <see cref="ReadAllAsync"/> runs, only the client's close is sent here and the enumeration ends on the server's. A
    /// WebSocket already closed or aborted is left as it is.
    /// </summary>
    /// <param name="closeStatus">The close status; <see cref="WebSocketCloseStatus.NormalClosure"/> by default.</param>
    /// <param name="statusDescription">The close reason (at most 123 bytes of UTF-8), or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task CloseAsync(WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NormalClosure, string? statusDescription = null, CancellationToken cancellationToken = default)
    {
        WebSocketState state = WebSocket.State;
        if (state is WebSocketState.Closed or WebSocketState.Aborted or WebSocketState.None)
        {
            return Task.CompletedTask;
        }
        if (Volatile.Read(ref _reading) != 0)
        {
            return state == WebSocketState.CloseSent ? Task.CompletedTask : WebSocket.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
        }
        return WebSocket.CloseAsync(closeStatus, statusDescription, cancellationToken);
    }

    /// <summary>Disposes the WebSocket (aborting it when it is not closed) and returns the channel's buffers.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        WebSocket.Dispose();
        if (_sendLock.Wait(0))
        {
            ReleaseSendBuffers();
            _sendLock.Release();
        }
    }

    /// <summary>The same as <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private TReceive Deserialize(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, _receiveTypeInfo)!;
        }
        catch (JsonException e)
        {
            throw new JsonException(
                $"A WebSocket message is not valid JSON for '{typeof(TReceive).FullName}' at {e.Path ?? "$"}: {e.Message}",
                e.Path, e.LineNumber, e.BytePositionInLine, e);
        }
    }

    /// <summary>Sends the client's close for a refused message; a WebSocket that can no longer send is left to fail as it is.</summary>
    private async ValueTask RefuseAsync(WebSocketCloseStatus status, string description)
    {
        if (WebSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await WebSocket.CloseOutputAsync(status, description, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or System.IO.IOException or ObjectDisposedException)
            {
                // The refusal is what the caller learns about (the exception after this); a peer gone already cannot hear it.
            }
        }
    }

    private void ReleaseSendBuffers()
    {
        _jsonWriter?.Dispose();
        _jsonWriter = null;
        _sendBuffer?.Dispose();
        _sendBuffer = null;
    }
}
