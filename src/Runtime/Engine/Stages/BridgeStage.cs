using System;
using System.IO;

namespace TypedHttp;

/// <summary>
/// The bridge stage (docs/engine.md, "Stages"): on the way out, each hop gets the session's cookies for its URI and
/// the engine's Accept-Encoding; on the way in, Set-Cookie from every response is stored and the final answer's body
/// decoded. It keeps no state of its own: the cookie store is the session's.
/// </summary>
public sealed partial class HttpSession
{
    /// <summary>CK-1, R-13: the Cookie field rebuilt from the store for this hop's URI, unless the caller set one.</summary>
    private void AddCookies(ref HttpHeaderCollection? extra, Uri uri, HttpHeaderCollection callerHeaders)
    {
        if (Options.UseCookies && !callerHeaders.Contains("Cookie") && Cookies.GetCookieHeader(uri) is string cookie)
        {
            (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Cookie", cookie);
        }
    }

    /// <summary>T-7, HD-4: our Accept-Encoding, which replaces the caller's (<see cref="RequestPlan.ReplaceAcceptEncoding"/>).</summary>
    private void AddAcceptEncoding(ref HttpHeaderCollection? extra)
    {
        if (Options.Decoder is { } acceptor)
        {
            (extra ??= new HttpHeaderCollection(4)).AddUnchecked("Accept-Encoding", acceptor.AcceptEncoding);
        }
    }

    /// <summary>Set-Cookie from every response, 3xx and 401 included (CK-1, R-13); CK-3 when cookies are off.</summary>
    private void StoreCookies(Uri uri, TypedHttpResponse response)
    {
        if (Options.UseCookies)
        {
            Cookies.SetCookies(uri, response.Headers);
        }
    }

    /// <summary>T-7: the answer's body decoded by its Content-Encoding (which, with Content-Length, is then removed).</summary>
    private void DecodeBody(TypedHttpResponse response, TypedHttpRequest hop)
    {
        HttpSessionOptions o = Options;
        if (o.Decoder is { } decoder && hop.Method != "HEAD" && response.StatusCode is not (204 or 304)
            && decoder.TryDecode(response.Headers, response.Body, o.DecompressionLimits, out Stream decoded)
            && !ReferenceEquals(decoded, response.Body))
        {
            response.Body = decoded;
        }
    }
}
