using System.Collections.Generic;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-i</c>/<c>-I</c> with <c>-L</c> or authentication: curl writes every response head of a transfer (each
/// redirect and 401/407 hop, then the final one). The engine follows those hops itself, so thttp keeps each
/// response head from the trace (<see cref="HttpTraceEventKind.HeadersReceived"/>, fields in clear) as it arrives
/// and writes them before the final response. The status line is built from the event's structured version and
/// status (<c>HTTP/2 302</c>, <c>HTTP/1.1 302 Found</c>); header names are as received (lower case over HTTP/2).
/// It also remembers the last status received, which <c>-w</c> reports after a failed transfer.
/// </summary>
internal sealed class HopHeads
{
    private readonly object _gate = new();
    private readonly List<(byte[] Head, HttpHeaderCollection Fields)> _heads = new();
    private int _lastStatus;
    private System.Version? _lastVersion;
    private int _redirectHeads;

    /// <param name="write">Whether the heads are written (-i/-I); without, only the last status is kept (-w).</param>
    public HopHeads(bool write = true) => Writes = write;

    /// <summary>Whether the heads are written (-i/-I): <see cref="TakeHops"/> is empty otherwise.</summary>
    public bool Writes { get; }

    /// <summary>Forgets the heads of the previous transfer.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _heads.Clear();
            _lastStatus = 0;
            _lastVersion = null;
            _redirectHeads = 0;
        }
    }

    /// <summary>
    /// The last response head received in this transfer (<c>%{http_code}</c>, <c>%{http_version}</c>) and the
    /// redirects followed (<c>%{num_redirects}</c>); for -w after a failed transfer, as curl reports them. When the
    /// transfer failed on a 3xx (too many redirects, a bad Location), that last redirect was not followed.
    /// </summary>
    public (int Status, System.Version? Version, int Redirects) LastResponse(bool failed)
    {
        lock (_gate)
        {
            int redirects = _redirectHeads;
            if (failed && _lastStatus is >= 300 and <= 399 && redirects > 0)
            {
                redirects--;
            }
            return (_lastStatus, _lastVersion, redirects);
        }
    }

    /// <summary>The engine's listener: called inline on the I/O path.</summary>
    public void OnEvent(HttpTraceEvent e)
    {
        // curl's -i writes interim (1xx) heads and a proxy's answer to CONNECT too, in the order they arrive.
        if (e.Kind is not (HttpTraceEventKind.HeadersReceived or HttpTraceEventKind.IntermediateResponse or HttpTraceEventKind.ProxyTunnel)
            || e.Headers is not { } fields || HeadText.StatusLine(e) is not { } statusLine)
        {
            return;
        }
        byte[] head = Output.Head(statusLine, fields);
        lock (_gate)
        {
            _heads.Add((head, fields));
            if (e.Kind != HttpTraceEventKind.HeadersReceived)
            {
                return;
            }
            _lastStatus = e.StatusCode;
            _lastVersion = e.Version;
            if (e.StatusCode is >= 300 and <= 399 && fields.Contains("Location"))
            {
                _redirectHeads++;
            }
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
            foreach ((byte[]? head, HttpHeaderCollection? fields) in Writes ? _heads : new List<(byte[] Head, HttpHeaderCollection Fields)>())
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
