using System;
using System.Collections.Generic;
using System.Text;

namespace TypedHttp.Policy;

/// <summary>
/// Parses WWW-Authenticate and Proxy-Authenticate fields (RFC 9110 §11.6.1, §11.7.1): several challenges per field
/// and several fields, the token68 form or auth-params in any order, quoted strings with escapes and commas inside.
/// Scheme and parameter names compare case-insensitively. A malformed challenge is skipped and parsing goes on with
/// the next one; the parser never throws on any input and always advances, so it cannot hang.
/// </summary>
internal static class AuthChallengeParser
{
    /// <summary>The most challenges kept from one response; a server has no reason to send more.</summary>
    internal const int MaxChallenges = 64;

    /// <summary>The most parameters kept for one challenge.</summary>
    internal const int MaxParameters = 64;

    /// <summary>Parses every field named <paramref name="fieldName"/> in <paramref name="headers"/>.</summary>
    /// <param name="headers">Response header fields.</param>
    /// <param name="fieldName"><c>WWW-Authenticate</c> (401) or <c>Proxy-Authenticate</c> (407) .</param>
    public static List<AuthChallenge> Parse(HttpHeaderCollection headers, string fieldName)
    {
        var result = new List<AuthChallenge>();
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (string.Equals(field.Key, fieldName, StringComparison.OrdinalIgnoreCase))
            {
                ParseInto(field.Value, result);
            }
        }
        return result;
    }

    /// <summary>Parses one field value and appends its valid challenges to <paramref name="into"/>.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="into">The list to append to.</param>
    public static void ParseInto(string value, List<AuthChallenge> into)
    {
        ArgumentNullException.ThrowIfNull(value);
        int pos = 0;
        while (pos < value.Length && into.Count < MaxChallenges)
        {
            SkipOwsAndCommas(value, ref pos);
            if (pos >= value.Length)
            {
                break;
            }
            int before = pos;
            AuthChallenge? challenge = ParseChallenge(value, ref pos);
            if (challenge is not null)
            {
                into.Add(challenge);
            }
            else
            {
                // Skip the rest of the broken challenge: every following element up to one that starts a new challenge.
                SkipToElementEnd(value, ref pos);
                while (pos < value.Length)
                {
                    SkipOwsAndCommas(value, ref pos);
                    if (pos >= value.Length || StartsNewChallenge(value, pos))
                    {
                        break;
                    }
                    SkipToElementEnd(value, ref pos);
                }
            }
            if (pos == before)
            {
                pos++; // belt and braces: always advance
            }
        }
    }

    private static AuthChallenge? ParseChallenge(string s, ref int pos)
    {
        int schemeStart = pos;
        while (pos < s.Length && HttpTokens.IsTokenChar(s[pos]))
        {
            pos++;
        }
        if (pos == schemeStart)
        {
            return null;
        }
        string scheme = s[schemeStart..pos];
        var parameters = new List<KeyValuePair<string, string>>();

        // The scheme alone: end of field or a comma right after it.
        if (pos >= s.Length || s[pos] == ',')
        {
            return new AuthChallenge(scheme, null, parameters);
        }
        if (s[pos] != ' ' && s[pos] != '\t')
        {
            return null; // the scheme runs into a character that is not a token character
        }
        SkipOws(s, ref pos);
        if (pos >= s.Length || s[pos] == ',')
        {
            return new AuthChallenge(scheme, null, parameters);
        }

        // token68: token68 characters, optional trailing '=', then the end or a comma.
        if (TryToken68(s, pos, out int token68End))
        {
            string token68 = s[pos..token68End];
            pos = token68End;
            SkipOws(s, ref pos);
            return new AuthChallenge(scheme, token68, parameters);
        }

        // #auth-param
        while (true)
        {
            if (!TryParseParameter(s, ref pos, out string name, out string paramValue))
            {
                return null;
            }
            if (parameters.Count < MaxParameters && FindParameter(parameters, name) < 0)
            {
                parameters.Add(new KeyValuePair<string, string>(name, paramValue)); // a repeated name keeps its first value
            }
            SkipOws(s, ref pos);
            if (pos >= s.Length)
            {
                break;
            }
            if (s[pos] != ',')
            {
                return null;
            }
            int afterComma = pos;
            SkipOwsAndCommas(s, ref afterComma);
            if (afterComma >= s.Length)
            {
                pos = afterComma;
                break;
            }
            if (StartsNewChallenge(s, afterComma))
            {
                pos = afterComma;
                break;
            }
            pos = afterComma;
        }
        return new AuthChallenge(scheme, null, parameters);
    }

    private static int FindParameter(List<KeyValuePair<string, string>> parameters, string name)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            if (string.Equals(parameters[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>auth-param = token BWS "=" BWS ( token / quoted-string ).</summary>
    private static bool TryParseParameter(string s, ref int pos, out string name, out string value)
    {
        name = value = string.Empty;
        int start = pos;
        while (pos < s.Length && HttpTokens.IsTokenChar(s[pos]))
        {
            pos++;
        }
        if (pos == start)
        {
            return false;
        }
        name = s[start..pos];
        SkipOws(s, ref pos);
        if (pos >= s.Length || s[pos] != '=')
        {
            return false;
        }
        pos++;
        SkipOws(s, ref pos);
        if (pos >= s.Length)
        {
            return false;
        }
        if (s[pos] == '"')
        {
            return TryQuotedString(s, ref pos, out value);
        }
        int valueStart = pos;
        while (pos < s.Length && HttpTokens.IsTokenChar(s[pos]))
        {
            pos++;
        }
        if (pos == valueStart)
        {
            return false;
        }
        value = s[valueStart..pos];
        return true;
    }

    /// <summary>quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; an unterminated string is invalid.</summary>
    private static bool TryQuotedString(string s, ref int pos, out string value)
    {
        value = string.Empty;
        pos++; // opening quote
        int start = pos;
        StringBuilder? sb = null;
        while (pos < s.Length)
        {
            char c = s[pos];
            if (c == '"')
            {
                value = sb is null ? s[start..pos] : sb.ToString();
                pos++;
                return true;
            }
            if (c == '\\')
            {
                if (pos + 1 >= s.Length)
                {
                    pos = s.Length;
                    return false;
                }
                sb ??= new StringBuilder().Append(s, start, pos - start);
                sb.Append(s[pos + 1]);
                pos += 2;
                continue;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
            sb?.Append(c);
            pos++;
        }
        return false;
    }

    private static bool TryToken68(string s, int pos, out int end)
    {
        end = pos;
        while (end < s.Length && IsToken68Char(s[end]))
        {
            end++;
        }
        if (end == pos)
        {
            return false;
        }
        while (end < s.Length && s[end] == '=')
        {
            end++;
        }
        int after = end;
        SkipOws(s, ref after);
        return after >= s.Length || s[after] == ',';
    }

    /// <summary>Whether the element at <paramref name="pos"/> starts a challenge (a token not followed by BWS "=").</summary>
    private static bool StartsNewChallenge(string s, int pos)
    {
        int p = pos;
        while (p < s.Length && HttpTokens.IsTokenChar(s[p]))
        {
            p++;
        }
        if (p == pos)
        {
            return false;
        }
        SkipOws(s, ref p);
        return p >= s.Length || s[p] != '=';
    }

    /// <summary>Moves past the current list element: up to the next comma outside a quoted string, or the end.</summary>
    private static void SkipToElementEnd(string s, ref int pos)
    {
        bool quoted = false;
        while (pos < s.Length)
        {
            char c = s[pos];
            if (quoted)
            {
                if (c == '\\')
                {
                    pos++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                return;
            }
            pos++;
        }
    }

    private static bool IsToken68Char(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';

    private static void SkipOws(string s, ref int pos)
    {
        while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t'))
        {
            pos++;
        }
    }

    private static void SkipOwsAndCommas(string s, ref int pos)
    {
        while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == ','))
        {
            pos++;
        }
    }
}
