using System;
using System.ComponentModel;
using System.Text;

namespace TypedHttp.Internal;

/// <summary>
/// Builds an <c>application/x-www-form-urlencoded</c> body (WHATWG URL encoding: unreserved characters stay, a
/// space is <c>+</c>, everything else is UTF-8 percent-encoded). Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class FormUrlEncodedBuilder
{
    private readonly StringBuilder _text = new(128);
    private JoinedValueList _list;

    /// <summary>Appends <c>name=value</c>; a null value appends nothing.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The formatted value, or null.</param>
    public void Add(string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        StartPair(name);
        Escape(value);
    }

    /// <summary>Starts a field whose items are joined by <paramref name="separator"/>; nothing is written until the first non-null item.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="separator">The separator, escaped like the items.</param>
    public void BeginList(string name, string separator) => _list.Begin(name, separator);

    /// <summary>Appends an item to the list started by <see cref="BeginList"/>; a null item appends nothing.</summary>
    /// <param name="value">The formatted item, or null.</param>
    public void AddListItem(string? value)
    {
        switch (_list.Next(value))
        {
            case JoinedItemStep.Skip:
                return;
            case JoinedItemStep.Separator:
                Escape(_list.Separator!);
                break;
            default:
                StartPair(_list.Name!);
                break;
        }
        Escape(value!);
    }

    /// <summary>The body: replayable bytes with the Content-Type <c>application/x-www-form-urlencoded</c>.</summary>
    public RequestContent ToContent() => new ByteArrayRequestContent(Encoding.ASCII.GetBytes(_text.ToString()), "application/x-www-form-urlencoded");

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    private void StartPair(string name)
    {
        if (_text.Length > 0)
        {
            _text.Append('&');
        }
        Escape(name);
        _text.Append('=');
    }

    private void Escape(string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '*' or '-' or '.' or '_')
            {
                _text.Append(c);
            }
            else if (c == ' ')
            {
                _text.Append('+');
            }
            else
            {
                int length;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    length = new Rune(c, value[i + 1]).EncodeToUtf8(utf8);
                    i++;
                }
                else
                {
                    length = (char.IsSurrogate(c) ? Rune.ReplacementChar : new Rune(c)).EncodeToUtf8(utf8);
                }
                for (int b = 0; b < length; b++)
                {
                    _text.Append('%').Append("0123456789ABCDEF"[utf8[b] >> 4]).Append("0123456789ABCDEF"[utf8[b] & 0xF]);
                }
            }
        }
    }
}
