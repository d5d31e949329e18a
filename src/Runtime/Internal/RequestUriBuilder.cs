using System;
using System.ComponentModel;
using System.Text;

namespace TypedHttp.Internal;

/// <summary>
/// Builds a request URI from the client's base address, route literals (escaped at compile time by the
/// generator), escaped route values and query parameters. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RequestUriBuilder
{
    private readonly StringBuilder _text;
    private bool _hasQuery;

    /// <summary>
    /// Starts a URI at <paramref name="baseAddress"/>: its path is kept and a trailing slash dropped; user
    /// information and query are not carried into request URIs.
    /// </summary>
    /// <param name="baseAddress">The client's absolute base address.</param>
    public RequestUriBuilder(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        string text = baseAddress.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        _text = new StringBuilder(text, text.Length + 64);
        if (_text.Length > 0 && _text[^1] == '/')
        {
            _text.Length--;
        }
    }

    /// <summary>Appends route text that is already escaped; a <c>?</c> in it starts the query string.</summary>
    /// <param name="literal">Escaped route text.</param>
    public void AppendLiteral(string literal)
    {
        if (!_hasQuery && literal.Contains('?'))
        {
            _hasQuery = true;
        }
        _text.Append(literal);
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
                AppendEscapedSegment(value.Substring(start));
                return;
            }
            AppendEscapedSegment(value.Substring(start, slash - start));
            _text.Append('/');
            start = slash + 1;
        }
    }

    private void AppendEscapedSegment(string segment)
    {
        if (segment == ".")
        {
            _text.Append("%2E");
        }
        else if (segment == "..")
        {
            _text.Append("%2E%2E");
        }
        else
        {
            _text.Append(Uri.EscapeDataString(segment));
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
        _text.Append(_hasQuery ? '&' : '?');
        _hasQuery = true;
        _text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
    }

    /// <summary>
    /// The URI built so far. Its path and query are kept exactly as built: <see cref="Uri"/> would otherwise
    /// unescape <c>%2E%2E</c> and remove the dot segment, letting a route value climb the route.
    /// </summary>
    public Uri ToUri() => new(_text.ToString(), s_verbatim);

    private static readonly UriCreationOptions s_verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <inheritdoc />
    public override string ToString() => _text.ToString();
}
