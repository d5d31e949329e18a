using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using TypedHttp.Tests.Interop;

namespace TypedHttp.Cli.Tests;

/// <summary>One squid (Basic or Digest proxy auth) and a plain http Kestrel origin behind it, shared by a test class.</summary>
public abstract class CliSquidFixture(SquidAuth auth) : IAsyncLifetime
{
    private SquidServer? _squid;
    private KestrelServer? _origin;

    public SquidServer Squid => _squid!;

    /// <summary>A URL on the origin under the name squid resolves (<see cref="SquidServer.OriginHost"/>).</summary>
    public string Url(string path) => $"http://{SquidServer.OriginHost}:{_origin!.Port}{path}";

    public async Task InitializeAsync()
    {
        _origin = await KestrelServer.StartAsync(async context =>
        {
            long length = 0;
            byte[] buffer = new byte[16384];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                length += n;
            }
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path} body={length}\n");
        });
        _squid = await SquidServer.StartAsync(auth);
    }

    public async Task DisposeAsync()
    {
        if (_squid is not null)
        {
            await _squid.DisposeAsync();
        }
        if (_origin is not null)
        {
            await _origin.DisposeAsync();
        }
    }
}

public sealed class CliBasicSquidFixture() : CliSquidFixture(SquidAuth.Basic);

public sealed class CliDigestSquidFixture() : CliSquidFixture(SquidAuth.Digest);

/// <summary>curl 7.88 from Debian, run as a process with the same arguments, for comparison.</summary>
internal static class Curl
{
    private const string Binary = "/usr/bin/curl";

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(Binary), "curl is not installed: install the Debian package 'curl'.");
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using Process process = Process.Start(start)!;
        var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await copy;
        return new CliResult(process.ExitCode, stdout.ToArray(), await stderr);
    }
}

/// <summary>thttp's proxy options (-x, -U, -p, --proxy-basic, --proxy-digest, --proxy-anyauth) against squid with Basic proxy auth, compared with curl.</summary>
public sealed class ProxyBasicSquidTests(CliBasicSquidFixture fixture) : IClassFixture<CliBasicSquidFixture>
{
    private string Proxy => fixture.Squid.ProxyUri;

    private const string Credentials = SquidServer.UserName + ":" + SquidServer.Password;

