using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// Builds a <c>multipart/form-data</c> body (RFC 7578): one part per call, in call order. Names and file names
/// are sent as quoted strings in UTF-8 with <c>"</c>, CR and LF percent-encoded (as browsers do), so that no value
/// can end the quoted string or the header. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MultipartBuilder
{
    private readonly string _boundary;
    private readonly List<Part> _parts = new();

    /// <summary>Starts a body.</summary>
    /// <param name="boundary">A fixed boundary (the generator checked it), or null for a random one.</param>
    public MultipartBuilder(string? boundary)
    {
        _boundary = boundary ?? "typedhttp-" + RandomNumberGenerator.GetHexString(32, lowercase: true);
    }

    /// <summary>The boundary between the parts.</summary>
    public string Boundary => _boundary;

    /// <summary>Adds a text part (<c>text/plain; charset=utf-8</c>); null adds nothing.</summary>
    /// <param name="name">The part name.</param>
    /// <param name="value">The text.</param>
    public void AddText(string name, string? value)
    {
        if (value is not null)
        {
            Add(name, null, "text/plain; charset=utf-8", new BytesSource(Encoding.UTF8.GetBytes(value)));
        }
    }

    /// <summary>Adds a file part made of bytes, named after the parameter; null adds nothing.</summary>
    /// <param name="name">The part name (also the file name).</param>
    /// <param name="value">The bytes.</param>
    public void AddBytes(string name, byte[]? value)
    {
        if (value is not null)
        {
            Add(name, name, null, new BytesSource(value));
        }
    }

    /// <summary>Adds a file part read from a stream, named after the parameter; null adds nothing.</summary>
    /// <param name="name">The part name (also the file name).</param>
    /// <param name="value">The stream; it is not disposed.</param>
    public void AddStream(string name, Stream? value)
    {
        if (value is not null)
        {
            Add(name, name, null, new StreamSource(value));
        }
    }

    /// <summary>Adds a file part read from a file, named after the file; null adds nothing.</summary>
    /// <param name="name">The part name.</param>
    /// <param name="value">The file.</param>
    public void AddFile(string name, FileInfo? value)
    {
        if (value is not null)
        {
            Add(name, value.Name, null, new FileSource(value));
        }
    }

    /// <summary>Adds a <see cref="StreamPart"/>, <see cref="ByteArrayPart"/> or <see cref="FileInfoPart"/>; null adds nothing.</summary>
    /// <param name="name">The part name unless the item names itself.</param>
    /// <param name="item">The part.</param>
    public void AddItem(string name, MultipartItem? item)
    {
        Source? source = item switch
        {
            null => null,
            StreamPart s => new StreamSource(s.Value),
            ByteArrayPart b => new BytesSource(b.Value),
            FileInfoPart f => new FileSource(f.Value),
            _ => throw new ArgumentException($"The multipart item '{name}' is a {item.GetType().Name}; use StreamPart, ByteArrayPart or FileInfoPart.", nameof(item)),
        };
        if (item is not null && source is not null)
        {
            Add(item.Name ?? name, item.FileName, item.ContentType, source);
        }
    }

    /// <summary>Adds a JSON part (<c>application/json; charset=utf-8</c>) serialized now; null adds nothing.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="name">The part name.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Source-generated type information.</param>
    public void AddJson<T>(string name, T value, JsonTypeInfo<T> typeInfo)
    {
        if (value is not null)
        {
            Add(name, null, "application/json; charset=utf-8", new BytesSource(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo)));
        }
    }

    /// <summary>The body, with the Content-Type <c>multipart/form-data; boundary=…</c>.</summary>
    public RequestContent ToContent() => new MultipartFormDataContent(_boundary, _parts.ToArray());

    private void Add(string name, string? fileName, string? contentType, Source source)
    {
        var head = new StringBuilder(128);
        head.Append("--").Append(_boundary).Append("\r\nContent-Disposition: form-data; name=\"");
        AppendQuoted(head, name);
        head.Append('"');
        if (fileName is not null)
        {
            head.Append("; filename=\"");
            AppendQuoted(head, fileName);
            head.Append('"');
        }
        head.Append("\r\nContent-Type: ").Append(contentType ?? "application/octet-stream").Append("\r\n\r\n");
        if (contentType is not null)
        {
            HttpHeaderCollection.ValidateValue("Content-Type", contentType);
        }
        _parts.Add(new Part(Encoding.UTF8.GetBytes(head.ToString()), source));
    }

    private static void AppendQuoted(StringBuilder text, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("%22"); break;
                case '\r': text.Append("%0D"); break;
                case '\n': text.Append("%0A"); break;
                default: text.Append(c); break;
            }
        }
    }

    private readonly record struct Part(byte[] Head, Source Body);

    private abstract class Source
    {
        public abstract long? Length { get; }

        public virtual bool IsReplayable => true;

        public abstract ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken);
    }

    private sealed class BytesSource(byte[] bytes) : Source
    {
        public override long? Length => bytes.Length;

        public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) => destination.WriteAsync(bytes, cancellationToken);
    }

    private sealed class StreamSource(Stream stream) : Source
    {
        private readonly StreamRequestContent _content = new(stream, null);

        public override long? Length => _content.Length;

        public override bool IsReplayable => _content.IsReplayable;

        public override ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken) => _content.WriteToAsync(destination, cancellationToken);
    }

    private sealed class FileSource(FileInfo file) : Source
    {
        private readonly long _length = file.Length;

        public override long? Length => _length;

        public override async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
        {
            FileStream stream = new(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.Length != _length)
                {
                    throw new InvalidOperationException($"The file '{file.Name}' changed its length while the request was sent.");
                }
                await stream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class MultipartFormDataContent : RequestContent
    {
        private static readonly byte[] CrLf = "\r\n"u8.ToArray();
        private readonly Part[] _parts;
        private readonly byte[] _end;

        public MultipartFormDataContent(string boundary, Part[] parts)
        {
            _parts = parts;
            _end = Encoding.ASCII.GetBytes("--" + boundary + "--\r\n");
            ContentType = "multipart/form-data; boundary=" + (HttpTokens.IsToken(boundary) ? boundary : "\"" + boundary + "\"");
        }

        public override long? Length
        {
            get
            {
                long total = _end.Length;
                foreach (Part part in _parts)
                {
                    if (part.Body.Length is not { } length)
                    {
                        return null;
                    }
                    total += part.Head.Length + length + CrLf.Length;
                }
                return total;
            }
        }

        public override bool IsReplayable
        {
            get
            {
                foreach (Part part in _parts)
                {
                    if (!part.Body.IsReplayable)
                    {
                        return false;
                    }
                }
                return true;
            }
        }

        public override async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
        {
            foreach (Part part in _parts)
            {
                await destination.WriteAsync(part.Head, cancellationToken).ConfigureAwait(false);
                await part.Body.WriteToAsync(destination, cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(CrLf, cancellationToken).ConfigureAwait(false);
            }
            await destination.WriteAsync(_end, cancellationToken).ConfigureAwait(false);
        }
    }
}
