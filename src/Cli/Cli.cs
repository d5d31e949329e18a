using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Policy;

namespace TypedHttp.Cli;

/// <summary>thttp's entry point: a curl-compatible command line on one <see cref="HttpSession"/>.</summary>
internal static class Cli
{
    /// <summary>The tool's version (the assembly's informational version).</summary>
    public static string Version { get; } =
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// Runs one command line: every URL in order on one session, the exit code of the last transfer (curl's codes).
    /// </summary>
    /// <param name="args">The arguments, as curl takes them.</param>
    /// <param name="stdout">Receives bodies (byte-exact), -i heads and -w output.</param>
    /// <param name="stderr">Receives errors, -v output and the progress meter.</param>
    /// <param name="environment">The process's input, resolver and proxy environment; null: none of them (tests).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<int> RunAsync(string[] args, Stream stdout, TextWriter stderr, CliEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= new CliEnvironment();
        CliOptions options;
        try
        {
            options = ArgumentParser.Parse(args);
            if (options.Help)
            {
                byte[] help = Encoding.UTF8.GetBytes(HelpText.Text);
                await stdout.WriteAsync(help, cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            if (options.Version)
            {
                byte[] version = Encoding.UTF8.GetBytes($"thttp {Version} (TypedHttp engine, HTTP/1.1 with WinHTTP semantics)\nProtocols: http https\n");
                await stdout.WriteAsync(version, cancellationToken).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            if (options.Urls.Count == 0)
            {
                throw new UsageException("no URL specified");
            }
            if (options.Head && options.Data.Count > 0 && !options.Get)
            {
                throw new UsageException("you can only select one HTTP request method: both POST (-d, --data) and HEAD (-I, --head) were asked for");
            }
        }
        catch (UsageException e)
        {
            stderr.Write($"thttp: {e.Message}\nthttp: try 'thttp --help' for more information\n");
            await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var run = new Run(options, stdout, stderr, environment);
        try
        {
            return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a -b argument is a cookie string (it holds '=') rather than a file name.</summary>
    public static bool IsCookieString(string value) => value.Contains('=');

    /// <summary>One run: the session, the prepared request parts, and the transfers.</summary>
    private sealed class Run
    {
        private readonly CliOptions _o;
        private readonly Stream _stdout;
        private readonly TextWriter _stderr;
        private readonly CliEnvironment _env;
        private readonly VerboseTrace? _verbose;
        private readonly HopHeads? _hops;
        private string? _certificateProblem;

        public Run(CliOptions options, Stream stdout, TextWriter stderr, CliEnvironment environment)
        {
            _o = options;
            _stdout = stdout;
            _stderr = stderr;
            _env = environment;
            _verbose = options.Verbose ? new VerboseTrace(stderr) : null;
            _hops = options.Include || options.Head ? new HopHeads() : null;
        }

        private bool ShowErrors => !_o.Silent || _o.ShowError;

        public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
        {
            HttpSessionOptions sessionOptions;
            byte[]? body;
            List<KeyValuePair<string, string?>> customHeaders;
            try
            {
                sessionOptions = CreateSessionOptions();
                body = ReadData();
                customHeaders = ReadHeaders();
            }
            catch (CliFailure f)
            {
                Error(f.Code, f.Message);
                return f.Code;
            }
            catch (UsageException u)
            {
                _stderr.Write($"thttp: {u.Message}\nthttp: try 'thttp --help' for more information\n");
                return ExitCodes.Usage;
            }

            using var session = new HttpSession(sessionOptions);
            CookieStore? cookies = PolicyBridge.Cookies(session);
            if (cookies is not null)
            {
                foreach (string cookie in _o.Cookies)
                {
                    if (!IsCookieString(cookie) && cookie.Length > 0 && File.Exists(cookie))
                    {
                        CookieJar.Load(cookie, cookies, DateTimeOffset.UtcNow);
                    }
                }
            }

            int exit = ExitCodes.Ok;
            for (int i = 0; i < _o.Urls.Count; i++)
            {
                string? outputPath = i < _o.Outputs.Count ? _o.Outputs[i] : null;
                exit = await TransferAsync(session, _o.Urls[i], outputPath, body, customHeaders, cancellationToken).ConfigureAwait(false);
            }

            if (_o.CookieJar is not null && cookies is not null)
            {
                try
                {
                    CookieJar.Save(_o.CookieJar, cookies);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (ShowErrors)
                    {
                        _stderr.Write($"thttp: WARNING: failed to save cookies in {_o.CookieJar}: {e.Message}\n");
                    }
                }
            }
            return exit;
        }

        private HttpSessionOptions CreateSessionOptions()
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
            s.Resolver = CreateResolver();
            if (_verbose is not null && _hops is not null)
            {
                VerboseTrace verbose = _verbose;
                HopHeads hops = _hops;
                s.TraceListener = e =>
                {
                    verbose.OnEvent(e);
                    hops.OnEvent(e);
                };
            }
            else if (_verbose is not null)
            {
                s.TraceListener = _verbose.OnEvent;
            }
            else if (_hops is not null)
            {
                s.TraceListener = _hops.OnEvent;
            }
            PolicyBridge.Configure(s, _o, _env.UseEnvironmentProxy, ParsableUrls());
            return s;
        }

        private IEnumerable<Uri> ParsableUrls()
        {
            foreach (string url in _o.Urls)
            {
                Uri? uri = null;
                try
                {
                    uri = ParseUrl(url);
                }
                catch (CliFailure)
                {
                }
                if (uri is not null)
                {
                    yield return uri;
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
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
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
                _certificateProblem = null;
                if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
                {
                    _certificateProblem = "the server sent no certificate";
                    return false;
                }
                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    _certificateProblem = "the certificate's subject names do not match the host name";
                    return false;
                }
                if (roots is null)
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }
                    _certificateProblem = Describe(chain);
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
                _certificateProblem = Describe(pinned);
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
                using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certPath, keyPath ?? certPath);
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

        /// <summary>The request body from -d, --data-binary, --data-raw and --json, joined as curl joins them.</summary>
        private byte[]? ReadData()
        {
            if (_o.Data.Count == 0)
            {
                return null;
            }
            var all = new MemoryStream();
            DataKind? previous = null;
            foreach (DataPart part in _o.Data)
            {
                if (previous is not null && !(previous == DataKind.Json && part.Kind == DataKind.Json))
                {
                    all.WriteByte((byte)'&');
                }
                previous = part.Kind;
                byte[] bytes;
                if (part.Kind != DataKind.Raw && part.Value.StartsWith('@'))
                {
                    bytes = ReadFile(part.Value.Substring(1));
                    if (part.Kind == DataKind.Ascii)
                    {
                        bytes = Array.FindAll(bytes, b => b != (byte)'\r' && b != (byte)'\n');
                    }
                }
                else
                {
                    bytes = Encoding.UTF8.GetBytes(part.Value);
                }
                all.Write(bytes);
            }
            return all.ToArray();
        }

        private byte[] ReadFile(string path)
        {
            try
            {
                if (path == "-")
                {
                    var input = new MemoryStream();
                    _env.Stdin?.CopyTo(input);
                    return input.ToArray();
                }
                return File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure(ExitCodes.ReadError, $"Failed to open/read local data from file/application: {path}: {e.Message}");
            }
        }

        /// <summary>
        /// The -H headers (and --json's two) in order: a null value removes a default header ("Name:"), an empty
        /// one sends the header empty ("Name;").
        /// </summary>
        private List<KeyValuePair<string, string?>> ReadHeaders()
        {
            var lines = new List<string>();
            if (HasJson())
            {
                lines.Add("Content-Type: application/json");
                lines.Add("Accept: application/json");
            }
            foreach (string h in _o.Headers)
            {
                if (h.StartsWith('@'))
                {
                    foreach (string line in Encoding.UTF8.GetString(ReadFile(h.Substring(1))).Split('\n'))
                    {
                        string trimmed = line.TrimEnd('\r');
                        if (trimmed.Length > 0)
                        {
                            lines.Add(trimmed);
                        }
                    }
                }
                else
                {
                    lines.Add(h);
                }
            }
            var headers = new List<KeyValuePair<string, string?>>();
            foreach (string line in lines)
            {
                int colon = line.IndexOf(':');
                if (colon > 0)
                {
                    string value = line.Substring(colon + 1).Trim(' ', '\t');
                    headers.Add(new(line.Substring(0, colon).Trim(), value.Length == 0 ? null : value));
                }
                else if (line.EndsWith(';') && line.Length > 1)
                {
                    headers.Add(new(line.Substring(0, line.Length - 1).Trim(), string.Empty));
                }
                // Anything else is not a header; curl ignores it too.
            }
            return headers;
        }

        private bool HasJson()
        {
            foreach (DataPart part in _o.Data)
            {
                if (part.Kind == DataKind.Json)
                {
                    return true;
                }
            }
            return false;
        }

        private static Uri ParseUrl(string text)
        {
            string candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
            int schemeEnd = candidate.IndexOf("://", StringComparison.Ordinal);
            string scheme = candidate.Substring(0, schemeEnd);
            if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0 && (scheme is "http" or "https"))
            {
                if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase) && scheme.Length > 0 && IsSchemeName(scheme))
                {
                    throw new CliFailure(ExitCodes.UnsupportedProtocol, $"Protocol \"{scheme}\" not supported");
                }
                throw new CliFailure(ExitCodes.MalformedUrl, $"URL using bad/illegal format or missing URL: {text}");
            }
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new CliFailure(ExitCodes.UnsupportedProtocol, $"Protocol \"{scheme}\" not supported");
            }
            return uri;
        }

        private static bool IsSchemeName(string s)
        {
            if (!char.IsAsciiLetter(s[0]))
            {
                return false;
            }
            foreach (char c in s)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
                {
                    return false;
                }
            }
            return true;
        }

