using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Threading;

namespace TypedHttp.Policy;

/// <summary>
/// A session's cookie jar (CK-1, CK-2): in memory, never persisted, thread-safe. It follows RFC 6265 — Set-Cookie
/// parsing (§5.2), the storage model (§5.3) and the Cookie header (§5.4) — not Wine's subset (CK-2 ⚠).
/// </summary>
/// <remarks>
/// <para>The engine's bridge stage calls <see cref="SetCookies(Uri, HttpHeaderCollection)"/> for every response,
/// 3xx and 401 included (CK-1, R-13), and <see cref="GetCookieHeader"/> before every hop. Turning cookies off
/// (WINHTTP_DISABLE_COOKIES, CK-3) is the engine's job: it simply does not call this store.</para>
/// <para>We are an HTTP API in the sense of RFC 6265, so HttpOnly cookies are stored and sent. Departures that come
/// from RFC 6265bis (draft) and are documented: a Set-Cookie string holding a control character other than HTAB is
/// ignored (it could not be sent back in a header), a name plus value longer than 4096 characters is ignored, and an
/// attribute value longer than 1024 characters is ignored. Limits follow RFC 6265 §6.1: 50 cookies per domain and
/// 3000 in all; beyond them, the least recently used cookies go first (§5.3 step 12).</para>
/// </remarks>
internal sealed class CookieStore
{
    /// <summary>RFC 6265bis §5.6: the most characters a name plus value may have.</summary>
    internal const int MaxNameValueLength = 4096;

    /// <summary>RFC 6265bis §5.6: the most characters an attribute value may have.</summary>
    internal const int MaxAttributeValueLength = 1024;

    private readonly TimeProvider _time;
    private readonly int _maxPerDomain;
    private readonly int _maxTotal;
    private readonly object _gate = new();

