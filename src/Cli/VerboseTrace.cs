using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-v</c>: renders the engine's trace events on standard error as curl does — <c>&gt; </c> for the request
/// head as sent, <c>&lt; </c> for each response head, <c>* </c> for everything else.
/// </summary>
/// <remarks>
/// The engine's trace shows the values of Authorization, Proxy-Authorization, Cookie and Set-Cookie as
/// <c>***</c>. curl shows request headers as sent; thttp does the same for the values it put on the request
/// itself (from -H, -u, -b), and for the final response head, which it renders from the response. Values the
/// engine adds on its own (an answer to an authentication challenge, cookies from the store on a redirect hop)
/// and Set-Cookie on intermediate responses stay <c>***</c>: the engine never hands them out.
/// </remarks>
internal sealed class VerboseTrace
{
    private readonly TextWriter _stderr;
    private readonly object _gate = new();
    private readonly List<KeyValuePair<string, string>> _knownSecrets = new();
    private string? _pendingHead;

    public VerboseTrace(TextWriter stderr) => _stderr = stderr;

    /// <summary>Remembers the secret header values thttp itself sets on <paramref name="request"/>.</summary>
    public void BeginTransfer(TypedHttpRequest request)
    {
        lock (_gate)
        {
            _knownSecrets.Clear();
            _pendingHead = null;
            foreach (var field in request.Headers)
            {
                if (HttpTrace.IsSecret(field.Key))
                {
                    _knownSecrets.Add(field);
                }
            }
        }
    }

    /// <summary>An information line.</summary>
    public void Info(string text)
    {
        lock (_gate)
        {
            FlushPending();
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
                    FlushPending();
                    WriteRequest(e.Message);
                    break;
                case HttpTraceEventKind.HeadersReceived:
                    FlushPending();
                    _pendingHead = e.Message;
                    break;
                default:
                    FlushPending();
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

    /// <summary>The final response head: rendered from the response, so Set-Cookie shows as received.</summary>
    public void FinalResponse(TypedHttpResponse response)
    {
        lock (_gate)
        {
            _pendingHead = null;
            _stderr.Write("< ");
            _stderr.Write(Output.StatusLine(response));
            _stderr.Write('\n');
            foreach (var field in response.Headers)
            {
                _stderr.Write("< ");
                _stderr.Write(field.Key);
                _stderr.Write(": ");
                _stderr.Write(field.Value);
                _stderr.Write('\n');
            }
            _stderr.Write("< \n");
        }
    }

    /// <summary>Ends a transfer: a response head still pending (the transfer failed after it) is written as traced.</summary>
    public void EndTransfer()
    {
        lock (_gate)
        {
            FlushPending();
        }
    }

    private void FlushPending()
    {
        if (_pendingHead is null)
        {
            return;
        }
        string head = _pendingHead;
        _pendingHead = null;
        foreach (string line in head.Split('\n'))
        {
            _stderr.Write("< ");
            _stderr.Write(line.StartsWith("  ", StringComparison.Ordinal) ? line.Substring(2) : line);
            _stderr.Write('\n');
        }
        _stderr.Write("< \n");
    }

    private void WriteRequest(string message)
    {
        var used = new bool[_knownSecrets.Count];
        var text = new StringBuilder();
        foreach (string raw in message.Split('\n'))
        {
            string line = raw.StartsWith("  ", StringComparison.Ordinal) ? raw.Substring(2) : raw;
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(colon + 2).SequenceEqual("***") && HttpTrace.IsSecret(line.Substring(0, colon)))
            {
                string name = line.Substring(0, colon);
                for (int i = 0; i < _knownSecrets.Count; i++)
                {
                    if (!used[i] && string.Equals(_knownSecrets[i].Key, name, StringComparison.OrdinalIgnoreCase))
                    {
                        used[i] = true;
                        line = name + ": " + _knownSecrets[i].Value;
                        break;
                    }
                }
            }
            text.Append("> ").Append(line.EndsWith(": ", StringComparison.Ordinal) ? line.TrimEnd() : line).Append('\n');
        }
        text.Append("> \n");
        _stderr.Write(text.ToString());
    }
}
