using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// A body read from a stream, from its position when the content was created. A seekable stream has a known
/// length and is replayable (it is rewound before each write); any other stream is sent once with chunked coding,
/// so a redirect or authentication round trip that needs the body again fails. The stream stays the caller's: it
/// is not disposed.
/// </summary>
public sealed class StreamRequestContent : RequestContent
{
    private readonly Stream _stream;
    private readonly long _start;
    private bool _written;

    /// <summary>Creates the body.</summary>
    /// <param name="stream">The stream to send.</param>
    /// <param name="contentType">The Content-Type to send, or null.</param>
    public StreamRequestContent(Stream stream, string? contentType = "application/octet-stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _start = stream.CanSeek ? stream.Position : 0;
        ContentType = contentType;
    }

    /// <inheritdoc />
    public override long? Length => _stream.CanSeek ? Math.Max(0, _stream.Length - _start) : null;

    /// <inheritdoc />
    public override bool IsReplayable => _stream.CanSeek;

    /// <inheritdoc />
    public override async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_stream.CanSeek)
        {
            _stream.Position = _start;
        }
        else if (_written)
        {
            throw new InvalidOperationException("The request body is a stream that cannot seek, so it cannot be sent a second time (for a redirect, an authentication round trip or a retry). Pass a seekable stream, or a byte array.");
        }
        _written = true;
        await _stream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }
}
