using System.Collections.Generic;
using System.Text;

namespace TypedHttp.Generator;

/// <summary>A piece of a route template as written: literal text or a hole.</summary>
/// <param name="Text">The raw literal text, or the hole's name.</param>
/// <param name="IsHole">Whether this is a hole.</param>
/// <param name="CatchAll">A <c>{**name}</c> hole.</param>
/// <param name="InQuery">Whether the piece comes after the route's <c>?</c>.</param>
/// <param name="Optional">A <c>{name?}</c> hole: a null value drops the segment.</param>
internal readonly record struct RoutePart(string Text, bool IsHole, bool CatchAll, bool InQuery, bool Optional = false);

/// <summary>Why a route template is refused; each maps to one diagnostic.</summary>
internal enum RouteProblem
{
    /// <summary>The template is accepted.</summary>
    None,

    /// <summary>CR, LF or NUL (THTTP007).</summary>
    LineBreak,

    /// <summary>A backslash, '#', a second '?' or a '?' followed by no parameter (THTTP023).</summary>
    Misuse,

    /// <summary>Neither empty nor starting with '/' (THTTP008).</summary>
    NoLeadingSlash,

    /// <summary>Null, unbalanced braces, a bad hole name or placement, an unpaired surrogate (THTTP013).</summary>
    Malformed,
}

/// <summary>Splits route templates into literals and holes and escapes literals; pure string work.</summary>
internal static class RouteTemplateParser
{
    /// <summary>
    /// Checks a route template as the generator does, in order: null, line breaks, misuse of backslash, '?' and '#',
    /// the leading '/', then the holes. Returns the parts of an accepted template, or null with the problem and a
    /// text for a person. Never throws.
    /// </summary>
    public static List<RoutePart>? Check(string? template, out RouteProblem problem, out string? detail)
    {
        if (template is null)
        {
            problem = RouteProblem.Malformed;
            detail = "the route is null";
            return null;
        }
        if (HasLineBreak(template))
        {
            problem = RouteProblem.LineBreak;
            detail = "it contains a CR, LF or NUL character";
            return null;
        }
        detail = Misuse(template);
        if (detail is not null)
        {
            problem = RouteProblem.Misuse;
            return null;
        }
        if (template.Length > 0 && template[0] != '/')
        {
            problem = RouteProblem.NoLeadingSlash;
            detail = "it does not start with '/'";
            return null;
        }
        List<RoutePart>? parts = Split(template, out detail);
        problem = parts is null ? RouteProblem.Malformed : RouteProblem.None;
        return parts;
    }

