using System;

namespace TypedHttp;

/// <summary>
/// Bounds each call of the method (or of every method of the interface) to <see cref="Milliseconds"/>, from the start
/// of the call to the arrival of the response head, instead of <see cref="TypedHttpClientOptions.Timeout"/>. An expired
/// timeout throws <see cref="TypedHttpException"/> with <see cref="HttpError.Timeout"/>. On a method it wins over the
/// interface's.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class TimeoutAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="milliseconds">The timeout in milliseconds; it must be positive (the generator reports THTTP031 otherwise).</param>
    public TimeoutAttribute(int milliseconds) => Milliseconds = milliseconds;

    /// <summary>The timeout in milliseconds.</summary>
    public int Milliseconds { get; }
}

/// <summary>
/// Which redirects the transport follows for the method (or every method of the interface), overriding the session's
/// <see cref="HttpSessionOptions.RedirectPolicy"/> through <see cref="TypedHttpRequest.RedirectPolicy"/>. A redirect
/// that is not followed is returned as the response (an <see cref="ApiException"/>, or an
/// <see cref="ApiResponse{T}"/> with its status). On a method it wins over the interface's.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class RedirectPolicyAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="policy">The policy.</param>
    public RedirectPolicyAttribute(RedirectPolicy policy) => Policy = policy;

    /// <summary>The policy.</summary>
    public RedirectPolicy Policy { get; }
}