        private TypedHttpRequest BuildRequest(Uri uri, byte[]? body, List<KeyValuePair<string, string?>> custom)
        {
            if (_o.Get && body is not null)
            {
                string query = Encoding.UTF8.GetString(body);
                uri = new Uri(uri.AbsoluteUri + (string.IsNullOrEmpty(uri.Query) ? "?" : "&") + query);
                body = null;
            }
            string method = _o.Method ?? (_o.Head ? "HEAD" : body is not null ? "POST" : "GET");
            var request = new TypedHttpRequest(method, uri);
            if (_o.Http10)
            {
                request.Version = HttpVersion.Version10;
            }

            // curl's defaults, in curl's order; a -H of the same name replaces (or with "Name:" removes) them.
            var defaults = new List<KeyValuePair<string, string>>();
            if (_o.User is string user && _o.Auth is AuthChoice.None or AuthChoice.Basic)
            {
                // curl sends Basic credentials with the first request, without waiting for a challenge.
                defaults.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user.Contains(':') ? user : user + ":"))));
            }
            defaults.Add(new("User-Agent", _o.UserAgent ?? "thttp/" + Version));
            defaults.Add(new("Accept", "*/*"));
            var cookieStrings = new List<string>();
            foreach (string cookie in _o.Cookies)
            {
                if (IsCookieString(cookie))
                {
                    cookieStrings.Add(cookie);
                }
            }
            if (cookieStrings.Count > 0)
            {
                defaults.Add(new("Cookie", string.Join("; ", cookieStrings)));
            }
            foreach (var d in defaults)
            {
                if (d.Value.Length > 0 && !Mentions(custom, d.Key))
                {
                    request.Headers.Add(d.Key, d.Value);
                }
            }
            bool customType = false;
            foreach (var h in custom)
            {
                customType |= h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
                if (h.Value is not null)
                {
                    try
                    {
                        request.Headers.Add(h.Key, h.Value);
                    }
                    catch (ArgumentException e)
                    {
                        throw new UsageException($"option -H: {e.Message}");
                    }
                }
            }
            if (body is not null)
            {
                request.Content = new ByteArrayRequestContent(body, customType ? null : "application/x-www-form-urlencoded");
            }
            return request;
        }

        private static bool Mentions(List<KeyValuePair<string, string?>> headers, string name)
        {
            foreach (var h in headers)
            {
                if (h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        private async Task<int> TransferAsync(HttpSession session, string url, string? outputPath, byte[]? body, List<KeyValuePair<string, string?>> custom, CancellationToken cancellationToken)
        {
            var report = new TransferReport { UrlEffective = url };
            var clock = Stopwatch.StartNew();
            using var maxTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_o.MaxTime is double seconds && seconds > 0)
            {
                maxTime.CancelAfter(TimeSpan.FromSeconds(seconds));
            }
            await using var output = new Output(_stdout, outputPath);
            var progress = output.IsFile && _env.StderrIsTerminal && !_o.Silent && !_o.Verbose ? new ProgressMeter(_stderr) : null;
            int code = ExitCodes.Ok;
            string message = string.Empty;
            string host = string.Empty;
            int port = 0;
            try
            {
                Uri uri = ParseUrl(url);
                host = uri.IdnHost;
                port = uri.Port;
                report.UrlEffective = uri.AbsoluteUri;
                using TypedHttpRequest request = BuildRequest(uri, body, custom);
                report.UrlEffective = request.Uri.AbsoluteUri;
                _hops?.Begin();
                TypedHttpResponse response = await session.SendAsync(request, maxTime.Token).ConfigureAwait(false);
                await using (response.ConfigureAwait(false))
                {
                    // curl writes each hop's head (redirects, 401/407) as it arrives, before the final response.
                    await WriteHopHeadsAsync(output, response, maxTime.Token).ConfigureAwait(false);
                    report.HttpCode = response.StatusCode;
                    report.UrlEffective = response.RequestUri.AbsoluteUri;
                    report.NumRedirects = PolicyBridge.RedirectCount(response);
                    report.ContentType = response.Headers.GetValue("Content-Type");
                    if (_o.Fail && response.StatusCode >= 400)
                    {
                        throw new CliFailure(ExitCodes.HttpReturnedError, $"The requested URL returned error: {response.StatusCode}");
                    }
                    if (_o.Include || _o.Head)
                    {
                        await output.WriteAsync(Output.Head(response), maxTime.Token).ConfigureAwait(false);
                    }
                    long? total = long.TryParse(response.Headers.GetValue("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out long length) ? length : null;
                    byte[] buffer = new byte[64 * 1024];
                    try
                    {
                        while (true)
                        {
                            int n = await response.Body.ReadAsync(buffer, maxTime.Token).ConfigureAwait(false);
                            if (n == 0)
                            {
                                break;
                            }
                            report.SizeDownload += n;
                            await output.WriteAsync(buffer.AsMemory(0, n), maxTime.Token).ConfigureAwait(false);
                            progress?.Update(report.SizeDownload, total);
                        }
                    }
                    catch (TypedHttpException e) when (e.Error == HttpError.ResponseTruncated && total is long expected)
                    {
                        throw new CliFailure(ExitCodes.PartialFile, $"transfer closed with {expected - report.SizeDownload} bytes remaining to read");
                    }
                    output.EnsureCreated();
                }
            }
            catch (CliFailure f)
            {
                (code, message) = (f.Code, f.Message);
            }
            catch (UsageException u)
            {
                (code, message) = (ExitCodes.Usage, u.Message);
            }
            catch (TypedHttpException e)
            {
                // The heads of the hops before the failure (a redirect limit, a bad Location) were received: write them.
                await WriteHopHeadsAsync(output, null, CancellationToken.None).ConfigureAwait(false);
                CliFailure f = ExitCodes.FromEngine(e, host, port, _certificateProblem);
                (code, message) = (f.Code, f.Message);
            }
            catch (OperationCanceledException) when (maxTime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                code = ExitCodes.OperationTimedOut;
                message = string.Create(CultureInfo.InvariantCulture, $"Operation timed out after {clock.ElapsedMilliseconds} milliseconds with {report.SizeDownload} bytes received");
            }
            finally
            {
                clock.Stop();
                progress?.Finish();
            }
            report.TimeTotal = clock.Elapsed.TotalSeconds;
            report.ExitCode = code;
            report.ErrorMessage = message;
            if (code != ExitCodes.Ok)
            {
                Error(code, message);
            }
            if (_o.WriteOut is string format)
            {
                if (format.StartsWith('@'))
                {
                    try
                    {
                        format = Encoding.UTF8.GetString(ReadFile(format.Substring(1)));
                    }
                    catch (CliFailure f)
                    {
                        Error(f.Code, f.Message);
                        format = string.Empty;
                    }
                }
                byte[] text = Encoding.UTF8.GetBytes(WriteOut.Format(format, report, _stderr, _o.Silent));
                await _stdout.WriteAsync(text, CancellationToken.None).ConfigureAwait(false);
                await _stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return code;
        }

        /// <summary>-i/-I: the response heads of the transfer's earlier hops; nothing without -i/-I.</summary>
        private async ValueTask WriteHopHeadsAsync(Output output, TypedHttpResponse? final, CancellationToken cancellationToken)
        {
            if (_hops is null)
            {
                return;
            }
            foreach (byte[] head in _hops.TakeHops(final))
            {
                try
                {
                    await output.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                }
                catch (CliFailure) when (final is null)
                {
                    return; // the transfer's own error is reported
                }
            }
        }

        private void Error(int code, string message)
        {
            if (_verbose is not null)
            {
                _verbose.Info($"thttp: ({code}) {message}");
            }
            if (ShowErrors)
            {
                _stderr.Write(string.Create(CultureInfo.InvariantCulture, $"thttp: ({code}) {message}\n"));
            }
        }
    }
}
