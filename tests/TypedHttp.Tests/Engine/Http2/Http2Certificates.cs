using System;
using System.Security.Cryptography.X509Certificates;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>One CA and a server certificate for <see cref="Host"/>, shared by a test class (key generation is the slow part).</summary>
public sealed class Http2Certificates : IDisposable
{
    /// <summary>The name the server certificate is for; sessions resolve it to 127.0.0.1.</summary>
    public const string Host = "h2.test";

    private X509Certificate2? _server;

    public X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority();

    public X509Certificate2 Server => _server ??= TestCertificates.CreateServer(Authority, Host);

    public void Dispose()
    {
        Authority.Dispose();
        _server?.Dispose();
    }
}
