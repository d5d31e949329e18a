using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>
/// Session set-up: the command line's options as <see cref="HttpSessionOptions"/> — TLS (-k, --cacert, --cert),
/// --resolve, timeouts, the trace listener (-v, -i), and the policy options through <see cref="PolicyBridge"/>.
/// </summary>
internal sealed class SessionSetup
{
    private readonly CliOptions _o;
    private readonly CliEnvironment _env;
    private readonly Action<HttpTraceEvent>? _traceListener;

    public SessionSetup(CliOptions options, CliEnvironment environment, Action<HttpTraceEvent>? traceListener)
    {
        _o = options;
        _env = environment;
        _traceListener = traceListener;
    }

    /// <summary>Why thttp's certificate check refused the last server certificate; null when it did not.</summary>
    public string? CertificateProblem { get; private set; }

    /// <summary>The session's options for this command line.</summary>
    /// <exception cref="CliFailure">An unusable --cacert or --cert/--key file.</exception>
    /// <exception cref="UsageException">A malformed --resolve entry.</exception>
    public HttpSessionOptions Create()
    {
        var s = new HttpSessionOptions
        {
            // thttp writes User-Agent itself, in curl's place among the headers, so that -H can remove it.
            UserAgent = null,
            RemoteCertificateValidationCallback = CreateCertificateCheck(),
        };
        if (_o.ConnectTimeout is double connect && connect > 0)
        {
            s.ConnectTimeout = TimeSpan.FromSeconds(connect);
        }
        if (_o.Cert is not null)
        {
            s.ClientCertificates = new X509CertificateCollection { LoadClientCertificate(_o.Cert, _o.Key) };
        }
        if (RequestVersion(_o.HttpVersion) is ({ } version, { } policy))
        {
            s.DefaultRequestVersion = version;
            s.DefaultVersionPolicy = policy;
        }
        s.Resolver = CreateResolver();
        s.TraceListener = _traceListener;
        PolicyBridge.Configure(s, _o, _env.UseEnvironmentProxy, ParsableUrls());
        return s;
    }

    /// <summary>
    /// The session's request version and policy for a version option (every hop of every transfer uses it); null
    /// for none given, which keeps the engine's default: 2.0 with <see cref="HttpVersionPolicy.RequestVersionOrLower"/>,
    /// that is HTTP/2 by ALPN over https and HTTP/1.1 over http, as curl does.
    /// </summary>
    public static (Version Version, HttpVersionPolicy Policy)? RequestVersion(HttpVersionChoice choice) => choice switch
    {
        HttpVersionChoice.Http10 => (HttpVersion.Version10, HttpVersionPolicy.RequestVersionExact),
        HttpVersionChoice.Http11 => (HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact),
        HttpVersionChoice.Http2 => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrLower),
        HttpVersionChoice.Http2PriorKnowledge => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
        _ => null,
    };

    private IEnumerable<Uri> ParsableUrls()
    {
        foreach (string url in _o.Urls)
        {
            Uri? uri = null;
            try
            {
                uri = RequestBuilder.ParseUrl(url);
            }
            catch (CliFailure)
            {
            }
            if (uri is not null)
            {
                yield return RequestBuilder.HttpEquivalent(uri); // a ws/wss URL's credentials are kept for its http/https origin (WS-1)
            }
        }
    }

    private RemoteCertificateValidationCallback CreateCertificateCheck()
    {
        if (_o.Insecure)
        {
            return static (_, _, _, _) => true;
        }
        X509Certificate2Collection? roots = null;
        if (_o.CaCert is not null)
        {
            roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPemFile(_o.CaCert);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new CliFailure(ExitCodes.CaCertFileProblem, $"error setting certificate file: {_o.CaCert} ({e.Message})");
            }
            if (roots.Count == 0)
            {
                throw new CliFailure(ExitCodes.CaCertFileProblem, $"error setting certificate file: {_o.CaCert} (no PEM certificate in it)");
            }
        }
        return (_, certificate, chain, errors) =>
        {
            CertificateProblem = null;
            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
            {
                CertificateProblem = "the server sent no certificate";
                return false;
            }
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                CertificateProblem = "the certificate's subject names do not match the host name";
                return false;
            }
            if (roots is null)
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }
                CertificateProblem = Describe(chain);
                return false;
            }
            using var pinned = new X509Chain();
            pinned.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            pinned.ChainPolicy.CustomTrustStore.AddRange(roots);
            pinned.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (X509ChainElement element in chain.ChainElements)
                {
                    pinned.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            using var leaf = new X509Certificate2(certificate);
            if (pinned.Build(leaf))
            {
                return true;
            }
            CertificateProblem = Describe(pinned);
            return false;
        };
    }

    private static string Describe(X509Chain? chain)
    {
        if (chain is not null)
        {
            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                switch (status.Status)
                {
                    case X509ChainStatusFlags.NotTimeValid:
                        return "certificate has expired or is not yet valid";
                    case X509ChainStatusFlags.UntrustedRoot:
                    case X509ChainStatusFlags.PartialChain:
                        return "unable to get local issuer certificate (the issuer is not trusted; see --cacert, -k)";
                }
            }
            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                return $"{status.Status}: {status.StatusInformation.Trim()}";
            }
        }
        return "the certificate chain is not valid";
    }

    private static X509Certificate2 LoadClientCertificate(string certPath, string? keyPath)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath ?? certPath);
            // Round trip through PKCS#12 so the key is usable by the TLS stack on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new CliFailure(ExitCodes.LocalCertificateProblem, $"unable to use client certificate {certPath}{(keyPath is null ? "" : " with key " + keyPath)}: {e.Message}");
        }
    }

    private Func<string, CancellationToken, ValueTask<IPAddress[]>> CreateResolver()
    {
        var fixedNames = new Dictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase);
        foreach (string entry in _o.Resolve)
        {
            // HOST:PORT:ADDR[,ADDR]...; an empty address list makes the name fail to resolve (a thttp extension for tests).
            int first = entry.IndexOf(':');
            int second = first < 0 ? -1 : entry.IndexOf(':', first + 1);
            if (first <= 0 || second < 0 || !int.TryParse(entry.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new UsageException($"option --resolve: '{entry}' is not HOST:PORT:ADDRESS");
            }
            var addresses = new List<IPAddress>();
            foreach (string a in entry.Substring(second + 1).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!IPAddress.TryParse(a.Trim('[', ']'), out IPAddress? address))
                {
                    throw new UsageException($"option --resolve: '{a}' is not an IP address");
                }
                addresses.Add(address);
            }
            fixedNames[entry.Substring(0, first).Trim('[', ']')] = addresses.ToArray();
        }
        Func<string, CancellationToken, ValueTask<IPAddress[]>>? fallback = _env.Resolver;
        return (host, ct) =>
        {
            if (fixedNames.TryGetValue(host, out IPAddress[]? fixedAddresses))
            {
                return ValueTask.FromResult(fixedAddresses);
            }
            return fallback is not null ? fallback(host, ct) : new ValueTask<IPAddress[]>(Dns.GetHostAddressesAsync(host, ct));
        };
    }

}
