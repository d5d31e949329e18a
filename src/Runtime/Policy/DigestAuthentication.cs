using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace TypedHttp.Policy;

/// <summary>The hash algorithms of RFC 7616 §3.3 that we answer.</summary>
internal enum DigestAlgorithm
{
    /// <summary>MD5 (the default when the challenge names none).</summary>
    Md5,
    /// <summary>MD5-sess.</summary>
    Md5Sess,
    /// <summary>SHA-256.</summary>
    Sha256,
    /// <summary>SHA-256-sess.</summary>
    Sha256Sess,
}

/// <summary>The quality of protection chosen for a Digest answer (RFC 7616 §3.3).</summary>
internal enum DigestQop
{
    /// <summary>No qop: the RFC 2069 compatible form.</summary>
    None,
    /// <summary>qop=auth.</summary>
    Auth,
    /// <summary>qop=auth-int: the request body is hashed too.</summary>
    AuthInt,
}

/// <summary>A Digest challenge we can answer, read from an <see cref="AuthChallenge"/> (RFC 7616 §3.3).</summary>
internal sealed class DigestChallenge
{
    private DigestChallenge(string realm, string nonce, string? opaque, DigestAlgorithm algorithm, string algorithmName, DigestQop qop, bool stale, bool userHash)
    {
        Realm = realm;
        Nonce = nonce;
        Opaque = opaque;
        Algorithm = algorithm;
        AlgorithmName = algorithmName;
        Qop = qop;
        Stale = stale;
        UserHash = userHash;
    }

    /// <summary>The realm.</summary>
    public string Realm { get; }

    /// <summary>The server nonce.</summary>
    public string Nonce { get; }

    /// <summary>The opaque value, echoed back unchanged, or null.</summary>
    public string? Opaque { get; }

    /// <summary>The algorithm.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>The algorithm as the server spelled it (echoed back), or null when it named none.</summary>
    public string? AlgorithmName { get; }

    /// <summary>The qop we answer with: auth when offered, auth-int only when it is all that is offered.</summary>
    public DigestQop Qop { get; }

    /// <summary>stale=true: the previous answer was right but its nonce expired; retry with this nonce (RFC 7616 §3.3).</summary>
    public bool Stale { get; }

    /// <summary>userhash=true: send H(username ":" realm) instead of the user name (RFC 7616 §3.4.4).</summary>
    public bool UserHash { get; }

