using System;
using System.Net;
using System.Net.Security;

namespace TypedHttp.Policy;

/// <summary>
/// A thin adapter over <see cref="NegotiateAuthentication"/> (client) for the NTLM and Negotiate schemes:
/// it turns the server's token68 into our next Authorization value. Where the platform cannot do the scheme (no
/// GSSAPI library, no NTLM mechanism, no Kerberos ticket for the credentials) it raises a
/// <see cref="TypedHttpException"/> with <see cref="HttpError.LoginFailure"/> and a message that says so, which the
/// follow-up stage turns into "scheme not available, try the next one or return the 401".
/// All legs must run on one kept-alive connection; that is the engine's part.
/// </summary>
internal sealed class NegotiateAuthenticator : IConnectionAuthenticator
{
    private readonly NegotiateAuthentication _context;
    private readonly string _schemeName;

    /// <summary>Creates the client context.</summary>
    /// <param name="scheme"><see cref="HttpAuthSchemes.Negotiate"/> or <see cref="HttpAuthSchemes.Ntlm"/>.</param>
    /// <param name="credentials">The credentials (domain used when given).</param>
    /// <param name="host">The server's (or proxy's) host name; the target name is <c>HTTP/host</c>.</param>
    public NegotiateAuthenticator(HttpAuthSchemes scheme, HttpCredentials credentials, string host)
    {
        if (scheme is not (HttpAuthSchemes.Negotiate or HttpAuthSchemes.Ntlm))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), "Only Negotiate and NTLM go through NegotiateAuthentication.");
        }
        ArgumentNullException.ThrowIfNull(credentials);
        _schemeName = AuthChallenge.SchemeName(scheme);
        try
        {
            _context = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
            {
                Package = _schemeName,
                Credential = new NetworkCredential(credentials.UserName, credentials.Password, credentials.Domain ?? string.Empty),
                TargetName = "HTTP/" + host,
            });
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw Unavailable($"the platform has no {_schemeName} support ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>The scheme name sent (<c>Negotiate</c> or <c>NTLM</c>).</summary>
    public string SchemeName => _schemeName;

    /// <summary>Whether the exchange completed on our side.</summary>
    public bool IsCompleted => _context.IsAuthenticated;

    /// <summary>
    /// The next Authorization value: for the first leg pass null (or the bare challenge's empty token), then the
    /// server's token68 from each following 401/407. Returns null when the exchange is complete and nothing more needs
    /// to be sent.
    /// </summary>
    /// <param name="serverToken68">The server's base64 token, or null on the first leg.</param>
    /// <exception cref="TypedHttpException">The platform or the credentials cannot do this scheme (<see cref="HttpError.LoginFailure"/>).</exception>
    public string? GetNextHeaderValue(string? serverToken68)
    {
        byte[]? incoming = null;
        if (!string.IsNullOrEmpty(serverToken68))
        {
            try
            {
                incoming = Convert.FromBase64String(serverToken68);
            }
            catch (FormatException e)
            {
                throw new TypedHttpException(HttpError.LoginFailure, HttpPhase.ReceiveHeaders,
                    $"The server's {_schemeName} challenge token is not valid base64.", e);
            }
        }
        byte[]? outgoing;
        NegotiateAuthenticationStatusCode status;
        try
        {
            outgoing = _context.GetOutgoingBlob(incoming, out status);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw Unavailable($"the platform has no {_schemeName} support ({e.GetType().Name}: {e.Message})", e);
        }
        switch (status)
        {
            case NegotiateAuthenticationStatusCode.Completed:
            case NegotiateAuthenticationStatusCode.ContinueNeeded:
                return outgoing is null || outgoing.Length == 0 ? null : _schemeName + " " + Convert.ToBase64String(outgoing);
            case NegotiateAuthenticationStatusCode.Unsupported:
                throw Unavailable($"this platform's security library does not support {_schemeName} (on Linux: a GSSAPI library with the mechanism, e.g. gss-ntlmssp for NTLM, is needed)", null);
            case NegotiateAuthenticationStatusCode.UnknownCredentials:
                throw Unavailable($"the security library could not use the given credentials for {_schemeName} (for Kerberos: no ticket or no reachable KDC for this user)", null);
            default:
                throw Unavailable($"the security library answered {status}", null);
        }
    }

    private TypedHttpException Unavailable(string why, Exception? inner) =>
        new(HttpError.LoginFailure, HttpPhase.Send, $"{_schemeName} authentication cannot proceed: {why}.", inner);

    /// <summary>Releases the security context.</summary>
    public void Dispose() => _context.Dispose();
}

/// <summary>
/// One side of a connection-oriented handshake (NTLM, Negotiate; ): turns each server token into the next
/// Authorization value. <see cref="NegotiateAuthenticator"/> is the real one; tests substitute a scripted one through
/// <see cref="HttpSessionOptions.TestOnlyConnectionAuthenticatorFactory"/>.
/// </summary>
internal interface IConnectionAuthenticator : IDisposable
{
    /// <summary>The scheme name sent (<c>Negotiate</c> or <c>NTLM</c>).</summary>
    string SchemeName { get; }

    /// <summary>The next Authorization value for <paramref name="serverToken68"/> (null on the first leg); null when nothing more is to be sent.</summary>
    /// <exception cref="TypedHttpException">The scheme cannot proceed (<see cref="HttpError.LoginFailure"/>).</exception>
    string? GetNextHeaderValue(string? serverToken68);
}
