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

/// <summary>
/// The request log of one client as <see cref="ClientDiagnostics"/> uses it. Only the
/// <see cref="TypedHttpClientOptions.LoggerFactory"/> setter refers to the implementation
/// (<see cref="RequestLogSource"/>), so an application that never sets a logger factory carries none of
/// <see cref="ClientLog"/> or the logging formatter in a trimmed or Native AOT binary.
/// </summary>
internal abstract class RequestLog
{
    /// <summary>Whether messages of <paramref name="level"/> are written.</summary>
    /// <param name="level">The level.</param>
    public abstract bool IsEnabled(LogLevel level);

    /// <summary>See <see cref="ClientLog.RequestCompleted"/>.</summary>
    public abstract void RequestCompleted(string httpMethod, string uri, int statusCode, double elapsedMilliseconds);

    /// <summary>See <see cref="ClientLog.RequestFailed"/>.</summary>
    public abstract void RequestFailed(string httpMethod, string uri, double elapsedMilliseconds, string errorType, Exception exception);

    /// <summary>See <see cref="ClientLog.RequestHead"/>; the header block is formatted by the log.</summary>
    public abstract void RequestHead(string httpMethod, string uri, HttpHeaderCollection headers, string? contentType);

    /// <summary>See <see cref="ClientLog.ResponseHead"/>; the header block is formatted by the log.</summary>
    public abstract void ResponseHead(string version, int statusCode, string reasonPhrase, string httpMethod, string uri, HttpHeaderCollection headers);
}

/// <summary>Makes the request log of a client from a logger factory.</summary>
internal sealed class RequestLogSource
{
    /// <summary>The one instance; only the <see cref="TypedHttpClientOptions.LoggerFactory"/> setter refers to it.</summary>
    public static readonly RequestLogSource Instance = new();

    private RequestLogSource()
    {
    }

    /// <summary>The log of the client for <paramref name="interfaceName"/> (category <c>TypedHttp.&lt;interface&gt;</c>).</summary>
    /// <param name="factory">The logger factory.</param>
    /// <param name="interfaceName">The interface's full name.</param>
    public RequestLog Create(ILoggerFactory factory, string interfaceName) => new LoggerRequestLog(factory.CreateLogger("TypedHttp." + interfaceName));

    private sealed class LoggerRequestLog(ILogger logger) : RequestLog
    {
        public override bool IsEnabled(LogLevel level) => logger.IsEnabled(level);

        public override void RequestCompleted(string httpMethod, string uri, int statusCode, double elapsedMilliseconds) =>
            ClientLog.RequestCompleted(logger, httpMethod, uri, statusCode, elapsedMilliseconds);

        public override void RequestFailed(string httpMethod, string uri, double elapsedMilliseconds, string errorType, Exception exception) =>
            ClientLog.RequestFailed(logger, httpMethod, uri, elapsedMilliseconds, errorType, exception);

        public override void RequestHead(string httpMethod, string uri, HttpHeaderCollection headers, string? contentType) =>
            ClientLog.RequestHead(logger, httpMethod, uri, ClientLog.FormatHeaders(headers, contentType));

        public override void ResponseHead(string version, int statusCode, string reasonPhrase, string httpMethod, string uri, HttpHeaderCollection headers) =>
            ClientLog.ResponseHead(logger, version, statusCode, reasonPhrase, httpMethod, uri, ClientLog.FormatHeaders(headers, null));
    }
}
