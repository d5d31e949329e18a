using System;

namespace TypedHttp.Policy;

/// <summary>The result of parsing one Set-Cookie field (RFC 6265 §5.2), before the storage model applies.</summary>
internal readonly struct ParsedSetCookie
{
    public ParsedSetCookie(string name, string value, long expiryTicks, bool persistent, string? domain, string? path, bool secure, bool httpOnly)
    {
        Name = name;
        Value = value;
        ExpiryTicks = expiryTicks;
        Persistent = persistent;
        Domain = domain;
        Path = path;
        Secure = secure;
        HttpOnly = httpOnly;
    }

    /// <summary>The cookie name, never empty.</summary>
    public string Name { get; }

    /// <summary>The cookie value, possibly empty.</summary>
    public string Value { get; }

    /// <summary>The expiry in UTC ticks; <see cref="DateTime.MaxValue"/>'s ticks for a session cookie.</summary>
    public long ExpiryTicks { get; }

    /// <summary>Whether Max-Age or Expires gave an expiry.</summary>
    public bool Persistent { get; }

    /// <summary>The last Domain attribute, lower case, leading dot removed; null when none.</summary>
    public string? Domain { get; }

    /// <summary>The last Path attribute when it starts with "/"; null when the default-path applies.</summary>
    public string? Path { get; }

    /// <summary>The Secure attribute was present.</summary>
    public bool Secure { get; }

    /// <summary>The HttpOnly attribute was present.</summary>
    public bool HttpOnly { get; }
}

/// <summary>The Set-Cookie parsing algorithm of RFC 6265 §5.2. It never throws on any input.</summary>
internal static class SetCookieParser
{
    /// <summary>Parses <paramref name="setCookie"/>.</summary>
    /// <param name="setCookie">The Set-Cookie field value.</param>
    /// <param name="now">The current time, for Max-Age.</param>
    /// <param name="result">The parsed cookie.</param>
    /// <returns>False when RFC 6265 says to ignore the set-cookie-string entirely.</returns>
    public static bool TryParse(string setCookie, DateTimeOffset now, out ParsedSetCookie result)
    {
        result = default;
        ReadOnlySpan<char> s = setCookie;

        // RFC 6265bis §5.6 step 1: a control character (other than HTAB) makes the whole string ignored.
        foreach (char c in s)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }

        // §5.2 steps 1–5: the name-value-pair.
        int semicolon = s.IndexOf(';');
        ReadOnlySpan<char> pair = semicolon < 0 ? s : s[..semicolon];
        ReadOnlySpan<char> attributes = semicolon < 0 ? ReadOnlySpan<char>.Empty : s[semicolon..];
        int equals = pair.IndexOf('=');
        if (equals < 0)
        {
            return false;
        }
        ReadOnlySpan<char> name = TrimWsp(pair[..equals]);
        ReadOnlySpan<char> value = TrimWsp(pair[(equals + 1)..]);
        if (name.IsEmpty || name.Length + value.Length > CookieStore.MaxNameValueLength)
        {
            return false;
        }

        // §5.2 step 6 and §5.3 step 3: the last Max-Age wins over the last Expires, whatever their order.
        long? maxAgeExpiry = null;
        long? expiresExpiry = null;
        string? domain = null;
        string? path = null;
        bool secure = false, httpOnly = false;

