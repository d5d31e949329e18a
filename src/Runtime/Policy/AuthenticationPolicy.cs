using System;
using System.Collections.Generic;

namespace TypedHttp.Policy;

/// <summary>The scheme chosen to answer a 401 or 407, with the challenge and the credentials to use.</summary>
internal readonly struct AuthSelection
{
    public AuthSelection(HttpAuthSchemes scheme, AuthChallenge challenge, HttpCredentials credentials)
    {
        Scheme = scheme;
        Challenge = challenge;
        Credentials = credentials;
    }

    /// <summary>The chosen scheme.</summary>
    public HttpAuthSchemes Scheme { get; }

    /// <summary>The server's challenge for that scheme.</summary>
    public AuthChallenge Challenge { get; }

    /// <summary>The credentials found for the origin and realm.</summary>
    public HttpCredentials Credentials { get; }
}

/// <summary>Scheme choice for the follow-up stage (A-9b, A-9e).</summary>
internal static class AuthSchemeSelector
{
    private static readonly HttpAuthSchemes[] s_preference = [HttpAuthSchemes.Negotiate, HttpAuthSchemes.Ntlm, HttpAuthSchemes.Digest, HttpAuthSchemes.Basic];

    /// <summary>
    /// Picks Negotiate &gt; NTLM &gt; Digest &gt; Basic among the offered challenges for which credentials exist for
    /// <paramref name="origin"/> (and the challenge's realm); the server's own order is ignored (A-9b). A Digest
    /// challenge we cannot answer (unknown algorithm, no nonce) does not count as offered.
    /// </summary>
    /// <param name="challenges">The parsed challenges of the 401 (WWW-Authenticate) or 407 (Proxy-Authenticate).</param>
    /// <param name="origin">The request URI for a 401, the proxy's URI for a 407.</param>
    /// <param name="credentials">The session's credentials.</param>
    /// <param name="allowed">The schemes still allowed: callers remove the ones already tried on this request
    /// (one attempt per scheme per request) and NTLM/Negotiate where the platform cannot do them.</param>
    /// <param name="selection">The choice.</param>
    /// <returns>False when no offered scheme can be answered: the 401/407 is then the final response .</returns>
    public static bool TrySelect(IReadOnlyList<AuthChallenge> challenges, Uri origin, HttpCredentialCache credentials,
        HttpAuthSchemes allowed, out AuthSelection selection)
    {
        selection = default;
        foreach (HttpAuthSchemes scheme in s_preference)
        {
            if ((allowed & scheme) == 0)
            {
                continue;
            }
            for (int i = 0; i < challenges.Count; i++)
            {
                AuthChallenge c = challenges[i];
                if (c.KnownScheme != scheme)
                {
                    continue;
                }
                if (scheme == HttpAuthSchemes.Digest && !DigestChallenge.TryCreate(c, out _))
                {
                    continue;
                }
                string? realm = scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest ? c.Realm : null;
                HttpCredentials? found = credentials.GetCredentials(origin, realm);
                if (found is not null && !(found.IsDefault && scheme is HttpAuthSchemes.Basic or HttpAuthSchemes.Digest))
                {
                    selection = new AuthSelection(scheme, c, found);
                    return true;
                }
            }
        }
        return false;
    }
}

/// <summary>
/// Pre-authentication (A-9f): after a request to an origin succeeds with a scheme, later requests to the same origin
/// and a path under the same directory send that scheme's answer first. Basic is re-sent as is; Digest reuses its
/// <see cref="DigestSession"/> so the nonce count goes up. NTLM and Negotiate are bound to one connection and are
/// not cached here. Keys are (origin, realm, scheme), so nothing crosses origins. Thread-safe.
/// </summary>
internal sealed class PreAuthenticationCache
{
    private readonly object _gate = new();
    private readonly List<PreAuthEntry> _entries = new();

