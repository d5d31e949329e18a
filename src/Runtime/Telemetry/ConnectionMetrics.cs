using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace TypedHttp;

/// <summary>
/// Turns the engine's trace of one session into <c>http.client.open_connections</c> and
/// <c>http.client.connection.duration</c>: a connection counts from its Connected event to its Closing event.
/// The trace tells the peer address and port only, so those are the attributes (<c>network.peer.address</c>,
/// <c>server.port</c>); <c>server.address</c> and <c>http.connection.state</c> need an engine hook (see
/// docs/transports.md).
/// </summary>
internal sealed class ConnectionMetrics
{
    private readonly ConcurrentDictionary<long, Open> _open = new();

    private readonly record struct Open(long StartTimestamp, string? PeerAddress, int Port);

    public void OnTrace(HttpTraceEvent e)
    {
        switch (e.Kind)
        {
            case HttpTraceEventKind.Connected:
                ParsePeer(e.Message, out string? address, out int port);
                var open = new Open(Stopwatch.GetTimestamp(), address, port);
                if (_open.TryAdd(e.ConnectionId, open))
                {
                    TypedHttpTelemetry.OpenConnections.Add(1, Tags(open));
                }
                break;
            case HttpTraceEventKind.Closing:
            case HttpTraceEventKind.SecureFailure:
                if (_open.TryRemove(e.ConnectionId, out Open closed))
                {
                    System.Diagnostics.TagList tags = Tags(closed);
                    TypedHttpTelemetry.OpenConnections.Add(-1, tags);
                    TypedHttpTelemetry.ConnectionDuration.Record(Stopwatch.GetElapsedTime(closed.StartTimestamp).TotalSeconds, tags);
                }
                break;
        }
    }

    private static TagList Tags(in Open open)
    {
        var tags = new TagList
        {
            { "network.protocol.version", "1.1" },
            { "server.port", open.Port },
        };
        if (open.PeerAddress is not null)
        {
            tags.Add("network.peer.address", open.PeerAddress);
        }
        return tags;
    }

    /// <summary>Reads the peer from the Connected line, <c>Connected {local} -> {remote}</c>.</summary>
    internal static void ParsePeer(string message, out string? address, out int port)
    {
        int arrow = message.LastIndexOf("-> ", StringComparison.Ordinal);
        if (arrow >= 0 && IPEndPoint.TryParse(message.AsSpan(arrow + 3).Trim(), out IPEndPoint? endPoint))
        {
            address = endPoint.Address.ToString();
            port = endPoint.Port;
            return;
        }
        address = null;
        port = 0;
    }
}
