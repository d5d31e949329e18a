using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>
/// Request building: the body (-d, --data-binary, --data-raw, --json) and headers (-H, @FILE) read once per run,
/// then one <see cref="TypedHttpRequest"/> per URL with curl's method, default headers and order.
/// </summary>
internal sealed class RequestBuilder
{
    private readonly CliOptions _o;
    private readonly CliEnvironment _env;
    private byte[]? _body;
    private List<KeyValuePair<string, string?>> _headers = new();

    public RequestBuilder(CliOptions options, CliEnvironment environment)
    {
        _o = options;
        _env = environment;
    }

    /// <summary>Reads the data and header files once for all the URLs.</summary>
    /// <exception cref="CliFailure">A file that cannot be read (26).</exception>
    public void Prepare()
    {
        _body = ReadData();
        _headers = ReadHeaders();
    }

    /// <summary>The request body from -d, --data-binary, --data-raw and --json, joined as curl joins them.</summary>
    private byte[]? ReadData()
    {
        if (_o.Data.Count == 0)
        {
            return null;
        }
        var all = new MemoryStream();
        DataKind? previous = null;
        foreach (DataPart part in _o.Data)
        {
            if (previous is not null && !(previous == DataKind.Json && part.Kind == DataKind.Json))
            {
                all.WriteByte((byte)'&');
            }
            previous = part.Kind;
            byte[] bytes;
            if (part.Kind != DataKind.Raw && part.Value.StartsWith('@'))
            {
                bytes = _env.ReadFile(part.Value.Substring(1));
                if (part.Kind == DataKind.Ascii)
                {
                    bytes = Array.FindAll(bytes, b => b != (byte)'\r' && b != (byte)'\n');
                }
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(part.Value);
            }
            all.Write(bytes);
        }
        return all.ToArray();
    }

