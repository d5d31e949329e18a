using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>Options served by the engine's policy stages: redirects, authentication, proxies, cookies, decompression.</summary>
public class PolicyOptionTests
{
    private static string Redirect(string location) => $"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 3\r\n\r\n302";

    [Fact]
    public async Task Without_location_a_redirect_is_the_answer()
    {
        await using var server = ScriptedServer.Respond(Redirect("/b"));
        CliResult r = await CliRunner.RunAsync("-w", " %{http_code} %{num_redirects}", server.Uri("/a").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("302 302 0", r.StdoutText);
    }

    [Fact]
    public async Task Location_follows_and_reports_the_effective_url()
    {
        await using var server = ScriptedServer.Respond(Redirect("/b"), "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhere");
        CliResult r = await CliRunner.RunAsync("-L", "-w", " %{http_code} %{num_redirects} %{url_effective}", server.Uri("/a").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"here 200 1 {server.Uri("/b")}", r.StdoutText);
    }

    [Fact]
    public async Task Include_with_location_writes_every_hops_head_then_the_final_body()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /b\r\nSet-Cookie: hop=1\r\nContent-Length: 3\r\n\r\n301",
            Redirect("/c"),
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhere");
        CliResult r = await CliRunner.RunAsync("-sLi", server.Uri("/a").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /b\r\nSet-Cookie: hop=1\r\nContent-Length: 3\r\n\r\n"
            + "HTTP/1.1 302 Found\r\nLocation: /c\r\nContent-Length: 3\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nhere",
            r.StdoutText);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task Include_without_location_writes_only_the_redirect()
    {
        await using var server = ScriptedServer.Respond(Redirect("/b"));
        CliResult r = await CliRunner.RunAsync("-si", server.Uri("/a").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 3\r\n\r\n302", r.StdoutText);
    }

    [Fact]
    public async Task Head_with_location_writes_every_hops_head()
    {
        // HEAD: the server sends no body bytes.
        await using var server = ScriptedServer.Respond("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 3\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
        CliResult r = await CliRunner.RunAsync("-sIL", server.Uri("/a").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", r.StdoutText);
        Assert.Equal(["HEAD /a HTTP/1.1", "HEAD /b HTTP/1.1"], server.Connections.SelectMany(c => c.Requests).Select(q => q.RequestLine));
    }

    [Fact]
    public async Task Include_writes_the_heads_received_before_too_many_redirects()
    {
        await using var server = ScriptedServer.Respond(Redirect("/b"), Redirect("/c"));
        CliResult r = await CliRunner.RunAsync("-Li", "--max-redirs", "1", server.Uri("/a").ToString());
        Assert.Equal(47, r.ExitCode);
        Assert.Equal("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 3\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /c\r\nContent-Length: 3\r\n\r\n", r.StdoutText);
        Assert.StartsWith("thttp: (47) Maximum redirects followed", r.Stderr);
    }

    [Fact]
    public async Task Include_with_digest_writes_the_401_head_then_the_answer()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
        CliResult r = await CliRunner.RunAsync("-i", "--digest", "-u", "user:pw", server.Uri("/d").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin",
            r.StdoutText);
    }

    [Fact]
    public async Task Max_redirs_exceeded_is_47()
    {
        await using var server = ScriptedServer.Respond(Redirect("/b"), Redirect("/c"), Redirect("/d"));
        CliResult r = await CliRunner.RunAsync("-L", "--max-redirs", "1", server.Uri("/a").ToString());
        Assert.Equal(47, r.ExitCode);
        Assert.StartsWith("thttp: (47) Maximum redirects followed", r.Stderr);
    }

    [Fact]
    public async Task The_engines_limit_of_10_applies_without_max_redirs()
    {
        await using var server = ScriptedServer.Respond(Enumerable.Range(0, 12).Select(i => Redirect("/r" + i)).ToArray());
        CliResult r = await CliRunner.RunAsync("-L", "-w", "%{num_redirects}", server.Uri("/a").ToString());
        Assert.Equal(47, r.ExitCode);
        Assert.Equal(11, server.Connections.Sum(c => c.Requests.Count));
    }

    [Fact]
    public async Task Credentials_are_dropped_on_another_origin_unless_location_trusted()
    {
        await using var target = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        await using var origin = ScriptedServer.Respond(Redirect(target.Uri("/t").ToString()));
        CliResult plain = await CliRunner.RunAsync("-L", "-u", "u:p", origin.Uri().ToString());
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal("Basic dTpw", origin.Connections[0].Requests[0].Header("Authorization"));
        Assert.Null(target.Connections[0].Requests[0].Header("Authorization"));

        CliResult trusted = await CliRunner.RunAsync("--location-trusted", "-u", "u:p", origin.Uri().ToString());
        Assert.Equal(0, trusted.ExitCode);
        Assert.Equal("Basic dTpw", target.Connections[1].Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task Digest_answers_the_challenge()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", qop=\"auth\", algorithm=MD5\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
        CliResult r = await CliRunner.RunAsync("--digest", "-u", "user:pw", server.Uri("/d").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("in", r.StdoutText);
        var requests = server.Connections.SelectMany(c => c.Requests).ToList();
        Assert.Null(requests[0].Header("Authorization"));
        Assert.StartsWith("Digest username=\"user\"", requests[1].Header("Authorization"));
    }

    [Fact]
    public async Task Anyauth_picks_what_the_server_offers()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin");
        CliResult r = await CliRunner.RunAsync("--anyauth", "-u", "u:p", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        var requests = server.Connections.SelectMany(c => c.Requests).ToList();
        Assert.Null(requests[0].Header("Authorization"));
        Assert.Equal("Basic dTpw", requests[1].Header("Authorization"));
    }

    [Fact]
    public async Task Proxy_sends_the_absolute_form_and_proxy_user_answers_407()
    {
        await using var proxy = ScriptedServer.Respond(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied");
        CliResult r = await CliRunner.RunAsync("-x", $"127.0.0.1:{proxy.Port}", "-U", "pu:pp", "http://origin.test/x");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("proxied", r.StdoutText);
        var requests = proxy.Connections.SelectMany(c => c.Requests).ToList();
        Assert.Contains("http://origin.test/x HTTP/1.1", requests[0].RequestLine);
        Assert.Null(requests[0].Header("Proxy-Authorization"));
        Assert.Equal("Basic cHU6cHA=", requests[1].Header("Proxy-Authorization"));
    }

    [Fact]
    public async Task Proxy_request_line_is_exactly_the_absolute_form()
    {
        await using var proxy = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        CliResult r = await CliRunner.RunAsync("-x", $"127.0.0.1:{proxy.Port}", "http://origin.test/x");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("GET http://origin.test/x HTTP/1.1", proxy.Connections[0].Requests[0].RequestLine);
    }

    [Fact]
    public async Task Noproxy_connects_directly()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ndirect");
        int closed = CliRunner.ClosedPort();
        CliResult r = await CliRunner.RunAsync("-x", $"http://127.0.0.1:{closed}", "--noproxy", "other.test, direct.test", "--resolve", $"direct.test:{server.Port}:127.0.0.1", $"http://direct.test:{server.Port}/");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("direct", r.StdoutText);
    }

    [Fact]
    public async Task Cookie_jar_writes_netscape_lines_that_cookie_reads_back()
    {
        using TempFile jar = CliRunner.Temp();
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 200 OK\r\nSet-Cookie: sid=42; Path=/\r\nSet-Cookie: pref=dark; Max-Age=3600; HttpOnly\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        CliResult first = await CliRunner.RunAsync("-c", jar.Path, server.Uri("/login").ToString());
        Assert.Equal(0, first.ExitCode);
        string[] lines = File.ReadAllLines(jar.Path);
        Assert.Contains("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\t42", lines);
        Assert.Contains(lines, l => l.StartsWith("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t", StringComparison.Ordinal) && l.EndsWith("\tpref\tdark", StringComparison.Ordinal));

        CliResult second = await CliRunner.RunAsync("-b", jar.Path, server.Uri("/next").ToString());
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("sid=42; pref=dark", server.Connections[1].Requests[0].Header("Cookie"));
    }

    [Fact]
    public async Task Empty_cookie_turns_the_engine_on_across_urls_and_it_is_off_otherwise()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        CliResult on = await CliRunner.RunAsync("-b", "", server.Uri("/1").ToString(), server.Uri("/2").ToString());
        Assert.Equal(0, on.ExitCode);
        Assert.Equal("a=1", server.Connections[0].Requests[1].Header("Cookie"));

        CliResult off = await CliRunner.RunAsync(server.Uri("/1").ToString(), server.Uri("/2").ToString());
        Assert.Equal(0, off.ExitCode);
        Assert.Null(server.Connections[1].Requests[1].Header("Cookie"));
    }

    [Fact]
    public async Task Compressed_asks_for_and_decodes_gzip()
    {
        var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.ASCII.GetBytes("unpacked body"));
        }
        byte[] body = packed.ToArray();
        await using var server = ScriptedServer.Start(async c =>
        {
            while (await c.ReadRequestAsync() is not null)
            {
                await c.SendAsync($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {body.Length}\r\n\r\n");
                await c.SendAsync(body);
            }
        });
        CliResult r = await CliRunner.RunAsync("--compressed", "-H", "Accept-Encoding: identity", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("unpacked body", r.StdoutText);
        Assert.Equal("gzip, deflate, br", server.Connections[0].Requests[0].Header("Accept-Encoding"));

        CliResult raw = await CliRunner.RunAsync(server.Uri().ToString());
        Assert.Equal(body, raw.Stdout);
    }
}