    // Cookies grouped by their domain field (the request host for host-only cookies).
    private readonly Dictionary<string, List<StoredCookie>> _byDomain = new(StringComparer.Ordinal);
    private int _count;
    private long _sequence;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="maxCookiesPerDomain">The most cookies kept for one domain (RFC 6265 §6.1 asks for at least 50).</param>
    /// <param name="maxCookies">The most cookies kept in all (RFC 6265 §6.1 asks for at least 3000).</param>
    public CookieStore(TimeProvider? timeProvider = null, int maxCookiesPerDomain = 50, int maxCookies = 3000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCookiesPerDomain, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCookies, 1);
        _time = timeProvider ?? TimeProvider.System;
        _maxPerDomain = maxCookiesPerDomain;
        _maxTotal = maxCookies;
    }

    /// <summary>The number of cookies held, expired ones not yet evicted included.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Whether the store holds no cookie: a lock-free hint for the engine's direct path.</summary>
    internal bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Removes every cookie.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _byDomain.Clear();
            _count = 0;
        }
    }

    /// <summary>Records every Set-Cookie field of a response to <paramref name="requestUri"/> (CK-1).</summary>
    /// <param name="requestUri">The URI the request was sent to (this hop's, for a redirect).</param>
    /// <param name="responseHeaders">The response's header fields.</param>
    public void SetCookies(Uri requestUri, HttpHeaderCollection responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        foreach (KeyValuePair<string, string> field in responseHeaders)
        {
            if (string.Equals(field.Key, "Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                SetCookie(requestUri, FromWire(field.Value));
            }
        }
    }

    /// <summary>
    /// The engine reads response field values as Latin-1 (one char per byte) and writes request field values as
    /// UTF-8 (HD-5). A Set-Cookie value whose bytes are valid UTF-8 is therefore re-read as UTF-8 (RFC 6265bis §5.6
    /// treats cookie octets as UTF-8), so the Cookie header sends back the very bytes the server set; other values
    /// stay as they are.
    /// </summary>
    internal static string FromWire(string value)
    {
        int i = 0;
        while (i < value.Length && value[i] < 0x80)
        {
            i++;
        }
        if (i == value.Length)
        {
            return value; // ASCII: nothing to do, no allocation
        }
        foreach (char c in value)
        {
            if (c > 0xFF)
            {
                return value; // not a Latin-1 wire string
            }
        }
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(value);
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return value;
        }
    }

    /// <summary>
    /// Parses one Set-Cookie field value (RFC 6265 §5.2) and stores the cookie (§5.3). One field holds one cookie:
    /// commas do not separate cookies.
    /// </summary>
    /// <param name="requestUri">The URI the request was sent to.</param>
    /// <param name="setCookie">The Set-Cookie field value.</param>
    /// <returns>True when a cookie was stored, replaced or deleted; false when the field was ignored.</returns>
    public bool SetCookie(Uri requestUri, string setCookie)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        ArgumentNullException.ThrowIfNull(setCookie);
        if (!requestUri.IsAbsoluteUri || !IsHttpScheme(requestUri))
        {
            return false;
        }
        DateTimeOffset now = _time.GetUtcNow();
        if (!SetCookieParser.TryParse(setCookie, now, out ParsedSetCookie parsed))
        {
            return false;
        }

        string requestHost = CanonicalHost(requestUri);
        bool hostIsIp = IsIpLiteral(requestUri);

        // §5.3 steps 4–6: the domain.
        string? domainAttribute = parsed.Domain;
        bool hostOnly;
        string domain;
        if (domainAttribute is not null && PublicSuffixes.IsPublicSuffix(domainAttribute))
        {
            if (domainAttribute == requestHost)
            {
                domainAttribute = null;
            }
            else
            {
                return false;
            }
        }
        if (domainAttribute is not null)
        {
            if (!DomainMatches(requestHost, hostIsIp, domainAttribute))
            {
                return false;
            }
            hostOnly = false;
            domain = domainAttribute;
        }
        else
        {
            hostOnly = true;
            domain = requestHost;
        }

        // §5.3 step 7: the path.
        string path = parsed.Path ?? DefaultPath(requestUri.AbsolutePath);

        lock (_gate)
        {
            // §5.3 step 11: replace a cookie with the same name, domain and path, keeping its creation time.
            long creationTicks = now.UtcTicks;
            long creationSequence = ++_sequence;
            if (_byDomain.TryGetValue(domain, out List<StoredCookie>? list))
            {
                for (int i = 0; i < list.Count; i++)
                {
                    StoredCookie old = list[i];
                    if (old.Name == parsed.Name && old.Path == path)
                    {
                        creationTicks = old.CreationTicks;
                        creationSequence = old.CreationSequence;
                        list.RemoveAt(i);
                        _count--;
                        break;
                    }
                }
            }

            // A cookie whose expiry is already past deletes the old one and is not kept (§5.3 step 12 and §5.3 end).
            if (parsed.ExpiryTicks <= now.UtcTicks)
            {
                return true;
            }

            var cookie = new StoredCookie(parsed.Name, parsed.Value, domain, path, hostOnly, parsed.Secure, parsed.HttpOnly,
                parsed.Persistent, parsed.ExpiryTicks, creationTicks, creationSequence, now.UtcTicks);
            if (list is null)
            {
                list = new List<StoredCookie>(4);
                _byDomain[domain] = list;
            }
            list.Add(cookie);
            _count++;
            EvictExcess(list, now.UtcTicks);
        }
        return true;
    }

    /// <summary>
    /// Builds the Cookie header value for a request to <paramref name="uri"/> (RFC 6265 §5.4): the matching,
    /// unexpired cookies, longer paths first, then earlier creation, as <c>name=value</c> joined with <c>"; "</c>.
    /// </summary>
    /// <param name="uri">The URI of the request about to be sent.</param>
    /// <returns>The header value, or null when no cookie applies (then no Cookie header is sent).</returns>
    public string? GetCookieHeader(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || !IsHttpScheme(uri))
        {
            return null;
        }
        string host = CanonicalHost(uri);
        bool hostIsIp = IsIpLiteral(uri);
        string path = uri.AbsolutePath;
        bool secure = string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        long now = _time.GetUtcNow().UtcTicks;

        if (Volatile.Read(ref _count) == 0)
        {
            return null; // the common case for a service client: no allocation at all
        }
        List<StoredCookie>? matches = null;
        lock (_gate)
        {
            // Candidate domains: the host itself, then (for names, not IP literals) each parent domain, looked up as
            // spans so that walking up the labels allocates nothing.
            Dictionary<string, List<StoredCookie>>.AlternateLookup<ReadOnlySpan<char>> lookup = _byDomain.GetAlternateLookup<ReadOnlySpan<char>>();
            ReadOnlySpan<char> candidate = host;
            while (true)
            {
                if (lookup.TryGetValue(candidate, out string? key, out List<StoredCookie>? list))
                {
                    bool exactHost = candidate.Length == host.Length;
                    for (int i = list.Count - 1; i >= 0; i--)
                    {
                        StoredCookie c = list[i];
                        if (c.ExpiryTicks <= now)
                        {
                            list.RemoveAt(i);
                            _count--;
                            continue;
                        }
                        if (c.HostOnly && !exactHost)
                        {
                            continue;
                        }
                        if (c.Secure && !secure)
                        {
                            continue;
                        }
                        if (!PathMatches(path, c.Path))
                        {
                            continue;
                        }
                        c.LastAccessTicks = now;
                        (matches ??= new List<StoredCookie>()).Add(c);
                    }
                    if (list.Count == 0)
                    {
                        _byDomain.Remove(key);
                    }
                }
                if (hostIsIp)
                {
                    break;
                }
                int dot = candidate.IndexOf('.');
                if (dot < 0 || dot == candidate.Length - 1)
                {
                    break;
                }
                candidate = candidate[(dot + 1)..];
            }
        }
        if (matches is null)
        {
            return null;
        }
        matches.Sort(static (a, b) =>
        {
            int byPath = b.Path.Length.CompareTo(a.Path.Length);
            if (byPath != 0)
            {
                return byPath;
            }
            int byCreation = a.CreationTicks.CompareTo(b.CreationTicks);
            return byCreation != 0 ? byCreation : a.CreationSequence.CompareTo(b.CreationSequence);
        });
        var sb = new StringBuilder();
        for (int i = 0; i < matches.Count; i++)
        {
            if (i > 0)
            {
                sb.Append("; ");
            }
            sb.Append(matches[i].Name).Append('=').Append(matches[i].Value);
        }
        return sb.ToString();
    }

    /// <summary>A copy of every unexpired cookie, for diagnostics and tests.</summary>
    internal List<StoredCookie> Snapshot()
    {
        long now = _time.GetUtcNow().UtcTicks;
        var all = new List<StoredCookie>();
        lock (_gate)
        {
            foreach (List<StoredCookie> list in _byDomain.Values)
            {
                foreach (StoredCookie c in list)
                {
                    if (c.ExpiryTicks > now)
                    {
                        all.Add(c);
                    }
                }
            }
        }
        return all;
    }

    // §5.3 step 12: expired cookies first, then the least recently used ones of an over-full domain, then of the store.
    private void EvictExcess(List<StoredCookie> domainList, long now)
    {
        if (domainList.Count <= _maxPerDomain && _count <= _maxTotal)
        {
            return;
        }
        for (int i = domainList.Count - 1; i >= 0; i--)
        {
            if (domainList[i].ExpiryTicks <= now)
            {
                domainList.RemoveAt(i);
                _count--;
            }
        }
        while (domainList.Count > _maxPerDomain)
        {
            RemoveLeastRecentlyUsed(domainList);
        }
        while (_count > _maxTotal)
        {
            List<StoredCookie>? oldestList = null;
            long oldest = long.MaxValue;
            foreach (List<StoredCookie> list in _byDomain.Values)
            {
                foreach (StoredCookie c in list)
                {
                    if (c.LastAccessTicks < oldest || oldestList is null)
                    {
                        oldest = c.LastAccessTicks;
                        oldestList = list;
                    }
                }
            }
            if (oldestList is null)
            {
                break;
            }
            RemoveLeastRecentlyUsed(oldestList);
        }
    }

    private void RemoveLeastRecentlyUsed(List<StoredCookie> list)
    {
        int victim = 0;
        for (int i = 1; i < list.Count; i++)
        {
            StoredCookie c = list[i], v = list[victim];
            if (c.LastAccessTicks < v.LastAccessTicks ||
                (c.LastAccessTicks == v.LastAccessTicks && c.CreationSequence < v.CreationSequence))
            {
                victim = i;
            }
        }
        list.RemoveAt(victim);
        _count--;
    }

    private static bool IsHttpScheme(Uri uri) =>
        string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase);

    /// <summary>The canonicalized host name (RFC 6265 §5.1.2): lower case, IDNs in their A-label form.</summary>
    internal static string CanonicalHost(Uri uri) => uri.IdnHost.ToLowerInvariant();

    private static bool IsIpLiteral(Uri uri) => uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;

    /// <summary>
    /// Domain-match (RFC 6265 §5.1.3): identical, or <paramref name="domain"/> is a suffix of a host name
    /// <paramref name="host"/> and the character before that suffix is a dot. An IP literal matches only itself.
    /// </summary>
    internal static bool DomainMatches(string host, bool hostIsIp, string domain)
    {
        if (host == domain)
        {
            return true;
        }
        return !hostIsIp
            && host.Length > domain.Length
            && host.EndsWith(domain, StringComparison.Ordinal)
            && host[host.Length - domain.Length - 1] == '.';
    }

    /// <summary>Path-match (RFC 6265 §5.1.4).</summary>
    internal static bool PathMatches(string requestPath, string cookiePath)
    {
        if (!requestPath.StartsWith(cookiePath, StringComparison.Ordinal))
        {
            return false;
        }
        return requestPath.Length == cookiePath.Length
            || cookiePath.EndsWith('/')
            || requestPath[cookiePath.Length] == '/';
    }

    /// <summary>The default-path of a request path (RFC 6265 §5.1.4).</summary>
    internal static string DefaultPath(string uriPath)
    {
        if (uriPath.Length == 0 || uriPath[0] != '/')
        {
            return "/";
        }
        int last = uriPath.LastIndexOf('/');
        return last == 0 ? "/" : uriPath[..last];
    }
}

/// <summary>A cookie as kept by <see cref="CookieStore"/> (RFC 6265 §5.3's fields).</summary>
internal sealed class StoredCookie
{
    public StoredCookie(string name, string value, string domain, string path, bool hostOnly, bool secure, bool httpOnly,
        bool persistent, long expiryTicks, long creationTicks, long creationSequence, long lastAccessTicks)
    {
        Name = name;
        Value = value;
        Domain = domain;
        Path = path;
        HostOnly = hostOnly;
        Secure = secure;
        HttpOnly = httpOnly;
        Persistent = persistent;
        ExpiryTicks = expiryTicks;
        CreationTicks = creationTicks;
        CreationSequence = creationSequence;
        LastAccessTicks = lastAccessTicks;
    }

    public string Name { get; }
    public string Value { get; }
    public string Domain { get; }
    public string Path { get; }
    public bool HostOnly { get; }
    public bool Secure { get; }
    public bool HttpOnly { get; }
    public bool Persistent { get; }
    public long ExpiryTicks { get; }
    public long CreationTicks { get; }
    public long CreationSequence { get; }
    public long LastAccessTicks { get; set; }
}
