using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>
/// Interim (1xx) heads and a proxy's answer to CONNECT, shown by -i and -v as curl shows them: thttp and curl run
/// on the same servers (a scripted one for the 1xx, a relaying CONNECT proxy in front of nginx over TLS).
/// </summary>
public sealed class NginxHeadTests : IClassFixture<NginxCliFixture>
{
    private readonly NginxCliFixture _f;

    public NginxHeadTests(NginxCliFixture fixture) => _f = fixture;

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

    private static string Normalize(byte[] output) => Regex.Replace(Encoding.Latin1.GetString(output), "(?im)^Date: [^\r\n]*", "Date: *");

    /// <summary>The <c>&lt; </c> lines of a -v trace, CR removed (curl keeps the CR of each received line).</summary>
    private static string[] ResponseLines(string stderr) => stderr.Replace("\r", "", StringComparison.Ordinal).Split('\n').Where(l => l.StartsWith('<')).ToArray();

    private static ScriptedServer InterimServer() => ScriptedServer.Start(async c =>
    {
        while (await c.ReadRequestAsync() is not null)
        {
            await c.SendAsync("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
            await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok");
        }
    });

    [Fact]
    public async Task Interim_head_is_written_by_i_before_the_final_head_as_curl_writes_it()
    {
        await using ScriptedServer server = InterimServer();

        CliResult thttp = await CliRunner.RunAsync("-s", "-i", server.Uri("/").ToString());
        CliResult curl = await CurlAsync("-s", "-i", server.Uri("/").ToString());

        Assert.Equal((Normalize(curl.Stdout), true), (Normalize(thttp.Stdout), Normalize(thttp.Stdout).StartsWith("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Interim_head_is_shown_by_v_as_curl_shows_it()
    {
        await using ScriptedServer server = InterimServer();

        CliResult thttp = await CliRunner.RunAsync("-s", "-v", "-o", "/dev/null", server.Uri("/").ToString());
        CliResult curl = await CurlAsync("-s", "-v", "-o", "/dev/null", server.Uri("/").ToString());

        Assert.Equal(ResponseLines(curl.Stderr), ResponseLines(thttp.Stderr));
    }

    [Fact]
    public async Task Connect_answer_is_written_by_i_before_the_response_as_curl_writes_it()
    {
        await using var proxy = RelayProxy.Start(_f.Nginx.Http1TlsPort);
        string[] args = ["-s", "-i", "--cacert", _f.CaFile, "-x", $"http://127.0.0.1:{proxy.Port}", _f.Nginx.Http1TlsUri(NginxCliFixture.Host, "/static/a.txt").ToString()];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await CurlAsync(args);

        Assert.Equal((Normalize(curl.Stdout), true), (Normalize(thttp.Stdout), Normalize(thttp.Stdout).StartsWith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Connect_answer_is_shown_by_v_as_curl_shows_it()
    {
        await using var proxy = RelayProxy.Start(_f.Nginx.Http1TlsPort);
        string[] args = ["-s", "-v", "-o", "/dev/null", "--cacert", _f.CaFile, "-x", $"http://127.0.0.1:{proxy.Port}", _f.Nginx.Http1TlsUri(NginxCliFixture.Host, "/static/a.txt").ToString()];

        CliResult thttp = await CliRunner.RunAsync(args);
        CliResult curl = await CurlAsync(args);

        Assert.Equal(ResponseLines(curl.Stderr).Take(2), ResponseLines(thttp.Stderr).Take(2));
    }

    /// <summary>A CONNECT proxy that answers 200 and relays every tunnel to one port on 127.0.0.1, whatever it names.</summary>
    private sealed class RelayProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private RelayProxy(int origin)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptAsync(origin);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static RelayProxy Start(int origin) => new(origin);

        private async Task AcceptAsync(int origin)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _ = RelayAsync(client, origin);
            }
        }

        private async Task RelayAsync(TcpClient client, int origin)
        {
            using (client)
            {
                NetworkStream down = client.GetStream();
                var head = new StringBuilder();
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    int b = down.ReadByte();
                    if (b < 0)
                    {
                        return;
                    }
                    head.Append((char)b);
                }
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, origin);
                await down.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection established\r\n\r\n"));
                NetworkStream up = upstream.GetStream();
                Task a = up.CopyToAsync(down, _stop.Token).ContinueWith(_ => client.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
                Task b2 = down.CopyToAsync(up, _stop.Token).ContinueWith(_ => upstream.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
                await Task.WhenAny(Task.WhenAll(a, b2), Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accepting;
        }
    }
}
