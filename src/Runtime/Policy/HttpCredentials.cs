using System;
using System.Collections.Generic;

namespace TypedHttp;

/// <summary>
/// A user name and password for HTTP authentication (Basic, Digest, NTLM, Negotiate), optionally with a Windows
/// domain that NTLM and Negotiate use and Basic sends as <c>DOMAIN\user</c> (A-9d), or
/// <see cref="DefaultCredentials"/>: the logged-on user's own, which only NTLM and Negotiate use. The password
/// never appears in <see cref="ToString"/>.
/// </summary>
public sealed class HttpCredentials
{
    private HttpCredentials()
    {
        UserName = string.Empty;
        Password = string.Empty;
        IsDefault = true;
    }

    /// <summary>Creates credentials.</summary>
    /// <param name="userName">The user name; it may not be empty (A-9d).</param>
    /// <param name="password">The password (may be empty).</param>
    /// <param name="domain">The Windows domain, or null.</param>
    /// <exception cref="ArgumentException">The user name is empty.</exception>
    public HttpCredentials(string userName, string password, string? domain = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
        Domain = string.IsNullOrEmpty(domain) ? null : domain;
    }

    /// <summary>
    /// The logged-on user's own credentials as the platform's security library holds them: on Linux and macOS
    /// the Kerberos ticket in the credential cache (<c>KRB5CCNAME</c>, what <c>kinit</c> made), on Windows the logon
    /// session. Only Negotiate and NTLM answer with them; Basic and Digest, which would need a password, never do.
    /// WinHttpHandler's <c>CredentialCache.DefaultCredentials</c>; curl's <c>--negotiate -u :</c>.
    /// </summary>
    public static HttpCredentials DefaultCredentials { get; } = new();

    /// <summary>Whether these are <see cref="DefaultCredentials"/> (no user name or password of their own).</summary>
    public bool IsDefault { get; }

    /// <summary>The user name (empty for <see cref="DefaultCredentials"/>).</summary>
    public string UserName { get; }

    /// <summary>The password.</summary>
    public string Password { get; }

    /// <summary>The Windows domain, or null.</summary>
    public string? Domain { get; }

    /// <summary>
    /// What answering a challenge with these credentials needs from the platform (hashes, random nonces,
    /// NTLM/Negotiate). The engine reaches those only through credentials, so they are trimmed away in applications
    /// that never create any.
    /// </summary>
    internal Policy.CredentialMechanisms Mechanisms { get; } = Policy.PlatformCredentialMechanisms.Instance;

    /// <summary>The user name (with its domain), never the password; <c>(default credentials)</c> for <see cref="DefaultCredentials"/>.</summary>
    public override string ToString() => IsDefault ? "(default credentials)" : Domain is null ? UserName : Domain + "\\" + UserName;
}

/// <summary>
/// Credentials per origin (scheme, host and port), optionally per realm: the session's answer to "who am I at this
/// server?". A lookup never returns credentials given for another origin, so a redirect to another host cannot
/// collect them (R-12 in docs/behaviour.md). Thread-safe.
/// </summary>
public sealed class HttpCredentialCache
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Origin, string Realm), HttpCredentials> _entries = new();

    /// <summary>Adds or replaces the credentials for every realm of <paramref name="origin"/>.</summary>
    /// <param name="origin">An absolute http or https URI; only its scheme, host and port count.</param>
    /// <param name="credentials">The credentials.</param>
    public void Add(Uri origin, HttpCredentials credentials) => Add(origin, null, credentials);

    /// <summary>Adds or replaces the credentials for one realm of <paramref name="origin"/> (null: any realm).</summary>
    /// <param name="origin">An absolute http or https URI; only its scheme, host and port count.</param>
    /// <param name="realm">The realm as the server names it in its challenge, or null for any realm.</param>
    /// <param name="credentials">The credentials.</param>
    /// <exception cref="ArgumentException">The URI is not absolute.</exception>
    public void Add(Uri origin, string? realm, HttpCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(credentials);
        string key = OriginKey(origin);
        lock (_gate)
        {
            _entries[(key, realm ?? string.Empty)] = credentials;
        }
    }

    /// <summary>Removes the credentials for <paramref name="origin"/> and <paramref name="realm"/> (null: the any-realm entry).</summary>
    /// <param name="origin">The origin.</param>
    /// <param name="realm">The realm, or null.</param>
    /// <returns>True when an entry was removed.</returns>
    public bool Remove(Uri origin, string? realm = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        string key = OriginKey(origin);
        lock (_gate)
        {
            return _entries.Remove((key, realm ?? string.Empty));
        }
    }

    /// <summary>
    /// The credentials for a request to <paramref name="uri"/> answering a challenge for <paramref name="realm"/>:
    /// the entry for that exact realm, else the origin's any-realm entry, else null. Only the same origin counts.
    /// </summary>
    /// <param name="uri">The request URI (or the proxy's URI for a 407).</param>
    /// <param name="realm">The challenge's realm, or null when the scheme has none (NTLM, Negotiate).</param>
    public HttpCredentials? GetCredentials(Uri uri, string? realm)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return null;
        }
        string key = OriginKey(uri);
        lock (_gate)
        {
            if (!string.IsNullOrEmpty(realm) && _entries.TryGetValue((key, realm), out HttpCredentials? exact))
            {
                return exact;
            }
            return _entries.TryGetValue((key, string.Empty), out HttpCredentials? any) ? any : null;
        }
    }

    /// <summary>The origin of <paramref name="uri"/> as <c>scheme://host:port</c>, lower case, IDNs as A-labels.</summary>
    internal static string OriginKey(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The origin must be an absolute URI such as 'https://api.example.com'.", nameof(uri));
        }
        return string.Concat(uri.Scheme.ToLowerInvariant(), "://", uri.IdnHost.ToLowerInvariant(), ":", uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
