using System;
using System.IO;

namespace TypedHttp;

/// <summary>A file part of a <c>[Multipart]</c> request: its file name, media type and, optionally, its part name.</summary>
public abstract class MultipartItem
{
    /// <summary>Creates the part.</summary>
    /// <param name="fileName">The file name sent in Content-Disposition.</param>
    /// <param name="contentType">The part's Content-Type, or null for <c>application/octet-stream</c>.</param>
    /// <param name="name">The part name, or null for the parameter's name (or its [AliasAs] name).</param>
    protected MultipartItem(string fileName, string? contentType, string? name)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        FileName = fileName;
        ContentType = contentType;
        Name = name;
    }

    /// <summary>The file name sent in Content-Disposition.</summary>
    public string FileName { get; }

    /// <summary>The part's Content-Type, or null for <c>application/octet-stream</c>.</summary>
    public string? ContentType { get; }

    /// <summary>The part name, or null for the parameter's name.</summary>
    public string? Name { get; }
}

/// <summary>A file part read from a stream (replayable when the stream can seek; the stream is not disposed).</summary>
public sealed class StreamPart : MultipartItem
{
    /// <summary>Creates the part.</summary>
    /// <param name="value">The stream to send.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="contentType">The part's Content-Type, or null.</param>
    /// <param name="name">The part name, or null for the parameter's name.</param>
    public StreamPart(Stream value, string fileName, string? contentType = null, string? name = null)
        : base(fileName, contentType, name)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary>The stream to send.</summary>
    public Stream Value { get; }
}

/// <summary>A file part made of bytes.</summary>
public sealed class ByteArrayPart : MultipartItem
{
    /// <summary>Creates the part.</summary>
    /// <param name="value">The bytes to send.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="contentType">The part's Content-Type, or null.</param>
    /// <param name="name">The part name, or null for the parameter's name.</param>
    public ByteArrayPart(byte[] value, string fileName, string? contentType = null, string? name = null)
        : base(fileName, contentType, name)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary>The bytes to send.</summary>
    public byte[] Value { get; }
}

/// <summary>A file part read from a file on disk (opened for each write, so it is replayable).</summary>
public sealed class FileInfoPart : MultipartItem
{
    /// <summary>Creates the part.</summary>
    /// <param name="value">The file to send.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="contentType">The part's Content-Type, or null.</param>
    /// <param name="name">The part name, or null for the parameter's name.</param>
    public FileInfoPart(FileInfo value, string fileName, string? contentType = null, string? name = null)
        : base(fileName, contentType, name)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary>The file to send.</summary>
    public FileInfo Value { get; }
}
