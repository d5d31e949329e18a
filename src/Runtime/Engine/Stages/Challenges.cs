using System;
using System.Collections.Generic;
using System.Threading;
using TypedHttp.Policy;

namespace TypedHttp;

/// <summary>
/// Answers to one authentication challenge (A-2, A-9): choosing a scheme, a Digest answer, a connection-bound
/// handshake's next leg, the checks on a bearer token. Shared by the follow-up stage's <see cref="AuthenticationState"/>
/// and the WebSocket handshake; they hold no state of their own.
/// </summary>
public sealed partial class HttpSession
{
    /// <summary>Pre-authentication for origins (A-9f): Basic or Digest answers that worked before.</summary>
    internal PreAuthenticationCache ServerPreAuthentication { get; } = new();

    /// <summary>Pre-authentication for proxies (A-9f, A-9e), keyed by the proxy's URI.</summary>
    internal PreAuthenticationCache ProxyPreAuthentication { get; } = new();

    internal IConnectionAuthenticator CreateConnectionAuthenticator(HttpAuthSchemes scheme, HttpCredentials credentials, string host) =>
        Options.TestOnlyConnectionAuthenticatorFactory is { } factory ? factory(scheme, credentials, host) : credentials.Mechanisms.CreateConnectionAuthenticator(scheme, credentials, host);

