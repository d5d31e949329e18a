using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>The bridge stage: cookies (CK-1…CK-3, R-13) and decompression (T-7) through the engine.</summary>
public sealed class BridgeStageTests
{
    [Fact]
    public async Task R13_CK1_set_cookie_on_a_302_is_sent_on_the_next_hop_and_later_requests()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/login"
            ? Redirect(302, "/home", "Set-Cookie: session=abc; Path=/\r\n")
            : Ok(r.Header("Cookie") ?? "none"));
        using HttpSession session = Session();
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/login")));
        Assert.Equal("session=abc", body);
        (_, body, _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/other")));
        Assert.Equal("session=abc", body);
    }

    [Fact]
    public async Task CK1_set_cookie_on_a_401_is_stored()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/a"
            ? "HTTP/1.1 401 Unauthorized\r\nSet-Cookie: seen=1\r\nContent-Length: 0\r\n\r\n"
            : Ok(r.Header("Cookie") ?? "none"));
        using HttpSession session = Session();
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/a")));
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/b")));
        Assert.Equal("seen=1", body);
    }

    [Fact]
    public async Task CK3_UseCookies_false_neither_records_nor_sends()
    {
        await using ScriptedServer server = Routed(r => Ok(r.Header("Cookie") ?? "none", "Set-Cookie: a=1\r\n"));
        using HttpSession session = Session(o => o.UseCookies = false);
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        Assert.Equal("none", body);
        Assert.Equal(0, session.Cookies.Count);
    }

    [Fact]
    public async Task A_caller_cookie_header_is_sent_instead_of_the_store()
    {
        await using ScriptedServer server = Routed(r => Ok(r.Header("Cookie") ?? "none", "Set-Cookie: store=1\r\n"));
        using HttpSession session = Session();
        await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/")));
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.Add("Cookie", "mine=2");
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, request);
        Assert.Equal("mine=2", body);
    }

    [Fact]
    public async Task Cookies_are_rebuilt_per_hop_for_each_host()
    {
        // a.test sets a host cookie and redirects to b.test (same port, other host): b.test must not see it.
        await using ScriptedServer server = Routed(r => r.Header("Host")!.StartsWith("a.test", StringComparison.Ordinal)
            ? Redirect(302, $"http://b.test:{r.Header("Host")!.Split(':')[1]}/", "Set-Cookie: a=1\r\n")
            : Ok(r.Header("Cookie") ?? "none", "Set-Cookie: b=2\r\n"));
        using HttpSession session = Session();
        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://a.test:{server.Port}/")));
        Assert.Equal("none", body);
        (_, body, _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://b.test:{server.Port}/")));
        Assert.Equal("b=2", body);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task T7_bodies_are_decoded_and_the_headers_removed(string coding)
    {
        byte[] plain = Encoding.UTF8.GetBytes(string.Concat(System.Linq.Enumerable.Repeat("{\"hello\":\"world\"}", 200)));
        byte[] encoded = Encode(coding, plain);
        string? acceptEncoding = null;
        await using ScriptedServer server = RoutedBytes(r =>
        {
            acceptEncoding = r.Header("Accept-Encoding");
            return Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {encoded.Length}\r\n\r\n", encoded);
        });
        using HttpSession session = Session(o => o.AutomaticDecompression = true);
        var request = new TypedHttpRequest("GET", server.Uri("/"));
        request.Headers.Add("Accept-Encoding", "identity");
        await using TypedHttpResponse response = await session.SendAsync(request);
        var buffer = new MemoryStream();
        await response.Body.CopyToAsync(buffer);
        Assert.Equal(plain, buffer.ToArray());
        Assert.False(response.Headers.Contains("Content-Encoding"));
        Assert.False(response.Headers.Contains("Content-Length"));
        Assert.Equal("gzip, deflate, br", acceptEncoding); // T-7: ours replaces the caller's
        Assert.Single(server.AllRequests()[0].Headers, h => h.Key == "Accept-Encoding");
    }

    [Fact]
    public async Task T7_off_by_default_passes_the_body_through()
    {
        byte[] encoded = Encode("gzip", Encoding.UTF8.GetBytes("hello"));
        await using ScriptedServer server = RoutedBytes(r => Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n", encoded));
        using HttpSession session = Session();
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/")));
        var buffer = new MemoryStream();
        await response.Body.CopyToAsync(buffer);
        Assert.Equal(encoded, buffer.ToArray());
        Assert.Equal("gzip", response.Headers.GetValue("Content-Encoding"));
        Assert.Null(server.AllRequests()[0].Header("Accept-Encoding"));
    }

    [Fact]
    public async Task T7_head_and_304_are_left_alone()
    {
        await using ScriptedServer server = Routed(r => r.Path() == "/304"
            ? "HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 100\r\n\r\n");
        using HttpSession session = Session(o => o.AutomaticDecompression = true);
        await using (TypedHttpResponse head = await session.SendAsync(new TypedHttpRequest("HEAD", server.Uri("/"))))
        {
            Assert.Equal("100", head.Headers.GetValue("Content-Length"));
            Assert.Equal("gzip", head.Headers.GetValue("Content-Encoding"));
        }
        await using TypedHttpResponse notModified = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/304")));
        Assert.Equal("gzip", notModified.Headers.GetValue("Content-Encoding"));
    }

    [Fact]
    public async Task T6_a_decoded_body_disposed_unread_is_drained_and_its_connection_reused()
    {
        byte[] plain = new byte[200_000];
        new Random(7).NextBytes(plain); // incompressible: the encoded body is larger than one read
        byte[] encoded = Encode("gzip", plain);
        await using ScriptedServer server = RoutedBytes(r => r.Path() == "/big"
            ? Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n", encoded)
            : Encoding.ASCII.GetBytes(Ok("next")));
        using HttpSession session = Session(o => o.AutomaticDecompression = true);

        TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/big")));
        byte[] some = new byte[100];
        Assert.True(await response.Body.ReadAsync(some) > 0);
        await response.DisposeAsync();
        Assert.Equal(1, session.IdleConnectionCount);

        (int _, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", server.Uri("/next")));
        Assert.Equal("next", body);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task T6_a_decoded_body_over_the_drain_limit_closes_its_connection()
    {
        byte[] plain = new byte[200_000];
        new Random(8).NextBytes(plain);
        byte[] encoded = Encode("gzip", plain);
        await using ScriptedServer server = RoutedBytes(_ => Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n", encoded));
        using HttpSession session = Session(o => { o.AutomaticDecompression = true; o.MaxResponseDrainSize = 1000; });

        TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/big")));
        await response.DisposeAsync();
        Assert.Equal(0, session.IdleConnectionCount);
    }

    [Fact]
    public async Task T7_a_gzip_bomb_is_refused_with_DecompressionLimitExceeded()
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }
        byte[] bomb = output.ToArray();
        await using ScriptedServer server = RoutedBytes(_ => Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\n\r\n", bomb));
        using HttpSession session = Session(o => o.AutomaticDecompression = true);
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/")));
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => response.Body.CopyToAsync(Stream.Null));
        Assert.Equal(HttpError.DecompressionLimitExceeded, e.Error);
        Assert.Equal(HttpPhase.ReceiveBody, e.Phase);
    }

    [Fact]
    public async Task T8_a_gzip_body_cut_inside_its_data_under_a_whole_Content_Length_is_ResponseTruncated()
    {
        byte[] encoded = Encode("gzip", Encoding.UTF8.GetBytes(string.Concat(System.Linq.Enumerable.Repeat("{\"id\":1},", 5000))));
        byte[] cut = encoded[..(encoded.Length - 8)];
        await using ScriptedServer server = RoutedBytes(_ => Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {cut.Length}\r\n\r\n", cut));
        using HttpSession session = Session(o => o.AutomaticDecompression = true);
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/")));

        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => response.Body.CopyToAsync(Stream.Null));

        Assert.Equal((HttpError.ResponseTruncated, HttpPhase.ReceiveBody), (e.Error, e.Phase));
    }

    [Fact]
    public async Task T7_the_size_limit_is_configurable()
    {
        byte[] encoded = Encode("gzip", new byte[10_000]);
        await using ScriptedServer server = RoutedBytes(_ => Concat($"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {encoded.Length}\r\n\r\n", encoded));
        using HttpSession session = Session(o => { o.AutomaticDecompression = true; o.DecompressionLimits = new DecompressionLimits(5_000, 0); });
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/")));
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(() => response.Body.CopyToAsync(Stream.Null));
        Assert.Equal(HttpError.DecompressionLimitExceeded, e.Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpSessionOptions().DecompressionLimits = default);
    }

    [Fact]
    public async Task T7_kestrel_gzip_end_to_end()
    {
        await using KestrelServer kestrel = await KestrelServer.StartAsync(async context =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            byte[] body = Encode("gzip", Encoding.UTF8.GetBytes("from kestrel " + context.Request.Headers.AcceptEncoding));
            await context.Response.Body.WriteAsync(body);
        });
        using HttpSession session = Session(o => o.AutomaticDecompression = true);
        (int code, string? body, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", kestrel.Uri()));
        Assert.Equal(200, code);
        Assert.Equal("from kestrel gzip, deflate, br", body);
    }

    internal static byte[] Encode(string coding, byte[] data)
    {
        var output = new MemoryStream();
        using (Stream s = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            s.Write(data);
        }
        return output.ToArray();
    }

    internal static byte[] Concat(string head, byte[] body)
    {
        byte[] h = Encoding.ASCII.GetBytes(head);
        byte[] all = new byte[h.Length + body.Length];
        h.CopyTo(all, 0);
        body.CopyTo(all, h.Length);
        return all;
    }
}
