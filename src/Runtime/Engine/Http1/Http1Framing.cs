using System.Net.Http;

namespace TypedHttp;

/// <summary>
/// The HTTP/1.1 codec's framing of one request, derived from the neutral <see cref="RequestPlan"/> while the head is
/// written (<c>HttpConnection.WriteHead</c>): the version of the request line, how the body is delimited, and what the
/// caller's Connection and Expect fields ask of the connection.
/// </summary>
/// <param name="Http10">Whether the request line says HTTP/1.0 (C-1: keep-alive then only when both sides ask).</param>
/// <param name="BodyLength">The body's Content-Length, or -1 for chunked coding (or no body).</param>
/// <param name="RequestWantsClose">Whether the caller's Connection field says close (C-2: the connection is not reused).</param>
/// <param name="ExpectContinue">Whether the caller asked for 100-continue and there is a body to hold back.</param>
internal readonly record struct Http1Framing(bool Http10, long BodyLength, bool RequestWantsClose, bool ExpectContinue)
{
    /// <summary>Whether HTTP/1.x is spoken as 1.0: the request asks for 1.0 and does not allow a higher version (H2-1).</summary>
    public static bool SpeaksHttp10(in RequestPlan plan) =>
        plan.Version is { Major: 1, Minor: 0 } && plan.VersionPolicy != HttpVersionPolicy.RequestVersionOrHigher;
}
