using System;
using System.Linq;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.WebSockets;

/// <summary>Helpers for the WebSocket tests: a session, message round trips, the handshake's fields for scripted servers.</summary>
internal static class WebSocketTest
{
    /// <summary>A session with short timeouts; every host name resolves to 127.0.0.1.</summary>
    public static HttpSession Session(Action<HttpSessionOptions>? configure = null) => Engine.EngineTest.LoopbackSession(configure);

    /// <summary>A token that ends a stuck test after 20 s instead of hanging the run.</summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    public static Task SendTextAsync(this WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, Deadline());

    /// <summary>Receives one whole message as text.</summary>
    public static async Task<string> ReceiveTextAsync(this WebSocket socket)
    {
        CancellationToken deadline = Deadline();
        byte[] buffer = new byte[64 * 1024];
        var text = new System.IO.MemoryStream();
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), deadline);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return $"<close {socket.CloseStatus} {socket.CloseStatusDescription}>";
            }
            text.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(text.ToArray());
            }
        }
    }

    /// <summary>The Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2), computed here independently of the engine.</summary>
    public static string Accept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    /// <summary>A valid 101 for <paramref name="request"/>, with <paramref name="extra"/> fields (each ending in CRLF).</summary>
    public static string SwitchingProtocols(ScriptedRequest request, string extra = "") =>
        $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {Accept(request.Header("Sec-WebSocket-Key")!)}\r\n{extra}\r\n";

    /// <summary>An unmasked server frame (FIN set) with a payload under 126 bytes.</summary>
    public static byte[] ServerFrame(byte opcode, byte[] payload)
    {
        byte[] frame = new byte[2 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)payload.Length;
        payload.CopyTo(frame, 2);
        return frame;
    }

    public static byte[] Concat(string head, byte[] tail) => [.. Encoding.Latin1.GetBytes(head), .. tail];
}

/// <summary>
/// Kestrel with WebSockets on 127.0.0.1 (plain or TLS). Routes: <c>/echo</c> echoes every message and picks the first of
/// <c>chat.v2</c>, <c>chat.v1</c> the client offers, compressing when asked; <c>/basic</c> wants
/// <c>Authorization: Basic</c> (401 before); <c>/cookie</c> sets a cookie on the 101; <c>/cookie-echo</c> sends the
/// request's Cookie field as its first message; <c>/forbidden</c> is 403 with a body; <c>/moved</c> is 302 to
/// <c>/echo</c>; <c>/protocol</c> sends <c>&lt;protocol&gt; conn=&lt;connection id&gt;</c> first, then echoes; <c>/plain</c> is
/// a plain request answered with the same text.
/// </summary>
internal sealed class WebSocketKestrel : LoopbackKestrelHost
{
    private int _requests;

    private WebSocketKestrel(WebApplication app, int port, bool https)
        : base(app, port, https)
    {
    }

    /// <summary>The number of requests the server saw.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The Authorization value of the last request to /basic, or null.</summary>
    public string? LastAuthorization { get; private set; }

    public const string BasicAuthorization = "Basic dXNlcjpwdw=="; // user:pw

    public static async Task<WebSocketKestrel> StartAsync(X509Certificate2? certificate = null, HttpProtocols? protocols = null)
    {
        WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder(listen =>
        {
            if (protocols is { } p)
            {
                listen.Protocols = p;
            }
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        });
        builder.Services.AddWebSockets(_ => { });
        WebApplication app = builder.Build();
        WebSocketKestrel? self = null;
        app.UseWebSockets();
        app.Run(context => self!.HandleAsync(context));
        self = new WebSocketKestrel(app, await LoopbackKestrel.StartAsync(app), certificate is not null);
        return self;
    }

    public Uri Uri(string path, string host = "127.0.0.1") => new($"{(IsHttps ? "wss" : "ws")}://{host}:{Port}{path}");

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        string path = context.Request.Path.Value ?? "/";
        if (path == "/forbidden")
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("no entry here");
            return;
        }
        if (path == "/plain")
        {
            await context.Response.WriteAsync($"{context.Request.Protocol} conn={context.Connection.Id}");
            return;
        }
        if (path == "/moved")
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/echo";
            return;
        }
        if (path == "/basic")
        {
            LastAuthorization = context.Request.Headers.Authorization.ToString();
            if (LastAuthorization != BasicAuthorization)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"ws\"";
                await context.Response.WriteAsync("who are you");
                return;
            }
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("not a WebSocket request");
            return;
        }
        if (path == "/cookie")
        {
            context.Response.Headers.SetCookie = "room=blue; Path=/";
        }
        string? subProtocol = new[] { "chat.v2", "chat.v1" }.FirstOrDefault(p => context.WebSockets.WebSocketRequestedProtocols.Contains(p));
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = subProtocol, DangerousEnableCompression = true });
        if (path == "/protocol")
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{context.Request.Protocol} conn={context.Connection.Id}"), WebSocketMessageType.Text, true, context.RequestAborted);
        }
        if (path == "/cookie-echo")
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(context.Request.Headers.Cookie.ToString()), WebSocketMessageType.Text, true, context.RequestAborted);
        }
        byte[] buffer = new byte[256 * 1024];
        while (true)
        {
            int count = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), context.RequestAborted);
                count += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }
            await socket.SendAsync(new ArraySegment<byte>(buffer, 0, count), result.MessageType, true, context.RequestAborted);
        }
    }
}
