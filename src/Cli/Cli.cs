using System;
using System.IO;
using System.Reflection;
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
                byte[] version = Encoding.UTF8.GetBytes($"thttp {Version} (TypedHttp engine, HTTP/2 and HTTP/1.1 with WinHTTP semantics)\nProtocols: http https ws wss\nFeatures: brotli HTTP2 IPv6 Largefile libz NTLM SPNEGO SSL\n");
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


    /// <summary>One run: the session set up from the options, the request parts read once, then each transfer.</summary>
    private sealed class Run
    {
        private readonly CliOptions _o;
        private readonly TextWriter _stderr;
        private readonly ErrorReporter _errors;
        private readonly SessionSetup _setup;
        private readonly RequestBuilder _requests;
        private readonly Transfer _transfer;
        private readonly CliEnvironment _env;

        public Run(CliOptions options, Stream stdout, TextWriter stderr, CliEnvironment environment)
        {
            _o = options;
            _env = environment;
            _stderr = stderr;
            VerboseTrace? verbose = options.Verbose ? new VerboseTrace(stderr) : null;
            HopHeads? hops = options.Include || options.Head || options.WriteOut is not null ? new HopHeads(write: options.Include || options.Head) : null;
            _errors = new ErrorReporter(options, stderr, verbose);
            _setup = new SessionSetup(options, environment, TraceListener(verbose, hops));
            _requests = new RequestBuilder(options, environment);
            _transfer = new Transfer(options, stdout, stderr, environment, _requests, _setup, hops, _errors, verbose);
        }

        /// <summary>The session's trace listener: -v renders events, -i/-I keep the hops' heads; null without either.</summary>
        private static Action<HttpTraceEvent>? TraceListener(VerboseTrace? verbose, HopHeads? hops)
        {
            if (verbose is not null && hops is not null)
            {
                return e =>
                {
                    verbose.OnEvent(e);
                    hops.OnEvent(e);
                };
            }
            if (verbose is not null)
            {
                return verbose.OnEvent;
            }
            return hops is not null ? hops.OnEvent : null;
        }

        public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
        {
            HttpSessionOptions sessionOptions;
            try
            {
                PasswordPrompt.Resolve(_o, _env.ReadPassword);
                sessionOptions = _setup.Create();
                _requests.Prepare();
            }
            catch (CliFailure f)
            {
                _errors.Error(f.Code, f.Message);
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
                exit = await _transfer.RunAsync(session, _o.Urls[i], outputPath, cancellationToken).ConfigureAwait(false);
            }

            if (_o.CookieJar is not null && cookies is not null)
            {
                try
                {
                    CookieJar.Save(_o.CookieJar, cookies);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _errors.Warning($"failed to save cookies in {_o.CookieJar}: {e.Message}");
                }
            }
            return exit;
        }
    }
}
