using System;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>Certificates made at test time: a private CA and leaves it signs (ECDSA P-256, fast to make).</summary>
public static class TestCertificates
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A self-signed CA valid from a month ago to a month ahead.</summary>
    /// <param name="name">The CA's common name.</param>
    public static X509Certificate2 CreateAuthority(string name = "TypedHttp Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using X509Certificate2 ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        return Reload(ca);
    }

    /// <summary>A server certificate for <paramref name="dnsName"/> signed by <paramref name="authority"/>.</summary>
    /// <param name="authority">The signing CA (with its private key).</param>
    /// <param name="dnsName">The DNS name in the subject alternative name.</param>
    /// <param name="expired">True for a certificate that expired yesterday.</param>
    public static X509Certificate2 CreateServer(X509Certificate2 authority, string dnsName, bool expired = false) =>
        CreateLeaf(authority, dnsName, ServerAuth, expired);

    /// <summary>A client certificate signed by <paramref name="authority"/>.</summary>
    /// <param name="authority">The signing CA (with its private key).</param>
    /// <param name="name">The common name.</param>
    public static X509Certificate2 CreateClient(X509Certificate2 authority, string name) =>
        CreateLeaf(authority, name, ClientAuth, expired: false);

    /// <summary>
    /// A validation callback that trusts exactly <paramref name="authority"/> as root (the chain is built against
    /// it alone) and still requires the name to match.
    /// </summary>
    /// <param name="authority">The one trusted root.</param>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 authority) => (sender, certificate, chain, errors) =>
    {
        if (certificate is not X509Certificate2 leaf || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var pinned = new X509Chain();
        pinned.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        pinned.ChainPolicy.CustomTrustStore.Add(authority);
        pinned.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return pinned.Build(leaf);
    };

    private static X509Certificate2 CreateLeaf(X509Certificate2 authority, string name, Oid usage, bool expired)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { usage }, false));
        if (usage.Value == ServerAuth.Value)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        DateTimeOffset notBefore = expired ? DateTimeOffset.UtcNow.AddDays(-10) : DateTimeOffset.UtcNow.AddDays(-1);
        DateTimeOffset notAfter = expired ? DateTimeOffset.UtcNow.AddDays(-1) : DateTimeOffset.UtcNow.AddDays(7);
        using X509Certificate2 certificate = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        using X509Certificate2 withKey = certificate.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Round-trips through PKCS#12 so the private key is usable by the TLS stack on every platform.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
