using System;

namespace TypedHttp;

/// <summary>
/// The authentication schemes the engine answers on a 401 or 407 (A-1's flag values). A session's
/// <see cref="HttpSessionOptions.AllowedAuthSchemes"/> restricts the choice; among offered and allowed schemes for
/// which credentials exist the engine prefers Negotiate, then NTLM, then Digest, then Basic (A-9b).
/// </summary>
[Flags]
public enum HttpAuthSchemes
{
    /// <summary>No scheme: 401 and 407 responses are returned as they are.</summary>
    None = 0,
    /// <summary>RFC 7617 Basic.</summary>
    Basic = 0x1,
    /// <summary>NTLM, through the platform's security library.</summary>
    Ntlm = 0x2,
    /// <summary>RFC 7616 Digest (MD5, SHA-256, their -sess variants).</summary>
    Digest = 0x8,
    /// <summary>SPNEGO Negotiate (RFC 4559), through the platform's security library.</summary>
    Negotiate = 0x10,
    /// <summary>Every scheme above.</summary>
    All = Basic | Ntlm | Digest | Negotiate,
}
