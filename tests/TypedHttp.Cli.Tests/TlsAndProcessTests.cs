using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>Kestrel over HTTPS on 127.0.0.1: -k, --cacert, --cert/--key and exit 60.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly X509Certificate2 _ca = TestCertificates.CreateAuthority();
    private KestrelServer _server = null!;
    private TempFile _caFile = null!;

    public async Task InitializeAsync()
    {
        _server = await KestrelServer.StartAsync(certificate: TestCertificates.CreateServer(_ca, "tls.test"), clientCertificates: ClientCertificateMode.AllowCertificate);
        _caFile = CliRunner.Temp(System.Text.Encoding.ASCII.GetBytes(_ca.ExportCertificatePem()));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _caFile.Dispose();
    }

    private string[] Args(params string[] more) => [.. more, "--resolve", $"tls.test:{_server.Port}:127.0.0.1", $"https://tls.test:{_server.Port}/"];

    [Fact]
    public async Task An_untrusted_server_certificate_is_60()
    {
        CliResult r = await CliRunner.RunAsync(Args());
        Assert.True(r.ExitCode == 60, r.ToString());
        Assert.StartsWith("thttp: (60) TLS certificate problem: unable to get local issuer certificate", r.Stderr);
    }

    [Fact]
    public async Task Cacert_trusts_the_authority()
    {
        CliResult r = await CliRunner.RunAsync(Args("--cacert", _caFile.Path));
        Assert.Equal(0, r.ExitCode);
        Assert.EndsWith("client=none", r.StdoutText);
    }

    [Fact]
    public async Task Insecure_skips_verification()
    {
        CliResult r = await CliRunner.RunAsync(Args("-k"));
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public async Task Cert_and_key_present_a_client_certificate()
    {
        using X509Certificate2 client = TestCertificates.CreateClient(_ca, "thttp client");
        using TempFile cert = CliRunner.Temp(System.Text.Encoding.ASCII.GetBytes(client.ExportCertificatePem()));
        using TempFile key = CliRunner.Temp(System.Text.Encoding.ASCII.GetBytes(client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        CliResult r = await CliRunner.RunAsync(Args("--cacert", _caFile.Path, "--cert", cert.Path, "--key", key.Path));
        Assert.Equal(0, r.ExitCode);
        Assert.EndsWith("client=CN=thttp client", r.StdoutText);
    }

    [Fact]
    public async Task A_bad_client_certificate_file_is_58()
    {
        CliResult r = await CliRunner.RunAsync(Args("--cert", "/nonexistent-thttp.pem"));
        Assert.Equal(58, r.ExitCode);
    }

    [Fact]
    public async Task A_missing_cacert_file_is_77()
    {
        CliResult r = await CliRunner.RunAsync(Args("--cacert", "/nonexistent-thttp-ca.pem"));
        Assert.Equal(77, r.ExitCode);
    }
}

/// <summary>Kestrel over HTTP end to end, in-process.</summary>
public class KestrelTests
{
    [Fact]
    public async Task Post_json_round_trips_through_kestrel()
    {
        await using KestrelServer server = await KestrelServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"method\":\"{context.Request.Method}\",\"type\":\"{context.Request.ContentType}\",\"got\":{body}}}");
        });
        CliResult r = await CliRunner.RunAsync("-sS", "--json", "{\"a\":1}", "-w", "\\n%{http_code}", server.Uri(path: "/echo").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("{\"method\":\"POST\",\"type\":\"application/json\",\"got\":{\"a\":1}}\n200", r.StdoutText);
    }
}

/// <summary>The real executable (dotnet thttp.dll), to prove the process exit code and byte-exact stdout.</summary>
public class ProcessTests
{
    private static string ThttpDll()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "thttp.dll");
        Assert.True(File.Exists(dll), dll);
        return dll;
    }

    private static async Task<(int Exit, byte[] Stdout, string Stderr)> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(ThttpDll());
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    [Fact]
    public async Task The_process_writes_the_body_byte_exactly_and_exits_0()
    {
        byte[] body = [0, 0xFF, 0x0D, 0x0A, 0x80];
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
            await c.SendAsync(body);
            await c.WaitForClientCloseAsync();
        });
        (int exit, byte[]? stdout, string? stderr) = await RunProcessAsync(server.Uri().ToString());
        Assert.Equal(0, exit);
        Assert.Equal(body, stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task The_process_exits_with_curls_codes()
    {
        int port = CliRunner.ClosedPort();
        (int Exit, byte[] Stdout, string Stderr) refused = await RunProcessAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(7, refused.Exit);
        Assert.Equal($"thttp: (7) Failed to connect to 127.0.0.1 port {port}: Connection refused\n", refused.Stderr);

        (int Exit, byte[] Stdout, string Stderr) usage = await RunProcessAsync("--nope");
        Assert.Equal(2, usage.Exit);

        await using var server = ScriptedServer.Respond("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        (int Exit, byte[] Stdout, string Stderr) fail = await RunProcessAsync("-sf", server.Uri().ToString());
        Assert.Equal(22, fail.Exit);
        Assert.Equal("", fail.Stderr);
    }
}