        while (!attributes.IsEmpty)
        {
            attributes = attributes[1..]; // the ';'
            int next = attributes.IndexOf(';');
            ReadOnlySpan<char> av = next < 0 ? attributes : attributes[..next];
            attributes = next < 0 ? ReadOnlySpan<char>.Empty : attributes[next..];

            int eq = av.IndexOf('=');
            ReadOnlySpan<char> attrName = TrimWsp(eq < 0 ? av : av[..eq]);
            ReadOnlySpan<char> attrValue = eq < 0 ? ReadOnlySpan<char>.Empty : TrimWsp(av[(eq + 1)..]);
            if (attrValue.Length > CookieStore.MaxAttributeValueLength)
            {
                continue; // RFC 6265bis §5.6 step 8: ignore the cookie-av
            }

            if (attrName.Equals("Expires", StringComparison.OrdinalIgnoreCase))
            {
                // §5.2.1: an unparsable date ignores the attribute.
                if (CookieDateParser.TryParse(attrValue, out DateTimeOffset expires))
                {
                    expiresExpiry = expires.UtcTicks;
                }
            }
            else if (attrName.Equals("Max-Age", StringComparison.OrdinalIgnoreCase))
            {
                // §5.2.2: DIGIT or "-" first, then DIGITs only; otherwise ignore the attribute.
                if (TryParseMaxAge(attrValue, out long deltaSeconds))
                {
                    maxAgeExpiry = deltaSeconds <= 0 ? DateTime.MinValue.Ticks : AddSeconds(now.UtcTicks, deltaSeconds);
                }
            }
            else if (attrName.Equals("Domain", StringComparison.OrdinalIgnoreCase))
            {
                // §5.2.3: an empty value SHOULD make us ignore the cookie-av; a leading dot is removed.
                if (!attrValue.IsEmpty)
                {
                    ReadOnlySpan<char> d = attrValue[0] == '.' ? attrValue[1..] : attrValue;
                    domain = d.ToString().ToLowerInvariant();
                }
            }
            else if (attrName.Equals("Path", StringComparison.OrdinalIgnoreCase))
            {
                // §5.2.4: an empty value or one not starting with "/" means the default-path.
                path = !attrValue.IsEmpty && attrValue[0] == '/' ? attrValue.ToString() : null;
            }
            else if (attrName.Equals("Secure", StringComparison.OrdinalIgnoreCase))
            {
                secure = true; // §5.2.5: any value is ignored
            }
            else if (attrName.Equals("HttpOnly", StringComparison.OrdinalIgnoreCase))
            {
                httpOnly = true; // §5.2.6
            }
            // Unknown attributes (Version, Comment, SameSite, …) are ignored.
        }

        bool persistent = maxAgeExpiry.HasValue || expiresExpiry.HasValue;
        long expiry = maxAgeExpiry ?? expiresExpiry ?? DateTime.MaxValue.Ticks;
        result = new ParsedSetCookie(name.ToString(), value.ToString(), expiry, persistent, domain, path, secure, httpOnly);
        return true;
    }

    private static bool TryParseMaxAge(ReadOnlySpan<char> value, out long seconds)
    {
        seconds = 0;
        if (value.IsEmpty)
        {
            return false;
        }
        bool negative = value[0] == '-';
        int start = negative ? 1 : 0;
        if (start == value.Length)
        {
            return false;
        }
        long n = 0;
        for (int i = start; i < value.Length; i++)
        {
            char c = value[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            // Saturate instead of overflowing: any huge value means "far future" (or "already expired").
            n = n > (long.MaxValue - 9) / 10 ? long.MaxValue : (n * 10) + (c - '0');
        }
        seconds = negative ? -n : n;
        return true;
    }

    private static long AddSeconds(long ticks, long seconds)
    {
        long max = DateTime.MaxValue.Ticks;
        if (seconds >= (max - ticks) / TimeSpan.TicksPerSecond)
        {
            return max;
        }
        return ticks + (seconds * TimeSpan.TicksPerSecond);
    }

    /// <summary>Removes leading and trailing WSP (SP and HTAB), as RFC 6265 §5.2 asks.</summary>
    internal static ReadOnlySpan<char> TrimWsp(ReadOnlySpan<char> s)
    {
        int start = 0, end = s.Length;
        while (start < end && (s[start] == ' ' || s[start] == '\t'))
        {
            start++;
        }
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        {
            end--;
        }
        return s[start..end];
    }
}
