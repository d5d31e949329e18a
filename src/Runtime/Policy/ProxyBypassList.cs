using System;
using System.Collections.Generic;
using System.Net;

namespace TypedHttp.Policy;

/// <summary>
/// The hosts a proxy is bypassed for: WinHTTP's bypass list (P-3) or the environment's <c>no_proxy</c> (curl's
/// rules). Matching is case-insensitive and never throws.
/// </summary>
internal sealed class ProxyBypassList
{
    private readonly Entry[] _entries;
    private readonly bool _local;
    private readonly bool _all;

    private ProxyBypassList(Entry[] entries, bool local, bool all)
    {
        _entries = entries;
        _local = local;
        _all = all;
    }

    /// <summary>Bypasses nothing.</summary>
    public static ProxyBypassList Empty { get; } = new([], false, false);

    /// <summary>
    /// WinHTTP's bypass list (P-3): entries separated by <c>;</c> or whitespace; <c>*</c> wildcards anywhere;
    /// <c>&lt;local&gt;</c> for host names without a dot; an optional <c>scheme://</c> prefix and <c>:port</c>.
    /// Following Wine, <c>*.a.b</c> matches proper subdomains of a.b only.
    /// </summary>
    /// <param name="list">The list, or null.</param>
    public static ProxyBypassList ParseWinHttp(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return Empty;
        }
        var entries = new List<Entry>();
        bool local = false;
        foreach (string raw in list.Split([';', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.Equals("<local>", StringComparison.OrdinalIgnoreCase))
            {
                local = true;
                continue;
            }
            string item = raw;
            int scheme = item.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                item = item[(scheme + 3)..];
            }
            item = item.TrimEnd('/');
            (string host, int? port) = SplitPort(item);
            if (host.Length > 0)
            {
                entries.Add(new Entry(host.ToLowerInvariant(), port, EntryKind.Glob, null, 0));
            }
        }
        return new ProxyBypassList(entries.ToArray(), local, false);
    }

    /// <summary>
    /// <c>no_proxy</c> with curl's rules: entries separated by commas (or whitespace); <c>*</c> alone bypasses every
    /// host; a leading dot is dropped and an entry matches that host and every subdomain (<c>example.com</c> and
    /// <c>.example.com</c> both match <c>example.com</c> and <c>a.example.com</c>); <c>host:port</c> matches that port
    /// only; IP literals match exactly and <c>10.0.0.0/8</c>-style CIDR blocks match addresses inside them.
    /// </summary>
    /// <param name="noProxy">The variable's value, or null.</param>
    public static ProxyBypassList ParseNoProxy(string? noProxy)
    {
        if (string.IsNullOrWhiteSpace(noProxy))
        {
            return Empty;
        }
        var entries = new List<Entry>();
        foreach (string raw in noProxy.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*")
            {
                return new ProxyBypassList([], false, true);
            }
            int slash = raw.IndexOf('/');
            if (slash > 0 && int.TryParse(raw.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int prefix)
                && IPAddress.TryParse(raw.AsSpan(0, slash).Trim("[]"), out IPAddress? network)
                && prefix <= (network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            {
                entries.Add(new Entry(string.Empty, null, EntryKind.Cidr, network, prefix));
                continue;
            }
            (string host, int? port) = SplitPort(raw);
            host = host.TrimStart('.').ToLowerInvariant();
            if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                host = host[2..];
            }
            if (host.Length > 0)
            {
                entries.Add(new Entry(host, port, EntryKind.DomainSuffix, null, 0));
            }
        }
        return new ProxyBypassList(entries.ToArray(), false, false);
    }

    /// <summary>Whether requests to <paramref name="target"/> bypass the proxy.</summary>
    /// <param name="target">An absolute request URI.</param>
    public bool Matches(Uri target)
    {
        if (_all)
        {
            return true;
        }
        string host = target.IdnHost.ToLowerInvariant();
        bool isIp = target.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6;
        if (_local && !isIp && !host.Contains('.'))
        {
            return true;
        }
        int port = target.Port;
        IPAddress? address = null;
        foreach (Entry e in _entries)
        {
            if (e.Port is int p && p != port)
            {
                continue;
            }
            switch (e.Kind)
            {
                case EntryKind.Glob:
                    if (GlobMatches(e.Pattern, host) || (isIp && target.HostNameType == UriHostNameType.IPv6 && GlobMatches(e.Pattern, "[" + host + "]")))
                    {
                        return true;
                    }
                    break;
                case EntryKind.DomainSuffix:
                    if (host == e.Pattern || (!isIp && host.Length > e.Pattern.Length && host.EndsWith(e.Pattern, StringComparison.Ordinal) && host[^(e.Pattern.Length + 1)] == '.'))
                    {
                        return true;
                    }
                    break;
                case EntryKind.Cidr:
                    if (isIp)
                    {
                        address ??= ParseHost(host);
                        if (address is not null && InBlock(address, e.Network!, e.PrefixLength))
                        {
                            return true;
                        }
                    }
                    break;
            }
        }
        return false;
    }

    private static IPAddress? ParseHost(string host) => IPAddress.TryParse(host, out IPAddress? a) ? a : null;

    private static bool InBlock(IPAddress address, IPAddress network, int prefix)
    {
        if (address.IsIPv4MappedToIPv6 && network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }
        Span<byte> a = stackalloc byte[16], n = stackalloc byte[16];
        address.TryWriteBytes(a, out int length);
        network.TryWriteBytes(n, out _);
        int fullBytes = prefix / 8, bits = prefix % 8;
        if (!a[..fullBytes].SequenceEqual(n[..fullBytes]))
        {
            return false;
        }
        if (bits == 0 || fullBytes >= length)
        {
            return true;
        }
        int mask = 0xFF << (8 - bits) & 0xFF;
        return (a[fullBytes] & mask) == (n[fullBytes] & mask);
    }

    /// <summary>Splits <c>host:port</c>, <c>[v6]:port</c>, <c>[v6]</c> or a bare IPv6 literal.</summary>
    private static (string Host, int? Port) SplitPort(string item)
    {
        if (item.StartsWith('['))
        {
            int close = item.IndexOf(']');
            if (close < 0)
            {
                return (item, null);
            }
            string inner = item[1..close];
            if (close + 1 < item.Length && item[close + 1] == ':' && int.TryParse(item.AsSpan(close + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p6))
            {
                return (inner, p6);
            }
            return (inner, null);
        }
        int colon = item.LastIndexOf(':');
        if (colon > 0 && item.IndexOf(':') == colon
            && int.TryParse(item.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port))
        {
            return (item[..colon], port);
        }
        return (item, null);
    }

    /// <summary>Glob match with <c>*</c> only, linear-time greedy backtracking (no exponential blow-up).</summary>
    internal static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    private enum EntryKind
    {
        Glob,
        DomainSuffix,
        Cidr,
    }

    private readonly record struct Entry(string Pattern, int? Port, EntryKind Kind, IPAddress? Network, int PrefixLength);
}