    /// <summary>Reads a Digest challenge; false when it is not Digest, lacks realm or nonce, or names an algorithm or qop we cannot do.</summary>
    /// <param name="challenge">A parsed challenge.</param>
    /// <param name="digest">The usable challenge.</param>
    public static bool TryCreate(AuthChallenge challenge, out DigestChallenge? digest)
    {
        digest = null;
        if (challenge.KnownScheme != HttpAuthSchemes.Digest)
        {
            return false;
        }
        string? realm = challenge.Realm;
        string? nonce = challenge.GetParameter("nonce");
        if (realm is null || string.IsNullOrEmpty(nonce))
        {
            return false;
        }
        string? algorithmName = challenge.GetParameter("algorithm");
        DigestAlgorithm algorithm;
        if (algorithmName is null || algorithmName.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5;
        }
        else if (algorithmName.Equals("MD5-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5Sess;
        }
        else if (algorithmName.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256;
        }
        else if (algorithmName.Equals("SHA-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256Sess;
        }
        else
        {
            return false; // SHA-512-256 and unknown names: another challenge may do
        }

        DigestQop qop = DigestQop.None;
        string? qopOptions = challenge.GetParameter("qop");
        if (qopOptions is not null)
        {
            bool auth = false, authInt = false;
            foreach (Range r in qopOptions.AsSpan().Split(','))
            {
                ReadOnlySpan<char> option = qopOptions.AsSpan(r).Trim();
                if (option.Equals("auth", StringComparison.OrdinalIgnoreCase))
                {
                    auth = true;
                }
                else if (option.Equals("auth-int", StringComparison.OrdinalIgnoreCase))
                {
                    authInt = true;
                }
            }
            if (auth)
            {
                qop = DigestQop.Auth;
            }
            else if (authInt)
            {
                qop = DigestQop.AuthInt;
            }
            else
            {
                return false;
            }
        }
        bool stale = string.Equals(challenge.GetParameter("stale"), "true", StringComparison.OrdinalIgnoreCase);
        bool userHash = string.Equals(challenge.GetParameter("userhash"), "true", StringComparison.OrdinalIgnoreCase);
        digest = new DigestChallenge(realm, nonce, challenge.GetParameter("opaque"), algorithm, algorithmName!, qop, stale, userHash);
        return true;
    }
}

/// <summary>
/// The client side of RFC 7616 Digest for one protection space: it keeps the current nonce and its nonce count, so
/// a reused nonce (pre-authentication, A-9f) is sent with nc incremented, and a new nonce (after stale=true) starts
/// again at 00000001. Thread-safe.
/// </summary>
internal sealed class DigestSession
{
    private readonly Func<string>? _cnonceSource;
    private readonly object _gate = new();
    private DigestChallenge _challenge;
    private int _nonceCount;

    /// <summary>Starts a session from a challenge.</summary>
    /// <param name="challenge">The server's challenge.</param>
    /// <param name="cnonceSource">Makes client nonces; null: 16 random bytes from the credentials' mechanisms (<see cref="RandomNumberGenerator"/>) as hex.</param>
    public DigestSession(DigestChallenge challenge, Func<string>? cnonceSource = null)
    {
        _challenge = challenge;
        _cnonceSource = cnonceSource;
    }

    /// <summary>The challenge answered now.</summary>
    public DigestChallenge Challenge => Volatile.Read(ref _challenge);

    /// <summary>Takes a newer challenge (for example after stale=true); a different nonce resets the nonce count.</summary>
    /// <param name="challenge">The new challenge.</param>
    public void Update(DigestChallenge challenge)
    {
        lock (_gate)
        {
            if (!string.Equals(_challenge.Nonce, challenge.Nonce, StringComparison.Ordinal))
            {
                _nonceCount = 0;
            }
            _challenge = challenge;
        }
    }

    /// <summary>
    /// Reads the 401/407 that answered our Digest attempt: when it carries a Digest challenge for the same realm with
    /// stale=true, the session takes the new nonce and the caller retries once more with the same credentials (the
    /// credentials were right, only the nonce had expired, RFC 7616 §3.3). Otherwise false: the attempt failed and the
    /// 401/407 is the final response (A-6).
    /// </summary>
    /// <param name="challenges">The challenges of the new 401 (WWW-Authenticate) or 407 (Proxy-Authenticate).</param>
    public bool TryAcceptStale(IReadOnlyList<AuthChallenge> challenges)
    {
        ArgumentNullException.ThrowIfNull(challenges);
        string realm = Challenge.Realm;
        foreach (AuthChallenge c in challenges)
        {
            if (c.KnownScheme == HttpAuthSchemes.Digest && DigestChallenge.TryCreate(c, out DigestChallenge? d)
                && d!.Stale && string.Equals(d.Realm, realm, StringComparison.Ordinal))
            {
                Update(d);
                return true;
            }
        }
        return false;
    }

    /// <summary>Builds the Authorization (or Proxy-Authorization) value for one request.</summary>
    /// <param name="credentials">The credentials.</param>
    /// <param name="method">The request method.</param>
    /// <param name="requestTarget">The request-target as sent on the request line (RFC 7616 §3.4 "uri").</param>
    /// <param name="body">The request body, hashed only for qop=auth-int.</param>
    public string CreateHeaderValue(HttpCredentials credentials, string method, string requestTarget, ReadOnlySpan<byte> body = default)
    {
        DigestChallenge challenge;
        int nc;
        lock (_gate)
        {
            challenge = _challenge;
            nc = ++_nonceCount;
        }
        string cnonce = _cnonceSource is { } source ? source() : RandomCnonce(credentials.Mechanisms);
        return Compute(challenge, credentials, method, requestTarget, body, nc, cnonce);
    }

    /// <summary>The RFC 7616 §3.4.1 computation with an explicit nonce count and cnonce (the test vectors use it).</summary>
    internal static string Compute(DigestChallenge challenge, HttpCredentials credentials, string method, string requestTarget,
        ReadOnlySpan<byte> body, int nonceCount, string cnonce)
    {
        bool sha256 = challenge.Algorithm is DigestAlgorithm.Sha256 or DigestAlgorithm.Sha256Sess;
        CredentialMechanisms m = credentials.Mechanisms;
        bool sess = challenge.Algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess;
        string user = credentials.Domain is null ? credentials.UserName : credentials.Domain + "\\" + credentials.UserName;
        string nc = nonceCount.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

        // A1 = unq(username) ":" unq(realm) ":" passwd; for -sess: H(that) ":" unq(nonce) ":" unq(cnonce)
        string ha1 = H(m, sha256, string.Concat(user, ":", challenge.Realm, ":", credentials.Password));
        if (sess)
        {
            ha1 = H(m, sha256, string.Concat(ha1, ":", challenge.Nonce, ":", cnonce));
        }
        // A2 = Method ":" request-uri [ ":" H(entity-body) ]
        string a2 = challenge.Qop == DigestQop.AuthInt
            ? string.Concat(method, ":", requestTarget, ":", H(m, sha256, body))
            : string.Concat(method, ":", requestTarget);
        string ha2 = H(m, sha256, a2);
        string response = challenge.Qop == DigestQop.None
            ? H(m, sha256, string.Concat(ha1, ":", challenge.Nonce, ":", ha2))
            : H(m, sha256, string.Concat(ha1, ":", challenge.Nonce, ":", nc, ":", cnonce, ":", QopName(challenge.Qop), ":", ha2));

        var sb = new StringBuilder(256);
        sb.Append("Digest ");
        if (challenge.UserHash)
        {
            AppendQuoted(sb, "username", H(m, sha256, string.Concat(user, ":", challenge.Realm))).Append(", ");
        }
        else if (NeedsExtendedNotation(user))
        {
            // RFC 7616 §3.4.4: a user name that cannot travel in a quoted-string goes as username* (RFC 8187).
            sb.Append("username*=UTF-8''");
            AppendPercentEncoded(sb, user);
            sb.Append(", ");
        }
        else
        {
            AppendQuoted(sb, "username", user).Append(", ");
        }
        AppendQuoted(sb, "realm", challenge.Realm).Append(", ");
        AppendQuoted(sb, "uri", requestTarget).Append(", ");
        if (challenge.AlgorithmName is not null)
        {
            sb.Append("algorithm=").Append(challenge.AlgorithmName).Append(", ");
        }
        AppendQuoted(sb, "nonce", challenge.Nonce).Append(", ");
        if (challenge.Qop != DigestQop.None)
        {
            sb.Append("nc=").Append(nc).Append(", ");
            AppendQuoted(sb, "cnonce", cnonce).Append(", ");
            sb.Append("qop=").Append(QopName(challenge.Qop)).Append(", ");
        }
        AppendQuoted(sb, "response", response);
        if (challenge.Opaque is not null)
        {
            sb.Append(", ");
            AppendQuoted(sb, "opaque", challenge.Opaque);
        }
        if (challenge.UserHash)
        {
            sb.Append(", userhash=true");
        }
        return sb.ToString();
    }

    private static string QopName(DigestQop qop) => qop == DigestQop.AuthInt ? "auth-int" : "auth";

    private static string H(CredentialMechanisms m, bool sha256, string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(text, buffer);
            return H(m, sha256, buffer.AsSpan(0, n));
        }
        finally
        {
            Array.Clear(buffer); // A1 holds the password
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string H(CredentialMechanisms m, bool sha256, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        int length = m.Hash(sha256, data, hash);
        return Convert.ToHexStringLower(hash[..length]);
    }

    private static StringBuilder AppendQuoted(StringBuilder sb, string name, string value)
    {
        sb.Append(name).Append("=\"");
        foreach (char c in value)
        {
            if (c == '"' || c == '\\')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.Append('"');
    }

    private static bool NeedsExtendedNotation(string user)
    {
        foreach (char c in user)
        {
            if (c < 0x20 || c >= 0x7F)
            {
                return true;
            }
        }
        return false;
    }

    private static void AppendPercentEncoded(StringBuilder sb, string value)
    {
        // RFC 8187 attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "!#$&+-.^_`|~".Contains(c)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static string RandomCnonce(CredentialMechanisms m)
    {
        Span<byte> bytes = stackalloc byte[16];
        m.FillRandom(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>
/// The request body for Digest <c>qop=auth-int</c> (RFC 7616 §3.4.3: A2 includes H(entity-body)): written once into a
/// bounded buffer. Only a replayable body of at most <see cref="MaxBytes"/> can be hashed (it is then written again
/// to the wire); for any other body auth-int cannot be answered and Digest counts as unavailable for that challenge
/// (the engine answers <c>qop=auth</c> whenever the server offers it, so this only matters for auth-int-only servers).
/// </summary>
internal static class DigestBody
{
    /// <summary>The largest body hashed for auth-int: 64 KiB.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The body's bytes (empty for no body), or null when it cannot be hashed (not replayable, or too large).</summary>
    public static async System.Threading.Tasks.ValueTask<byte[]?> ReadAsync(RequestContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return Array.Empty<byte>();
        }
        if (!content.IsReplayable || content.Length > MaxBytes)
        {
            return null;
        }
        var buffer = new BoundedStream();
        try
        {
            await content.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (BodyTooLargeException)
        {
            return null;
        }
        return buffer.ToArray();
    }

    private sealed class BodyTooLargeException : Exception
    {
    }

    /// <summary>A memory stream that refuses to grow past <see cref="MaxBytes"/>.</summary>
    private sealed class BoundedStream : System.IO.MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            Check(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override void WriteByte(byte value)
        {
            Check(1);
            base.WriteByte(value);
        }

        public override System.Threading.Tasks.ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Check(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override System.Threading.Tasks.Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Check(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Check(int count)
        {
            if (Length + count > MaxBytes)
            {
                throw new BodyTooLargeException();
            }
        }
    }
}
