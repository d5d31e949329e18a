using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>-i, -I, -o, -s, -S, -f, -w and -v.</summary>
public class OutputOptionTests
{
    private const string Response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Weird:  spaced\r\nContent-Length: 5\r\n\r\nhello";

    [Fact]
    public async Task Include_writes_the_head_before_the_body()
    {
        await using var server = ScriptedServer.Respond(Response);
        CliResult r = await CliRunner.RunAsync("-i", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Weird: spaced\r\nContent-Length: 5\r\n\r\nhello", Encoding.Latin1.GetString(r.Stdout));
    }

    [Fact]
    public async Task Head_sends_HEAD_and_writes_only_the_head()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        CliResult r = await CliRunner.RunAsync("-I", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", r.StdoutText);
        Assert.Equal("HEAD / HTTP/1.1", server.Connections[0].Requests[0].RequestLine);
    }

    [Fact]
    public async Task Output_writes_the_body_to_a_file_and_nothing_to_stdout()
    {
        using TempFile file = CliRunner.Temp();
        await using var server = ScriptedServer.Respond(Response);
        CliResult r = await CliRunner.RunAsync("-o", file.Path, server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(r.Stdout);
        Assert.Equal("", r.Stderr); // no progress meter: stderr is not a terminal
        Assert.Equal("hello", File.ReadAllText(file.Path));
    }

    [Fact]
    public async Task Output_pairs_with_urls_in_order_and_dash_is_stdout()
    {
        using TempFile file = CliRunner.Temp();
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree");
        CliResult r = await CliRunner.RunAsync("-o", file.Path, server.Uri("/1").ToString(), "-o-", server.Uri("/2").ToString(), server.Uri("/3").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("one", File.ReadAllText(file.Path));
        Assert.Equal("twothree", r.StdoutText);
    }

    [Fact]
    public async Task An_empty_body_still_creates_the_output_file()
    {
        using TempFile file = CliRunner.Temp();
        await using var server = ScriptedServer.Respond("HTTP/1.1 204 No Content\r\n\r\n");
        CliResult r = await CliRunner.RunAsync("-o", file.Path, server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", File.ReadAllText(file.Path));
    }

    [Fact]
    public async Task Fail_exits_22_without_writing_the_body()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope");
        CliResult r = await CliRunner.RunAsync("-f", server.Uri().ToString());
        Assert.Equal(22, r.ExitCode);
        Assert.Empty(r.Stdout);
        Assert.Equal("thttp: (22) The requested URL returned error: 404\n", r.Stderr);
    }

    [Fact]
    public async Task Without_fail_an_error_status_is_a_success()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 500 Boom\r\nContent-Length: 4\r\n\r\nboom");
        CliResult r = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("boom", r.StdoutText);
    }

    [Fact]
    public async Task Silent_hides_errors_and_show_error_brings_them_back()
    {
        int port = CliRunner.ClosedPort();
        CliResult silent = await CliRunner.RunAsync("-s", $"http://127.0.0.1:{port}/");
        Assert.Equal(7, silent.ExitCode);
        Assert.Equal("", silent.Stderr);
        CliResult shown = await CliRunner.RunAsync("-sS", $"http://127.0.0.1:{port}/");
        Assert.Equal(7, shown.ExitCode);
        Assert.StartsWith($"thttp: (7) Failed to connect to 127.0.0.1 port {port}: ", shown.Stderr);
    }

    [Fact]
    public async Task Write_out_reports_the_transfer()
    {
        await using var server = ScriptedServer.Respond(Response);
        string url = server.Uri("/w").ToString();
        CliResult r = await CliRunner.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code} %{num_redirects} %{url_effective} %{size_download} %{content_type} 100%%\\t%{time_total}\\n", url);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches($"^200 0 {System.Text.RegularExpressions.Regex.Escape(url)} 5 text/plain 100%\\t[0-9]+\\.[0-9]{{6}}\\n$", r.StdoutText);
    }

    [Fact]
    public async Task Write_out_after_a_failure_reports_000_and_warns_about_unknown_variables()
    {
        int port = CliRunner.ClosedPort();
        CliResult r = await CliRunner.RunAsync("-S", "-w", "%{http_code} %{exitcode} %{nope}\\n", $"http://127.0.0.1:{port}/x");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("000 7 \n", r.StdoutText);
        Assert.Contains("thttp: unknown --write-out variable: 'nope'", r.Stderr);
    }

    [Fact]
    public async Task Verbose_shows_the_request_as_sent_and_the_response_head()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nSet-Cookie: s=1\r\nContent-Length: 2\r\n\r\nok");
        CliResult r = await CliRunner.RunAsync("-v", "-u", "u:p", "-b", "c=1", "-H", "X-A: 1", "-H", "X-Empty;", server.Uri("/v").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("ok", r.StdoutText);
        Assert.Contains($"* Connecting to 127.0.0.1:{server.Port}\n", r.Stderr);
        Assert.Equal(
            $"> GET /v HTTP/1.1\n> Host: 127.0.0.1:{server.Port}\n> Authorization: Basic dTpw\n> User-Agent: thttp/{Cli.Version}\n> Accept: */*\n> Cookie: c=1\n> X-A: 1\n> X-Empty:\n> \n"
            + "< HTTP/1.1 200 OK\n< Set-Cookie: s=1\n< Content-Length: 2\n< \n",
            Heads(r.Stderr));
        Assert.Equal(server.Connections[0].Requests[0].Head, RequestHeadFromTrace(r.Stderr, 0));
    }

    [Fact]
    public async Task Verbose_shows_what_the_engine_adds_in_clear_on_every_hop()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 302 Found\r\nLocation: /in\r\nSet-Cookie: sid=hop-cookie\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
        CliResult r = await CliRunner.RunAsync("-v", "-L", "-b", "", "--digest", "-u", "user:pw", "-d", "x=1", server.Uri("/login").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("in", r.StdoutText);
        var requests = server.Connections.SelectMany(c => c.Requests).ToList();
        Assert.Equal(3, requests.Count);
        string digest = requests[2].Header("Authorization")!;
        Assert.StartsWith("Digest username=\"user\"", digest);
        Assert.Equal(
            $"> POST /login HTTP/1.1\n> Host: 127.0.0.1:{server.Port}\n> User-Agent: thttp/{Cli.Version}\n> Accept: */*\n> Content-Type: application/x-www-form-urlencoded\n> Content-Length: 3\n> \n"
            + "< HTTP/1.1 302 Found\n< Location: /in\n< Set-Cookie: sid=hop-cookie\n< Content-Length: 0\n< \n"
            + $"> GET /in HTTP/1.1\n> Host: 127.0.0.1:{server.Port}\n> User-Agent: thttp/{Cli.Version}\n> Accept: */*\n> Cookie: sid=hop-cookie\n> \n"
            + "< HTTP/1.1 401 Unauthorized\n< WWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\n< Content-Length: 0\n< \n"
            + $"> GET /in HTTP/1.1\n> Host: 127.0.0.1:{server.Port}\n> User-Agent: thttp/{Cli.Version}\n> Accept: */*\n> Cookie: sid=hop-cookie\n> Authorization: {digest}\n> \n"
            + "< HTTP/1.1 200 OK\n< Content-Length: 2\n< \n",
            Heads(r.Stderr));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(requests[i].Head, RequestHeadFromTrace(r.Stderr, i));
        }
        Assert.DoesNotContain("***", r.Stderr);
    }