    /// <summary>The number of entries.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records a success: the request to <paramref name="uri"/> ended in a status other than 401/407 after answering with <paramref name="scheme"/>.</summary>
    /// <param name="uri">The request URI that succeeded.</param>
    /// <param name="realm">The realm of the challenge answered.</param>
    /// <param name="scheme">Basic or Digest.</param>
    /// <param name="credentials">The credentials that worked.</param>
    /// <param name="digest">The Digest session, for Digest.</param>
    public void Remember(Uri uri, string realm, HttpAuthSchemes scheme, HttpCredentials credentials, DigestSession? digest = null)
    {
        if (scheme is not (HttpAuthSchemes.Basic or HttpAuthSchemes.Digest))
        {
            return;
        }
        if (scheme == HttpAuthSchemes.Digest && digest is null)
        {
            throw new ArgumentNullException(nameof(digest), "Digest pre-authentication needs the Digest session.");
        }
        string origin = HttpCredentialCache.OriginKey(uri);
        string prefix = CookieStore.DefaultPath(uri.AbsolutePath);
        lock (_gate)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                PreAuthEntry e = _entries[i];
                if (e.Origin == origin && e.Realm == realm && e.Scheme == scheme)
                {
                    string shorter = prefix.Length < e.PathPrefix.Length ? prefix : e.PathPrefix;
                    _entries[i] = new PreAuthEntry(origin, realm, scheme, shorter, credentials, digest);
                    return;
                }
            }
            _entries.Add(new PreAuthEntry(origin, realm, scheme, prefix, credentials, digest));
        }
    }

    /// <summary>The entry to pre-authenticate a request to <paramref name="uri"/> with: same origin, longest matching path prefix.</summary>
    /// <param name="uri">The request URI.</param>
    /// <param name="entry">The entry.</param>
    public bool TryGet(Uri uri, out PreAuthEntry entry)
    {
        entry = default;
        if (!uri.IsAbsoluteUri)
        {
            return false;
        }
        string origin = HttpCredentialCache.OriginKey(uri);
        string path = uri.AbsolutePath;
        bool found = false;
        lock (_gate)
        {
            foreach (PreAuthEntry e in _entries)
            {
                if (e.Origin == origin && CookieStore.PathMatches(path, e.PathPrefix) && (!found || e.PathPrefix.Length > entry.PathPrefix.Length))
                {
                    entry = e;
                    found = true;
                }
            }
        }
        return found;
    }

    /// <summary>Forgets the entry for (origin, realm, scheme), for example when a pre-authenticated request got 401.</summary>
    /// <param name="uri">A URI of the origin.</param>
    /// <param name="realm">The realm.</param>
    /// <param name="scheme">The scheme.</param>
    public bool Forget(Uri uri, string realm, HttpAuthSchemes scheme)
    {
        string origin = HttpCredentialCache.OriginKey(uri);
        lock (_gate)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                if (_entries[i].Origin == origin && _entries[i].Realm == realm && _entries[i].Scheme == scheme)
                {
                    _entries.RemoveAt(i);
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The Authorization value to send first for <paramref name="uri"/>, or null when nothing is cached for it.
    /// </summary>
    /// <param name="uri">The request URI.</param>
    /// <param name="method">The request method (Digest hashes it).</param>
    /// <param name="requestTarget">The request-target as sent (Digest's "uri").</param>
    public string? GetHeaderValue(Uri uri, string method, string requestTarget)
    {
        if (!TryGet(uri, out PreAuthEntry e))
        {
            return null;
        }
        return e.Scheme == HttpAuthSchemes.Basic
            ? BasicAuthentication.GetHeaderValue(e.Credentials)
            : e.Digest!.CreateHeaderValue(e.Credentials, method, requestTarget);
    }
}

/// <summary>One pre-authentication entry: (origin, realm, scheme) with the credentials and, for Digest, its session.</summary>
internal readonly struct PreAuthEntry
{
    public PreAuthEntry(string origin, string realm, HttpAuthSchemes scheme, string pathPrefix, HttpCredentials credentials, DigestSession? digest)
    {
        Origin = origin;
        Realm = realm;
        Scheme = scheme;
        PathPrefix = pathPrefix;
        Credentials = credentials;
        Digest = digest;
    }

    /// <summary>The origin key (<c>scheme://host:port</c>).</summary>
    public string Origin { get; }

    /// <summary>The realm.</summary>
    public string Realm { get; }

    /// <summary>Basic or Digest.</summary>
    public HttpAuthSchemes Scheme { get; }

    /// <summary>The directory of the URI that succeeded (RFC 7617 §2.2 protection space reuse).</summary>
    public string PathPrefix { get; }

    /// <summary>The credentials.</summary>
    public HttpCredentials Credentials { get; }

    /// <summary>The Digest session, for Digest.</summary>
    public DigestSession? Digest { get; }
}
