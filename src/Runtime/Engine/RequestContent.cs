using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;

namespace TypedHttp;

/// <summary>
/// A request body. Bodies the generated code makes are replayable: the engine may write them again for a
/// redirect (307/308), an authentication round trip or a retry on a fresh connection.
/// </summary>
public abstract class RequestContent : IDisposable
{
    /// <summary>The media type sent as Content-Type, or null to send none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The body's length in bytes when known in advance; null sends the body with chunked coding.</summary>
    public abstract long? Length { get; }

    /// <summary>Whether <see cref="WriteToAsync"/> may be called more than once.</summary>
    public virtual bool IsReplayable => true;

    /// <summary>Writes the body to <paramref name="destination"/>.</summary>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public abstract ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>Releases buffers the body holds.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases buffers the body holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing) { }
}

/// <summary>A body made of a byte array, sent as it is.</summary>
public sealed class ByteArrayRequestContent : RequestContent
{
    private readonly ReadOnlyMemory<byte> _bytes;

    /// <summary>Creates the body.</summary>
    /// <param name="bytes">The bytes to send.</param>
    /// <param name="contentType">The Content-Type to send, or null.</param>
    public ByteArrayRequestContent(ReadOnlyMemory<byte> bytes, string? contentType = "application/octet-stream")
    {
        _bytes = bytes;
        ContentType = contentType;
    }

    /// <inheritdoc />
    public override long? Length => _bytes.Length;

    /// <inheritdoc />
    public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
        destination.WriteAsync(_bytes, cancellationToken);
}

/// <summary>A body made of text, sent as UTF-8.</summary>
public sealed class StringRequestContent : RequestContent
{
    private readonly byte[] _bytes;

    /// <summary>Creates the body.</summary>
    /// <param name="text">The text to send.</param>
    /// <param name="contentType">The Content-Type to send.</param>
    public StringRequestContent(string text, string? contentType = "text/plain; charset=utf-8")
    {
        _bytes = Encoding.UTF8.GetBytes(text);
        ContentType = contentType;
    }

    /// <inheritdoc />
    public override long? Length => _bytes.Length;

    /// <inheritdoc />
    public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
        destination.WriteAsync(_bytes, cancellationToken);
}

/// <summary>
/// A JSON body serialized once, through the caller's source-generated type information, into a pooled buffer;
/// the same bytes are written on every replay.
/// </summary>
/// <typeparam name="T">The serialized type.</typeparam>
public sealed class JsonRequestContent<T> : RequestContent
{
    private PooledBufferWriter? _buffer;

    /// <summary>Serializes <paramref name="value"/> with <paramref name="typeInfo"/>.</summary>
    /// <param name="value">The value to send.</param>
    /// <param name="typeInfo">Source-generated type information for <typeparamref name="T"/>.</param>
    public JsonRequestContent(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ContentType = "application/json; charset=utf-8";
        var buffer = new PooledBufferWriter(256);
        try
        {
            JsonWriterCache.Serialize(buffer, value, typeInfo);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        _buffer = buffer;
    }

    /// <inheritdoc />
    public override long? Length => (_buffer ?? throw new ObjectDisposedException(nameof(JsonRequestContent<T>))).WrittenCount;

    /// <inheritdoc />
    public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
        destination.WriteAsync((_buffer ?? throw new ObjectDisposedException(nameof(JsonRequestContent<T>))).WrittenMemory, cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}

/// <summary>
/// One <see cref="Utf8JsonWriter"/> per thread, reset onto each request's buffer instead of created per request.
/// A writer is taken out of the slot while in use, so a serializer that re-enters gets its own.
/// </summary>
internal static class JsonWriterCache
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static JsonSerializerOptions? t_options; // the options t_writer was made for

    private static readonly PooledBufferWriter s_parked = new(1);

    public static void Serialize<T>(PooledBufferWriter buffer, T value, JsonTypeInfo<T> typeInfo)
    {
        JsonSerializerOptions options = typeInfo.Options;
        Utf8JsonWriter? writer = t_writer;
        t_writer = null;
        if (writer is null || !ReferenceEquals(t_options, options))
        {
            writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
            {
                SkipValidation = true,
                Encoder = options.Encoder,
                Indented = options.WriteIndented,
                IndentCharacter = options.IndentCharacter,
                IndentSize = options.IndentSize,
                NewLine = options.NewLine,
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            });
            t_options = options;
        }
        else
        {
            writer.Reset(buffer);
        }
        JsonSerializer.Serialize(writer, value, typeInfo);
        writer.Reset(s_parked); // hold no reference to the request's buffer
        t_writer = writer;
    }
}
