using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// <c>[WebSocket]</c> methods (WS-12): the handshake request is built as any method's request and handed to the
/// transport's <see cref="HttpTransport.OpenWebSocketAsync"/>; typed channels get their JSON type information from the
/// context; misuse is a diagnostic at its place.
/// </summary>
public sealed class WebSocketTests : IClassFixture<WebSocketTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.Globalization;
        using System.Net.WebSockets;
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record ChatMessage(string Text);
        public sealed record ServerEvent(string Kind, int Seq);
        public sealed record Filter(string? Kind, int Limit);

        [JsonSerializable(typeof(ChatMessage))]
        [JsonSerializable(typeof(ServerEvent))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        [Headers("X-Client: typed")]
        public interface IChatApi
        {
            [WebSocket("/rooms/{room}/chat", SubProtocols = new[] { "chat.v2", "chat" })]
            Task<WebSocket> JoinAsync(string room, [Header("X-Tenant")] string tenant, [Authorize] string token, int? since = null, CancellationToken cancellationToken = default);

            [WebSocket("/rooms/{room}/events", MaxMessageBytes = 4096)]
            [Timeout(2500)]
            ValueTask<WebSocketChannel<ChatMessage, ServerEvent>> EventsAsync(string room, [Query] Filter filter);

            [WebSocket("/echo")]
            Task<WebSocketChannel<ChatMessage, ChatMessage>> EchoAsync();
        }

        [Headers("Authorization: Bearer")]
        public interface ISecureChatApi
        {
            [WebSocket("/secure")]
            Task<WebSocket> JoinAsync();
        }

        public static class Scenario
        {
            public static async Task<string> SecureJoin(TypedHttpClientOptions options)
            {
                options.AuthorizationHeaderValueGetter = (request, cancellationToken) => Task.FromResult("from-getter");
                WebSocket socket = await TypedHttpClient.Create<ISecureChatApi>(options).JoinAsync();
                return socket.State.ToString();
            }

            public static async Task<string> Join(TypedHttpClientOptions options)
            {
                WebSocket socket = await TypedHttpClient.Create<IChatApi>(options).JoinAsync("lobby 1", "acme", "tok", 7);
                return socket.State.ToString();
            }

            public static async Task<string> Events(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                WebSocketChannel<ChatMessage, ServerEvent> channel = await TypedHttpClient.Create<IChatApi>(options).EventsAsync("r", new Filter("join", 3));
                return channel.MaxMessageBytes.ToString(CultureInfo.InvariantCulture);
            }

            public static async Task<string> Echo(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                options.MaxWebSocketMessageBytes = 777;
                WebSocketChannel<ChatMessage, ChatMessage> channel = await TypedHttpClient.Create<IChatApi>(options).EchoAsync();
                return channel.MaxMessageBytes.ToString(CultureInfo.InvariantCulture);
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public WebSocketTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    /// <summary>A handshake as the transport received it.</summary>
    private sealed record Handshake(string Method, string Uri, IReadOnlyList<KeyValuePair<string, string>> Headers, IReadOnlyList<string> SubProtocols, TimeSpan HandshakeTimeout);

    /// <summary>Records each handshake and answers with a WebSocket over an empty stream.</summary>
    private sealed class HandshakeRecorder : HttpTransport
    {
        public List<Handshake> Handshakes { get; } = new();

        public override ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A [WebSocket] method sent a request instead of opening a WebSocket.");

        public override Task<WebSocket> OpenWebSocketAsync(TypedHttpRequest request, WebSocketConnectOptions? options = null, CancellationToken cancellationToken = default)
        {
            Handshakes.Add(new Handshake(request.Method, request.Uri.AbsoluteUri, request.Headers.ToList(), options?.SubProtocols.ToList() ?? new List<string>(), options?.HandshakeTimeout ?? Timeout.InfiniteTimeSpan));
            return Task.FromResult(WebSocket.CreateFromStream(new MemoryStream(), isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan));
        }
    }

    private async Task<(Handshake Handshake, string Result)> RunAsync(string scenario)
    {
        var transport = new HandshakeRecorder();
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/api/"), Transport = transport };
        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", scenario, options);
        return (Assert.Single(transport.Handshakes), result);
    }

    [Fact]
    public async Task WS_12_the_handshake_is_a_GET_to_the_route_with_its_query()
    {
        (Handshake handshake, _) = await RunAsync("Join");
        Assert.Equal(("GET", "http://example.test/api/rooms/lobby%201/chat?since=7"), (handshake.Method, handshake.Uri));
    }

    [Fact]
    public async Task WS_12_interface_headers_header_parameters_and_Authorize_go_into_the_handshake()
    {
        (Handshake handshake, _) = await RunAsync("Join");
        Assert.Equal(
            new[] { "X-Client: typed", "X-Tenant: acme", "Authorization: Bearer tok" },
            handshake.Headers.Select(h => h.Key + ": " + h.Value).ToArray());
    }

    [Fact]
    public async Task WS_12_a_constant_Authorization_scheme_takes_its_credentials_from_the_options_getter()
    {
        (Handshake handshake, _) = await RunAsync("SecureJoin");
        Assert.Equal("Bearer from-getter", handshake.Headers.Single(h => h.Key == "Authorization").Value);
    }

    [Fact]
    public async Task WS_12_the_attributes_subprotocols_are_offered_in_order()
    {
        (Handshake handshake, _) = await RunAsync("Join");
        Assert.Equal(new[] { "chat.v2", "chat" }, handshake.SubProtocols);
    }

    [Fact]
    public async Task WS_12_a_method_returning_WebSocket_returns_the_transports_WebSocket()
    {
        (_, string state) = await RunAsync("Join");
        Assert.Equal("Open", state);
    }

    [Fact]
    public async Task WS_12_a_Query_object_is_flattened_into_the_handshakes_query()
    {
        (Handshake handshake, _) = await RunAsync("Events");
        Assert.Equal("http://example.test/api/rooms/r/events?Kind=join&Limit=3", handshake.Uri);
    }

    [Fact]
    public async Task WS_12_the_methods_Timeout_bounds_the_handshake()
    {
        (Handshake handshake, _) = await RunAsync("Events");
        Assert.Equal(TimeSpan.FromMilliseconds(2500), handshake.HandshakeTimeout);
    }

    [Fact]
    public async Task WS_12_without_a_timeout_the_handshake_has_none_beyond_the_transports()
    {
        (Handshake handshake, _) = await RunAsync("Echo");
        Assert.Equal(Timeout.InfiniteTimeSpan, handshake.HandshakeTimeout);
    }

    [Fact]
    public async Task WS_16_MaxMessageBytes_of_the_attribute_sets_the_channels_limit()
    {
        (_, string limit) = await RunAsync("Events");
        Assert.Equal("4096", limit);
    }

    [Fact]
    public async Task WS_16_without_MaxMessageBytes_the_channel_takes_the_options_limit()
    {
        (_, string limit) = await RunAsync("Echo");
        Assert.Equal("777", limit);
    }

    [Fact]
    public void The_generated_WebSocket_methods_match_the_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(UserSource, withJsonGenerator: true).AssertNoGeneratorDiagnostics().AssertCompiles();
        Snapshot.Match(run.Clients.Single(c => c.Source.Contains("IChatApi", StringComparison.Ordinal)).Source, "WebSockets");
    }

    // ---------------------------------------------------------------- diagnostics

    /// <summary>Runs the generator over <paramref name="markup"/> and checks that it reports exactly one diagnostic, at the marked span.</summary>
    private static Diagnostic Expect(string id, DiagnosticSeverity severity, string markup, string messageFragment, bool withJsonGenerator = false)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(GeneratorHarness.Usings + "using System.IO;\nusing System.Net.WebSockets;\nusing System.Text.Json.Serialization;\n" + markup);
        GeneratorRun run = GeneratorHarness.Run(source, withJsonGenerator).AssertCompiles();
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal((id, severity), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal(source.Substring(span.Start, span.Length), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains(messageFragment, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        if (severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(run.Clients);
        }
        return diagnostic;
    }

    [Fact]
    public void THTTP041_WebSocket_with_an_HTTP_method_attribute() => Expect("THTTP041", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [Get("/chat")]
            [[|WebSocket("/chat")|]]
            Task<WebSocket> JoinAsync();
        }
        """, "both [WebSocket] and an HTTP method attribute");

    [Fact]
    public void THTTP042_body_parameter_on_a_WebSocket_method() => Expect("THTTP042", DiagnosticSeverity.Error, """
        public sealed record Hello(string Name);

        public interface IApi
        {
            [WebSocket("/chat")]
            Task<WebSocket> JoinAsync([Body] Hello [|hello|]);
        }
        """, "parameter 'hello' is [Body]");

    [Fact]
    public void THTTP042_form_body_on_a_WebSocket_method() => Expect("THTTP042", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat")]
            Task<WebSocket> JoinAsync([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> [|fields|]);
        }
        """, "parameter 'fields' is [Body]");

    [Fact]
    public void THTTP042_Multipart_WebSocket_method() => Expect("THTTP042", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat")]
            [[|Multipart|]]
            Task<WebSocket> JoinAsync(string name);
        }
        """, "it is [Multipart]");

    [Fact]
    public void THTTP043_WebSocket_method_returning_a_string() => Expect("THTTP043", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat")]
            [|Task<string>|] JoinAsync();
        }
        """, "returning 'Task<string>'");

    [Fact]
    public void THTTP043_WebSocket_method_returning_WebSocket_without_a_task() => Expect("THTTP043", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat")]
            [|WebSocket|] Join();
        }
        """, "return Task<WebSocket>");

    [Fact]
    public void THTTP043_channel_whose_message_type_cannot_be_JSON() => Expect("THTTP043", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat")]
            [|Task<WebSocketChannel<string, Stream>>|] JoinAsync();
        }
        """, "message type 'Stream' cannot be JSON");

    [Fact]
    public void THTTP044_channel_message_type_not_in_any_json_context() => Expect("THTTP044", DiagnosticSeverity.Warning, """
        public sealed record ChatMessage(string Text);
        public sealed record ServerEvent(string Kind);

        [JsonSerializable(typeof(ChatMessage))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        public interface IApi
        {
            [WebSocket("/chat")]
            [|Task<WebSocketChannel<ChatMessage, ServerEvent>>|] JoinAsync();
        }
        """, "receives WebSocket messages of type 'ServerEvent'", withJsonGenerator: true);

    [Fact]
    public void THTTP045_subprotocol_that_is_not_a_token() => Expect("THTTP045", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat", [|SubProtocols = new[] { "chat v2" }|])]
            Task<WebSocket> JoinAsync();
        }
        """, "\"chat v2\", which is not a token");

    [Fact]
    public void THTTP045_subprotocol_offered_twice() => Expect("THTTP045", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat", [|SubProtocols = new[] { "chat", "chat" }|])]
            Task<WebSocket> JoinAsync();
        }
        """, "\"chat\" twice");

    [Fact]
    public void THTTP045_negative_MaxMessageBytes() => Expect("THTTP045", DiagnosticSeverity.Error, """
        public sealed record ChatMessage(string Text);

        public interface IApi
        {
            [WebSocket("/chat", [|MaxMessageBytes = -1|])]
            Task<WebSocketChannel<ChatMessage, ChatMessage>> JoinAsync();
        }
        """, "MaxMessageBytes = -1");

    [Fact]
    public void THTTP045_MaxMessageBytes_on_a_plain_WebSocket() => Expect("THTTP045", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket("/chat", [|MaxMessageBytes = 4096|])]
            Task<WebSocket> JoinAsync();
        }
        """, "only a WebSocketChannel<TSend, TReceive> reads");

    [Fact]
    public void THTTP015_WebSocket_attribute_outside_an_interface() => Expect("THTTP015", DiagnosticSeverity.Error, """
        public class Chat
        {
            [WebSocket("/chat")]
            public Task<WebSocket> [|JoinAsync|]() => throw new NotImplementedException();
        }
        """, "not an interface method");

    [Fact]
    public void THTTP001_route_hole_of_a_WebSocket_method_without_parameter() => Expect("THTTP001", DiagnosticSeverity.Error, """
        public interface IApi
        {
            [WebSocket([|"/rooms/{room}"|])]
            Task<WebSocket> JoinAsync(string name);
        }
        """, "'{room}'");
}
