using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TypedHttp.Tests.Engine.Http2;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>
/// One nginx (Debian nginx-light) for the class, with a test CA, its server certificate and the files the tests
/// fetch; curl (Debian curl) is run beside thttp on the same URLs.
/// </summary>
public sealed class NginxCliFixture : IAsyncLifetime
{
    public const string Host = "nginx.test";

    public X509Material Certificates { get; } = new();

    public NginxServer Nginx { get; private set; } = null!;

    /// <summary>The CA in PEM, for <c>--cacert</c>.</summary>
    public string CaFile { get; private set; } = string.Empty;

    /// <summary>A text file (compressible, with the sub_filter's marker) served as <c>a.txt</c>.</summary>
    public byte[] Text { get; } = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 800).Select(i => $"line {i} of the nginx test file, nginx-chunked-marker\n")));

    public async Task InitializeAsync()
    {
        Nginx = await NginxServer.StartAsync(Certificates.Server, basicAuth: true);
        await File.WriteAllBytesAsync(Path.Combine(Nginx.FilesDirectory, "a.txt"), Text);
        CaFile = Path.GetFullPath(Path.Combine(Nginx.FilesDirectory, "..", "..", "ca.pem"));
        await File.WriteAllTextAsync(CaFile, Certificates.Authority.ExportCertificatePem());
    }

    public async Task DisposeAsync()
    {
        await Nginx.DisposeAsync();
        Certificates.Dispose();
    }

    /// <summary>The test CA and a server certificate for <see cref="Host"/>.</summary>
    public sealed class X509Material : IDisposable
    {
        public System.Security.Cryptography.X509Certificates.X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority();

        private System.Security.Cryptography.X509Certificates.X509Certificate2? _server;

        public System.Security.Cryptography.X509Certificates.X509Certificate2 Server => _server ??= TestCertificates.CreateServer(Authority, Host);

        public void Dispose()
        {
            Authority.Dispose();
            _server?.Dispose();
        }
    }
}

/// <summary>
/// thttp against nginx, compared with curl 7.88 on the same URLs: static files with ranges off, gzip with
/// --compressed (the head as received, %{size_download} on the wire), chunked output, absolute and relative
/// redirects, --max-redirs, auth_basic, keep-alive across URLs and TLS.
/// </summary>
public sealed class NginxCliTests : IClassFixture<NginxCliFixture>
{
    private readonly NginxCliFixture _f;

    public NginxCliTests(NginxCliFixture fixture) => _f = fixture;

    private string Url(string path) => _f.Nginx.Http1Uri(path).ToString();

    private string TlsUrl(string path) => _f.Nginx.Http1TlsUri(NginxCliFixture.Host, path).ToString();

    private string[] TlsArgs => ["--cacert", _f.CaFile, "--resolve", $"{NginxCliFixture.Host}:{_f.Nginx.Http1TlsPort}:127.0.0.1"];

    /// <summary>Runs curl with <paramref name="args"/>; fails naming the package when curl is missing.</summary>
    private static async Task<CliResult> CurlAsync(params string[] args)
    {
        const string Curl = "/usr/bin/curl";
        Assert.True(File.Exists(Curl), "curl is not installed: install the Debian package 'curl' (.ci/run does).");
        var start = new ProcessStartInfo(Curl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process p = Process.Start(start)!;
        var stdout = new MemoryStream();
        Task copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        string stderr = await p.StandardError.ReadToEndAsync();
        await copy;
        await p.WaitForExitAsync();
        return new CliResult(p.ExitCode, stdout.ToArray(), stderr);
    }

    /// <summary>Both tools' exit code and standard output, the Date field (which may tick between the runs) blanked.</summary>
    private static async Task<(string Thttp, string Curl)> BothAsync(params string[] args)
    {
        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await CurlAsync(args);
        return ($"exit {thttp.ExitCode}\n{Normalize(thttp.Stdout)}", $"exit {curl.ExitCode}\n{Normalize(curl.Stdout)}");
    }

    private static string Normalize(byte[] output) => Regex.Replace(Encoding.Latin1.GetString(output), "(?im)^Date: [^\r\n]*", "Date: *");

    [Fact]
    public async Task Static_file_with_i_matches_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", Url("/static/a.txt"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Range_request_to_a_location_with_ranges_off_gets_the_whole_file_as_with_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-H", "Range: bytes=0-9", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", Url("/static/a.txt"));

        Assert.Equal(($"exit 0\n200 {_f.Text.Length}", curl), (thttp, thttp));
    }

