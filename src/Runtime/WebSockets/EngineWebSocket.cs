using System;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// WS-20: the WebSocket <see cref="HttpSession.ConnectWebSocketAsync"/> returns: .NET's own (framing, masking, the close
/// handshake are its), with one rule added. When a receive or a close fails with a <see cref="WebSocketException"/> (the
/// server broke the protocol — a masked frame, invalid UTF-8, an oversized control frame — or the connection broke),
/// .NET's WebSocket sends its close frame and leaves the connection open; RFC 6455 §7.1.7 has the endpoint that fails
/// the WebSocket connection close it, so this one is aborted at once: its TCP connection (or HTTP/2 stream) closes.
/// </summary>
internal sealed class EngineWebSocket(WebSocket inner) : WebSocket
{
    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    public override void Dispose() => inner.Dispose();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        Watch(inner.CloseAsync(closeStatus, statusDescription, cancellationToken), cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        Task<WebSocketReceiveResult> task = inner.ReceiveAsync(buffer, cancellationToken);
        return task.IsCompletedSuccessfully ? task : WatchAsync(task, cancellationToken);
    }

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ValueTask<ValueWebSocketReceiveResult> task = inner.ReceiveAsync(buffer, cancellationToken);
        return task.IsCompletedSuccessfully ? task : WatchAsync(task, cancellationToken);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);

    private Task Watch(Task task, CancellationToken cancellationToken) => task.IsCompletedSuccessfully ? task : WatchAsync(task, cancellationToken);

    private async Task WatchAsync(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (WebSocketException) when (!cancellationToken.IsCancellationRequested)
        {
            inner.Abort();
            throw;
        }
    }

    private async Task<WebSocketReceiveResult> WatchAsync(Task<WebSocketReceiveResult> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (WebSocketException) when (!cancellationToken.IsCancellationRequested)
        {
            inner.Abort();
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ValueWebSocketReceiveResult> WatchAsync(ValueTask<ValueWebSocketReceiveResult> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (WebSocketException) when (!cancellationToken.IsCancellationRequested)
        {
            inner.Abort();
            throw;
        }
    }
}
