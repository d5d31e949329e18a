using System;

namespace TypedHttp.Policy;

/// <summary>
/// The cookie-date algorithm of RFC 6265 §5.1.1: a forgiving, token-based parser for the Expires attribute. It never
/// throws; input it cannot read gives false, and the caller ignores the attribute (RFC 6265 §5.2.1).
/// </summary>
internal static class CookieDateParser
{
    /// <summary>Parses <paramref name="text"/> as a cookie-date.</summary>
    /// <param name="text">The Expires attribute value.</param>
    /// <param name="result">The instant, in UTC, when the method returns true.</param>
    /// <returns>True when the text holds a valid cookie-date.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset result)
    {
        result = default;
        bool foundTime = false, foundDay = false, foundMonth = false, foundYear = false;
        int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;

        int i = 0;
        while (i < text.Length)
        {
            // Skip delimiters, then take the run of non-delimiters as one date-token.
            while (i < text.Length && IsDelimiter(text[i]))
            {
                i++;
            }
            int start = i;
            while (i < text.Length && !IsDelimiter(text[i]))
            {
                i++;
            }
            if (i == start)
            {
                break;
            }
            ReadOnlySpan<char> token = text[start..i];

            if (!foundTime && TryParseTime(token, out int h, out int m, out int s))
            {
                foundTime = true;
                hour = h;
                minute = m;
                second = s;
            }
            else if (!foundDay && TryParseDigits(token, 1, 2, out int d))
            {
                foundDay = true;
                day = d;
            }
            else if (!foundMonth && TryParseMonth(token, out int mo))
            {
                foundMonth = true;
                month = mo;
            }
            else if (!foundYear && TryParseDigits(token, 2, 4, out int y))
            {
                foundYear = true;
                year = y;
            }
        }

        if (!foundTime || !foundDay || !foundMonth || !foundYear)
        {
            return false;
        }
        // §5.1.1 steps 3 and 4: two-digit years.
        if (year >= 70 && year <= 99)
        {
            year += 1900;
        }
        else if (year >= 0 && year <= 69)
        {
            year += 2000;
        }
        // §5.1.1 step 5.
        if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        // §5.1.1 step 6: a date that does not exist (30 February) fails.
        if (day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        result = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    /// <summary>delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E (RFC 6265 §5.1.1).</summary>
    private static bool IsDelimiter(char c) =>
        c == '\t' || (c >= '\x20' && c <= '\x2F') || (c >= '\x3B' && c <= '\x40') || (c >= '\x5B' && c <= '\x60') || (c >= '\x7B' && c <= '\x7E');

    /// <summary>
    /// Matches <c>min*maxDIGIT ( non-digit *OCTET )</c>: a leading run of <paramref name="min"/> to
    /// <paramref name="max"/> digits that is followed by a non-digit or the end of the token.
    /// </summary>
    private static bool TryParseDigits(ReadOnlySpan<char> token, int min, int max, out int value)
    {
        value = 0;
        int n = 0;
        while (n < token.Length && char.IsAsciiDigit(token[n]))
        {
            if (n == max)
            {
                return false; // a digit follows the longest allowed run
            }
            value = (value * 10) + (token[n] - '0');
            n++;
        }
        return n >= min;
    }

    /// <summary>time = hms-time ( non-digit *OCTET ); hms-time = time-field ":" time-field ":" time-field; time-field = 1*2DIGIT.</summary>
    private static bool TryParseTime(ReadOnlySpan<char> token, out int hour, out int minute, out int second)
    {
        hour = minute = second = 0;
        int pos = 0;
        if (!TryTimeField(token, ref pos, out hour) || pos >= token.Length || token[pos++] != ':')
        {
            return false;
        }
        if (!TryTimeField(token, ref pos, out minute) || pos >= token.Length || token[pos++] != ':')
        {
            return false;
        }
        return TryTimeField(token, ref pos, out second) && (pos == token.Length || !char.IsAsciiDigit(token[pos]));
    }

    private static bool TryTimeField(ReadOnlySpan<char> token, ref int pos, out int value)
    {
        value = 0;
        int start = pos;
        while (pos < token.Length && char.IsAsciiDigit(token[pos]) && pos - start < 2)
        {
            value = (value * 10) + (token[pos] - '0');
            pos++;
        }
        return pos > start;
    }

    /// <summary>month = ( "jan" / "feb" / … / "dec" ) *OCTET, case-insensitive.</summary>
    private static bool TryParseMonth(ReadOnlySpan<char> token, out int month)
    {
        month = 0;
        if (token.Length < 3)
        {
            return false;
        }
        ReadOnlySpan<char> m = token[..3];
        ReadOnlySpan<string> names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        for (int k = 0; k < names.Length; k++)
        {
            if (m.Equals(names[k], StringComparison.OrdinalIgnoreCase))
            {
                month = k + 1;
                return true;
            }
        }
        return false;
    }
}
