using System;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-v</c>: renders the engine's trace events on standard error as curl does — <c>&gt; </c> for each request
/// head as sent, <c>&lt; </c> for each response head as received, <c>* </c> for everything else.
/// </summary>
/// <remarks>
/// Heads are rendered from the header fields the engine hands to the session's own listener in clear
/// (<see cref="HttpTraceEvent.Headers"/>), so request headers show as sent, credentials included, as in curl.
/// The EventSource and logs keep getting the redacted text.
/// </remarks>
internal sealed class VerboseTrace
{
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
        lock (_gate)
        {
            switch (e.Kind)
            {
                case HttpTraceEventKind.SendingRequest:
                    _stderr.Write(RenderHead("> ", e));
                    break;
                case HttpTraceEventKind.HeadersReceived:
                    _stderr.Write(RenderHead("< ", e));
                    break;
                default:
                    foreach (string line in e.Message.Split('\n'))
                    {
                        _stderr.Write("* ");
                        _stderr.Write(line.TrimStart());
                        _stderr.Write('\n');
                    }
                    break;
            }
        }
    }

    /// <summary>A head: its first line from the message, each field in clear, then an empty marker line.</summary>
    private static string RenderHead(string marker, HttpTraceEvent e)
    {
        string message = e.Message;
        int end = message.IndexOf('\n');
        var text = new StringBuilder(marker).Append(end < 0 ? message : message.AsSpan(0, end)).Append('\n');
        if (e.Headers is { } headers)
        {
            foreach (var field in headers)
            {
                // curl writes "Name:" for an empty value.
                text.Append(marker).Append(field.Key).Append(field.Value.Length == 0 ? ":" : ": ").Append(field.Value).Append('\n');
            }
        }
        else if (end >= 0)
        {
            foreach (string line in message.Substring(end + 1).Split('\n'))
            {
                text.Append(marker).Append(line.TrimStart()).Append('\n');
            }
        }
        return text.Append(marker).Append('\n').ToString();
    }
}
