using System;
using System.Globalization;

namespace TypedHttp.Cli;

/// <summary>
/// Status lines as curl prints them, from structured facts (the response's, or a trace event's
/// <see cref="HttpTraceEvent.Version"/> and <see cref="HttpTraceEvent.StatusCode"/>), never cut out of message text:
/// <c>HTTP/1.1 200 OK</c> (the reason phrase as received; none when the server sent none), <c>HTTP/2 200</c>
/// (HTTP/2 has no reason phrase).
/// </summary>
internal static class HeadText
{
    /// <summary>The status line for <paramref name="version"/>, <paramref name="status"/> and <paramref name="reason"/>.</summary>
    public static string StatusLine(Version version, int status, string reason)
    {
        if (version.Major >= 2)
        {
            return string.Create(CultureInfo.InvariantCulture, $"HTTP/{version.Major} {status}");
        }
        string line = string.Create(CultureInfo.InvariantCulture, $"HTTP/{version.Major}.{version.Minor} {status}");
        return reason.Length == 0 ? line : line + " " + reason;
    }

    /// <summary>The status line of a response head event; null when the event lacks the structured version or status.</summary>
    public static string? StatusLine(HttpTraceEvent e) =>
        e.Version is { } version && e.StatusCode > 0 ? StatusLine(version, e.StatusCode, ReasonPhrase(e, version)) : null;

    /// <summary>The protocol name as curl's -v prints it beside a stream: <c>HTTP/2</c>, <c>HTTP/1.1</c>.</summary>
    public static string Protocol(Version version) => version.Major >= 2
        ? string.Create(CultureInfo.InvariantCulture, $"HTTP/{version.Major}")
        : string.Create(CultureInfo.InvariantCulture, $"HTTP/{version.Major}.{version.Minor}");

    /// <summary>The reason phrase of a response head event (its structured field; HTTP/2 has none).</summary>
    private static string ReasonPhrase(HttpTraceEvent e, Version version) => version.Major >= 2 ? string.Empty : e.ReasonPhrase ?? string.Empty;
}
