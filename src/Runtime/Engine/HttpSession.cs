using System;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// The engine's session, after WinHTTP's session handle: options, the connection pool and (later) cookies and
/// credentials. Thread-safe; meant to live for the process.
/// </summary>
public sealed class HttpSession : HttpTransport, IDisposable
{
    private static readonly Lazy<HttpSession> s_shared = new(() => new HttpSession(new HttpSessionOptions()));

    /// <summary>Creates a session.</summary>
    /// <param name="options">The session's options; they are read once.</param>
    public HttpSession(HttpSessionOptions? options = null) => Options = options ?? new HttpSessionOptions();

    /// <summary>The process-wide session used by clients that name none.</summary>
    public static HttpSession Shared => s_shared.Value;

    /// <summary>The session's options.</summary>
    public HttpSessionOptions Options { get; }

    /// <inheritdoc />
    public override ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("engine not wired yet");

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() { }
}
