using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 response text for scripted servers and the reading of response bodies, one set for every wire test
/// (the test project imports it with a global <c>using static</c>). Text is Latin-1 throughout, one char per byte,
/// as <see cref="ScriptedConnection.SendAsync(string)"/> sends it and <see cref="ScriptedConnection.ReceivedText"/>
/// reads it. A head is the status line, the framing header, the helper's own header, then the extra header lines.
/// A test that depends on exact bytes spells them out instead.
/// </summary>
internal static class Wire
{
    /// <summary>A 200 response: <c>HTTP/1.1 200 OK</c>, Content-Length, <paramref name="extraHeaders"/>, then <paramref name="body"/>.</summary>
    /// <param name="body">The body, one char per byte.</param>
    /// <param name="extraHeaders">Further header lines, each ending in CRLF.</param>
    public static string Ok(string body = "ok", string extraHeaders = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Length: {Encoding.Latin1.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}";

    /// <summary>A redirect without a body: the status line, <c>Content-Length: 0</c>, Location, then <paramref name="extraHeaders"/>.</summary>
    /// <param name="status">The 3xx status.</param>
    /// <param name="location">The Location value.</param>
    /// <param name="extraHeaders">Further header lines, each ending in CRLF.</param>
    public static string Redirect(int status, string location, string extraHeaders = "") =>
        $"HTTP/1.1 {status} Redirect\r\nContent-Length: 0\r\nLocation: {location}\r\n{extraHeaders}\r\n";

    /// <summary>Reads the body to its end as Latin-1 text (one char per byte).</summary>
    /// <param name="response">The response.</param>
    public static async Task<string> ReadAsStringAsync(this TypedHttpResponse response)
    {
        var buffer = new MemoryStream();
        await response.Body.CopyToAsync(buffer);
        return Encoding.Latin1.GetString(buffer.ToArray());
    }
}
