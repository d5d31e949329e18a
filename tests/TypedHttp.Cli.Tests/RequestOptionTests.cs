using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>What each option puts on the wire, against the scripted socket server.</summary>
public class RequestOptionTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static ScriptedRequest OnlyRequest(ScriptedServer server) => Assert.Single(Assert.Single(server.Connections).Requests);

    [Fact]
    public async Task A_plain_GET_sends_curls_default_headers_and_writes_the_body_byte_exactly()
    {
        byte[] body = [0, 1, 2, 0xFF, 0xFE, (byte)'\r', (byte)'\n', 0x80, 0x1A];
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
            await c.SendAsync(body);
            await c.WaitForClientCloseAsync();
        });
        CliResult r = await CliRunner.RunAsync(server.Uri("/a?b=1").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(body, r.Stdout);
        Assert.Equal("", r.Stderr);
        ScriptedRequest q = OnlyRequest(server);
        Assert.Equal("GET /a?b=1 HTTP/1.1", q.RequestLine);
        Assert.Equal($"127.0.0.1:{server.Port}", q.Header("Host"));
        Assert.Equal("thttp/" + Cli.Version, q.Header("User-Agent"));
        Assert.Equal("*/*", q.Header("Accept"));
    }

    [Fact]
    public async Task A_url_without_scheme_is_http()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync($"127.0.0.1:{server.Port}/x");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("GET /x HTTP/1.1", OnlyRequest(server).RequestLine);
    }

    [Fact]
    public async Task Request_sets_the_method()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-X", "DELETE", server.Uri("/r").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("DELETE /r HTTP/1.1", OnlyRequest(server).RequestLine);
    }

    [Fact]
    public async Task Header_adds_replaces_removes_and_sends_empty()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-H", "X-One: 1", "-H", "Accept: text/plain", "-H", "User-Agent:", "-H", "X-Empty;", "-H", "X-Two:   two  ", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        ScriptedRequest q = OnlyRequest(server);
        Assert.Null(q.Header("User-Agent"));
        Assert.Equal("text/plain", q.Header("Accept"));
        Assert.Single(q.Headers, h => h.Key == "Accept");
        Assert.Equal("1", q.Header("X-One"));
        Assert.Equal("", q.Header("X-Empty"));
        Assert.Equal("two", q.Header("X-Two"));
        Assert.Contains("\r\nX-Empty:", q.Head);
    }

    [Fact]
    public async Task Header_at_file_reads_header_lines()
    {
        using TempFile file = CliRunner.Temp(Encoding.ASCII.GetBytes("X-A: 1\r\nX-B: 2\n"));
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-H", "@" + file.Path, server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("1", OnlyRequest(server).Header("X-A"));
        Assert.Equal("2", OnlyRequest(server).Header("X-B"));
    }

    [Fact]
    public async Task User_agent_sets_the_header()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-A", "probe/1", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("probe/1", OnlyRequest(server).Header("User-Agent"));
    }

    [Fact]
    public async Task Data_posts_form_data_joined_with_ampersands()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-d", "a=1", "--data", "b=2", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        ScriptedRequest q = OnlyRequest(server);
        Assert.Equal("POST / HTTP/1.1", q.RequestLine);
        Assert.Equal("application/x-www-form-urlencoded", q.Header("Content-Type"));
        Assert.Equal("7", q.Header("Content-Length"));
        Assert.Equal("a=1&b=2", q.BodyText);
    }

    [Fact]
    public async Task Data_at_file_strips_CR_and_LF_and_data_binary_keeps_them()
    {
        using TempFile file = CliRunner.Temp(Encoding.ASCII.GetBytes("a\r\nb\nc"));
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-d", "x=1", "-d", "@" + file.Path, "--data-binary", "@" + file.Path, server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("x=1&abc&a\r\nb\nc", OnlyRequest(server).BodyText);
    }

    [Fact]
    public async Task Data_at_dash_reads_stdin()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync(Encoding.ASCII.GetBytes("from\nstdin"), "--data-binary", "@-", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("from\nstdin", OnlyRequest(server).BodyText);
    }

    [Fact]
    public async Task Data_raw_does_not_read_files()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("--data-raw", "@not-a-file", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("@not-a-file", OnlyRequest(server).BodyText);
    }

    [Fact]
    public async Task Json_sets_content_type_and_accept_and_concatenates()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("--json", "{\"a\":1}", "--json", "{\"b\":2}", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        ScriptedRequest q = OnlyRequest(server);
        Assert.Equal("POST / HTTP/1.1", q.RequestLine);
        Assert.Equal("application/json", q.Header("Content-Type"));
        Assert.Equal("application/json", q.Header("Accept"));
        Assert.Single(q.Headers, h => h.Key == "Content-Type");
        Assert.Equal("{\"a\":1}{\"b\":2}", q.BodyText);
    }

    [Fact]
    public async Task A_content_type_header_replaces_the_form_type()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-d", "<x/>", "-H", "Content-Type: text/xml", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("text/xml", OnlyRequest(server).Header("Content-Type"));
        Assert.Single(OnlyRequest(server).Headers, h => h.Key == "Content-Type");
    }

    [Fact]
    public async Task Get_moves_data_into_the_query()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-G", "-d", "q=1", "-d", "r=2", server.Uri("/s?a=0").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("GET /s?a=0&q=1&r=2 HTTP/1.1", OnlyRequest(server).RequestLine);
    }

    [Fact]
    public async Task User_sends_basic_credentials_with_the_first_request()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-u", "user:pa:ss", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pa:ss")), OnlyRequest(server).Header("Authorization"));
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Basic_with_user_is_the_same_as_user_alone()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("--basic", "-u", "u:p", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Basic dTpw", OnlyRequest(server).Header("Authorization"));
    }

    [Fact]
    public async Task Cookie_string_is_sent_as_a_cookie_header()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("-b", "a=1; b=2", "-b", "c=3", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("a=1; b=2; c=3", OnlyRequest(server).Header("Cookie"));
    }

    [Fact]
    public async Task Http10_sends_an_http_1_0_request()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CliResult r = await CliRunner.RunAsync("--http1.0", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("GET / HTTP/1.0", OnlyRequest(server).RequestLine);
        Assert.Equal("ok", r.StdoutText);
    }

    [Fact]
    public async Task Resolve_maps_a_name_to_an_address()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("--resolve", $"api.example.test:{server.Port}:127.0.0.1", $"http://api.example.test:{server.Port}/");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"api.example.test:{server.Port}", OnlyRequest(server).Header("Host"));
    }

    [Fact]
    public async Task Connect_timeout_is_accepted_and_a_fast_server_is_fetched()
    {
        await using var server = ScriptedServer.Respond(Ok);
        CliResult r = await CliRunner.RunAsync("--connect-timeout", "2.5", server.Uri().ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("ok", r.StdoutText);
    }

    [Fact]
    public async Task Several_urls_are_fetched_in_order_on_one_connection()
    {
        await using var server = ScriptedServer.Respond(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
        CliResult r = await CliRunner.RunAsync(server.Uri("/1").ToString(), server.Uri("/2").ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("onetwo", r.StdoutText);
        Assert.Equal(1, server.AcceptedCount);
        Assert.Equal(["GET /1 HTTP/1.1", "GET /2 HTTP/1.1"], server.Connections[0].Requests.Select(q => q.RequestLine));
    }
}
