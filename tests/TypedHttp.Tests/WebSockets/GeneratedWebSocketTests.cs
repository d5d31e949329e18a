using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Engine;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.WebSockets.WebSocketTest;

namespace TypedHttp.Tests.WebSockets;

public sealed record ChatMessage(string Text, decimal Amount, DateTimeOffset At);

/// <summary>What the server saw of a handshake, sent back as its first message.</summary>
public sealed record SeenHandshake(string Path, string Query, string? Client, string? Tenant, string? Authorization, string? SubProtocol);

[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(SeenHandshake))]
internal sealed partial class ChatJson : JsonSerializerContext
{
}

[Headers("X-Client: typed-tests")]
public interface IChatApi
{
    [WebSocket("/rooms/{room}/chat", SubProtocols = new[] { "chat.v9", "chat" })]
    Task<WebSocket> JoinAsync(string room, [Header("X-Tenant")] string tenant, [Authorize] string token, decimal price, CancellationToken cancellationToken = default);

    [WebSocket("/echo")]
    Task<WebSocketChannel<ChatMessage, ChatMessage>> EchoAsync(CancellationToken cancellationToken = default);

    [WebSocket("/bad-json")]
    Task<WebSocketChannel<ChatMessage, ChatMessage>> BadJsonAsync(CancellationToken cancellationToken = default);

    [WebSocket("/big", MaxMessageBytes = 4096)]
    Task<WebSocketChannel<ChatMessage, ChatMessage>> BigAsync(CancellationToken cancellationToken = default);

    [WebSocket("/closing")]
    Task<WebSocketChannel<ChatMessage, ChatMessage>> ClosingAsync(CancellationToken cancellationToken = default);

    [WebSocket("/forbidden")]
    Task<WebSocket> ForbiddenAsync(CancellationToken cancellationToken = default);

    [WebSocket("/binary")]
    Task<WebSocketChannel<ChatMessage, ChatMessage>> BinaryAsync(CancellationToken cancellationToken = default);

    [WebSocket("/silent")]
    [Timeout(300)]
    Task<WebSocket> SilentAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Generated <c>[WebSocket]</c> methods end to end against Kestrel's WebSockets, on the engine and on the HttpClient
/// transport (WS-12…WS-17), under the de-DE culture where numbers and dates are written otherwise.
/// </summary>
public sealed class GeneratedWebSocketTests
{
    public static TheoryData<string> Transports => new() { "engine", "HttpClient" };

    /// <summary>A client of <see cref="IChatApi"/> on the named transport, disposing what it made.</summary>
    private sealed class Client : IDisposable
    {
        private readonly IDisposable _owned;

        public Client(string transport, ChatKestrel server)
            : this(transport, server.BaseAddress)
        {
        }

        public Client(string transport, Uri baseAddress)
        {
            var options = new TypedHttpClientOptions { BaseAddress = baseAddress, JsonSerializerOptions = ChatJson.Default.Options };
            if (transport == "engine")
            {
                HttpSession session = Session();
                options.Session = session;
                _owned = session;
            }
            else
            {
                var client = new HttpClient(new SocketsHttpHandler());
                options.Transport = new HttpClientTransport(client);
                _owned = client;
            }
            Api = TypedHttpClient.Create<IChatApi>(options);
        }

        public IChatApi Api { get; }

        public void Dispose() => _owned.Dispose();
    }

