using System;
using System.Buffers;
using System.Buffers.Text;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;

namespace TypedHttp;

/// <summary>Writes request-head pieces into a pooled buffer.</summary>
internal static class PooledBufferWriterExtensions
{
    public static void WriteByte(PooledBufferWriter writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void WriteBytes(PooledBufferWriter writer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

    /// <summary>Writes text already validated as ASCII (tokens, methods).</summary>
    public static void WriteAscii(PooledBufferWriter writer, string text)
    {
        Span<byte> span = writer.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }
        writer.Advance(text.Length);
    }

    /// <summary>Writes a header value as UTF-8 (HD-5); ASCII values come out unchanged.</summary>
    public static void WriteUtf8(PooledBufferWriter writer, string text)
    {
        Span<byte> span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public static void WriteInt64(PooledBufferWriter writer, long value)
    {
        Span<byte> span = writer.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        writer.Advance(written);
    }

    public static void WriteHex(PooledBufferWriter writer, int value)
    {
        Span<byte> span = writer.GetSpan(8);
        Utf8Formatter.TryFormat(value, span, out int written, new StandardFormat('X'));
        writer.Advance(written);
    }
}

/// <summary>
/// Writes the request target (OM-6): the URI's path and query, with every byte that may not appear raw in a
/// request line percent-escaped in upper-case hex — controls, space, DEL, non-ASCII (as UTF-8) and
/// <c>" # &lt; &gt; [ \ ] ^ ` { | }</c>. <c>%</c> is left alone, so escapes already present survive.
/// </summary>
internal static class RequestTarget
{
    private static readonly SearchValues<char> s_mustEscape = SearchValues.Create("\"#<>[\\]^`{|} ");

    public static void Write(PooledBufferWriter writer, string pathAndQuery)
    {
        if (pathAndQuery.Length == 0 || pathAndQuery[0] != '/')
        {
            PooledBufferWriterExtensions.WriteByte(writer, (byte)'/'); // OM-5: a leading '/' is added
        }
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < pathAndQuery.Length; i++)
        {
            char c = pathAndQuery[i];
            if (c > 0x20 && c < 0x7F && !s_mustEscape.Contains(c))
            {
                PooledBufferWriterExtensions.WriteByte(writer, (byte)c);
                continue;
            }
            if (c < 0x80)
            {
                WriteEscaped(writer, (byte)c);
                continue;
            }
            Rune rune;
            if (char.IsHighSurrogate(c) && i + 1 < pathAndQuery.Length && char.IsLowSurrogate(pathAndQuery[i + 1]))
            {
                rune = new Rune(c, pathAndQuery[++i]);
            }
            else if (!Rune.TryCreate(c, out rune))
            {
                rune = Rune.ReplacementChar;
            }
            int n = rune.EncodeToUtf8(utf8);
            for (int k = 0; k < n; k++)
            {
                WriteEscaped(writer, utf8[k]);
            }
        }
    }

    private static void WriteEscaped(PooledBufferWriter writer, byte b)
    {
        Span<byte> span = writer.GetSpan(3);
        span[0] = (byte)'%';
        span[1] = (byte)"0123456789ABCDEF"[b >> 4];
        span[2] = (byte)"0123456789ABCDEF"[b & 0xF];
        writer.Advance(3);
    }
}

/// <summary>Header names the parser returns as shared strings when the received bytes match exactly.</summary>
internal static class KnownHeaders
{
    private static readonly string[] s_names =
    [
        "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Date", "Server", "Keep-Alive",
        "Location", "Cache-Control", "Set-Cookie", "ETag", "Vary", "Content-Encoding", "Last-Modified", "Expires",
        "WWW-Authenticate", "Proxy-Authenticate", "Trailer", "Age", "Accept-Ranges", "content-length", "content-type",
        "transfer-encoding", "connection", "date", "server",
    ];

    public static string GetName(ReadOnlySpan<byte> name)
    {
        foreach (string known in s_names)
        {
            if (known.Length == name.Length && Ascii.Equals(name, known))
            {
                return known;
            }
        }
        return Encoding.ASCII.GetString(name);
    }
}

/// <summary>A write-only stream appending to a pooled buffer (small request bodies go out with the head).</summary>
internal sealed class BufferWriterStream(PooledBufferWriter writer) : WriteOnlyStreamBase
{
    public override void Write(ReadOnlySpan<byte> buffer) => PooledBufferWriterExtensions.WriteBytes(writer, buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return default;
    }
}

/// <summary>
/// The stream a large or unknown-length request body is written to: it frames the bytes (chunked when the
/// length is unknown) and refuses to write more or fewer bytes than a declared Content-Length.
/// </summary>
internal sealed class RequestBodyStream : WriteOnlyStreamBase
{
    private readonly HttpConnection _connection;
    private readonly long _declaredLength;
    private readonly CancellationToken _requestToken;
    private long _written;

    /// <param name="connection">The connection.</param>
    /// <param name="declaredLength">The Content-Length sent, or -1 for chunked coding.</param>
    /// <param name="requestToken">The request's token, combined with the token of each write.</param>
    public RequestBodyStream(HttpConnection connection, long declaredLength, CancellationToken requestToken)
    {
        _connection = connection;
        _declaredLength = declaredLength;
        _requestToken = requestToken;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_declaredLength >= 0 && _written + buffer.Length > _declaredLength)
        {
            _connection.Abort();
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Send, $"The request content wrote more than the {_declaredLength} bytes it announced (RequestContent.Length).");
        }
        _written += buffer.Length;
        CancellationToken token = cancellationToken.CanBeCanceled ? cancellationToken : _requestToken;
        return _connection.WriteBodyChunkAsync(buffer, _declaredLength < 0, token);
    }

    /// <summary>Ends the body: the last chunk for chunked coding, a length check otherwise.</summary>
    public ValueTask FinishAsync()
    {
        if (_declaredLength < 0)
        {
            return _connection.WriteLastChunkAsync(_requestToken);
        }
        if (_written != _declaredLength)
        {
            _connection.Abort();
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Send, $"The request content announced {_declaredLength} bytes (RequestContent.Length) but wrote {_written}.");
        }
        return default;
    }
}
