using System.Collections.Generic;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-i</c>/<c>-I</c> with <c>-L</c> or authentication: curl writes every response head of a transfer (each
/// redirect and 401/407 hop, then the final one). The engine follows those hops itself, so thttp keeps each
/// response head from the trace (<see cref="HttpTraceEventKind.HeadersReceived"/>, fields in clear) as it arrives
/// and writes them before the final response. The status line is built from the event's structured version and
/// status (<c>HTTP/2 302</c>, <c>HTTP/1.1 302 Found</c>); header names are as received (lower case over HTTP/2).
/// </summary>
internal sealed class HopHeads
{
    private readonly object _gate = new();
    private readonly List<(byte[] Head, HttpHeaderCollection Fields)> _heads = new();

    /// <summary>Forgets the heads of the previous transfer.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _heads.Clear();
        }
    }

    /// <summary>The engine's listener: called inline on the I/O path.</summary>
    public void OnEvent(HttpTraceEvent e)
    {
        if (e.Kind != HttpTraceEventKind.HeadersReceived || e.Headers is not { } fields || HeadText.StatusLine(e) is not { } statusLine)
        {
            return;
        }
        byte[] head = Output.Head(statusLine, fields);
        lock (_gate)
        {
            _heads.Add((head, fields));
        }
    }

    /// <summary>
    /// Takes the heads received so far, without the one of <paramref name="final"/> (the final response's head
    /// is written from the response); all of them when the transfer failed.
    /// </summary>
    public List<byte[]> TakeHops(TypedHttpResponse? final)
    {
        lock (_gate)
        {
            var hops = new List<byte[]>(_heads.Count);
            foreach ((byte[]? head, HttpHeaderCollection? fields) in _heads)
            {
                if (final is null || !ReferenceEquals(fields, final.Headers))
                {
                    hops.Add(head);
                }
            }
            _heads.Clear();
            return hops;
        }
    }
}