    /// <summary>Runs <paramref name="test"/> with de-DE as the current culture (decimal comma, other date order).</summary>
    private static async Task InGermanAsync(Func<Task> test)
    {
        CultureInfo culture = CultureInfo.CurrentCulture, uiCulture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            await test();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_12_route_query_interface_header_header_parameter_and_Authorize_arrive_with_the_handshake(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        SeenHandshake? seen = null;
        await InGermanAsync(async () =>
        {
            using WebSocket socket = await client.Api.JoinAsync("lobby 1", "acme", "tok-1", 1.5m, Deadline());
            seen = JsonSerializer.Deserialize(await socket.ReceiveTextAsync(), ChatJson.Default.SeenHandshake);
        });
        Assert.Equal(new SeenHandshake("/rooms/lobby 1/chat", "?price=1.5", "typed-tests", "acme", "Bearer tok-1", "chat"), seen);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_12_the_subprotocol_the_server_picks_from_the_attributes_is_the_WebSockets(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        using WebSocket socket = await client.Api.JoinAsync("r", "acme", "tok", 1m, Deadline());
        Assert.Equal("chat", socket.SubProtocol);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_14_records_round_trip_through_the_typed_channel_under_de_DE(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        ChatMessage[] sent =
        {
            new("hallo", 1234.5m, new DateTimeOffset(2026, 12, 8, 4, 5, 6, TimeSpan.FromHours(1))),
            new("grüße ✓", -0.25m, new DateTimeOffset(2027, 1, 31, 23, 59, 0, TimeSpan.Zero)),
        };
        var received = new List<ChatMessage>();
        await InGermanAsync(async () =>
        {
            await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.EchoAsync(Deadline());
            foreach (ChatMessage message in sent)
            {
                await channel.SendAsync(message, Deadline());
            }
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                received.Add(message);
                if (received.Count == sent.Length)
                {
                    break;
                }
            }
        });
        Assert.Equal(sent, received);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_14_messages_are_JSON_text_through_the_context(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.EchoAsync(Deadline());
        await channel.SendAsync(new ChatMessage("a", 2.5m, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)), Deadline());
        Assert.Equal("""{"Text":"a","Amount":2.5,"At":"2026-01-02T03:04:05+00:00"}""", await server.NextTextAsync());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_15_a_message_that_is_not_valid_JSON_for_TReceive_names_the_type_and_the_path(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.BadJsonAsync(Deadline());
        JsonException e = await Assert.ThrowsAsync<JsonException>(async () =>
        {
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                Assert.Fail($"A message was read: {message}");
            }
        });
        Assert.Contains("'TypedHttp.Tests.WebSockets.ChatMessage' at $.Text", e.Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_15_after_a_message_that_is_not_valid_JSON_the_next_one_is_read(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.BadJsonAsync(Deadline());
        await Assert.ThrowsAsync<JsonException>(async () =>
        {
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                Assert.Fail($"A message was read: {message}");
            }
        });
        ChatMessage next = await channel.ReadAllAsync(Deadline()).FirstAsync();
        Assert.Equal("after the bad one", next.Text);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_16_a_message_above_MaxMessageBytes_is_a_WebSocketException_naming_the_limit(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.BigAsync(Deadline());
        WebSocketException e = await Assert.ThrowsAsync<WebSocketException>(async () =>
        {
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                Assert.Fail($"A message was read: {message}");
            }
        });
        Assert.Contains("larger than the limit of 4096 bytes", e.Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_16_a_message_above_MaxMessageBytes_is_refused_with_close_code_1009(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.BigAsync(Deadline());
        await Assert.ThrowsAsync<WebSocketException>(async () =>
        {
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                Assert.Fail($"A message was read: {message}");
            }
        });
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await server.ClientCloseStatus.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_17_the_servers_close_ends_ReadAllAsync_and_its_status_and_description_are_visible(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.ClosingAsync(Deadline());
        int read = 0;
        await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
        {
            read++;
        }
        Assert.Equal((1, (WebSocketCloseStatus)4001, "room closed"), (read, channel.CloseStatus, channel.CloseStatusDescription));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_17_CloseAsync_completes_the_close_handshake_with_the_clients_status(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.EchoAsync(Deadline());
        await channel.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure), (channel.State, await server.ClientCloseStatus.WaitAsync(TimeSpan.FromSeconds(20))));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_13_a_refused_handshake_is_WebSocketHandshakeFailed_with_its_status(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        TypedHttpException e = await EngineTest.AssertFailsAsync(HttpError.WebSocketHandshakeFailed, HttpPhase.ReceiveHeaders,
            () => client.Api.ForbiddenAsync(Deadline()));
        Assert.Equal(403, e.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_13_a_refused_handshake_carries_the_answers_headers(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => client.Api.ForbiddenAsync(Deadline()));
        Assert.Equal("members-only", e.ResponseHeaders?.GetValue("X-Reason"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_16_a_binary_message_is_refused_with_close_code_1003(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.BinaryAsync(Deadline());
        await Assert.ThrowsAsync<WebSocketException>(async () =>
        {
            await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
            {
                Assert.Fail($"A message was read: {message}");
            }
        });
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await server.ClientCloseStatus.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_14_sends_from_many_callers_at_once_each_arrive_as_one_whole_message(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        await using WebSocketChannel<ChatMessage, ChatMessage> channel = await client.Api.EchoAsync(Deadline());
        DateTimeOffset at = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);
        string[] texts = Enumerable.Range(0, 40).Select(i => new string((char)('a' + (i % 26)), 100 + (i * 97))).ToArray();
        await Task.WhenAll(texts.Select(text => Task.Run(async () => await channel.SendAsync(new ChatMessage(text, 1m, at), Deadline()))));
        var received = new List<string>();
        await foreach (ChatMessage message in channel.ReadAllAsync(Deadline()))
        {
            received.Add(message.Text);
            if (received.Count == texts.Length)
            {
                break;
            }
        }
        Assert.Equal(texts.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_13_a_port_nobody_listens_on_is_CannotConnect_on_both_transports(string transport)
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var client = new Client(transport, new Uri($"http://127.0.0.1:{port}/"));
        await EngineTest.AssertFailsAsync(HttpError.CannotConnect, HttpPhase.Connect, () => client.Api.ForbiddenAsync(Deadline()));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task WS_12_the_methods_Timeout_bounds_a_handshake_the_server_never_answers(string transport)
    {
        await using ChatKestrel server = await ChatKestrel.StartAsync();
        using var client = new Client(transport, server);
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => client.Api.SilentAsync(Deadline()));
        Assert.Equal(HttpError.Timeout, e.Error);
    }
}

/// <summary>
/// Kestrel with WebSockets for the generated clients. <c>/rooms/{room}/chat</c> picks the subprotocol <c>chat</c> when
/// offered and sends what it saw of the handshake as JSON; <c>/echo</c> echoes text messages; <c>/bad-json</c> sends a
/// message whose <c>Text</c> is a number, then a valid one; <c>/big</c> sends a 5000-byte message; <c>/closing</c> sends
/// one message and closes with 4001 "room closed"; <c>/binary</c> sends a binary message; <c>/forbidden</c> answers 403;
/// <c>/silent</c> never answers. Each route records the status of the
/// client's close and the text messages it receives.
/// </summary>
internal sealed class ChatKestrel : LoopbackKestrelHost
{
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _clientClose = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Threading.Channels.Channel<string> _texts = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private ChatKestrel(WebApplication app, int port)
        : base(app, port, https: false)
    {
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The status of the client's close frame, once one arrived.</summary>
    public Task<WebSocketCloseStatus?> ClientCloseStatus => _clientClose.Task;

    /// <summary>The next text message the server received.</summary>
    public async Task<string> NextTextAsync() => await _texts.Reader.ReadAsync(Deadline());

    public static async Task<ChatKestrel> StartAsync()
    {
        WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder();
        builder.Services.AddWebSockets(_ => { });
        WebApplication app = builder.Build();
        ChatKestrel? self = null;
        app.UseWebSockets();
        app.Run(context => self!.HandleAsync(context));
        self = new ChatKestrel(app, await LoopbackKestrel.StartAsync(app));
        return self;
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        CancellationToken aborted = context.RequestAborted;
        if (path == "/forbidden")
        {
            context.Response.StatusCode = 403;
            context.Response.Headers["X-Reason"] = "members-only";
            await context.Response.WriteAsync("no entry", aborted);
            return;
        }
        if (path == "/silent")
        {
            // Never answers the handshake (until the client gives up).
            await Task.Delay(Timeout.Infinite, aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        string? subProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains("chat") ? "chat" : null;
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
        if (path.StartsWith("/rooms/", StringComparison.Ordinal))
        {
            var seen = new SeenHandshake(path, context.Request.QueryString.Value ?? string.Empty, context.Request.Headers["X-Client"].FirstOrDefault(),
                context.Request.Headers["X-Tenant"].FirstOrDefault(), context.Request.Headers.Authorization.FirstOrDefault(), subProtocol);
            await SendAsync(socket, JsonSerializer.Serialize(seen, ChatJson.Default.SeenHandshake), aborted);
        }
        else if (path == "/bad-json")
        {
            await SendAsync(socket, """{"Text":5,"Amount":1,"At":"2026-01-01T00:00:00Z"}""", aborted);
            await SendAsync(socket, """{"Text":"after the bad one","Amount":1,"At":"2026-01-01T00:00:00Z"}""", aborted);
        }
        else if (path == "/big")
        {
            await SendAsync(socket, "{\"Text\":\"" + new string('x', 5000) + "\",\"Amount\":1,\"At\":\"2026-01-01T00:00:00Z\"}", aborted);
        }
        else if (path == "/binary")
        {
            await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, aborted);
        }
        else if (path == "/closing")
        {
            await SendAsync(socket, """{"Text":"last words","Amount":0,"At":"2026-01-01T00:00:00Z"}""", aborted);
            await socket.CloseOutputAsync((WebSocketCloseStatus)4001, "room closed", aborted);
        }
        byte[] buffer = new byte[64 * 1024];
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
                _clientClose.TrySetResult(result.CloseStatus);
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "bye", aborted);
                }
                return;
            }
            string text = Encoding.UTF8.GetString(buffer, 0, count);
            _texts.Writer.TryWrite(text);
            if (path == "/echo")
            {
                await SendAsync(socket, text, aborted);
            }
        }
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
