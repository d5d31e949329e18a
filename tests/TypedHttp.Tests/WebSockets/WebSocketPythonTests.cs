using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Threading.Tasks;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

/// <summary>
/// An implementation nobody here wrote: Python's <c>websockets</c> (Debian package <c>python3-websockets</c>) as an echo
/// server with permessage-deflate, started from a script written into a temp folder, on 127.0.0.1. Without the package
/// these tests fail, naming it: CI installs it.
/// </summary>
public sealed class WebSocketPythonTests
{
    [Fact]
    public async Task WS_5_Python_websockets_accepts_permessage_deflate()
    {
        await using PythonEchoServer server = await PythonEchoServer.StartAsync();
        var heads = new ConcurrentQueue<HttpTraceEvent>();
        using HttpSession session = Session(o => o.TraceListener = e => { if (e.Kind == HttpTraceEventKind.HeadersReceived) { heads.Enqueue(e); } });
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri, new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions() }, Deadline());
        Assert.StartsWith("permessage-deflate", heads.Single().Headers!.GetValue("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task WS_5_a_large_text_message_round_trips_through_Python_websockets_with_deflate()
    {
        await using PythonEchoServer server = await PythonEchoServer.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri, new WebSocketConnectOptions { DeflateOptions = new WebSocketDeflateOptions() }, Deadline());
        string message = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i % 17}; "));
        await socket.SendTextAsync(message);
        Assert.Equal(message, await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task WS_4_Python_websockets_picks_the_subprotocol_it_supports()
    {
        await using PythonEchoServer server = await PythonEchoServer.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri, new WebSocketConnectOptions { SubProtocols = { "other", "echo.v1" } }, Deadline());
        Assert.Equal("echo.v1", socket.SubProtocol);
    }

    [Fact]
    public async Task WS_8_the_close_handshake_with_Python_websockets_ends_in_state_Closed()
    {
        await using PythonEchoServer server = await PythonEchoServer.StartAsync();
        using HttpSession session = Session();
        using WebSocket socket = await session.ConnectWebSocketAsync(server.Uri, cancellationToken: Deadline());
        await socket.SendTextAsync("before closing");
        await socket.ReceiveTextAsync();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure), (socket.State, socket.CloseStatus));
    }
}

/// <summary>The echo server script under Python's interpreter; the process is killed on dispose.</summary>
internal sealed class PythonEchoServer : IAsyncDisposable
{
    private const string Script = """
        import asyncio, sys
        try:
            import websockets
        except ImportError:
            print("missing", flush=True)
            sys.exit(3)

        async def echo(ws, path=None):
            async for message in ws:
                await ws.send(message)

        async def main():
            async with websockets.serve(echo, "127.0.0.1", 0, compression="deflate", subprotocols=["echo.v1"]) as server:
                print(server.sockets[0].getsockname()[1], flush=True)
                await asyncio.Future()

        asyncio.run(main())
        """;

    private readonly Process _process;
    private readonly string _folder;

    private PythonEchoServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Uri = new Uri($"ws://127.0.0.1:{port}/echo");
    }

    public Uri Uri { get; }

    /// <summary>
    /// Debian's interpreter, where <c>python3-websockets</c> installs its module (<c>/usr/bin/python3</c>), else the
    /// <c>python3</c> on PATH.
    /// </summary>
    private static string Interpreter => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static async Task<PythonEchoServer> StartAsync()
    {
        string folder = Directory.CreateTempSubdirectory("typedhttp-ws-").FullName;
        string script = Path.Combine(folder, "echo_server.py");
        await File.WriteAllTextAsync(script, Script);
        var start = new ProcessStartInfo(Interpreter, [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Python 3 could not be started ({Interpreter}): these tests need python3 and python3-websockets (Debian: apt-get install python3-websockets). {e.Message}", e);
        }
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (!int.TryParse(line, out int port))
        {
            string error = await process.StandardError.ReadToEndAsync();
            process.Kill(entireProcessTree: true);
            process.Dispose();
            Assert.Fail(line == "missing"
                ? $"Python's websockets module is missing for {Interpreter}: install the Debian package python3-websockets (apt-get install python3-websockets)."
                : $"The Python websockets echo server did not start (package python3-websockets): {line} {error}");
        }
        return new PythonEchoServer(process, folder, port);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
