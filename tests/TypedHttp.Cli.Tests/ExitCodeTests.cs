using System;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>Each of curl's exit codes, with its one-line message.</summary>
public class ExitCodeTests
{
    [Fact]
    public async Task Unsupported_protocol_is_1()
    {
        CliResult r = await CliRunner.RunAsync("ftp://127.0.0.1/x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("thttp: (1) Protocol \"ftp\" not supported\n", r.Stderr);
    }

    [Theory]
    [InlineData("http://[bad/")]
    [InlineData("http://")]
    [InlineData("http://exa mple.com/")]
    public async Task Malformed_url_is_3(string url)
    {
        CliResult r = await CliRunner.RunAsync(url);
        Assert.Equal(3, r.ExitCode);
        Assert.StartsWith("thttp: (3) URL using bad/illegal format or missing URL", r.Stderr);
    }

    [Fact]
    public async Task Unresolvable_host_is_6()
    {
        CliResult r = await CliRunner.RunAsync("--resolve", "nowhere.test:80:", "http://nowhere.test/");
        Assert.Equal(6, r.ExitCode);
        Assert.Equal("thttp: (6) Could not resolve host: nowhere.test\n", r.Stderr);
    }

    [Fact]
    public async Task Refused_connection_is_7()
    {
        int port = CliRunner.ClosedPort();
        CliResult r = await CliRunner.RunAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal($"thttp: (7) Failed to connect to 127.0.0.1 port {port}: Connection refused\n", r.Stderr);
    }

    [Fact]
    public async Task Garbage_status_line_is_8()
    {
        await using var server = ScriptedServer.Respond("SMTP ready\r\n\r\n");
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(8, r.ExitCode);
        Assert.StartsWith("thttp: (8) Weird server reply", r.Stderr);
    }

    [Fact]
    public async Task Short_body_is_18_and_the_bytes_that_came_are_written()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            c.Close();
        });
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(18, r.ExitCode);
        Assert.Equal("abc", r.StdoutText);
        Assert.Equal("thttp: (18) transfer closed with 7 bytes remaining to read\n", r.Stderr);
    }

    [Fact]
    public async Task Chunked_body_cut_short_is_18()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            c.Close();
        });
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(18, r.ExitCode);
        Assert.Equal("abc", r.StdoutText);
        Assert.StartsWith("thttp: (18) transfer closed with outstanding read data remaining", r.Stderr);
    }

    [Fact]
    public async Task Http_error_with_fail_is_22()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
        CliResult r = await CliRunner.RunAsync("--fail", server.Uri().ToString());
        Assert.Equal(22, r.ExitCode);
        Assert.Equal("thttp: (22) The requested URL returned error: 503\n", r.Stderr);
    }

    [Fact]
    public async Task Output_that_cannot_be_written_is_23()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CliResult r = await CliRunner.RunAsync("-o", "/nonexistent-dir-thttp/x", server.Uri().ToString());
        Assert.Equal(23, r.ExitCode);
        Assert.StartsWith("thttp: (23) Failure writing output to destination", r.Stderr);
    }

    [Fact]
    public async Task Missing_data_file_is_26_and_nothing_is_sent()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CliResult r = await CliRunner.RunAsync("-d", "@/nonexistent-thttp-file", server.Uri().ToString());
        Assert.Equal(26, r.ExitCode);
        Assert.StartsWith("thttp: (26) Failed to open/read local data from file/application: /nonexistent-thttp-file", r.Stderr);
        Assert.Equal(0, server.AcceptedCount);
    }

    [Fact]
    public async Task Max_time_is_28()
    {
        await using var server = ScriptedServer.Start(c => c.StaySilentAsync());
        CliResult r = await CliRunner.RunAsync("-m", "0.3", server.Uri().ToString());
        Assert.Equal(28, r.ExitCode);
        Assert.Matches("^thttp: \\(28\\) Operation timed out after [0-9]+ milliseconds with 0 bytes received\\n$", r.Stderr);
    }

    [Fact]
    public async Task Max_time_covers_the_body()
    {
        // Long enough that a busy machine still delivers the head and the first bytes before it expires.
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
            await c.StaySilentAsync();
        });
        CliResult r = await CliRunner.RunAsync("-m", "1.5", server.Uri().ToString());
        Assert.Equal(28, r.ExitCode);
        Assert.Equal("ab", r.StdoutText);
        Assert.Contains("with 2 bytes received", r.Stderr);
    }

    [Fact]
    public async Task Tls_handshake_with_a_plain_http_server_is_35()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            c.Close();
        });
        CliResult r = await CliRunner.RunAsync($"https://127.0.0.1:{server.Port}/");
        Assert.Equal(35, r.ExitCode);
        Assert.StartsWith("thttp: (35) TLS connect error", r.Stderr);
    }

    [Fact]
    public async Task Empty_reply_is_52()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            c.Close();
        });
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(52, r.ExitCode);
        Assert.Equal("thttp: (52) Empty reply from server\n", r.Stderr);
    }

    [Fact]
    public async Task Reset_while_receiving_is_56()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab");
            await Task.Delay(50);
            c.Reset();
        });
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(56, r.ExitCode);
        Assert.StartsWith("thttp: (56) Recv failure", r.Stderr);
    }

    [Fact]
    public async Task The_exit_code_is_the_last_transfers_and_every_url_is_attempted()
    {
        int port = CliRunner.ClosedPort();
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CliResult okLast = await CliRunner.RunAsync($"http://127.0.0.1:{port}/", server.Uri().ToString());
        Assert.Equal(0, okLast.ExitCode);
        Assert.Equal("ok", okLast.StdoutText);
        Assert.Contains("(7)", okLast.Stderr);

        CliResult failLast = await CliRunner.RunAsync(server.Uri().ToString(), $"http://127.0.0.1:{port}/", "ftp://x/");
        Assert.Equal(1, failLast.ExitCode);
        Assert.Equal("ok", failLast.StdoutText);
        Assert.Contains("(7)", failLast.Stderr);
        Assert.Contains("(1)", failLast.Stderr);
    }
}
