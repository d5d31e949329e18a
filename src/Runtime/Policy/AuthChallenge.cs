using System;
using System.Collections.Generic;

namespace TypedHttp.Policy;

/// <summary>One challenge from a WWW-Authenticate or Proxy-Authenticate field (RFC 9110 §11.3).</summary>
internal sealed class AuthChallenge
{
    private readonly List<KeyValuePair<string, string>> _parameters;

    internal AuthChallenge(string scheme, string? token68, List<KeyValuePair<string, string>> parameters)
    {
        Scheme = scheme;
        Token68 = token68;
        _parameters = parameters;
        KnownScheme = Classify(scheme);
    }

    /// <summary>The auth-scheme as sent.</summary>
    public string Scheme { get; }

    /// <summary>The scheme, if it is one we answer; <see cref="HttpAuthSchemes.None"/> otherwise.</summary>
    public HttpAuthSchemes KnownScheme { get; }

    /// <summary>The token68 form's value (Negotiate and NTLM use it), or null.</summary>
    public string? Token68 { get; }

    /// <summary>The auth-params in order; names as sent, values unquoted and unescaped.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters => _parameters;

    /// <summary>The value of the first parameter named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">The parameter name.</param>
    public string? GetParameter(string name)
    {
        foreach (KeyValuePair<string, string> p in _parameters)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }
        return null;
    }

    /// <summary>The realm parameter, or null.</summary>
    public string? Realm => GetParameter("realm");

    private static HttpAuthSchemes Classify(string scheme) =>
        scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) ? HttpAuthSchemes.Basic
        : scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase) ? HttpAuthSchemes.Digest
        : scheme.Equals("NTLM", StringComparison.OrdinalIgnoreCase) ? HttpAuthSchemes.Ntlm
        : scheme.Equals("Negotiate", StringComparison.OrdinalIgnoreCase) ? HttpAuthSchemes.Negotiate
        : HttpAuthSchemes.None;

    /// <summary>The name we send for a scheme in Authorization fields.</summary>
    internal static string SchemeName(HttpAuthSchemes scheme) => scheme switch
    {
        HttpAuthSchemes.Basic => "Basic",
        HttpAuthSchemes.Digest => "Digest",
        HttpAuthSchemes.Ntlm => "NTLM",
        HttpAuthSchemes.Negotiate => "Negotiate",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };
}
