using System;
using Microsoft.Extensions.Logging;

namespace TypedHttp;

/// <summary>
/// The request log, written through the logging source generator. Every value is a method, a URI without user
/// information, a status, a duration, an error kind or a header block with secrets replaced by <c>***</c>: no
/// credential reaches a message, the structured state or a scope (TypedHttp opens no scopes).
/// </summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1, EventName = "RequestCompleted", Level = LogLevel.Information,
        Message = "{HttpMethod} {Uri} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    public static partial void RequestCompleted(ILogger logger, string httpMethod, string uri, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2, EventName = "RequestFailed", Level = LogLevel.Warning,
        Message = "{HttpMethod} {Uri} failed after {ElapsedMilliseconds:0.0} ms: {ErrorType}")]
    public static partial void RequestFailed(ILogger logger, string httpMethod, string uri, double elapsedMilliseconds, string errorType, Exception exception);

    [LoggerMessage(EventId = 3, EventName = "RequestHead", Level = LogLevel.Trace,
        Message = "Sending {HttpMethod} {Uri}{Headers}")]
    public static partial void RequestHead(ILogger logger, string httpMethod, string uri, string headers);

    [LoggerMessage(EventId = 4, EventName = "ResponseHead", Level = LogLevel.Trace,
        Message = "Received HTTP/{Version} {StatusCode} {ReasonPhrase} for {HttpMethod} {Uri}{Headers}")]
    public static partial void ResponseHead(ILogger logger, string version, int statusCode, string reasonPhrase, string httpMethod, string uri, string headers);

    /// <summary>Header lines (<c>\n  Name: value</c>) with the values of secret headers replaced by <c>***</c>.</summary>
    public static string FormatHeaders(HttpHeaderCollection headers, string? contentType)
    {
        var text = new System.Text.StringBuilder();
        HttpTrace.AppendHeaders(text, headers);
        if (contentType is not null && !headers.Contains("Content-Type"))
        {
            text.Append("\n  Content-Type: ").Append(contentType);
        }
        return text.ToString();
    }
}
