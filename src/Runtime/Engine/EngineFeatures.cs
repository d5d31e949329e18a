using System;
using System.Diagnostics.CodeAnalysis;

namespace TypedHttp;

/// <summary>
/// The engine's feature switches: AppContext switches an application may turn off so that Native AOT and trimming
/// leave the feature's code (and what it reaches in the framework) out of the binary. Each one defaults to on,
/// which is the behaviour without the switch. With <c>Trim="true"</c> on the
/// <c>RuntimeHostConfigurationOption</c> item the compiler treats the value as a constant and drops the
/// unreachable code; without it the switch is read at run time and only the behaviour changes (docs/engine.md).
/// </summary>
internal static class EngineFeatures
{
    /// <summary>The name of the switch that turns TLS (https origins and https through a proxy) off.</summary>
    internal const string TlsSwitch = "TypedHttp.Tls.IsSupported";

    /// <summary>
    /// Whether the engine may open TLS connections; false when the application set <see cref="TlsSwitch"/> to
    /// false. SslStream brings certificate-chain handling, which on Linux keeps System.Net.Http alive for
    /// certificate downloads: about 3 MB of a Native AOT binary that only calls http:// services.
    /// </summary>
    [FeatureSwitchDefinition(TlsSwitch)]
    internal static bool IsTlsSupported => !AppContext.TryGetSwitch(TlsSwitch, out bool enabled) || enabled;

    /// <summary>The name of the switch that turns HTTP/2 off (H2-14).</summary>
    internal const string Http2Switch = "TypedHttp.Http2.IsSupported";

    /// <summary>
    /// Whether the engine may speak HTTP/2; false when the application set <see cref="Http2Switch"/> to false. Off,
    /// requests that may fall back use HTTP/1.1 and the HTTP/2 codec (frames, HPACK, flow control) is left out of a
    /// Native AOT binary.
    /// </summary>
    [FeatureSwitchDefinition(Http2Switch)]
    internal static bool IsHttp2Supported => !AppContext.TryGetSwitch(Http2Switch, out bool enabled) || enabled;

    /// <summary>The exception of an https request when <see cref="IsTlsSupported"/> is false.</summary>
    internal static TypedHttpException TlsDisabled(string host) =>
        new(HttpError.SecureFailure, HttpPhase.Tls,
            $"Cannot open a TLS connection to {host}: TLS is turned off in this application (the AppContext switch '{TlsSwitch}' is false, docs/engine.md).");
}
