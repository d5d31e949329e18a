using System;
using System.Linq;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Extensions.Tests;

public sealed record RoomEvent(string Room, string? Tenant, string? Handler, string? Authorization, string Text);

[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(string))]
public sealed partial class RoomJsonContext : JsonSerializerContext;

public interface IRoomApi
{
    [WebSocket("/rooms/{room}")]
    Task<WebSocketChannel<string, RoomEvent>> JoinAsync(string room, [Header("X-Tenant")] string tenant, CancellationToken cancellationToken = default);
}

/// <summary>
/// Generated <c>[WebSocket]</c> methods of clients resolved from dependency injection (WS-12): on the engine session of
/// the registration and on the named HttpClient (whose handlers carry the handshake), with an access-token provider.
/// </summary>
public sealed class WebSocketTransportTests
{
    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    /// <summary>Adds <c>X-Handler: seen</c> to what it sends: proof that the named client's handlers ran.</summary>
    private sealed class MarkingHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("X-Handler", "seen");
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class FixedTokenProvider : IAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(TypedHttpRequest request, CancellationToken cancellationToken) => new("token-7");
    }

    private static async Task<RoomEvent> FirstEventAsync(IServiceProvider provider)
    {
        IRoomApi api = provider.GetRequiredService<IRoomApi>();
        await using WebSocketChannel<string, RoomEvent> channel = await api.JoinAsync("blue", "acme", Deadline());
        await channel.SendAsync("hi", Deadline());
        RoomEvent first = await channel.ReadAllAsync(Deadline()).FirstAsync(Deadline());
        await channel.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Deadline());
        return first;
    }

    [Fact]
    public async Task WS_12_a_WebSocket_method_of_a_DI_client_runs_on_the_registrations_engine_session()
    {
        await using RoomServer server = await RoomServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IRoomApi>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = RoomJsonContext.Default.Options;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(new RoomEvent("blue", "acme", null, null, "hi"), await FirstEventAsync(provider));
    }

    [Fact]
    public async Task WS_12_a_WebSocket_method_of_a_DI_client_runs_through_the_named_HttpClients_handlers()
    {
        await using RoomServer server = await RoomServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IRoomApi>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = RoomJsonContext.Default.Options;
        }).UseHttpClient(http => http.AddHttpMessageHandler(() => new MarkingHandler()));
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(new RoomEvent("blue", "acme", "seen", null, "hi"), await FirstEventAsync(provider));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WS_12_the_access_token_provider_authorizes_the_handshake(bool useHttpClient)
    {
        await using RoomServer server = await RoomServer.StartAsync();
        var services = new ServiceCollection();
        TypedHttpClientBuilder builder = services.AddTypedHttpClient<IRoomApi>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = RoomJsonContext.Default.Options;
        }).AddAccessTokenProvider<FixedTokenProvider>();
        if (useHttpClient)
        {
            builder.UseHttpClient();
        }
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal("Bearer token-7", (await FirstEventAsync(provider)).Authorization);
    }

    /// <summary>Kestrel with WebSockets: <c>/rooms/{room}</c> answers each text message with a <see cref="RoomEvent"/> showing the handshake.</summary>
    private sealed class RoomServer : LoopbackKestrelHost
    {
        private RoomServer(WebApplication app, int port)
            : base(app, port, https: false)
        {
        }

        public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

        public static async Task<RoomServer> StartAsync()
        {
            WebApplicationBuilder builder = LoopbackKestrel.CreateBuilder();
            builder.Services.AddWebSockets(_ => { });
            WebApplication app = builder.Build();
            app.UseWebSockets();
            app.Run(HandleAsync);
            return new RoomServer(app, await LoopbackKestrel.StartAsync(app));
        }

        private static async Task HandleAsync(HttpContext context)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }
            string room = (context.Request.Path.Value ?? "/").Split('/').Last();
            string? tenant = context.Request.Headers["X-Tenant"].FirstOrDefault();
            string? handler = context.Request.Headers["X-Handler"].FirstOrDefault();
            string? authorization = context.Request.Headers.Authorization.FirstOrDefault();
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[16 * 1024];
            while (true)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }
                string text = System.Text.Json.JsonSerializer.Deserialize(buffer.AsSpan(0, result.Count), RoomJsonContext.Default.String)!;
                var reply = new RoomEvent(room, tenant, handler, authorization, text);
                await socket.SendAsync(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(reply, RoomJsonContext.Default.RoomEvent)), WebSocketMessageType.Text, true, context.RequestAborted);
            }
        }
    }
}
