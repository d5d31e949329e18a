using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using TypedHttp.Policy;

namespace TypedHttp.Cli;

/// <summary>
/// The Netscape cookie-file format that curl reads with -b FILE and writes with -c FILE: one cookie a line,
/// seven tab-separated fields (domain, include subdomains, path, secure, expiry in Unix seconds or 0 for a
/// session cookie, name, value); <c>#HttpOnly_</c> before the domain marks an HttpOnly cookie; other lines
/// starting with <c>#</c> are comments.
/// </summary>
internal static class CookieJar
{
    /// <summary>Loads the cookies of <paramref name="path"/> into <paramref name="store"/>; expired ones are skipped.</summary>
    /// <returns>How many cookies were loaded.</returns>
    public static int Load(string path, CookieStore store, DateTimeOffset now)
    {
        int loaded = 0;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.TrimEnd('\r');
            bool httpOnly = false;
            if (line.StartsWith("#HttpOnly_", StringComparison.Ordinal))
            {
                httpOnly = true;
                line = line.Substring("#HttpOnly_".Length);
            }
            else if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            string[] f = line.Split('\t');
            if (f.Length < 7 || !long.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out long expiry))
            {
                continue;
            }
            string domain = f[0];
            bool subdomains = f[1].Equals("TRUE", StringComparison.OrdinalIgnoreCase);
            string cookiePath = f[2].Length == 0 ? "/" : f[2];
            bool secure = f[3].Equals("TRUE", StringComparison.OrdinalIgnoreCase);
            string host = domain.TrimStart('.');
            if (host.Length == 0 || (expiry > 0 && expiry <= now.ToUnixTimeSeconds()))
            {
                continue;
            }
            StringBuilder setCookie = new StringBuilder().Append(f[5]).Append('=').Append(f[6]).Append("; Path=").Append(cookiePath);
            if (subdomains)
            {
                setCookie.Append("; Domain=").Append(host);
            }
            if (expiry > 0)
            {
                setCookie.Append("; Max-Age=").Append((expiry - now.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture));
            }
            if (secure)
            {
                setCookie.Append("; Secure");
            }
            if (httpOnly)
            {
                setCookie.Append("; HttpOnly");
            }
            if (Uri.TryCreate((secure ? "https://" : "http://") + (host.Contains(':') ? "[" + host + "]" : host) + (cookiePath.StartsWith('/') ? cookiePath : "/"), UriKind.Absolute, out Uri? origin)
                && store.SetCookie(origin, setCookie.ToString()))
            {
                loaded++;
            }
        }
        return loaded;
    }

    /// <summary>Writes every cookie of <paramref name="store"/> to <paramref name="path"/>, session cookies included (expiry 0).</summary>
    public static void Save(string path, CookieStore store)
    {
        List<StoredCookie> cookies = store.Snapshot();
        var text = new StringBuilder();
        text.Append("# Netscape HTTP Cookie File\n");
        text.Append("# Written by thttp. Fields: domain, include subdomains, path, secure, expiry (Unix seconds, 0 = session), name, value.\n\n");
        foreach (StoredCookie c in cookies)
        {
            if (c.HttpOnly)
            {
                text.Append("#HttpOnly_");
            }
            text.Append(c.HostOnly ? c.Domain : "." + c.Domain).Append('\t')
                .Append(c.HostOnly ? "FALSE" : "TRUE").Append('\t')
                .Append(c.Path).Append('\t')
                .Append(c.Secure ? "TRUE" : "FALSE").Append('\t')
                .Append(c.Persistent ? new DateTimeOffset(c.ExpiryTicks, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : "0").Append('\t')
                .Append(c.Name).Append('\t')
                .Append(c.Value).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }
}
