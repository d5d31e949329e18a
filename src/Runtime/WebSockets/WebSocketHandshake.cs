using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace TypedHttp;

/// <summary>
/// The RFC 6455 §4 handshake's own fields: the request's (WS-2) and the checks of the server's 101 (WS-3, WS-4, WS-5).
/// No I/O here; <see cref="HttpSession.ConnectWebSocketAsync"/> sends and reads through the HTTP/1.1 codec.
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>RFC 6455 §1.3: the GUID appended to the key before hashing.</summary>
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private const string Deflate = "permessage-deflate";

    /// <summary>The fields the handshake writes itself (WS-2); a caller may not set them.</summary>
    private static readonly string[] s_reserved =
    [
        "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Accept",
        "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
    ];

    /// <summary>WS-2: a fresh <c>Sec-WebSocket-Key</c>: 16 random bytes in base64.</summary>
    public static string CreateKey()
    {
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>WS-3: the <c>Sec-WebSocket-Accept</c> value the server must send for <paramref name="key"/> (RFC 6455 §4.2.2).</summary>
    public static string ComputeAccept(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        Span<byte> input = stackalloc byte[128];
        int length = key.Length + AcceptGuid.Length;
        if (length > input.Length || Encoding.ASCII.GetBytes(key, input) != key.Length)
        {
            SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid), hash);
            return Convert.ToBase64String(hash);
        }
        Encoding.ASCII.GetBytes(AcceptGuid, input.Slice(key.Length));
        SHA1.HashData(input.Slice(0, length), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>Checks the caller's options before any I/O: subprotocols are distinct tokens, no reserved field is set (WS-2, WS-4).</summary>
    public static void CheckOptions(WebSocketConnectOptions options)
    {
        HashSet<string>? seen = options.SubProtocols.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (string protocol in options.SubProtocols)
        {
            if (string.IsNullOrEmpty(protocol) || !HttpTokens.IsToken(protocol))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The subprotocol '{protocol}' is not a token (RFC 6455 §4.1); nothing was sent.");
            }
            if (seen is not null && !seen.Add(protocol))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The subprotocol '{protocol}' is offered twice; nothing was sent.");
            }
        }
        foreach (string name in s_reserved)
        {
            if (options.Headers.Contains(name))
            {
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, $"The header '{name}' is written by the WebSocket handshake; do not set it in WebSocketConnectOptions.Headers (WS-2).");
            }
        }
    }

    /// <summary>WS-2: the handshake's fields, after the caller's.</summary>
    public static void AddRequestFields(HttpHeaderCollection headers, string key, WebSocketConnectOptions options)
    {
        headers.AddUnchecked("Upgrade", "websocket");
        headers.AddUnchecked("Connection", "Upgrade");
        headers.AddUnchecked("Sec-WebSocket-Key", key);
        headers.AddUnchecked("Sec-WebSocket-Version", "13");
        if (options.SubProtocols.Count > 0)
        {
            headers.AddUnchecked("Sec-WebSocket-Protocol", string.Join(", ", options.SubProtocols));
        }
        if (options.DeflateOptions is { } deflate)
        {
            headers.AddUnchecked("Sec-WebSocket-Extensions", DeflateOffer(deflate));
        }
    }

    /// <summary>
    /// WS-18: the fields of an extended CONNECT (RFC 8441 §5): <c>sec-websocket-version: 13</c> and the subprotocol and
    /// extension offers; no key (HTTP/2 has no Sec-WebSocket-Key nor Accept), no Upgrade nor Connection.
    /// </summary>
    public static void AddHttp2RequestFields(HttpHeaderCollection headers, WebSocketConnectOptions options)
    {
        headers.AddUnchecked("Sec-WebSocket-Version", "13");
        if (options.SubProtocols.Count > 0)
        {
            headers.AddUnchecked("Sec-WebSocket-Protocol", string.Join(", ", options.SubProtocols));
        }
        if (options.DeflateOptions is { } deflate)
        {
            headers.AddUnchecked("Sec-WebSocket-Extensions", DeflateOffer(deflate));
        }
    }

    /// <summary>
    /// The permessage-deflate offer (RFC 7692 §7.1): <c>client_max_window_bits</c> always (with its value when below
    /// 15), <c>server_max_window_bits</c> when below 15, the no-context-takeover flags when asked for.
    /// </summary>
    internal static string DeflateOffer(WebSocketDeflateOptions deflate)
    {
        var text = new StringBuilder(Deflate);
        text.Append("; client_max_window_bits");
        if (deflate.ClientMaxWindowBits != 15)
        {
            text.Append('=').Append(deflate.ClientMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        }
        if (!deflate.ClientContextTakeover)
        {
            text.Append("; client_no_context_takeover");
        }
        if (deflate.ServerMaxWindowBits != 15)
        {
            text.Append("; server_max_window_bits=").Append(deflate.ServerMaxWindowBits.ToString(CultureInfo.InvariantCulture));
        }
        if (!deflate.ServerContextTakeover)
        {
            text.Append("; server_no_context_takeover");
        }
        return text.ToString();
    }

    /// <summary>
    /// WS-3, WS-4, WS-5: checks a 101 answer. Returns null when it is a valid acceptance of our offer, with the chosen
    /// subprotocol and the deflate parameters in force; otherwise what is wrong, for the failure's message.
    /// </summary>
    public static string? Validate(HttpHeaderCollection headers, string key, WebSocketConnectOptions options, out string? subProtocol, out WebSocketDeflateOptions? deflate)
    {
        subProtocol = null;
        deflate = null;
        IReadOnlyList<string> upgrade = headers.GetValues("Upgrade");
        if (upgrade.Count != 1 || !upgrade[0].Trim().Equals("websocket", StringComparison.OrdinalIgnoreCase))
        {
            return upgrade.Count == 0 ? "the answer has no 'Upgrade: websocket' field" : $"the answer's Upgrade field is '{string.Join(", ", upgrade)}', not 'websocket'";
        }
        if (!HasToken(headers.GetValues("Connection"), "upgrade"))
        {
            return "the answer's Connection field does not hold 'Upgrade'";
        }
        IReadOnlyList<string> accept = headers.GetValues("Sec-WebSocket-Accept");
        if (accept.Count != 1)
        {
            return accept.Count == 0 ? "the answer has no Sec-WebSocket-Accept field" : "the answer has more than one Sec-WebSocket-Accept field";
        }
        string expected = ComputeAccept(key);
        if (!string.Equals(accept[0].Trim(), expected, StringComparison.Ordinal))
        {
            return $"the answer's Sec-WebSocket-Accept '{accept[0]}' is not the one for our key (expected '{expected}', RFC 6455 §4.2.2)";
        }
        return ValidateNegotiation(headers, options, out subProtocol, out deflate);
    }

    /// <summary>
    /// WS-4, WS-5 (and WS-18 for HTTP/2's 200, which has no upgrade fields): the subprotocol and extensions the server
    /// chose, checked against our offer. Null when valid; otherwise what is wrong.
    /// </summary>
    public static string? ValidateNegotiation(HttpHeaderCollection headers, WebSocketConnectOptions options, out string? subProtocol, out WebSocketDeflateOptions? deflate)
    {
        subProtocol = null;
        deflate = null;

        IReadOnlyList<string> protocols = headers.GetValues("Sec-WebSocket-Protocol");
        if (protocols.Count > 0)
        {
            string chosen = protocols[0].Trim();
            if (protocols.Count > 1 || chosen.Contains(','))
            {
                return $"the server chose more than one subprotocol ('{string.Join(", ", protocols)}')";
            }
            if (!options.SubProtocols.Contains(chosen))
            {
                return options.SubProtocols.Count == 0
                    ? $"the server chose the subprotocol '{chosen}' and none was offered"
                    : $"the server chose the subprotocol '{chosen}', which was not offered ({string.Join(", ", options.SubProtocols)})";
            }
            subProtocol = chosen;
        }

        bool sawDeflate = false;
        foreach (string field in headers.GetValues("Sec-WebSocket-Extensions"))
        {
            foreach (string extension in SplitList(field, ','))
            {
                if (extension.Length == 0)
                {
                    continue;
                }
                string[] parts = SplitList(extension, ';');
                string name = parts[0];
                if (!name.Equals(Deflate, StringComparison.OrdinalIgnoreCase) || options.DeflateOptions is null)
                {
                    return $"the server accepted the extension '{name}', which was not offered";
                }
                if (sawDeflate)
                {
                    return "the server accepted permessage-deflate twice";
                }
                sawDeflate = true;
                if (ParseDeflate(parts, options.DeflateOptions, out deflate) is string problem)
                {
                    return "permessage-deflate: " + problem + " (RFC 7692 §7)";
                }
            }
        }
        return null;
    }

    /// <summary>WS-5: the server's permessage-deflate parameters checked against our offer, turned into the options in force.</summary>
    private static string? ParseDeflate(string[] parts, WebSocketDeflateOptions offered, out WebSocketDeflateOptions? result)
    {
        result = null;
        int clientBits = offered.ClientMaxWindowBits;
        int serverBits = 15;
        bool clientNoTakeover = !offered.ClientContextTakeover;
        bool serverNoTakeover = false;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < parts.Length; i++)
        {
            string part = parts[i];
            int equals = part.IndexOf('=');
            string name = (equals >= 0 ? part.Substring(0, equals) : part).Trim();
            string? value = equals >= 0 ? part.Substring(equals + 1).Trim().Trim('"') : null;
            if (!seen.Add(name))
            {
                return $"the parameter '{name}' appears twice";
            }
            switch (name.ToLowerInvariant())
            {
                case "client_no_context_takeover":
                case "server_no_context_takeover":
                    if (value is not null)
                    {
                        return $"the parameter '{name}' takes no value";
                    }
                    if (name.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase))
                    {
                        clientNoTakeover = true;
                    }
                    else
                    {
                        serverNoTakeover = true;
                    }
                    break;
                case "client_max_window_bits":
                    if (!TryParseBits(value, out int bits))
                    {
                        return $"client_max_window_bits '{value}' is not a number from 8 to 15";
                    }
                    if (bits > offered.ClientMaxWindowBits)
                    {
                        return $"client_max_window_bits={bits} is above the {offered.ClientMaxWindowBits} offered";
                    }
                    if (bits < 9)
                    {
                        return "client_max_window_bits=8 cannot be honoured (zlib compresses with 9 bits at least)";
                    }
                    clientBits = bits;
                    break;
                case "server_max_window_bits":
                    if (!TryParseBits(value, out bits))
                    {
                        return $"server_max_window_bits '{value}' is not a number from 8 to 15";
                    }
                    if (bits > offered.ServerMaxWindowBits)
                    {
                        return $"server_max_window_bits={bits} is above the {offered.ServerMaxWindowBits} offered";
                    }
                    serverBits = Math.Max(bits, 9); // inflating with a larger window reads a smaller one's data
                    break;
                default:
                    return $"the parameter '{name}' is not one of permessage-deflate's";
            }
        }
        if (offered.ServerMaxWindowBits != 15 && !seen.Contains("server_max_window_bits"))
        {
            return $"server_max_window_bits={offered.ServerMaxWindowBits} was asked for and the answer does not confirm it";
        }
        if (!offered.ServerContextTakeover && !serverNoTakeover)
        {
            return "server_no_context_takeover was asked for and the answer does not confirm it";
        }
        result = new WebSocketDeflateOptions
        {
            ClientMaxWindowBits = clientBits,
            ServerMaxWindowBits = serverBits,
            ClientContextTakeover = !clientNoTakeover,
            ServerContextTakeover = !serverNoTakeover,
        };
        return null;
    }

    private static bool TryParseBits(string? value, out int bits)
    {
        bits = 0;
        return value is { Length: 1 or 2 } && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out bits) && bits is >= 8 and <= 15;
    }

    private static bool HasToken(IReadOnlyList<string> values, string token)
    {
        foreach (string value in values)
        {
            foreach (string item in SplitList(value, ','))
            {
                if (item.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static string[] SplitList(string value, char separator)
    {
        string[] items = value.Split(separator);
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = items[i].Trim(' ', '\t');
        }
        return items;
    }
}
