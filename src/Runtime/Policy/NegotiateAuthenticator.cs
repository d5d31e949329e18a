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
    private readonly HttpCredentials _credentials;

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
        _credentials = credentials;
        try
        {
            _context = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
            {
                Package = _schemeName,
                // the logged-on user's own (the Kerberos ticket cache), else the given user name and password.
                Credential = credentials.IsDefault ? CredentialCache.DefaultNetworkCredentials : new NetworkCredential(credentials.UserName, credentials.Password, credentials.Domain ?? string.Empty),
                TargetName = "HTTP/" + host,
                // Kerberos through Negotiate asks the server to prove itself in its final token (NTLM cannot).
                RequireMutualAuthentication = scheme == HttpAuthSchemes.Negotiate,
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
    /// Whether the last failure was the security library refusing explicitly given credentials: a wrong
    /// password, an unknown user, or no KDC for the user's realm; never for <see cref="HttpCredentials.DefaultCredentials"/>.
    /// </summary>
    public bool CredentialsRefused { get; private set; }

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
            case NegotiateAuthenticationStatusCode.UnknownCredentials when _credentials.IsDefault:
                throw Unavailable("there are no default credentials (for Kerberos: no ticket in the credential cache, KRB5CCNAME; kinit gets one)", null);
            case NegotiateAuthenticationStatusCode.UnknownCredentials:
                CredentialsRefused = true;
                throw Unavailable($"the security library could not use the given credentials for {_schemeName} (for Kerberos: a wrong password, an unknown user or no reachable KDC for the user's realm)", null);
            default:
                throw Unavailable($"the security library answered {status}", null);
        }
    }

    /// <summary>
    /// the token of the final (not 401) response of a Negotiate exchange, the server's proof of its identity
    /// (Kerberos' AP-REP): null when the security library accepts it and the exchange is complete, else why not.
    /// </summary>
    /// <param name="serverToken68">The base64 token of the response's WWW-Authenticate.</param>
    public string? CheckFinalToken(string serverToken68)
    {
        byte[] incoming;
        try
        {
            incoming = Convert.FromBase64String(serverToken68);
        }
        catch (FormatException)
        {
            return $"the server's final {_schemeName} token is not valid base64";
        }
        if (_context.IsAuthenticated)
        {
            return $"the server sent a final {_schemeName} token after the exchange was complete";
        }
        byte[]? outgoing = _context.GetOutgoingBlob(incoming, out NegotiateAuthenticationStatusCode status);
        if (status != NegotiateAuthenticationStatusCode.Completed || !_context.IsAuthenticated)
        {
            return $"the security library rejected the server's final {_schemeName} token ({status})";
        }
        return outgoing is { Length: > 0 } ? $"the exchange wants another {_schemeName} leg after the server's final token" : null;
    }

    /// <summary>Whether the exchange asked the server to prove itself and has not yet seen that proof.</summary>
    public bool AwaitsServerProof => _schemeName == "Negotiate" && !_context.IsAuthenticated;

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

    /// <summary>Whether the last failure was the security library refusing explicitly given credentials .</summary>
    bool CredentialsRefused => false;

    /// <summary>Whether the exchange waits for the server's proof of identity in a final token .</summary>
    bool AwaitsServerProof => false;

    /// <summary>A-10: null when the final response's token completes the exchange, else why it does not.</summary>
    /// <param name="serverToken68">The base64 token of the final response's WWW-Authenticate.</param>
    string? CheckFinalToken(string serverToken68) => null;
}
