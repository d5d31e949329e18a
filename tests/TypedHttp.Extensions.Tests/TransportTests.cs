using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Extensions.Tests;

public sealed class TransportTests
{
    /// <summary>Headers the transport owns rather than the call: compared apart or not at all.</summary>
    private static readonly string[] TransportOwned = ["User-Agent", "Connection", "Accept-Encoding", "traceparent", "tracestate", "baggage"];

    private static async Task<SeenRequest[]> RunCallsAsync(IParityApi api, TestServer server)
    {
        server.Drain();
        await api.GetAsync(7, "a b/ü", "tag-1");
        await api.CreateAsync(new Reply("näme", 3));
        await api.PutTextAsync(9, "plain text body");
        await api.DeleteAsync(11);
        return server.Drain();
    }

    private static string[] CallHeaders(SeenRequest request) =>
        request.Headers.Where(h => !TransportOwned.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .Select(h => h.Key.ToLowerInvariant() + ": " + h.Value).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Same_requests_on_the_wire_over_the_engine_and_over_HttpClient()
    {
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = TestJsonContext.Default.Options;
        }).UseHttpClient();
        await using ServiceProvider provider = services.BuildServiceProvider();

        using var session = new HttpSession();
        IParityApi engine = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, JsonSerializerOptions = TestJsonContext.Default.Options, Session = session });
        IParityApi overHttpClient = provider.GetRequiredService<IParityApi>();

        SeenRequest[] a = await RunCallsAsync(engine, server);
        SeenRequest[] b = await RunCallsAsync(overHttpClient, server);

        Assert.Equal(4, a.Length);
        Assert.Equal(4, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Method, b[i].Method);
            Assert.Equal(a[i].RawTarget, b[i].RawTarget);
            Assert.Equal(CallHeaders(a[i]), CallHeaders(b[i]));
            Assert.Equal(a[i].Body, b[i].Body);
        }
        Assert.Equal("/items/7?filter=a%20b%2F%C3%BC", a[0].RawTarget);
        Assert.Equal("tag-1", b[0].Header("X-Tag"));
        Assert.Equal("application/json; charset=utf-8", b[1].Header("Content-Type"));
        Assert.Equal("""{"name":"n\u00E4me","value":3}""", Encoding.UTF8.GetString(b[1].Body));
        Assert.Equal("15", b[2].Header("Content-Length"));
    }

    [Fact]
    public async Task HttpClient_transport_reads_status_reason_version_and_headers_including_content_headers()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var client = new HttpClient();
        var transport = new HttpClientTransport(client);
        using var request = new TypedHttpRequest("GET", new Uri(server.BaseAddress, "/items/1"));
        await using TypedHttpResponse response = await transport.SendAsync(request);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OK", response.ReasonPhrase);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("yes", response.Headers.GetValue("X-Reply"));
        Assert.Equal("application/json", response.Headers.GetValue("Content-Type"));
        Assert.Equal("en", response.Headers.GetValue("Content-Language"));
        using var reader = new System.IO.StreamReader(response.Body);
        Assert.Equal("""{"name":"reply","value":42}""", await reader.ReadToEndAsync());
    }

    [Fact]
    public void Headers_are_split_between_request_and_content()
    {
        using var client = new HttpClient();
        var transport = new HttpClientTransport(client);
        using var request = new TypedHttpRequest("POST", new Uri("http://example.test/x"));
        request.Headers.Add("X-One", "1");
        request.Headers.Add("Accept", "text/plain");
        request.Headers.Add("Content-Language", "de");
        request.Content = new StringRequestContent("hi", "text/plain; charset=utf-8");

        using HttpRequestMessage message = transport.ToRequestMessage(request);

        Assert.Equal("1", message.Headers.GetValues("X-One").Single());
        Assert.Equal("text/plain", message.Headers.NonValidated["Accept"].ToString());
        Assert.False(message.Headers.NonValidated.Contains("Content-Language"));
        Assert.Equal("de", message.Content!.Headers.NonValidated["Content-Language"].ToString());
        Assert.Equal("text/plain; charset=utf-8", message.Content.Headers.NonValidated["Content-Type"].ToString());
        Assert.Equal(2, message.Content.Headers.ContentLength);
    }

    [Fact]
    public void Content_length_set_by_the_caller_is_refused()
    {
        using var client = new HttpClient();
        using var request = new TypedHttpRequest("POST", new Uri("http://example.test/x"));
        request.Headers.Add("Content-Length", "3");
        TypedHttpException e = Assert.Throws<TypedHttpException>(() => new HttpClientTransport(client).ToRequestMessage(request));
        Assert.Equal(HttpError.InvalidRequest, e.Error);
        Assert.Equal(HttpPhase.Request, e.Phase);
    }

    [Fact]
    public async Task Bodies_are_replayed_when_HttpClient_follows_a_307()
    {
        await using TestServer server = await TestServer.StartAsync();
        var services = new ServiceCollection();
        services.AddTypedHttpClient<IParityApi>(o =>
        {
            o.BaseAddress = server.BaseAddress;
            o.JsonSerializerOptions = TestJsonContext.Default.Options;
        }).UseHttpClient();
        await using ServiceProvider provider = services.BuildServiceProvider();

        Reply reply = await provider.GetRequiredService<IParityApi>().RedirectedPostAsync(new Reply("again", 2));

        Assert.Equal(42, reply.Value);
        SeenRequest[] seen = server.Drain();
        Assert.Equal(["/redirect307", "/items"], seen.Select(s => s.RawTarget));
        Assert.All(seen, s => Assert.Equal("""{"name":"again","value":2}""", Encoding.UTF8.GetString(s.Body)));
    }

    [Fact]
    public async Task A_refused_connection_is_CannotConnect_in_Connect()
    {
        int port = FreePort();
        using var client = new HttpClient();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Transport = new HttpClientTransport(client) });
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => api.DeleteAsync(1));
        Assert.Equal(HttpError.CannotConnect, e.Error);
        Assert.Equal(HttpPhase.Connect, e.Phase);
    }

    [Fact]
    public async Task The_engine_keeps_its_error_kind_and_phase_through_the_client()
    {
        int port = FreePort();
        using var session = new HttpSession();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Session = session });
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => api.DeleteAsync(1));
        Assert.Equal(HttpError.CannotConnect, e.Error);
        Assert.Equal(HttpPhase.Connect, e.Phase);
    }

    [Fact]
    public async Task An_expired_HttpClient_timeout_is_Timeout_and_the_callers_token_is_cancellation()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var transport = new HttpClientTransport(client);
        using var slow = new TypedHttpRequest("GET", new Uri(server.BaseAddress, "/slow"));
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await transport.SendAsync(slow));
        Assert.Equal(HttpError.Timeout, e.Error);

        using var patient = new HttpClient();
        using var cts = new CancellationTokenSource(200);
        using var again = new TypedHttpRequest("GET", new Uri(server.BaseAddress, "/slow"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await new HttpClientTransport(patient).SendAsync(again, cts.Token));
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
