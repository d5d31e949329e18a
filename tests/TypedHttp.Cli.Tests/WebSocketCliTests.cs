using System;
using System.Linq;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Cli.Tests;

/// <summary>thttp with ws:// URLs against Kestrel's WebSockets on 127.0.0.1.</summary>
public sealed class WebSocketCliTests : IAsyncLifetime
{
    private WsKestrel _server = null!;

    public async Task InitializeAsync() => _server = await WsKestrel.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Ws(string path) => $"ws://127.0.0.1:{_server.Port}{path}";

    [Fact]
    public async Task D_is_sent_as_one_text_message_and_the_echo_is_written_as_a_line()
    {
        CliResult r = await CliRunner.RunAsync("-d", "hello there", Ws("/echo"));
        Assert.Equal((0, "hello there\n"), (r.ExitCode, r.StdoutText));
    }

    [Fact]
    public async Task Each_line_of_standard_input_is_one_text_message()
    {
        CliResult r = await CliRunner.RunAsync("one\r\ntwo\nthree"u8.ToArray(), Ws("/echo"));
        Assert.Equal((0, "one\ntwo\nthree\n"), (r.ExitCode, r.StdoutText));
    }

    [Fact]
    public async Task Data_binary_is_sent_as_one_binary_message_written_back_byte_for_byte()
    {
        using TempFile file = CliRunner.Temp([0x00, 0xFF, 0x80, 0x0A]);
        CliResult r = await CliRunner.RunAsync("--data-binary", "@" + file.Path, Ws("/echo"));
        Assert.Equal((0, "00FF800A"), (r.ExitCode, Convert.ToHexString(r.Stdout)));
    }

    [Fact]
    public async Task A_binary_message_from_the_server_is_written_as_its_raw_bytes()
    {
        CliResult r = await CliRunner.RunAsync(Ws("/binary"));
        Assert.Equal((0, Convert.ToHexString(WsKestrel.BinaryMessage)), (r.ExitCode, Convert.ToHexString(r.Stdout)));
    }

    [Fact]
    public async Task Data_that_is_not_UTF8_is_a_usage_error_before_connecting()
    {
        using TempFile file = CliRunner.Temp([0x68, 0xC3, 0x28]);
        CliResult r = await CliRunner.RunAsync("-d", "@" + file.Path, Ws("/echo"));
        Assert.Equal((2, 0), (r.ExitCode, _server.Requests));
    }

    [Fact]
    public async Task A_line_of_standard_input_that_is_not_UTF8_is_26()
    {
        CliResult r = await CliRunner.RunAsync([0x6F, 0x6B, 0x0A, 0xC3, 0x28, 0x0A], Ws("/echo"));
        Assert.Equal((26, "ok\n"), (r.ExitCode, r.StdoutText));
    }

    [Fact]
    public async Task A_302_answer_to_the_handshake_is_22_without_L()
    {
        CliResult r = await CliRunner.RunAsync("-d", "x", Ws("/moved"));
        Assert.Equal(22, r.ExitCode);
    }

    [Fact]
    public async Task L_follows_a_302_answer_to_the_handshake()
    {
        CliResult r = await CliRunner.RunAsync("-L", "-d", "x", Ws("/moved"));
        Assert.Equal((0, "x\n"), (r.ExitCode, r.StdoutText));
    }

    [Fact]
    public async Task Verbose_shows_the_101_response_head()
    {
        CliResult r = await CliRunner.RunAsync("-v", "-d", "x", Ws("/echo"));
        Assert.Contains("\n< HTTP/1.1 101 Switching Protocols\n", r.Stderr);
    }

