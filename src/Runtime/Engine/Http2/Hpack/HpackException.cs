using System;

namespace TypedHttp.Http2.Hpack;

/// <summary>What went wrong while decoding a header block.</summary>
internal enum HpackErrorKind
{
    /// <summary>
    /// The block is not valid HPACK (RFC 7541): the decoder's state can no longer be trusted, and the connection
    /// ends with COMPRESSION_ERROR (RFC 9113 §4.3).
    /// </summary>
    Malformed,

    /// <summary>
    /// The block decoded fine, but the header list exceeds the advertised SETTINGS_MAX_HEADER_LIST_SIZE
    /// (RFC 9113 §6.5.2). The dynamic table stayed in sync, so only the stream fails.
    /// </summary>
    HeaderListTooLarge,
}

/// <summary>A header block that could not be decoded (RFC 7541) or whose header list is over the limit.</summary>
internal sealed class HpackException : Exception
{
    /// <summary>Creates an exception of <paramref name="kind"/> with a message naming the problem.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">The problem, precisely.</param>
    public HpackException(HpackErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates a <see cref="HpackErrorKind.Malformed"/> exception.</summary>
    /// <param name="message">The problem, precisely.</param>
    public HpackException(string message)
        : this(HpackErrorKind.Malformed, message)
    {
    }

    /// <summary>What went wrong.</summary>
    public HpackErrorKind Kind { get; }
}
