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

/// <summary>
/// The HTTP version the method's requests (or those of every method of the interface) ask for, set on
/// <see cref="TypedHttpRequest.Version"/>, and, when <see cref="Policy"/> is set, how it may be departed from
/// (<see cref="TypedHttpRequest.VersionPolicy"/>). Without the attribute the session's
/// <see cref="HttpSessionOptions.DefaultRequestVersion"/> and <see cref="HttpSessionOptions.DefaultVersionPolicy"/> apply.
/// On a method it wins over the interface's, version and policy together. Over http, <c>"2.0"</c> with
/// <see cref="System.Net.Http.HttpVersionPolicy.RequestVersionExact"/> speaks h2c by prior knowledge.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class HttpVersionAttribute : Attribute
{
    private System.Net.Http.HttpVersionPolicy _policy = System.Net.Http.HttpVersionPolicy.RequestVersionOrLower;

    /// <summary>Creates the attribute.</summary>
    /// <param name="version">The version: <c>"1.0"</c>, <c>"1.1"</c>, <c>"2.0"</c> or <c>"3.0"</c> (the generator reports THTTP040 otherwise).</param>
    public HttpVersionAttribute(string version) => Version = version;

    /// <summary>The version, as written.</summary>
    public string Version { get; }

    /// <summary>How the version may be departed from; when not set, the session's <see cref="HttpSessionOptions.DefaultVersionPolicy"/>.</summary>
    public System.Net.Http.HttpVersionPolicy Policy
    {
        get => _policy;
        set
        {
            _policy = value;
            IsPolicySet = true;
        }
    }

    /// <summary>Whether <see cref="Policy"/> was set.</summary>
    public bool IsPolicySet { get; private set; }
}
