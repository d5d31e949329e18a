using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-v</c>: renders the engine's trace events on standard error as curl does — <c>&gt; </c> for each request
/// head as sent, <c>&lt; </c> for each response head as received, <c>* </c> for everything else.
/// </summary>
/// <remarks>
/// Heads are rendered from the events' structured fields: the header fields the engine hands to the session's own
/// listener in clear (<see cref="HttpTraceEvent.Headers"/>), so request headers show as sent, credentials included,
/// as in curl, and response status lines from <see cref="HttpTraceEvent.Version"/> and
/// <see cref="HttpTraceEvent.StatusCode"/> (<c>&lt; HTTP/2 200</c>, <c>&lt; HTTP/1.1 200 OK</c>). For HTTP/2 a
/// request is preceded by curl's <c>* [HTTP/2] [1] OPENED stream for URL</c> (the event's
/// <see cref="HttpTraceEvent.StreamId"/>) and its request line is curl's rendering (<c>GET /x HTTP/2</c>, Host for
/// :authority). The TLS event's ALPN result shows as curl's <c>* ALPN: server accepted h2</c>. Interim (1xx) heads
/// and a proxy's answer to CONNECT are shown as <c>&lt; </c> heads, as curl shows them. The EventSource and logs keep
/// getting the redacted text.
/// </remarks>
internal sealed class VerboseTrace
{
    private const string AlpnMarker = ", ALPN ";

    private readonly TextWriter _stderr;
    private readonly object _gate = new();

    public VerboseTrace(TextWriter stderr) => _stderr = stderr;

    /// <summary>An information line.</summary>
    public void Info(string text)
    {
        lock (_gate)
        {
            _stderr.Write("* ");
            _stderr.Write(text);
            _stderr.Write('\n');
        }
    }

    /// <summary>The engine's listener: called inline on the I/O path.</summary>
    public void OnEvent(HttpTraceEvent e)
    {
        string text = e.Kind switch
        {
            HttpTraceEventKind.SendingRequest => RenderRequest(e),
            HttpTraceEventKind.HeadersReceived => RenderResponse(e),
            // curl shows an interim (1xx) head and the proxy's answer to CONNECT as heads too.
            HttpTraceEventKind.IntermediateResponse or HttpTraceEventKind.ProxyTunnel when e.StatusCode > 0 => RenderResponse(e, endMarker: e.Kind == HttpTraceEventKind.ProxyTunnel),
            HttpTraceEventKind.TlsEstablished => RenderTls(e),
            HttpTraceEventKind.WebSocketUpgraded => InfoLines("Received 101, switch to WebSocket") + InfoLines(e.Message),
            _ => InfoLines(e.Message),
        };
        lock (_gate)
        {
            _stderr.Write(text);
        }
    }

    /// <summary>
    /// A request head: for HTTP/2 curl's stream line first; the request line (the message's first line: the engine
    /// writes it as sent, or curl's HTTP/2 rendering), each field in clear, an empty marker line.
    /// </summary>
    private static string RenderRequest(HttpTraceEvent e)
    {
        var text = new StringBuilder();
        if (e.StreamId > 0 && e.Version is { } version)
        {
            text.Append("* [").Append(HeadText.Protocol(version)).Append("] [").Append(e.StreamId).Append("] OPENED stream for ")
                .Append(e.RequestUri?.AbsoluteUri).Append('\n');
        }
        string message = e.Message;
        int end = message.IndexOf('\n');
        text.Append("> ").Append(end < 0 ? message : message.AsSpan(0, end)).Append('\n');
        AppendFields(text, "> ", e, end < 0 ? null : message.Substring(end + 1));
        return text.ToString();
    }

    /// <summary>
    /// A response head: the status line from the structured version and status, each field as received, and the empty
    /// marker line, which curl leaves out after an interim (1xx) head (<paramref name="endMarker"/> false).
    /// </summary>
    private static string RenderResponse(HttpTraceEvent e, bool endMarker = true)
    {
        if (HeadText.StatusLine(e) is not { } statusLine)
        {
            return InfoLines(e.Message); // an event without its structured fields: shown as information
        }
        StringBuilder text = new StringBuilder("< ").Append(statusLine).Append('\n');
        string message = e.Message;
        int end = message.IndexOf('\n');
        AppendFields(text, "< ", e, end < 0 ? null : message.Substring(end + 1), endMarker);
        return text.ToString();
    }

    /// <summary>Each field in clear (curl writes <c>Name:</c> for an empty value), or the redacted lines without them; then the empty marker line.</summary>
    private static void AppendFields(StringBuilder text, string marker, HttpTraceEvent e, string? redactedLines, bool endMarker = true)
    {
        if (e.Headers is { } headers)
        {
            foreach (KeyValuePair<string, string> field in headers)
            {
                text.Append(marker).Append(field.Key).Append(field.Value.Length == 0 ? ":" : ": ").Append(field.Value).Append('\n');
            }
        }
        else if (redactedLines is not null)
        {
            foreach (string line in redactedLines.Split('\n'))
            {
                text.Append(marker).Append(line.TrimStart()).Append('\n');
            }
        }
        if (endMarker)
        {
            text.Append(marker).Append('\n');
        }
    }

    /// <summary>
    /// The TLS event, and its ALPN result as curl words it: the engine ends the text with <c>, ALPN h2</c>,
    /// <c>, ALPN http/1.1</c> or <c>, ALPN none</c> when it offered h2 (the event has no structured field for it).
    /// </summary>
    private static string RenderTls(HttpTraceEvent e)
    {
        string message = e.Message;
        if (e.ApplicationProtocol is not { } protocol)
        {
            return InfoLines(message); // ALPN was not offered
        }
        int alpn = message.LastIndexOf(AlpnMarker, StringComparison.Ordinal);
        string result = protocol.Length == 0
            ? "ALPN: server did not agree on a protocol. Uses default."
            : "ALPN: server accepted " + protocol;
        return InfoLines(alpn < 0 ? message : message.Substring(0, alpn)) + InfoLines(result);
    }

    /// <summary>Each line of <paramref name="message"/> as a <c>* </c> line.</summary>
    private static string InfoLines(string message)
    {
        var text = new StringBuilder();
        foreach (string line in message.Split('\n'))
        {
            text.Append("* ").Append(line.TrimStart()).Append('\n');
        }
        return text.ToString();
    }
}
