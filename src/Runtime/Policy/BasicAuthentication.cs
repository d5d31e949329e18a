using System;
using System.Buffers;
using System.Text;

namespace TypedHttp.Policy;

/// <summary>RFC 7617 Basic: <c>Basic base64(UTF-8(user-id ":" password))</c>.</summary>
internal static class BasicAuthentication
{
    /// <summary>
    /// The Authorization (or Proxy-Authorization) value for <paramref name="credentials"/>. A domain is sent as
    /// <c>DOMAIN\user</c> (A-9d). The charset is UTF-8, as RFC 7617 §2.1 allows a server to ask for and as every
    /// current client sends.
    /// </summary>
    /// <param name="credentials">The credentials.</param>
    /// <exception cref="TypedHttpException">The user name contains a colon, which RFC 7617 §2 forbids (<see cref="HttpError.LoginFailure"/>).</exception>
    public static string GetHeaderValue(HttpCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        string user = credentials.Domain is null ? credentials.UserName : credentials.Domain + "\\" + credentials.UserName;
        if (user.Contains(':'))
        {
            throw new TypedHttpException(HttpError.LoginFailure, HttpPhase.Request,
                "Basic authentication cannot send a user name that contains ':' (RFC 7617 §2).");
        }
        int byteCount = Encoding.UTF8.GetByteCount(user) + 1 + Encoding.UTF8.GetByteCount(credentials.Password);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int n = Encoding.UTF8.GetBytes(user, buffer);
            buffer[n++] = (byte)':';
            n += Encoding.UTF8.GetBytes(credentials.Password, 0, credentials.Password.Length, buffer, n);
            return "Basic " + Convert.ToBase64String(buffer, 0, n);
        }
        finally
        {
            Array.Clear(buffer, 0, byteCount); // the password does not linger in the pool
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
