using System;
using System.Buffers;
using System.Globalization;
using System.Text;

namespace TypedHttp.Policy;

/// <summary>
/// Pure builders for talking through an HTTP proxy (P-5): the request-target of a plain http request (absolute form,
/// RFC 9112 §3.2.2), the CONNECT request head that opens a tunnel for https (RFC 9110 §9.3.6, RFC 9112 §3.2.3), and
/// the Host value (HD-4).
/// </summary>
internal static class ProxyRequestHead
{
    /// <summary>
    /// The absolute-form request-target for <paramref name="target"/>: <c>http://host[:port]/path?query</c> — no user
    /// information, no fragment, the port only when it is not the scheme's default, IDNs as A-labels.
    /// </summary>
    /// <param name="target">An absolute http URI.</param>
    public static string GetAbsoluteFormTarget(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.IsAbsoluteUri)
        {
            throw new ArgumentException("The target must be an absolute URI.", nameof(target));
        }
        return string.Concat(target.Scheme.ToLowerInvariant(), "://", GetHostHeaderValue(target), target.PathAndQuery);
    }

    /// <summary>The Host field value: <c>host[:port]</c>, the port left out when it is the scheme's default (HD-4).</summary>
    /// <param name="target">An absolute URI.</param>
    public static string GetHostHeaderValue(Uri target)
    {
        string host = HostForRequest(target);
        return target.IsDefaultPort ? host : host + ":" + target.Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The CONNECT authority-form target: <c>host:port</c>, always with the port (RFC 9112 §3.2.3).</summary>
    /// <param name="target">The https URI to tunnel to.</param>
    public static string GetConnectAuthority(Uri target) => HostForRequest(target) + ":" + target.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the CONNECT request head: <c>CONNECT host:port HTTP/1.1</c>, <c>Host: host:port</c>, then
    /// <c>User-Agent</c> and <c>Proxy-Authorization</c> when given, then the empty line. ASCII only.
    /// </summary>
    /// <param name="target">The https URI to tunnel to.</param>
    /// <param name="proxyAuthorization">A Proxy-Authorization value (from the 407 flow or pre-authentication), or null.</param>
    /// <param name="userAgent">A User-Agent value, or null.</param>
    /// <param name="writer">Where the bytes go.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">A value contains CR, LF or NUL, or a character outside ASCII.</exception>
    public static int WriteConnectRequest(Uri target, string? proxyAuthorization, string? userAgent, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(writer);
        string authority = GetConnectAuthority(target);
        int total = 0;
        total += WriteAscii(writer, "CONNECT ");
        total += WriteAscii(writer, authority);
        total += WriteAscii(writer, " HTTP/1.1\r\nHost: ");
        total += WriteAscii(writer, authority);
        total += WriteAscii(writer, "\r\n");
        if (userAgent is not null)
        {
            total += WriteField(writer, "User-Agent", userAgent);
        }
        if (proxyAuthorization is not null)
        {
            total += WriteField(writer, "Proxy-Authorization", proxyAuthorization);
        }
        total += WriteAscii(writer, "\r\n");
        return total;
    }

    /// <summary>The CONNECT request head as a new array (tests and simple callers).</summary>
    /// <param name="target">The https URI to tunnel to.</param>
    /// <param name="proxyAuthorization">A Proxy-Authorization value, or null.</param>
    /// <param name="userAgent">A User-Agent value, or null.</param>
    public static byte[] BuildConnectRequest(Uri target, string? proxyAuthorization = null, string? userAgent = null)
    {
        var writer = new ArrayBufferWriter<byte>(128);
        WriteConnectRequest(target, proxyAuthorization, userAgent, writer);
        return writer.WrittenSpan.ToArray();
    }

    private static string HostForRequest(Uri target)
    {
        if (!target.IsAbsoluteUri)
        {
            throw new ArgumentException("The target must be an absolute URI.", nameof(target));
        }
        string host = target.IdnHost.ToLowerInvariant();
        return target.HostNameType == UriHostNameType.IPv6 ? "[" + host + "]" : host;
    }

    private static int WriteField(IBufferWriter<byte> writer, string name, string value)
    {
        HttpHeaderCollection.ValidateValue(name, value);
        return WriteAscii(writer, name) + WriteAscii(writer, ": ") + WriteAscii(writer, value) + WriteAscii(writer, "\r\n");
    }

    private static int WriteAscii(IBufferWriter<byte> writer, string text)
    {
        Span<byte> span = writer.GetSpan(text.Length);
        OperationStatus status = Ascii.FromUtf16(text, span, out int written);
        if (status != OperationStatus.Done)
        {
            throw new ArgumentException($"'{text}' holds a character outside ASCII, which cannot go in a request head.", nameof(text));
        }
        writer.Advance(written);
        return written;
    }
}