    [Fact]
    public async Task Verbose_shows_the_handshake_request_as_sent()
    {
        CliResult r = await CliRunner.RunAsync("-v", "-d", "x", Ws("/echo"));
        string[] sent = r.Stderr.Split('\n').Where(l => l.StartsWith("> ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(("> GET /echo HTTP/1.1", true, true), (sent.FirstOrDefault(), sent.Contains("> Upgrade: websocket"), sent.Contains("> Sec-WebSocket-Version: 13")));
    }

    [Fact]
    public async Task Include_writes_the_101_head_before_the_messages()
    {
        CliResult r = await CliRunner.RunAsync("-i", "-d", "hi", Ws("/echo"));
        Assert.Matches("^HTTP/1.1 101 Switching Protocols\r\n(.+\r\n)+\r\nhi\n$", r.StdoutText);
    }

    [Fact]
    public async Task A_403_answer_to_the_handshake_is_22_without_f()
    {
        CliResult r = await CliRunner.RunAsync(Ws("/forbidden"));
        Assert.Equal((22, "thttp: (22) Refused WebSocket upgrade: 403\n"), (r.ExitCode, r.Stderr));
    }

    [Fact]
    public async Task Write_out_shows_101_as_the_http_code()
    {
        CliResult r = await CliRunner.RunAsync("-d", "x", "-w", "%{http_code}", Ws("/echo"));
        Assert.Equal("x\n101", r.StdoutText);
    }

    [Fact]
    public async Task Max_time_expiring_on_an_open_WebSocket_is_28()
    {
        CliResult r = await CliRunner.RunAsync("-m", "1", Ws("/push"));
        Assert.True(r.ExitCode == 28 && r.StdoutText == "tick\n", r.ToString());
    }

    [Fact]
    public async Task Max_time_expires_while_standard_input_blocks_in_a_read_that_ignores_cancellation()
    {
        var stdout = new System.IO.MemoryStream();
        var stderr = new System.IO.StringWriter();
        var environment = new CliEnvironment { Stdin = new SilentStdin(), Resolver = (_, _) => ValueTask.FromResult(Array.Empty<IPAddress>()) };
        int exit = await Cli.RunAsync(["-m", "1", Ws("/push")], stdout, stderr, environment).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(exit == 28, stderr.ToString());
    }

    /// <summary>Standard input with nothing to read, whose reads never end and ignore their token (as a console stream's may).</summary>
    private sealed class SilentStdin : System.IO.Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("only asynchronous reads");
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(new TaskCompletionSource<int>().Task);
        public override long Seek(long offset, System.IO.SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Max_time_expiring_sends_a_close_frame_with_1000()
    {
        await CliRunner.RunAsync("-m", "1", Ws("/push"));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await _server.ClientClose.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_end_of_standard_input_sends_a_close_frame_with_1000()
    {
        await CliRunner.RunAsync("ping"u8.ToArray(), Ws("/echo"));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await _server.ClientClose.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_server_closing_with_1011_is_56_naming_the_status()
    {
        CliResult r = await CliRunner.RunAsync(Ws("/fail"));
        Assert.Equal((56, "thttp: (56) Recv failure: the server closed the WebSocket with status 1011 (boom)\n"), (r.ExitCode, r.Stderr));
    }

    [Fact]
    public async Task A_server_closing_with_1000_is_0()
    {
        CliResult r = await CliRunner.RunAsync(Ws("/binary"));
        Assert.Equal((0, ""), (r.ExitCode, r.Stderr));
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_7()
    {
        CliResult r = await CliRunner.RunAsync($"ws://127.0.0.1:{CliRunner.ClosedPort()}/echo");
        Assert.Equal(7, r.ExitCode);
    }

    [Fact]
    public async Task With_x_a_ws_URL_goes_through_a_CONNECT_tunnel()
    {
        await using var proxy = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        });
        await CliRunner.RunAsync("-x", $"127.0.0.1:{proxy.Port}", "-d", "x", "ws://origin.test/chat");
        Assert.Equal("CONNECT origin.test:80 HTTP/1.1", proxy.Connections[0].Requests[0].RequestLine);
    }

    [Fact]
    public async Task A_cookie_from_b_goes_with_the_handshake()
    {
        CliResult r = await CliRunner.RunAsync("-b", "room=blue", "-d", "x", Ws("/request"));
        Assert.Contains("Cookie=room=blue;", r.StdoutText);
    }

    [Fact]
    public async Task User_credentials_go_with_the_handshake_as_Basic()
    {
        CliResult r = await CliRunner.RunAsync("-u", "user:pw", "-d", "x", Ws("/request"));
        Assert.Contains("Authorization=Basic dXNlcjpwdw==;", r.StdoutText);
    }

    [Fact]
    public async Task A_Sec_WebSocket_Protocol_header_offers_subprotocols()
    {
        CliResult r = await CliRunner.RunAsync("-H", "Sec-WebSocket-Protocol: chat.v9, chat.v1", "-d", "x", Ws("/request"));
        Assert.Contains("Protocol=chat.v1;", r.StdoutText);
    }

    [Fact]
    public async Task A_Set_Cookie_of_the_101_is_written_to_the_cookie_jar()
    {
        using TempFile jar = CliRunner.Temp();
        await CliRunner.RunAsync("-c", jar.Path, Ws("/binary"));
        Assert.Contains("\tseen\tyes", System.IO.File.ReadAllText(jar.Path));
    }
}

/// <summary>wss:// with a certificate made at test time.</summary>
public sealed class WebSocketTlsCliTests : IAsyncLifetime
{
    private readonly X509Certificate2 _ca = TestCertificates.CreateAuthority();
    private WsKestrel _server = null!;
    private TempFile _caFile = null!;

    public async Task InitializeAsync()
    {
        _server = await WsKestrel.StartAsync(TestCertificates.CreateServer(_ca, "tls.test"));
        _caFile = CliRunner.Temp(Encoding.ASCII.GetBytes(_ca.ExportCertificatePem()));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _caFile.Dispose();
    }

    private string[] Args(params string[] more) => [.. more, "--resolve", $"tls.test:{_server.Port}:127.0.0.1", $"wss://tls.test:{_server.Port}/echo"];

    [Fact]
    public async Task Wss_with_cacert_echoes()
    {
        CliResult r = await CliRunner.RunAsync(Args("--cacert", _caFile.Path, "-d", "secure"));
        Assert.Equal((0, "secure\n"), (r.ExitCode, r.StdoutText));
    }

    [Fact]
    public async Task Wss_to_an_untrusted_certificate_is_60()
    {
        CliResult r = await CliRunner.RunAsync(Args("-d", "secure"));
        Assert.Equal(60, r.ExitCode);
    }

    [Fact]
    public async Task Wss_with_k_skips_verification()
    {
        CliResult r = await CliRunner.RunAsync(Args("-k", "-d", "secure"));
        Assert.Equal((0, "secure\n"), (r.ExitCode, r.StdoutText));
    }
}

/// <summary>
/// Kestrel with WebSockets on 127.0.0.1 for thttp. Routes: <c>/echo</c> echoes every message; <c>/binary</c> sends
/// <see cref="BinaryMessage"/> and closes with 1000 (its 101 sets the cookie <c>seen=yes</c>); <c>/push</c> sends
/// <c>tick</c> and waits; <c>/fail</c> closes with 1011 "boom"; <c>/request</c> sends the handshake's Cookie,
/// Authorization and chosen subprotocol as one text message, then echoes; <c>/forbidden</c> is 403; <c>/moved</c> is 302 to <c>/echo</c>.
/// <see cref="ClientClose"/> is the close status the client sent.
/// </summary>
internal sealed class WsKestrel : IAsyncDisposable
{
    public static readonly byte[] BinaryMessage = [0x01, 0x00, 0xFE, 0x0A, 0x0D];

    private readonly WebApplication _app;
    private int _requests;

    private WsKestrel(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The number of requests the server saw.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The close status of the client's close frame (the last WebSocket's).</summary>
    public TaskCompletionSource<WebSocketCloseStatus?> ClientClose { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<WsKestrel> StartAsync(X509Certificate2? certificate = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddWebSockets(_ => { });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        WebApplication app = builder.Build();
        WsKestrel? self = null;
        app.UseWebSockets();
        app.Run(context => self!.HandleAsync(context));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new WsKestrel(app, new Uri(address).Port);
        return self;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        string path = context.Request.Path.Value ?? "/";
        if (path == "/moved")
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/echo";
            return;
        }
        if (path == "/forbidden" || !context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("no entry here");
            return;
        }
        if (path == "/binary")
        {
            context.Response.Headers.SetCookie = "seen=yes; Path=/";
        }
        string? subProtocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault(p => p == "chat.v1");
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
        CancellationToken aborted = context.RequestAborted;
        switch (path)
        {
            case "/binary":
                await socket.SendAsync(BinaryMessage, WebSocketMessageType.Binary, true, aborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", aborted);
                await DrainAsync(socket, echo: false, aborted);
                return;
            case "/push":
                await socket.SendAsync("tick"u8.ToArray(), WebSocketMessageType.Text, true, aborted);
                await DrainAsync(socket, echo: false, aborted);
                return;
            case "/fail":
                await socket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, "boom", aborted);
                await DrainAsync(socket, echo: false, aborted);
                return;
            case "/request":
                string fields = $"Cookie={context.Request.Headers.Cookie};Authorization={context.Request.Headers.Authorization};Protocol={subProtocol};";
                await socket.SendAsync(Encoding.UTF8.GetBytes(fields), WebSocketMessageType.Text, true, aborted);
                await DrainAsync(socket, echo: true, aborted);
                return;
            default:
                await DrainAsync(socket, echo: true, aborted);
                return;
        }
    }

    /// <summary>Receives (echoing when asked) until the client's close frame, records its status and answers it.</summary>
    private async Task DrainAsync(WebSocket socket, bool echo, CancellationToken aborted)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), aborted);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClientClose.TrySetResult(result.CloseStatus);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", aborted);
                    }
                    return;
                }
                if (echo)
                {
                    await socket.SendAsync(new ArraySegment<byte>(buffer, 0, count), result.MessageType, true, aborted);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            ClientClose.TrySetResult(null); // the client went away without a close frame
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
