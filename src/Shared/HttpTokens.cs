namespace TypedHttp;

/// <summary>
/// The RFC 9110 §5.6.2 token: one or more tchar, that is ASCII letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>. Header
/// names, methods and authentication scheme names are tokens. One file, linked into each project that needs it (it
/// builds for netstandard2.0 as well as net10.0), so the rule is written once.
/// </summary>
internal static class HttpTokens
{
    /// <summary>Whether <paramref name="c"/> is an RFC 9110 tchar.</summary>
    public static bool IsTokenChar(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;

    /// <summary>Whether <paramref name="value"/> is a token: not empty and every character a tchar.</summary>
    public static bool IsToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        foreach (char c in value)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }
        return true;
    }
}