    [Fact]
    public async Task Compressed_body_is_decoded_as_with_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "--compressed", Url("/gzip/a.txt"));

        Assert.Equal((curl, "exit 0\n" + Encoding.Latin1.GetString(_f.Text)), (thttp, thttp));
    }

    [Fact]
    public async Task Compressed_with_i_prints_the_head_as_received_with_its_Content_Encoding_as_curl_does()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", "--compressed", Url("/gzip/a.txt"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Compressed_size_download_counts_the_bytes_on_the_wire_as_curl_does()
    {
        CliResult thttp = await CliRunner.RunAsync("-s", "--compressed", "-o", "/dev/null", "-w", "%{size_download}", Url("/gzip/a.txt"));
        CliResult curl = await CurlAsync("-s", "--compressed", "-o", "/dev/null", "-w", "%{size_download}", Url("/gzip/a.txt"));

        Assert.True(long.Parse(thttp.StdoutText) < _f.Text.Length, thttp.ToString());
        Assert.Equal(curl.StdoutText, thttp.StdoutText);
    }

    [Fact]
    public async Task Chunked_output_with_i_matches_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", Url("/chunked/a.txt"));

        Assert.Contains("Transfer-Encoding: chunked", thttp);
        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Absolute_redirect_followed_with_L_and_i_matches_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", "-L", Url("/redirect/absolute"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Relative_redirect_followed_with_L_reports_as_curl_does()
    {
        (string thttp, string curl) = await BothAsync("-s", "-L", "-o", "/dev/null", "-w", "%{http_code} %{num_redirects} %{url_effective}", Url("/redirect/relative"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Redirect_without_L_is_the_answer_as_with_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", Url("/redirect/relative"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Max_redirs_exceeded_is_exit_47_and_w_reports_the_last_302_and_three_redirects_as_curl_does()
    {
        (string thttp, string curl) = await BothAsync("-s", "-L", "--max-redirs", "3", "-w", "%{http_code} %{num_redirects}", Url("/loop"));

        Assert.Equal(("exit 47\n302 3", curl), (thttp, thttp));
    }

    [Fact]
    public async Task Auth_basic_with_u_gets_the_file_as_with_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-u", $"{NginxServer.BasicUser}:{NginxServer.BasicPassword}", "-w", "%{http_code}", Url("/private/a.txt"));

        Assert.Equal((curl, "exit 0\n" + Encoding.Latin1.GetString(_f.Text) + "200"), (thttp, thttp));
    }

    [Fact]
    public async Task Auth_basic_with_a_wrong_password_is_the_401_with_i_as_with_curl()
    {
        (string thttp, string curl) = await BothAsync("-s", "-i", "-u", $"{NginxServer.BasicUser}:wrong", Url("/private/a.txt"));

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task Two_urls_in_one_run_share_one_kept_alive_connection_in_nginx_s_log_as_with_curl()
    {
        string first = "/static/a.txt?ka=" + Guid.NewGuid().ToString("N");
        string second = "/static/a.txt?kb=" + Guid.NewGuid().ToString("N");
        CliResult thttp = await CliRunner.RunAsync("-s", "-o", "/dev/null", "-o", "/dev/null", Url(first), Url(second));
        await CurlAsync("-s", "-o", "/dev/null", "-o", "/dev/null", Url(first), Url(second));

        // nginx logs $uri without the query: the last four /static/a.txt lines are thttp's two, then curl's two.
        string[] lines = _f.Nginx.Http1AccessLog.Where(l => l.Contains(" GET /static/a.txt ", StringComparison.Ordinal)).TakeLast(4).ToArray();
        string Shape(string a, string b) => $"{(a.Split(' ')[0] == b.Split(' ')[0] ? "same" : "different")} connection, requests {a.Split(' ')[1]} and {b.Split(' ')[1]}";
        Assert.Equal(0, thttp.ExitCode);
        Assert.Equal(("same connection, requests 1 and 2", Shape(lines[2], lines[3])), (Shape(lines[0], lines[1]), "same connection, requests 1 and 2"));
    }

    [Fact]
    public async Task Tls_fetch_with_cacert_matches_curl()
    {
        (string thttp, string curl) = await BothAsync([.. TlsArgs, "-s", "-i", TlsUrl("/static/a.txt")]);

        Assert.Equal(curl, thttp);
    }

    [Fact]
    public async Task U_without_a_password_asks_on_the_terminal_with_curl_s_prompt_and_sends_the_answer()
    {
        string? prompt = null;
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var environment = new CliEnvironment
        {
            Resolver = (_, _) => ValueTask.FromResult(Array.Empty<IPAddress>()),
            ReadPassword = p =>
            {
                prompt = p;
                return NginxServer.BasicPassword;
            },
        };

        int exit = await Cli.RunAsync(["-s", "-u", NginxServer.BasicUser, "-o", "/dev/null", "-w", "%{http_code}", Url("/private/a.txt")], stdout, stderr, environment);

        Assert.Equal((0, "Enter host password for user 'alice':", "200"), (exit, prompt, Encoding.ASCII.GetString(stdout.ToArray())));
    }

    [Fact]
    public async Task U_without_a_password_and_without_a_terminal_fails_clearly_before_sending()
    {
        int before = _f.Nginx.Http1AccessLog.Length;

        CliResult r = await CliRunner.RunAsync("-u", NginxServer.BasicUser, Url("/private/a.txt"));

        Assert.Equal((2, "thttp: (2) -u alice gives no password and there is no terminal to ask for it on; give it as -u alice:PASSWORD (or -u alice: for an empty one)\n", before),
            (r.ExitCode, r.Stderr, _f.Nginx.Http1AccessLog.Length));
    }
}
