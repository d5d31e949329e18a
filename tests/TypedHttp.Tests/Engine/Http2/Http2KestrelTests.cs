using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>HTTP/2 against Kestrel: h2c with prior knowledge, ALPN over TLS, multiplexing, flow control, trailers (H2-1…H2-9).</summary>
public sealed class Http2KestrelTests : IClassFixture<Http2Certificates>
{
    private const string Host = Http2Certificates.Host;
    private readonly Http2Certificates _certs;

    public Http2KestrelTests(Http2Certificates certs) => _certs = certs;

    private static HttpSession H2cSession(Action<HttpSessionOptions>? configure = null) => Session(o =>
    {
        o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        configure?.Invoke(o);
    });

    private HttpSession TlsSession(Action<HttpSessionOptions>? configure = null) => Session(o =>
    {
        o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback });
        o.RemoteCertificateValidationCallback = TestCertificates.TrustOnly(_certs.Authority);
        configure?.Invoke(o);
    });

    [Fact]
    public async Task H2_3_prior_knowledge_speaks_http_2_over_plain_tcp()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync();
        using HttpSession session = H2cSession();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal((200, HttpVersion.Version20, "HTTP/2"), (response.StatusCode, response.Version, body.Split(' ')[0]));
    }

    [Fact]
    public async Task H2_1_default_policy_stays_on_http_11_over_plain_tcp()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1AndHttp2);
        using HttpSession session = Session();

        string body = await session.GetStringAsync(server.Uri("/"));

        Assert.StartsWith("HTTP/1.1 ", body);
    }

    [Fact]
    public async Task H2_2_alpn_chooses_http_2_over_tls_by_default()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1AndHttp2, certificate: _certs.Server);
        using HttpSession session = TlsSession();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/", Host));
        string body = await response.ReadAsStringAsync();

        Assert.Equal((HttpVersion.Version20, "HTTP/2"), (response.Version, body.Split(' ')[0]));
    }

    [Fact]
    public async Task H2_2_alpn_falls_back_to_http_11_when_the_server_has_no_http_2()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1, certificate: _certs.Server);
        using HttpSession session = TlsSession();

        string first = await session.GetStringAsync(server.Uri("/1", Host));
        string second = await session.GetStringAsync(server.Uri("/2", Host));

        Assert.Equal(("HTTP/1.1", first), (second.Split(' ')[0], second)); // the same kept-alive HTTP/1.1 connection
    }

    [Fact]
    public async Task H2_1_exact_http_2_fails_clearly_when_the_server_chooses_http_11()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1, certificate: _certs.Server);
        using HttpSession session = TlsSession(o => o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact);

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => session.GetStringAsync(server.Uri("/", Host)));

        Assert.Equal(HttpError.VersionNotAvailable, e.Error);
    }

    [Fact]
    public async Task H2_1_request_version_11_overrides_the_session_default()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(protocols: HttpProtocols.Http1AndHttp2, certificate: _certs.Server);
        using HttpSession session = TlsSession();

        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/", Host)) { Version = HttpVersion.Version11 });
        string body = await response.ReadAsStringAsync();

        Assert.Equal((HttpVersion.Version11, "HTTP/1.1"), (response.Version, body.Split(' ')[0]));
    }

    [Fact]
    public async Task H2_5_concurrent_requests_share_one_connection()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            await Task.Delay(50);
            await context.Response.WriteAsync(context.Connection.Id);
        });
        using HttpSession session = H2cSession();

        string[] ids = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => session.GetStringAsync(server.Uri($"/{i}"))));

        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task H2_5_max_concurrent_streams_one_queues_requests_on_the_one_connection()
    {
        int inFlight = 0, maxInFlight = 0;
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            int now = System.Threading.Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(20);
            System.Threading.Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync(context.Connection.Id);
        }, limits: l => l.Http2.MaxStreamsPerConnection = 1);
        using HttpSession session = H2cSession();
        // The first request learns the limit from the server's SETTINGS.
        await session.GetStringAsync(server.Uri("/warm-up"));

        string[] ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => session.GetStringAsync(server.Uri($"/{i}"))));

        Assert.Equal((1, 1), (ids.Distinct().Count(), maxInFlight));
    }

    [Fact]
    public async Task H2_5_multiple_connections_option_opens_more_when_streams_run_out()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            await Task.Delay(100);
            await context.Response.WriteAsync(context.Connection.Id);
        }, limits: l => l.Http2.MaxStreamsPerConnection = 2);
        using HttpSession session = H2cSession(o => o.EnableMultipleHttp2Connections = true);
        await session.GetStringAsync(server.Uri("/warm-up"));

        string[] ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => session.GetStringAsync(server.Uri($"/{i}"))));

        Assert.True(ids.Distinct().Count() >= 2, $"connections used: {string.Join(", ", ids.Distinct())}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = System.Threading.Volatile.Read(ref target)) < value && System.Threading.Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task H2_7_large_download_arrives_whole_through_flow_control()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context => context.Response.Body.WriteAsync(payload).AsTask());
        using HttpSession session = H2cSession();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/big"));
        var copy = new MemoryStream();
        await response.Body.CopyToAsync(copy);

        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(copy.ToArray()));
    }

    [Fact]
    public async Task H2_7_large_upload_arrives_whole_through_flow_control()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received);
            await context.Response.WriteAsync(Convert.ToHexString(SHA256.HashData(received.ToArray())) + " " + context.Request.ContentLength);
        });
        using HttpSession session = H2cSession();

        var request = new TypedHttpRequest("POST", server.Uri("/up")) { Content = new BytesContent(payload) };
        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal(Convert.ToHexString(SHA256.HashData(payload)) + " " + payload.Length, await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task H2_7_upload_of_unknown_length_ends_with_the_stream()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string text = await reader.ReadToEndAsync();
            await context.Response.WriteAsync($"{text.Length} {context.Request.ContentLength?.ToString() ?? "none"}");
        });
        using HttpSession session = H2cSession();

        var request = new TypedHttpRequest("POST", server.Uri("/up")) { Content = new UnknownLengthContent(new string('x', 100_000)) };
        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal("100000 none", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task H2_9_trailers_are_exposed_after_the_body()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(async context =>
        {
            context.Response.DeclareTrailer("grpc-status");
            await context.Response.WriteAsync("payload");
            context.Response.AppendTrailer("grpc-status", "0");
        });
        using HttpSession session = H2cSession();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/t"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal(("payload", "0"), (body, response.Trailers.GetValue("grpc-status")));
    }

    [Fact]
    public async Task H2_9_request_headers_arrive_lower_cased_with_authority_and_without_connection_fields()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context =>
        {
            IEnumerable<string> seen = context.Request.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}");
            return context.Response.WriteAsync(string.Join("|", seen));
        });
        using HttpSession session = H2cSession(o => o.UserAgent = "ua/1");

        var request = new TypedHttpRequest("GET", server.Uri("/h?q=1"));
        request.Headers.Add("X-Mixed-Case", "Value");
        request.Headers.Add("Connection", "keep-alive");
        request.Headers.Add("TE", "trailers");
        string body = await (await session.SendAsync(request)).ReadAsStringAsync();

        // Kestrel names the fields it knows in its own case; the others keep the lower case they had on the wire.
        Assert.Equal($"Host=127.0.0.1:{server.Port}|TE=trailers|User-Agent=ua/1|x-mixed-case=Value", body);
    }

    [Fact]
    public async Task H2_9_early_disposed_body_resets_only_its_stream()
    {
        byte[] payload = new byte[4 * 1024 * 1024];
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context => context.Request.Path == "/big"
            ? context.Response.Body.WriteAsync(payload).AsTask()
            : context.Response.WriteAsync(context.Connection.Id));
        using HttpSession session = H2cSession();
        string before = await session.GetStringAsync(server.Uri("/id"));

        TypedHttpResponse big = await session.GetAsync(server.Uri("/big"));
        await big.Body.ReadExactlyAsync(new byte[100]);
        await big.DisposeAsync();
        string after = await session.GetStringAsync(server.Uri("/id"));

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task H_2_stages_redirect_cookies_and_basic_auth_work_over_http_2()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context =>
        {
            if (context.Request.Path == "/start")
            {
                context.Response.Headers.SetCookie = "sid=abc; Path=/";
                context.Response.Redirect("/secure");
                return Task.CompletedTask;
            }
            if (context.Request.Headers.Authorization.Count == 0)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"r\"";
                return Task.CompletedTask;
            }
            return context.Response.WriteAsync($"{context.Request.Protocol} {context.Request.Headers.Cookie} {context.Request.Headers.Authorization}");
        });
        var credentials = new HttpCredentialCache();
        credentials.Add(server.Uri("/"), new HttpCredentials("alice", "secret"));
        using HttpSession session = H2cSession(o => o.Credentials = credentials);

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/start"));
        string body = await response.ReadAsStringAsync();

        Assert.Equal(("HTTP/2 sid=abc Basic YWxpY2U6c2VjcmV0", 1), (body, response.RedirectCount));
    }

    [Fact]
    public async Task H_2_stages_decompression_works_over_http_2()
    {
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.ASCII.GetBytes("hello over h2"));
            }
            compressed = buffer.ToArray();
        }
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            return context.Response.Body.WriteAsync(compressed).AsTask();
        });
        using HttpSession session = H2cSession(o => o.AutomaticDecompression = true);

        Assert.Equal("hello over h2", await session.GetStringAsync(server.Uri("/z")));
    }

    [Fact]
    public async Task H_2_response_headers_keep_their_received_lower_case_names()
    {
        await using Http2Kestrel server = await Http2Kestrel.StartAsync(context =>
        {
            context.Response.Headers["X-Custom"] = "v";
            return Task.CompletedTask;
        });
        using HttpSession session = H2cSession();

        await using TypedHttpResponse response = await session.GetAsync(server.Uri("/"));

        Assert.Contains(response.Headers, h => h.Key == "x-custom" && h.Value == "v");
    }

    private sealed class BytesContent(byte[] bytes) : RequestContent
    {
        public override long? Length => bytes.Length;
        public override bool IsReplayable => true;
        public override async ValueTask WriteToAsync(Stream destination, System.Threading.CancellationToken cancellationToken)
        {
            for (int offset = 0; offset < bytes.Length; offset += 100_000)
            {
                await destination.WriteAsync(bytes.AsMemory(offset, Math.Min(100_000, bytes.Length - offset)), cancellationToken);
            }
        }
    }

    private sealed class UnknownLengthContent(string text) : RequestContent
    {
        public override long? Length => null;
        public override bool IsReplayable => true;
        public override ValueTask WriteToAsync(Stream destination, System.Threading.CancellationToken cancellationToken) =>
            destination.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken);
    }
}