    /// <summary>
    /// Picks the best offered scheme we hold credentials for (A-9b: Negotiate &gt; NTLM &gt; Digest &gt; Basic), one attempt
    /// per scheme; a scheme the platform cannot do (LoginFailure) counts as tried and the next is taken. Null: none left,
    /// the 401/407 is returned (A-6).
    /// </summary>
    internal string? SelectAndAnswer(List<AuthChallenge> challenges, Uri origin, HttpCredentialCache credentials, HttpAuthSchemes allowed,
        string method, string requestTarget, byte[]? authIntBody, ref HttpAuthSchemes tried, ref AuthSelection answered, ref DigestSession? digest,
        ref IConnectionAuthenticator? negotiator, bool proxyTarget)
    {
        TypedHttpException? refused = null;
        while (AuthSchemeSelector.TrySelect(challenges, origin, credentials, allowed & ~tried, out AuthSelection s))
        {
            tried |= s.Scheme;
            string? answer;
            try
            {
                switch (s.Scheme)
                {
                    case HttpAuthSchemes.Basic:
                        answer = BasicAuthentication.GetHeaderValue(s.Credentials);
                        digest = null;
                        break;
                    case HttpAuthSchemes.Digest:
                        DigestChallenge.TryCreate(s.Challenge, out DigestChallenge? dc);
                        if (dc!.Qop == DigestQop.AuthInt && authIntBody is null)
                        {
                            // auth-int only, and the body cannot be hashed (not replayable or over DigestBody.MaxBytes).
                            if (HttpTrace.IsEnabled(Options))
                            {
                                Trace(HttpTraceEventKind.Authenticating, $"Digest for {Origin(origin)} offers only qop=auth-int and the request body cannot be hashed (not replayable or over {DigestBody.MaxBytes} bytes)");
                            }
                            continue;
                        }
                        digest = new DigestSession(dc);
                        answer = digest.CreateHeaderValue(s.Credentials, method, requestTarget, authIntBody);
                        break;
                    default:
                        negotiator?.Dispose();
                        negotiator = null;
                        negotiator = CreateConnectionAuthenticator(s.Scheme, s.Credentials, origin.IdnHost);
                        answer = negotiator.GetNextHeaderValue(s.Challenge.Token68);
                        break;
                }
            }
            catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
            {
                if (HttpTrace.IsEnabled(Options))
                {
                    Trace(HttpTraceEventKind.Authenticating, $"{AuthChallenge.SchemeName(s.Scheme)} for {Origin(origin)} as {s.Credentials} is not possible here: {e.Message}");
                }
                if (negotiator is { CredentialsRefused: true })
                {
                    refused ??= new TypedHttpException(HttpError.LoginFailure, HttpPhase.ReceiveHeaders,
                        $"{Origin(origin)} asked for {AuthChallenge.SchemeName(s.Scheme)} and the credentials for {s.Credentials} were refused before anything was sent: {e.Message}", e);
                }
                // The context that could not start is no handshake under way (A-10 looks only at one that is).
                negotiator?.Dispose();
                negotiator = null;
                continue;
            }
            if (answer is null)
            {
                continue;
            }
            answered = s;
            if (HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, $"{(proxyTarget ? "407 from proxy" : "401 from")} {Origin(origin)}: answering with {AuthChallenge.SchemeName(s.Scheme)} as {s.Credentials}");
            }
            return answer;
        }
        // A-11: nothing answered, and the security library refused credentials the caller gave explicitly (a wrong
        // password, typically): that is the caller's error, not the server's 401, which saw no credentials at all.
        if (refused is not null)
        {
            throw refused;
        }
        return null;
    }

    internal string? NextLeg(IConnectionAuthenticator negotiator, string token)
    {
        try
        {
            return negotiator.GetNextHeaderValue(token);
        }
        catch (TypedHttpException e) when (e.Error == HttpError.LoginFailure)
        {
            if (HttpTrace.IsEnabled(Options))
            {
                Trace(HttpTraceEventKind.Authenticating, e.Message);
            }
            return null;
        }
    }

    /// <summary>Whether a Digest challenge among <paramref name="challenges"/> offers qop=auth-int and not auth (the body must then be hashed).</summary>
    internal static bool OffersOnlyAuthInt(List<AuthChallenge> challenges)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.KnownScheme == HttpAuthSchemes.Digest && DigestChallenge.TryCreate(c, out DigestChallenge? d) && d!.Qop == DigestQop.AuthInt)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A Digest answer; null when the challenge wants auth-int and <paramref name="authIntBody"/> could not be read.</summary>
    internal static string? DigestAnswer(DigestSession digest, HttpCredentials credentials, string method, string requestTarget, byte[]? authIntBody) =>
        digest.Challenge.Qop == DigestQop.AuthInt && authIntBody is null ? null : digest.CreateHeaderValue(credentials, method, requestTarget, authIntBody);

    internal static void ForgetPreAuthentication(PreAuthenticationCache cache, Uri uri, List<AuthChallenge> challenges)
    {
        if (cache.TryGet(uri, out PreAuthEntry entry))
        {
            cache.Forget(uri, entry.Realm, entry.Scheme);
        }
    }

    internal static bool HasScheme(List<AuthChallenge> challenges, string scheme)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    internal static string? FindToken(List<AuthChallenge> challenges, string scheme)
    {
        foreach (AuthChallenge c in challenges)
        {
            if (c.Scheme.Equals(scheme, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(c.Token68))
            {
                return c.Token68;
            }
        }
        return null;
    }

    internal static string? CheckToken(string? token)
    {
        if (token is null)
        {
            return null;
        }
        foreach (char c in token)
        {
            if (c is '\r' or '\n' or '\0' || c > '\u007e' || c < ' ')
            {
                // The token itself never appears in the message.
                throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Request, "The bearer token provider returned a token with a control or non-ASCII character; nothing was sent.");
            }
        }
        return token.Length == 0 ? null : token;
    }

    internal static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    /// <summary>Emits a follow-up stage event; callers check <see cref="HttpTrace.IsEnabled"/> first, so that no message is built when nobody listens.</summary>
    internal void Trace(HttpTraceEventKind kind, string message)
    {
        Interlocked.Increment(ref _followUpTraceMessages);
        HttpTrace.Emit(Options, kind, 0, message);
    }

    private int _followUpTraceMessages;

    /// <summary>How many follow-up stage trace lines this session has built (tests: none when nobody listens).</summary>
    internal int FollowUpTraceMessages => Volatile.Read(ref _followUpTraceMessages);
}
