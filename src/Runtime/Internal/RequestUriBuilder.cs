using System;
using System.Buffers;
using System.ComponentModel;

namespace TypedHttp.Internal;

/// <summary>
/// Builds a request URI from the client's base address, route literals (escaped at compile time by the
/// generator), escaped route values and query parameters. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct RequestUriBuilder
{
    // Text is built in a pooled buffer that ToUri returns; the only allocations are the final string and Uri.
    // A mutable struct used as a local by generated code: never copy it while building.
    private char[] _buffer;
    private int _length;
    private bool _hasQuery;
    private JoinedValueList _list;

    /// <summary>
    /// Starts a URI at <paramref name="baseAddress"/>: its path is kept and a trailing slash dropped; user
    /// information and query are not carried into request URIs.
    /// </summary>
    /// <param name="baseAddress">The client's absolute base address.</param>
    public RequestUriBuilder(Uri baseAddress)
        : this(Prefix(baseAddress), hasQuery: false)
    {
    }

    /// <summary>Starts a URI at text that is already a valid absolute URI.</summary>
    /// <param name="text">The start of the URI, escaped.</param>
    /// <param name="hasQuery">Whether <paramref name="text"/> already holds a query string.</param>
    internal RequestUriBuilder(string text, bool hasQuery)
    {
        _buffer = ArrayPool<char>.Shared.Rent(Math.Max(text.Length + 64, 128));
        text.CopyTo(_buffer);
        _length = text.Length;
        _hasQuery = hasQuery;
    }

    /// <summary>
    /// The start of every request URI under <paramref name="baseAddress"/>: scheme, authority and path, escaped,
    /// without a trailing slash.
    /// </summary>
    /// <param name="baseAddress">The client's absolute base address.</param>
    internal static string Prefix(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        string text = baseAddress.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return text.EndsWith('/') ? text[..^1] : text;
    }

    /// <summary>
    /// Starts a URI at a <c>[Url]</c> parameter's value: an absolute http or https URL is used as it is (without
    /// user information or fragment), a URL starting with <c>/</c> is appended to <paramref name="baseAddress"/>.
    /// </summary>
    /// <param name="baseAddress">The client's absolute base address.</param>
    /// <param name="url">The parameter's value.</param>
    /// <param name="parameterName">The parameter, named in exceptions.</param>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="ArgumentException">The value is neither an absolute http(s) URL nor a path starting with <c>/</c>.</exception>
    public static RequestUriBuilder ForUrl(Uri baseAddress, string? url, string parameterName) =>
        ForUrl(Prefix(baseAddress), url, parameterName);

    /// <summary>The same as <see cref="ForUrl(Uri, string?, string)"/> from a base address's <see cref="Prefix"/>.</summary>
    /// <param name="prefix">The base address as <see cref="Prefix"/> gives it.</param>
    /// <param name="url">The parameter's value.</param>
    /// <param name="parameterName">The parameter, named in exceptions.</param>
    internal static RequestUriBuilder ForUrl(string prefix, string? url, string parameterName)
    {
        if (url is null)
        {
            throw new ArgumentNullException(parameterName, $"The URL '{parameterName}' is null; a [Url] parameter needs a value.");
        }
        Uri target;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(prefix + url, UriKind.Absolute, out target!))
            {
                throw new ArgumentException($"The URL '{parameterName}' (\"{url}\") is not a valid path.", parameterName);
            }
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out target!) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The URL '{parameterName}' must be an absolute http or https URL or a path starting with '/'.", parameterName);
        }
        string text = target.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
        return new RequestUriBuilder(text, text.Contains('?'));
    }

    /// <summary>Appends route text that is already escaped; a <c>?</c> in it starts the query string.</summary>
    /// <param name="literal">Escaped route text.</param>
    public void AppendLiteral(string literal)
    {
        if (!_hasQuery && literal.Contains('?'))
        {
            _hasQuery = true;
        }
        Append(literal);
    }

    /// <summary>
    /// Appends a route value, escaping every character outside RFC 3986's unreserved set (so <c>/</c>, <c>?</c>
    /// and <c>#</c> cannot change the route), and escaping the dot segments <c>.</c> and <c>..</c> so that they
    /// cannot climb it.
    /// </summary>
    /// <param name="value">The formatted value.</param>
    /// <param name="parameterName">The parameter it came from, named in the exception when it is null.</param>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public void AppendPathValue(string? value, string parameterName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(parameterName, $"The route value '{parameterName}' is null; a route hole needs a value.");
        }
        AppendEscapedSegment(value);
    }

    /// <summary>
    /// Appends the value of an optional hole (<c>{name?}</c>, a whole path segment); a null value drops the segment
    /// and the slash before it, so <c>/users/{id?}</c> becomes <c>/users</c>.
    /// </summary>
    /// <param name="value">The formatted value, or null.</param>
    /// <param name="parameterName">The parameter it came from (unused: null is allowed).</param>
    public void AppendOptionalPathValue(string? value, string parameterName)
    {
        if (value is not null)
        {
            AppendEscapedSegment(value);
        }
        else if (_length > 0 && _buffer[_length - 1] == '/')
        {
            _length--;
        }
    }

    /// <summary>Appends a catch-all route value: each <c>/</c>-separated segment is escaped, the slashes are kept.</summary>
    /// <param name="value">The formatted value.</param>
    /// <param name="parameterName">The parameter it came from.</param>
    public void AppendPathValueKeepingSlashes(string? value, string parameterName)
    {
        if (value is null)
        {
            throw new ArgumentNullException(parameterName, $"The route value '{parameterName}' is null; a route hole needs a value.");
        }
        int start = 0;
        while (true)
        {
            int slash = value.IndexOf('/', start);
            if (slash < 0)
            {
                AppendEscapedSegment(value.AsSpan(start));
                return;
            }
            AppendEscapedSegment(value.AsSpan(start, slash - start));
            Append('/');
            start = slash + 1;
        }
    }

    private void AppendEscapedSegment(ReadOnlySpan<char> segment)
    {
        if (segment is ".")
        {
            Append("%2E");
        }
        else if (segment is "..")
        {
            Append("%2E%2E");
        }
        else
        {
            AppendEscaped(segment);
        }
    }

    /// <summary>Appends <c>name=value</c> to the query string; a null value appends nothing.</summary>
    /// <param name="name">The parameter name, unescaped.</param>
    /// <param name="value">The formatted value, unescaped, or null.</param>
    public void AppendQuery(string name, string? value)
    {
        if (value is null)
        {
            return;
        }
        Append(_hasQuery ? '&' : '?');
        _hasQuery = true;
        AppendEscaped(name);
        Append('=');
        AppendEscaped(value);
    }

    /// <summary>
    /// Starts a query parameter whose items are joined by <paramref name="separator"/> into one value
    /// (<c>CollectionFormat.Csv</c> and the others); nothing is written until the first non-null item arrives.
    /// </summary>
    /// <param name="name">The parameter name, unescaped.</param>
    /// <param name="separator">The separator, unescaped (it is escaped like the items).</param>
    public void BeginQueryList(string name, string separator) => _list.Begin(name, Uri.EscapeDataString(separator));

    /// <summary>Appends an item to the list started by <see cref="BeginQueryList"/>; a null item appends nothing.</summary>
    /// <param name="value">The formatted item, unescaped, or null.</param>
    public void AppendQueryListItem(string? value)
    {
        switch (_list.Next(value))
        {
            case JoinedItemStep.Skip:
                return;
            case JoinedItemStep.Separator:
                Append(_list.Separator!);
                break;
            default:
                Append(_hasQuery ? '&' : '?');
                _hasQuery = true;
                AppendEscaped(_list.Name!);
                Append('=');
                break;
        }
        AppendEscaped(value);
    }

    /// <summary>
    /// The URI built so far. Its path and query are kept exactly as built: <see cref="Uri"/> would otherwise
    /// unescape <c>%2E%2E</c> and remove the dot segment, letting a route value climb the route.
    /// </summary>
    /// <remarks>Ends the building: the builder's buffer goes back to the pool.</remarks>
    public Uri ToUri()
    {
        string text = ToString();
        char[]? buffer = _buffer;
        _buffer = Array.Empty<char>();
        _length = 0;
        if (buffer is { Length: > 0 })
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
        return new Uri(text, s_verbatim);
    }

    private static readonly UriCreationOptions s_verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <inheritdoc />
    public override readonly string ToString() => new(_buffer.AsSpan(0, _length));

    private void Append(char c)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }
        _buffer[_length++] = c;
    }

    private void Append(string text)
    {
        if (_buffer.Length - _length < text.Length)
        {
            Grow(text.Length);
        }
        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Appends <paramref name="text"/> escaped as RFC 3986 data: everything outside the unreserved set.</summary>
    private void AppendEscaped(ReadOnlySpan<char> text)
    {
        int written;
        while (!Uri.TryEscapeDataString(text, _buffer.AsSpan(_length), out written))
        {
            Grow(text.Length * 9); // a UTF-16 char is at most 3 UTF-8 bytes, each "%XX"
        }
        _length += written;
    }

    private void Grow(int needed)
    {
        char[] bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, Math.Max(_length + needed, 128)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        char[] old = _buffer;
        _buffer = bigger;
        if (old.Length > 0)
        {
            ArrayPool<char>.Shared.Return(old);
        }
    }
}
