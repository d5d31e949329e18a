using System.Collections.Generic;

namespace TypedHttp.Cli;

/// <summary>How a piece of request data was given, which decides how it is read and joined.</summary>
internal enum DataKind
{
    /// <summary><c>-d</c>: <c>@file</c> reads a file and strips CR and LF.</summary>
    Ascii,
    /// <summary><c>--data-binary</c>: <c>@file</c> reads a file as it is.</summary>
    Binary,
    /// <summary><c>--data-raw</c>: no <c>@</c> interpretation.</summary>
    Raw,
    /// <summary><c>--json</c>: like binary; JSON pieces are concatenated without a separator.</summary>
    Json,
}

/// <summary>One piece of request data in command-line order.</summary>
internal readonly record struct DataPart(DataKind Kind, string Value);

/// <summary>The authentication schemes asked for with --basic, --digest, --ntlm, --negotiate or --anyauth.</summary>
[System.Flags]
internal enum AuthChoice
{
    None = 0,
    Basic = 1,
    Digest = 2,
    Ntlm = 4,
    Negotiate = 8,
    Any = Basic | Digest | Ntlm | Negotiate,
}

/// <summary>The HTTP version asked for with --http1.0, --http1.1, --http2 or --http2-prior-knowledge (the last one given wins).</summary>
internal enum HttpVersionChoice
{
    /// <summary>None given: the engine's default, HTTP/2 by ALPN over https and HTTP/1.1 over http (as curl).</summary>
    Default,
    /// <summary><c>-0, --http1.0</c>: HTTP/1.0 only.</summary>
    Http10,
    /// <summary><c>--http1.1</c>: HTTP/1.1 only (no ALPN h2 offered).</summary>
    Http11,
    /// <summary><c>--http2</c>: HTTP/2 by ALPN over https, HTTP/1.1 over http.</summary>
    Http2,
    /// <summary><c>--http2-prior-knowledge</c>: HTTP/2 only, h2c with prior knowledge over http.</summary>
    Http2PriorKnowledge,
}

/// <summary>Everything the command line asked for; filled by <see cref="ArgumentParser"/>.</summary>
internal sealed class CliOptions
{
    public List<string> Urls { get; } = new();
    public List<string> Outputs { get; } = new();
    public string? Method { get; set; }
    public List<string> Headers { get; } = new();
    public List<DataPart> Data { get; } = new();
    public bool Get { get; set; }
    public string? User { get; set; }
    public AuthChoice Auth { get; set; }
    public bool Location { get; set; }
    public int? MaxRedirs { get; set; }
    public bool LocationTrusted { get; set; }
    public string? Proxy { get; set; }
    public string? ProxyUser { get; set; }
    public string? NoProxy { get; set; }
    /// <summary><c>-p, --proxytunnel</c>: plain http through the proxy in a CONNECT tunnel too.</summary>
    public bool ProxyTunnel { get; set; }
    /// <summary><c>--proxy-basic</c>, <c>--proxy-digest</c>, <c>--proxy-negotiate</c>, <c>--proxy-anyauth</c> (the last one given wins); None: Basic, as curl.</summary>
    public AuthChoice ProxyAuth { get; set; }
    public bool Include { get; set; }
    public bool Head { get; set; }
    public bool Silent { get; set; }
    public bool ShowError { get; set; }
    public bool Fail { get; set; }
    public string? WriteOut { get; set; }
    public bool Verbose { get; set; }
    public bool Compressed { get; set; }
    public HttpVersionChoice HttpVersion { get; set; }
    public string? UserAgent { get; set; }
    public List<string> Cookies { get; } = new();
    public string? CookieJar { get; set; }
    public double? ConnectTimeout { get; set; }
    public double? MaxTime { get; set; }
    public bool Insecure { get; set; }
    public string? CaCert { get; set; }
    public string? Cert { get; set; }
    public string? Key { get; set; }
    public List<string> Resolve { get; } = new();
    public bool Help { get; set; }
    public bool Version { get; set; }

    /// <summary>The options given, in order, by the spelling used (for "not supported" messages).</summary>
    public List<string> Given { get; } = new();
}