    /// <summary>The "&gt; " and "&lt; " lines of a -v trace, in order.</summary>
    private static string Heads(string stderr) =>
        string.Concat(stderr.Split('\n').Where(l => l.StartsWith("> ", StringComparison.Ordinal) || l.StartsWith("< ", StringComparison.Ordinal)).Select(l => l + "\n"));

    /// <summary>The <paramref name="index"/>-th request head of a -v trace, as wire text (CRLF lines, empty line at the end).</summary>
    private static string RequestHeadFromTrace(string stderr, int index)
    {
        var heads = new List<StringBuilder>();
        bool inHead = false;
        foreach (string line in stderr.Split('\n'))
        {
            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                if (!inHead)
                {
                    heads.Add(new StringBuilder());
                    inHead = true;
                }
                string field = line.Substring(2);
                heads[^1].Append(field.EndsWith(':') ? field + " " : field).Append("\r\n");
            }
            else
            {
                inHead = false;
            }
        }
        return heads[index].ToString();
    }

    [Fact]
    public async Task Verbose_shows_the_failure_as_information()
    {
        int port = CliRunner.ClosedPort();
        CliResult r = await CliRunner.RunAsync("-v", $"http://127.0.0.1:{port}/");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains($"* Connecting to 127.0.0.1:{port}\n", r.Stderr);
        Assert.Contains("* thttp: (7) Failed to connect", r.Stderr);
    }
}
