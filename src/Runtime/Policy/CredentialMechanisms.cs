using System;
using System.Security.Cryptography;

namespace TypedHttp.Policy;

/// <summary>
/// The platform code that answering a challenge with credentials needs: the Digest hashes (MD5, SHA-256), random
/// client nonces and the NTLM/Negotiate token exchange. Every <see cref="HttpCredentials"/> carries the instance, and
/// the engine reaches these mechanisms only through the credentials it answers with. An application that never
/// creates credentials therefore leaves System.Security.Cryptography, NegotiateAuthentication and what they bring
/// (ASN.1, big integers, the OpenSSL and GSSAPI shims) out of a trimmed or Native AOT binary (docs/engine.md).
/// </summary>
internal abstract class CredentialMechanisms
{
    /// <summary>Hashes <paramref name="data"/> with SHA-256 or MD5 into <paramref name="destination"/> (32 bytes of room).</summary>
    /// <param name="sha256">SHA-256 when true, MD5 when false.</param>
    /// <param name="data">The bytes to hash.</param>
    /// <param name="destination">Where the hash goes.</param>
    /// <returns>The hash length in bytes.</returns>
    public abstract int Hash(bool sha256, ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>Fills <paramref name="destination"/> with cryptographically strong random bytes.</summary>
    /// <param name="destination">The bytes to fill.</param>
    public abstract void FillRandom(Span<byte> destination);

    /// <summary>Starts an NTLM or Negotiate exchange with the platform's implementation.</summary>
    /// <param name="scheme"><see cref="HttpAuthSchemes.Negotiate"/> or <see cref="HttpAuthSchemes.Ntlm"/>.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="host">The server's (or proxy's) host name.</param>
    /// <exception cref="TypedHttpException">The platform cannot do the scheme (<see cref="HttpError.LoginFailure"/>).</exception>
    public abstract IConnectionAuthenticator CreateConnectionAuthenticator(HttpAuthSchemes scheme, HttpCredentials credentials, string host);
}

/// <summary>The mechanisms of the platform: System.Security.Cryptography and <see cref="NegotiateAuthenticator"/>.</summary>
internal sealed class PlatformCredentialMechanisms : CredentialMechanisms
{
    /// <summary>The one instance; only <see cref="HttpCredentials"/> refers to it.</summary>
    public static readonly PlatformCredentialMechanisms Instance = new();

    private PlatformCredentialMechanisms()
    {
    }

    /// <inheritdoc />
    public override int Hash(bool sha256, ReadOnlySpan<byte> data, Span<byte> destination) =>
        sha256 ? SHA256.HashData(data, destination) : MD5.HashData(data, destination);

    /// <inheritdoc />
    public override void FillRandom(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    /// <inheritdoc />
    public override IConnectionAuthenticator CreateConnectionAuthenticator(HttpAuthSchemes scheme, HttpCredentials credentials, string host) =>
        new NegotiateAuthenticator(scheme, credentials, host);
}
