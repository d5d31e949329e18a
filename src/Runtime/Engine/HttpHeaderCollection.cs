using System;
using System.Collections;
using System.Collections.Generic;

namespace TypedHttp;

/// <summary>
/// An ordered list of HTTP header fields. Names compare case-insensitively; order and repeated names are kept
/// exactly as added (request) or received (response). Adding a header validates it: a name must be an RFC 9110
/// token and a value may not contain CR, LF or NUL.
/// </summary>
public sealed class HttpHeaderCollection : IReadOnlyList<KeyValuePair<string, string>>
{
    private KeyValuePair<string, string>[] _items;
    private int _count;

    /// <summary>Creates an empty collection.</summary>
    public HttpHeaderCollection() => _items = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>Creates an empty collection with room for <paramref name="capacity"/> fields.</summary>
    /// <param name="capacity">The initial capacity.</param>
    public HttpHeaderCollection(int capacity) => _items = capacity == 0 ? Array.Empty<KeyValuePair<string, string>>() : new KeyValuePair<string, string>[capacity];

    /// <summary>The number of fields.</summary>
    public int Count => _count;

    /// <summary>The field at <paramref name="index"/>.</summary>
    /// <param name="index">A position from 0 to <see cref="Count"/> - 1.</param>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            return _items[index];
        }
    }

    /// <summary>Appends a field after validating its name and value.</summary>
    /// <param name="name">The field name, an RFC 9110 token.</param>
    /// <param name="value">The field value; CR, LF and NUL are refused.</param>
    /// <exception cref="ArgumentException">The name is not a token or the value contains CR, LF or NUL.</exception>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ValidateName(name);
        ValidateValue(name, value);
        AddUnchecked(name, value);
    }

    /// <summary>Replaces every field named <paramref name="name"/> with one field holding <paramref name="value"/>.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The new value.</param>
    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    /// <summary>Appends a field that the caller has already validated (parsers use this).</summary>
    internal void AddUnchecked(string name, string value)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _count == 0 ? 4 : _count * 2);
        }
        _items[_count++] = new KeyValuePair<string, string>(name, value);
    }

    /// <summary>Removes every field named <paramref name="name"/>.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>True when at least one field was removed.</returns>
    public bool Remove(string name)
    {
        int write = 0;
        for (int read = 0; read < _count; read++)
        {
            if (!string.Equals(_items[read].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                _items[write++] = _items[read];
            }
        }
        bool removed = write != _count;
        Array.Clear(_items, write, _count - write);
        _count = write;
        return removed;
    }

    /// <summary>Whether a field named <paramref name="name"/> is present.</summary>
    /// <param name="name">The field name.</param>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Gets the value of the first field named <paramref name="name"/>.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns>True when found.</returns>
    public bool TryGetValue(string name, out string value)
    {
        int i = IndexOf(name);
        if (i < 0)
        {
            value = string.Empty;
            return false;
        }
        value = _items[i].Value;
        return true;
    }

    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The field name.</param>
    public string? GetValue(string name) => TryGetValue(name, out string v) ? v : null;

    /// <summary>The values of every field named <paramref name="name"/>, in order.</summary>
    /// <param name="name">The field name.</param>
    public IReadOnlyList<string> GetValues(string name)
    {
        List<string>? values = null;
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= new List<string>()).Add(_items[i].Value);
            }
        }
        return values ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Throws unless <paramref name="name"/> is an RFC 9110 token (tchar+).</summary>
    internal static void ValidateName(string name)
    {
        if (name.Length == 0)
        {
            throw new ArgumentException("A header name cannot be empty.", nameof(name));
        }
        foreach (char c in name)
        {
            if (!IsTokenChar(c))
            {
                throw new ArgumentException($"The header name '{Printable(name)}' contains the character {Describe(c)}, which is not allowed in a header name (RFC 9110 token).", nameof(name));
            }
        }
    }

    /// <summary>Throws when <paramref name="value"/> contains CR, LF or NUL, which would split or end the header.</summary>
    internal static void ValidateValue(string name, string value)
    {
        foreach (char c in value)
        {
            if (c == '\r' || c == '\n' || c == '\0')
            {
                throw new ArgumentException($"The value of header '{name}' contains {Describe(c)}, which is not allowed in a header value.", nameof(value));
            }
        }
    }

    /// <summary>Whether <paramref name="c"/> is an RFC 9110 tchar (the one rule, src/Shared/HttpTokens.cs).</summary>
    internal static bool IsTokenChar(char c) => HttpTokens.IsTokenChar(c);

    private static string Describe(char c) => c switch
    {
        '\r' => "CR (U+000D)",
        '\n' => "LF (U+000A)",
        '\0' => "NUL (U+0000)",
        _ => $"'{c}' (U+{(int)c:X4})",
    };

    private static string Printable(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");

    /// <summary>Enumerates the fields in order.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates the fields of a <see cref="HttpHeaderCollection"/> without allocating.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly HttpHeaderCollection _headers;
        private int _index;

        internal Enumerator(HttpHeaderCollection headers)
        {
            _headers = headers;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<string, string> Current => _headers._items[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _headers._count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose() { }
    }
}
