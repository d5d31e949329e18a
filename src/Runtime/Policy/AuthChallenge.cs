using System;
using System.Collections.Generic;

namespace TypedHttp.Policy;

/// <summary>The authentication schemes the engine can answer, in A-1's vocabulary.</summary>
[Flags]
internal enum AuthSchemes
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>RFC 7617 Basic.</summary>
    Basic = 0x1,
    /// <summary>NTLM (through <see cref="System.Net.Security.NegotiateAuthentication"/>).</summary>
    Ntlm = 0x2,
    /// <summary>RFC 7616 Digest.</summary>
    Digest = 0x8,
    /// <summary>SPNEGO Negotiate (RFC 4559).</summary>
    Negotiate = 0x10,
    /// <summary>Every scheme.</summary>
    All = Basic | Ntlm | Digest | Negotiate,
}

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

    /// <summary>The scheme, if it is one we answer; <see cref="AuthSchemes.None"/> otherwise.</summary>
    public AuthSchemes KnownScheme { get; }

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

    private static AuthSchemes Classify(string scheme) =>
        scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Basic
        : scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Digest
        : scheme.Equals("NTLM", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Ntlm
        : scheme.Equals("Negotiate", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Negotiate
        : AuthSchemes.None;

    /// <summary>The name we send for a scheme in Authorization fields.</summary>
    internal static string SchemeName(AuthSchemes scheme) => scheme switch
    {
        AuthSchemes.Basic => "Basic",
        AuthSchemes.Digest => "Digest",
        AuthSchemes.Ntlm => "NTLM",
        AuthSchemes.Negotiate => "Negotiate",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };
}
