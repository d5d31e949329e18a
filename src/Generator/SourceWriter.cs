using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace TypedHttp.Generator;

/// <summary>
/// Writes indented source text, four spaces a level, with '\n' line endings on every machine. Interpolated lines
/// are written straight into the text (see <see cref="LineHandler"/>), and the text's buffer is reused by the next
/// writer on the same thread, so writing a file allocates little beyond the file's own string.
/// </summary>
internal sealed class SourceWriter : IDisposable
{
    /// <summary>Buffers bigger than this are not kept for reuse.</summary>
    private const int MaxPooledCapacity = 256 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_pooled;

    private StringBuilder? _text;
    private int _indent;

    public SourceWriter()
    {
        _text = t_pooled ?? new StringBuilder(16 * 1024);
        t_pooled = null;
    }

    private StringBuilder Text => _text ?? throw new ObjectDisposedException(nameof(SourceWriter));

    public void Line(string line)
    {
        StringBuilder text = Text;
        if (line.Length > 0)
        {
            text.Append(' ', _indent * 4);
        }
        text.Append(line).Append('\n');
    }

    /// <summary>Writes an interpolated line: the indentation, each part in turn, then '\n'.</summary>
    public void Line([InterpolatedStringHandlerArgument("")] ref LineHandler line) => Text.Append('\n');

    public void Line() => Text.Append('\n');

    /// <summary>Starts a line written in parts with <see cref="Write(string)"/> and ended with <see cref="EndLine"/>.</summary>
    public void BeginLine() => Text.Append(' ', _indent * 4);

    public void Write(string part) => Text.Append(part);

    /// <summary>Writes an interpolated part of a line begun with <see cref="BeginLine"/>.</summary>
    public void Write([InterpolatedStringHandlerArgument("")] ref PartHandler part)
    {
    }

    public void EndLine() => Text.Append('\n');

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void Open()
    {
        Line("{");
        _indent++;
    }

    /// <summary>Outdents and writes <c>}</c> (with an optional suffix such as <c>;</c>).</summary>
    public void Close(string suffix = "")
    {
        _indent--;
        StringBuilder text = Text;
        text.Append(' ', _indent * 4).Append('}').Append(suffix).Append('\n');
    }

    public override string ToString() => Text.ToString();

    /// <summary>Gives the buffer back for the next writer on this thread.</summary>
    public void Dispose()
    {
        if (_text is { } text && text.Capacity <= MaxPooledCapacity)
        {
            text.Clear();
            t_pooled = text;
        }
        _text = null;
    }

    /// <summary>Appends the parts of an interpolated line straight into the writer's text, after its indentation.</summary>
    [InterpolatedStringHandler]
    public readonly struct LineHandler
    {
        private readonly StringBuilder _text;

        public LineHandler(int literalLength, int formattedCount, SourceWriter writer)
        {
            _text = writer.Text;
            _text.Append(' ', writer._indent * 4);
        }

        public void AppendLiteral(string value) => _text.Append(value);

        public void AppendFormatted(string? value) => _text.Append(value);

        public void AppendFormatted(int value) => _text.Append(value.ToString(CultureInfo.InvariantCulture));

        public void AppendFormatted(Emitter.Quoted value) => value.WriteTo(_text);

        public void AppendFormatted(Emitter.Formatted value) => value.WriteTo(_text);
    }

    /// <summary>Appends the parts of an interpolated string straight into the writer's text.</summary>
    [InterpolatedStringHandler]
    public readonly struct PartHandler
    {
        private readonly StringBuilder _text;

        public PartHandler(int literalLength, int formattedCount, SourceWriter writer) => _text = writer.Text;

        public void AppendLiteral(string value) => _text.Append(value);

        public void AppendFormatted(string? value) => _text.Append(value);

        public void AppendFormatted(int value) => _text.Append(value.ToString(CultureInfo.InvariantCulture));

        public void AppendFormatted(Emitter.Quoted value) => value.WriteTo(_text);

        public void AppendFormatted(Emitter.Formatted value) => value.WriteTo(_text);
    }
}