    [Fact]
    public async Task P5_a_GET_through_squid_with_U_matches_curl()
    {
        string[] args = ["-s", "-x", Proxy, "-U", Credentials, "-w", "%{http_code}", fixture.Url("/same")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, SquidPage.WithoutTime(curl.StdoutText)), (thttp.ExitCode, SquidPage.WithoutTime(thttp.StdoutText)));
    }

    [Fact]
    public async Task P5_a_wrong_proxy_password_gives_squids_407_as_curl_does()
    {
        string[] args = ["-s", "-o", "/dev/null", "-x", Proxy, "-U", SquidServer.UserName + ":wrong", "-w", "%{http_code}", fixture.Url("/wrong")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, curl.StdoutText, "407"), (thttp.ExitCode, thttp.StdoutText, thttp.StdoutText));
    }

    [Fact]
    public async Task P7_proxytunnel_sends_plain_http_through_a_CONNECT_to_squid()
    {
        string before = fixture.Squid.AccessLog;

        CliResult r = await CliRunner.RunAsync("-s", "-p", "-x", Proxy, "-U", Credentials, fixture.Url("/tunnelled"));

        string added = fixture.Squid.AccessLog[before.Length..];
        Assert.Equal((0, "GET /tunnelled body=0\n", true, false), (r.ExitCode, r.StdoutText,
            added.Contains($" CONNECT {SquidServer.OriginHost}:", StringComparison.Ordinal), added.Contains(" GET http://", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task P7_proxytunnel_output_matches_curl()
    {
        string[] args = ["-s", "-p", "-x", Proxy, "-U", Credentials, "-w", " %{http_code}", fixture.Url("/both")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, SquidPage.WithoutTime(curl.StdoutText)), (thttp.ExitCode, SquidPage.WithoutTime(thttp.StdoutText)));
    }

    [Fact]
    public async Task A13_a_100_KB_POST_through_squid_with_U_matches_curl()
    {
        using TempFile body = CliRunner.Temp(Encoding.ASCII.GetBytes(new string('x', 100_000)));
        string[] args = ["-s", "-x", Proxy, "-U", Credentials, "--data-binary", "@" + body.Path, "-w", " %{http_code}", fixture.Url("/upload")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, curl.StdoutText, "POST /upload body=100000\n 200"), (thttp.ExitCode, thttp.StdoutText, thttp.StdoutText));
    }

    [Fact]
    public async Task A13_a_100_KB_POST_with_proxy_anyauth_is_resent_after_squids_407_and_completes()
    {
        // curl 7.88 hangs here: it waits for the 407, then resends on the connection squid no longer answers on.
        using TempFile body = CliRunner.Temp(Encoding.ASCII.GetBytes(new string('x', 100_000)));
        int before = fixture.Squid.AccessLogLines(407).Length;

        CliResult r = await CliRunner.RunAsync("-s", "--max-time", "30", "-x", Proxy, "-U", Credentials, "--proxy-anyauth", "--data-binary", "@" + body.Path, "-w", " %{http_code}", fixture.Url("/upload-any"));

        Assert.Equal((0, "POST /upload-any body=100000\n 200", 1), (r.ExitCode, r.StdoutText, fixture.Squid.AccessLogLines(407).Length - before));
    }

    [Fact]
    public async Task P7_proxy_digest_against_a_Basic_only_squid_gets_the_407_as_curl_does()
    {
        string[] args = ["-s", "-o", "/dev/null", "-x", Proxy, "-U", Credentials, "--proxy-digest", "-w", "%{http_code}", fixture.Url("/digest-only")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, SquidPage.WithoutTime(curl.StdoutText)), (thttp.ExitCode, SquidPage.WithoutTime(thttp.StdoutText)));
    }

    [Fact]
    public async Task P7_proxy_negotiate_is_refused_as_a_usage_error_naming_what_works()
    {
        CliResult r = await CliRunner.RunAsync("-s", "-S", "-x", Proxy, "-U", Credentials, "--proxy-negotiate", fixture.Url("/"));

        Assert.Equal((ExitCodes.Usage, true), (r.ExitCode, r.Stderr.Contains("--proxy-negotiate: not supported", StringComparison.Ordinal)));
    }
}

/// <summary>thttp's proxy scheme options against squid with Digest proxy auth, compared with curl.</summary>
public sealed class ProxyDigestSquidTests(CliDigestSquidFixture fixture) : IClassFixture<CliDigestSquidFixture>
{
    private const string Credentials = SquidServer.UserName + ":" + SquidServer.Password;

    [Theory]
    [InlineData("--proxy-digest")]
    [InlineData("--proxy-anyauth")]
    [InlineData("--proxy-basic")]
    public async Task P7_a_proxy_scheme_option_against_a_Digest_squid_matches_curl(string option)
    {
        string[] args = ["-s", "-x", fixture.Squid.ProxyUri, "-U", Credentials, option, "-w", " %{http_code}", fixture.Url("/d")];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await Curl.RunAsync(args);

        Assert.Equal((curl.ExitCode, SquidPage.WithoutTime(curl.StdoutText)), (thttp.ExitCode, SquidPage.WithoutTime(thttp.StdoutText)));
    }
}

/// <summary>squid's error pages end with the second they were made ("Generated Tue, 08 Dec 2026 05:11:02 GMT by …"):
/// two runs a second apart differ there and nowhere else.</summary>
internal static partial class SquidPage
{
    /// <summary>The text with squid's generation time replaced by a fixed mark.</summary>
    public static string WithoutTime(string text) => GeneratedAt().Replace(text, "Generated (time) by ");

    [GeneratedRegex(@"Generated [^<]*? GMT by ")]
    private static partial Regex GeneratedAt();
}
