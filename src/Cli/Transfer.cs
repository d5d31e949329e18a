using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>
/// Transfer and output: one URL's exchange on the session, the body to stdout or -o, -i/-I heads (every hop's),
/// -f, -m, the progress meter, the error line and -w.
/// </summary>
internal sealed class Transfer
{
    private readonly CliOptions _o;
    private readonly Stream _stdout;
    private readonly TextWriter _stderr;
    private readonly CliEnvironment _env;
    private readonly RequestBuilder _requests;
    private readonly SessionSetup _session;
    private readonly HopHeads? _hops;
    private readonly ErrorReporter _errors;
    private readonly WebSocketTransfer _webSockets;

    public Transfer(CliOptions options, Stream stdout, TextWriter stderr, CliEnvironment environment, RequestBuilder requests, SessionSetup session, HopHeads? hops, ErrorReporter errors, VerboseTrace? verbose)
    {
        _webSockets = new WebSocketTransfer(environment, requests, hops, verbose);
        _o = options;
        _stdout = stdout;
        _stderr = stderr;
        _env = environment;
        _requests = requests;
        _session = session;
        _hops = hops;
        _errors = errors;
    }

    /// <summary>Fetches <paramref name="url"/> on <paramref name="session"/> and writes what curl writes; returns curl's exit code.</summary>
    public async Task<int> RunAsync(HttpSession session, string url, string? outputPath, CancellationToken cancellationToken)
    {
        var report = new TransferReport { UrlEffective = url };
        var clock = Stopwatch.StartNew();
        using var maxTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_o.MaxTime is double seconds && seconds > 0)
        {
            maxTime.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        await using var output = new Output(_stdout, outputPath);
        ProgressMeter? progress = output.IsFile && _env.StderrIsTerminal && !_o.Silent && !_o.Verbose ? new ProgressMeter(_stderr) : null;
        int code = ExitCodes.Ok;
        string message = string.Empty;
        string host = string.Empty;
        int port = 0;
        try
        {
            Uri uri = RequestBuilder.ParseUrl(url);
            host = uri.IdnHost;
            port = uri.Port;
            report.UrlEffective = uri.AbsoluteUri;
            if (RequestBuilder.IsWebSocket(uri))
            {
                _hops?.Begin();
                await _webSockets.RunAsync(session, uri, output, report, maxTime.Token, cancellationToken).ConfigureAwait(false);
                output.EnsureCreated();
            }
            else
            {
                await FetchAsync(session, uri, output, progress, report, maxTime.Token).ConfigureAwait(false);
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
            CliFailure f = ExitCodes.FromEngine(e, host, port, _session.CertificateProblem);
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
            _errors.Error(code, message);
        }
        if (_o.WriteOut is string format)
        {
            if (format.StartsWith('@'))
            {
                try
                {
                    format = Encoding.UTF8.GetString(_env.ReadFile(format.Substring(1)));
                }
                catch (CliFailure f)
                {
                    _errors.Error(f.Code, f.Message);
                    format = string.Empty;
                }
            }
            byte[] text = Encoding.UTF8.GetBytes(WriteOut.Format(format, report, _stderr, _o.Silent));
            await _stdout.WriteAsync(text, CancellationToken.None).ConfigureAwait(false);
            await _stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return code;
    }

    /// <summary>An http or https URL: the request, every hop's head with -i, the body to the output.</summary>
    private async Task FetchAsync(HttpSession session, Uri uri, Output output, ProgressMeter? progress, TransferReport report, CancellationToken maxTime)
    {
        using TypedHttpRequest request = _requests.Build(uri);
        if (_o.Compressed)
        {
            // thttp decodes the body itself, as curl does, so that -i shows the head as received and
            // %{size_download} counts the bytes on the wire; the value replaces one given with -H (T-7).
            request.Headers.Remove("Accept-Encoding");
            request.Headers.Add("Accept-Encoding", Policy.ContentDecoding.AcceptEncoding);
        }
        report.UrlEffective = request.Uri.AbsoluteUri;
        _hops?.Begin();
        TypedHttpResponse response;
        try
        {
            response = await session.SendAsync(request, maxTime).ConfigureAwait(false);
        }
        catch (TypedHttpException) when (_hops is not null)
        {
            // curl's -w after a failed transfer (a redirect limit, a bad Location) reports the last response received.
            (report.HttpCode, report.HttpVersion, report.NumRedirects) = _hops.LastResponse(failed: true);
            throw;
        }
        await using (response.ConfigureAwait(false))
        {
            // curl writes each hop's head (redirects, 401/407) as it arrives, before the final response.
            await WriteHopHeadsAsync(output, response, maxTime).ConfigureAwait(false);
            report.HttpCode = response.StatusCode;
            report.HttpVersion = response.Version;
            report.UrlEffective = response.RequestUri.AbsoluteUri;
            report.NumRedirects = PolicyBridge.RedirectCount(response);
            report.ContentType = response.Headers.GetValue("Content-Type");
            if (_o.Fail && response.StatusCode >= 400)
            {
                throw new CliFailure(ExitCodes.HttpReturnedError, $"The requested URL returned error: {response.StatusCode}");
            }
            if (_o.Include || _o.Head)
            {
                await output.WriteAsync(Output.Head(response), maxTime).ConfigureAwait(false);
            }
            long? total = long.TryParse(response.Headers.GetValue("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out long length) ? length : null;
            // %{size_download} and the progress meter count the body as received (encoded), as curl does.
            var wire = new Policy.CountingReadStream(response.Body);
            Stream body = wire;
            if (_o.Compressed && request.Method != "HEAD" && response.StatusCode is not (204 or 304)
                && Policy.ContentDecoding.TryCreateDecodingStream(wire, ContentEncoding(response), DecompressionLimits.Default, out Stream decoded))
            {
                body = decoded; // an unknown coding leaves the body as received, as curl does
            }
            byte[] buffer = new byte[64 * 1024];
            await using (body.ConfigureAwait(false))
            {
                try
                {
                    while (true)
                    {
                        int n = await body.ReadAsync(buffer, maxTime).ConfigureAwait(false);
                        report.SizeDownload = wire.BytesRead;
                        if (n == 0)
                        {
                            break;
                        }
                        await output.WriteAsync(buffer.AsMemory(0, n), maxTime).ConfigureAwait(false);
                        progress?.Update(report.SizeDownload, total);
                    }
                }
                catch (TypedHttpException e) when (e.Error == HttpError.ResponseTruncated && total is long expected)
                {
                    report.SizeDownload = wire.BytesRead;
                    throw new CliFailure(ExitCodes.PartialFile, $"transfer closed with {expected - report.SizeDownload} bytes remaining to read");
                }
                catch (Exception) when (UpdateSize(report, wire))
                {
                    throw; // not reached: the filter records the size and lets the failure through
                }
            }
            output.EnsureCreated();
        }
    }

    /// <summary>The Content-Encoding of <paramref name="response"/>, its values joined; null without one.</summary>
    private static string? ContentEncoding(TypedHttpResponse response)
    {
        System.Collections.Generic.IReadOnlyList<string> values = response.Headers.GetValues("Content-Encoding");
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => string.Join(", ", values),
        };
    }

    private static bool UpdateSize(TransferReport report, Policy.CountingReadStream wire)
    {
        report.SizeDownload = wire.BytesRead;
        return false;
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
}