    /// <summary>
    /// The -H headers (and --json's two) in order: a null value removes a default header ("Name:"), an empty
    /// one sends the header empty ("Name;").
    /// </summary>
    private List<KeyValuePair<string, string?>> ReadHeaders()
    {
        var lines = new List<string>();
        if (HasJson())
        {
            lines.Add("Content-Type: application/json");
            lines.Add("Accept: application/json");
        }
        foreach (string h in _o.Headers)
        {
            if (h.StartsWith('@'))
            {
                foreach (string line in Encoding.UTF8.GetString(_env.ReadFile(h.Substring(1))).Split('\n'))
                {
                    string trimmed = line.TrimEnd('\r');
                    if (trimmed.Length > 0)
                    {
                        lines.Add(trimmed);
                    }
                }
            }
            else
            {
                lines.Add(h);
            }
        }
        var headers = new List<KeyValuePair<string, string?>>();
        foreach (string line in lines)
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                string value = line.Substring(colon + 1).Trim(' ', '\t');
                headers.Add(new(line.Substring(0, colon).Trim(), value.Length == 0 ? null : value));
            }
            else if (line.EndsWith(';') && line.Length > 1)
            {
                headers.Add(new(line.Substring(0, line.Length - 1).Trim(), string.Empty));
            }
            // Anything else is not a header; curl ignores it too.
        }
        return headers;
    }

    private bool HasJson()
    {
        foreach (DataPart part in _o.Data)
        {
            if (part.Kind == DataKind.Json)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A command-line URL as curl reads it (no scheme: http); http, https, ws and wss are supported.</summary>
    /// <exception cref="CliFailure">Exit 1 for another protocol, 3 for a malformed URL.</exception>
    public static Uri ParseUrl(string text)
    {
        string candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        int schemeEnd = candidate.IndexOf("://", StringComparison.Ordinal);
        string scheme = candidate.Substring(0, schemeEnd);
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0 && IsSupportedScheme(scheme))
        {
            if (!IsSupportedScheme(scheme) && scheme.Length > 0 && IsSchemeName(scheme))
            {
                throw new CliFailure(ExitCodes.UnsupportedProtocol, $"Protocol \"{scheme}\" not supported");
            }
            throw new CliFailure(ExitCodes.MalformedUrl, $"URL using bad/illegal format or missing URL: {text}");
        }
        if (!IsSupportedScheme(uri.Scheme))
        {
            throw new CliFailure(ExitCodes.UnsupportedProtocol, $"Protocol \"{scheme}\" not supported");
        }
        return uri;
    }

    private static bool IsSupportedScheme(string scheme) =>
        scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase) ||
        scheme.Equals("ws", StringComparison.OrdinalIgnoreCase) || scheme.Equals("wss", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="uri"/> is a WebSocket URL (ws or wss).</summary>
    public static bool IsWebSocket(Uri uri) => uri.Scheme is "ws" or "wss";

    /// <summary>
    /// The http or https URL the engine uses for a ws or wss one (WS-1): the origin that credentials and cookies are
    /// kept for; any other URL as it is.
    /// </summary>
    public static Uri HttpEquivalent(Uri uri)
    {
        if (!IsWebSocket(uri))
        {
            return uri;
        }
        var builder = new UriBuilder(uri) { Scheme = uri.Scheme == "ws" ? Uri.UriSchemeHttp : Uri.UriSchemeHttps };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    /// <summary>The data of -d, --data-binary, --data-raw and --json joined as for a request body; null without any (after <see cref="Prepare"/>).</summary>
    public byte[]? Data => _body;

    /// <summary>Whether any piece of data came from --data-binary (a WebSocket sends it as a binary message).</summary>
    public bool HasBinaryData
    {
        get
        {
            foreach (DataPart part in _o.Data)
            {
                if (part.Kind == DataKind.Binary)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// The WebSocket handshake's extra fields, as for a request: the -u Basic Authorization, User-Agent, Accept and the
    /// -b cookie string in curl's order, then -H (a -H of a default's name replaces or removes it).
    /// <c>Sec-WebSocket-Protocol</c> given with -H becomes the subprotocols offered.
    /// </summary>
    /// <exception cref="UsageException">A -H the engine refuses.</exception>
    public WebSocketConnectOptions WebSocketOptions()
    {
        using TypedHttpRequest request = BuildHeadersOnly(new Uri("http://localhost/"));
        var options = new WebSocketConnectOptions { FollowRedirects = _o.Location };
        foreach (KeyValuePair<string, string> field in request.Headers)
        {
            if (field.Key.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase))
            {
                foreach (string protocol in field.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    options.SubProtocols.Add(protocol);
                }
                continue;
            }
            if (field.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && HasJson())
            {
                continue; // --json's Content-Type describes a request body; a WebSocket handshake has none
            }
            try
            {
                options.Headers.Add(field.Key, field.Value);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"option -H: {e.Message}");
            }
        }
        return options;
    }

    private static bool IsSchemeName(string s)
    {
        if (!char.IsAsciiLetter(s[0]))
        {
            return false;
        }
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The request for <paramref name="uri"/>: method, curl's default headers, -H, the body.</summary>
    /// <exception cref="UsageException">A -H the engine refuses.</exception>
    public TypedHttpRequest Build(Uri uri)
    {
        TypedHttpRequest request = BuildHeadersOnly(uri, out uri, out byte[]? body, out bool customType);
        if (body is not null)
        {
            request.Content = new ByteArrayRequestContent(body, customType ? null : "application/x-www-form-urlencoded");
        }
        return request;
    }

    private TypedHttpRequest BuildHeadersOnly(Uri uri) => BuildHeadersOnly(uri, out _, out _, out _);

    private TypedHttpRequest BuildHeadersOnly(Uri uri, out Uri target, out byte[]? body, out bool customType)
    {
        body = _body;
        List<KeyValuePair<string, string?>> custom = _headers;
        if (_o.Get && body is not null)
        {
            string query = Encoding.UTF8.GetString(body);
            uri = new Uri(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + query);
            body = null;
        }
        string method = _o.Method ?? (_o.Head ? "HEAD" : body is not null ? "POST" : "GET");
        var request = new TypedHttpRequest(method, uri);

        // curl's defaults, in curl's order; a -H of the same name replaces (or with "Name:" removes) them.
        var defaults = new List<KeyValuePair<string, string>>();
        if (_o.User is string user && _o.Auth is AuthChoice.None or AuthChoice.Basic)
        {
            // curl sends Basic credentials with the first request, without waiting for a challenge.
            defaults.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user.Contains(':') ? user : user + ":"))));
        }
        defaults.Add(new("User-Agent", _o.UserAgent ?? "thttp/" + Cli.Version));
        defaults.Add(new("Accept", "*/*"));
        var cookieStrings = new List<string>();
        foreach (string cookie in _o.Cookies)
        {
            if (Cli.IsCookieString(cookie))
            {
                cookieStrings.Add(cookie);
            }
        }
        if (cookieStrings.Count > 0)
        {
            defaults.Add(new("Cookie", string.Join("; ", cookieStrings)));
        }
        foreach (KeyValuePair<string, string> d in defaults)
        {
            if (d.Value.Length > 0 && !Mentions(custom, d.Key))
            {
                request.Headers.Add(d.Key, d.Value);
            }
        }
        customType = false;
        foreach (KeyValuePair<string, string?> h in custom)
        {
            customType |= h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
            if (h.Value is not null)
            {
                try
                {
                    request.Headers.Add(h.Key, h.Value);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException($"option -H: {e.Message}");
                }
            }
        }
        target = uri;
        return request;
    }

    private static bool Mentions(List<KeyValuePair<string, string?>> headers, string name)
    {
        foreach (KeyValuePair<string, string?> h in headers)
        {
            if (h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

}