    /// <summary>Splits <paramref name="template"/>; returns null and an error text when it is malformed.</summary>
    public static List<RoutePart>? Split(string template, out string? error)
    {
        var parts = new List<RoutePart>();
        var literal = new StringBuilder();
        bool inQuery = false;
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c == '}')
            {
                error = i + 1 < template.Length && template[i + 1] == '}'
                    ? $"the '}}}}' at position {i} is no escape in a route (a '}}' closes a hole); write %7D for a literal '}}'"
                    : $"the '}}' at position {i} closes no hole";
                return null;
            }
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= template.Length || !char.IsLowSurrogate(template[i + 1]))
                {
                    error = $"it has an unpaired UTF-16 surrogate ({Display(c)}) at position {i}, which is no text and cannot be sent";
                    return null;
                }
                literal.Append(c).Append(template[i + 1]);
                i += 2;
                continue;
            }
            if (c != '{')
            {
                if (c == '?')
                {
                    inQuery = true;
                }
                literal.Append(c);
                i++;
                continue;
            }
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                error = $"the '{{{{' at position {i} is no escape in a route (a '{{' opens a hole); write %7B for a literal '{{'";
                return null;
            }
            int close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                error = $"the '{{' at position {i} is never closed";
                return null;
            }
            int nextOpen = template.IndexOf('{', i + 1, close - i - 1);
            if (nextOpen >= 0)
            {
                error = $"the '{{' at position {i} is not closed before the '{{' at position {nextOpen}";
                return null;
            }
            string name = template.Substring(i + 1, close - i - 1);
            bool catchAll = name.StartsWith("**", System.StringComparison.Ordinal);
            if (catchAll)
            {
                name = name.Substring(2);
            }
            bool optional = name.EndsWith("?", System.StringComparison.Ordinal);
            if (optional)
            {
                name = name.Substring(0, name.Length - 1);
                bool wholeSegment = i > 0 && template[i - 1] == '/' && (close == template.Length - 1 || template[close + 1] == '/' || template[close + 1] == '?');
                if (!wholeSegment || inQuery || catchAll)
                {
                    error = $"the optional hole '{{{name}?}}' is not a whole path segment; an optional hole stands between '/' and '/', '?' or the end of the route";
                    return null;
                }
            }
            if (name.Length == 0)
            {
                error = $"the hole at position {i} has no name";
                return null;
            }
            int dot = name.IndexOf('.');
            foreach (char n in name)
            {
                if (!(char.IsLetterOrDigit(n) || n == '_' || (n == '.' && !catchAll)))
                {
                    error = $"the hole '{{{Display(name)}}}' has the character {Display(n)}, but a hole name is a parameter name or 'parameter.Property'";
                    return null;
                }
            }
            if (dot >= 0 && (dot == 0 || dot == name.Length - 1 || name.IndexOf('.', dot + 1) >= 0))
            {
                error = $"the hole '{{{name}}}' is not 'parameter.Property' (one property of one parameter)";
                return null;
            }
            if (catchAll && inQuery)
            {
                error = $"the catch-all hole '{{**{name}}}' is in the query string; it belongs in the path";
                return null;
            }
            if (literal.Length > 0)
            {
                parts.Add(new RoutePart(literal.ToString(), false, false, inQuery));
                literal.Clear();
            }
            parts.Add(new RoutePart(name, true, catchAll, inQuery, optional));
            i = close + 1;
        }
        if (literal.Length > 0)
        {
            parts.Add(new RoutePart(literal.ToString(), false, false, inQuery));
        }
        error = null;
        return parts;
    }

    /// <summary>Whether a character is shown as <c>U+XXXX</c> in a diagnostic: controls, lone surrogates, line separators.</summary>
    private static bool IsUnprintable(char c) => c < ' ' || char.IsSurrogate(c) || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';

    private static string Code(char c) => "U+" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A character as a diagnostic shows it: quoted, or as <c>U+XXXX</c>.</summary>
    private static string Display(char c) => IsUnprintable(c) ? Code(c) : "'" + c + "'";

    /// <summary>Text as a diagnostic shows it: unprintable characters as <c>U+XXXX</c>.</summary>
    private static string Display(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (IsUnprintable(c))
            {
                result.Append(Code(c));
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    /// <summary>What is wrong with the route's backslashes, '?' or '#', or null when nothing is.</summary>
    public static string? Misuse(string template)
    {
        if (template.IndexOf('\\') >= 0)
        {
            return "contains a backslash; URLs separate segments with '/', so write '/' (or %5C for a literal backslash)";
        }
        if (template.IndexOf('#') >= 0)
        {
            return "contains '#', which starts a fragment that is never sent to the server; remove it (or write %23 for a literal '#')";
        }
        // A '?' inside a hole marks it optional; only the others start the query.
        int depth = 0;
        int question = -1;
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            depth += c == '{' ? 1 : c == '}' && depth > 0 ? -1 : 0;
            if (c != '?' || depth > 0)
            {
                continue;
            }
            if (question >= 0)
            {
                return "contains a second '?'; the query string starts once, so separate parameters with '&' (or write %3F for a literal '?')";
            }
            question = i;
        }
        if (question >= 0 && (question == template.Length - 1 || template[question + 1] == '&'))
        {
            return "has a '?' followed by no parameter; remove the '?' (query parameters are added after it anyway)";
        }
        return null;
    }

    /// <summary>
    /// Escapes literal route text for a URI: RFC 3986 unreserved characters, sub-delimiters, ':', '@', '/' and
    /// '?' stay; an existing escape (% and two hex digits) stays; everything else is percent-encoded as UTF-8.
    /// </summary>
    public static string EscapeLiteral(string literal)
    {
        if (NeedsNoEscape(literal))
        {
            return literal;
        }
        var result = new StringBuilder(literal.Length + 8);
        byte[] bytes = Encoding.UTF8.GetBytes(literal);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (IsAllowed(b) || (b == '%' && i + 2 < bytes.Length && IsHex(bytes[i + 1]) && IsHex(bytes[i + 2])))
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }
        return result.ToString();
    }

    /// <summary>Whether <see cref="EscapeLiteral"/> would give back <paramref name="literal"/> unchanged.</summary>
    private static bool NeedsNoEscape(string literal)
    {
        for (int i = 0; i < literal.Length; i++)
        {
            char c = literal[i];
            if (c >= 0x80)
            {
                return false;
            }
            if (!IsAllowed((byte)c) && !(c == '%' && i + 2 < literal.Length && literal[i + 1] < 0x80 && IsHex((byte)literal[i + 1]) && literal[i + 2] < 0x80 && IsHex((byte)literal[i + 2])))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAllowed(byte b) =>
        (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
        b == '-' || b == '.' || b == '_' || b == '~' ||
        b == '!' || b == '$' || b == '&' || b == '\'' || b == '(' || b == ')' || b == '*' || b == '+' || b == ',' || b == ';' || b == '=' ||
        b == ':' || b == '@' || b == '/' || b == '?';

    private static bool IsHex(byte b) => (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');

    /// <summary>Whether <paramref name="text"/> holds CR, LF or NUL.</summary>
    public static bool HasLineBreak(string text) => text.IndexOf('\r') >= 0 || text.IndexOf('\n') >= 0 || text.IndexOf('\0') >= 0;
}
