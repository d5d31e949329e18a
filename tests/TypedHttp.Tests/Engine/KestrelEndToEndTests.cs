using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>The engine against a real server (Kestrel over HTTP on 127.0.0.1).</summary>
public sealed class KestrelEndToEndTests
{
    private static Task<KestrelServer> StartEchoAsync() => KestrelServer.StartAsync(static async context =>
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        context.Response.Headers["X-Connection"] = context.Connection.Id;
        context.Response.Headers["X-Request-Length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["X-Method"] = context.Request.Method;
        if (context.Request.Path == "/missing")
        {
            context.Response.StatusCode = 404;
        }
        if (context.Request.Path == "/chunked")
        {
            // No Content-Length: Kestrel answers with chunked coding, flushed in several pieces.
            for (int i = 0; i < 5; i++)
            {
                await context.Response.WriteAsync($"part{i};");
                await context.Response.Body.FlushAsync();
            }
            return;
        }
        body.Position = 0;
        context.Response.ContentLength = body.Length;
        await body.CopyToAsync(context.Response.Body);
    });

    [Fact]
    public async Task Sequential_requests_share_one_kept_alive_connection()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session();
        string? connection = null;
        for (int i = 0; i < 25; i++)
        {
            await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri(path: "/echo")) { Content = new StringRequestContent("n=" + i) });
            Assert.Equal("n=" + i, await response.ReadAsStringAsync());
            connection ??= response.Headers.GetValue("X-Connection");
            Assert.Equal(connection, response.Headers.GetValue("X-Connection"));
        }
    }

    [Fact]
    public async Task Chunked_response_from_kestrel_decodes_and_the_connection_is_reused()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session();

        await using TypedHttpResponse first = await session.GetAsync(server.Uri(path: "/chunked"));
        Assert.Equal("chunked", first.Headers.GetValue("Transfer-Encoding"));
        Assert.Equal("part0;part1;part2;part3;part4;", await first.ReadAsStringAsync());
        await using TypedHttpResponse second = await session.GetAsync(server.Uri(path: "/chunked"));
        await second.ReadAsStringAsync();

        Assert.Equal(first.Headers.GetValue("X-Connection"), second.Headers.GetValue("X-Connection"));
    }

    [Fact]
    public async Task Large_chunked_upload_arrives_whole()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session();
        var request = new TypedHttpRequest("PUT", server.Uri(path: "/upload")) { Content = new PiecewiseContent(64, 32 * 1024, announcedLength: null) };

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal("2097152", response.Headers.GetValue("X-Request-Length"));
        Assert.Equal(2 * 1024 * 1024, (await response.ReadAsStringAsync()).Length);
    }

    [Fact]
    public async Task Expect_continue_with_kestrel_sends_the_body_after_100()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session(o => o.ExpectContinueTimeout = TimeSpan.FromSeconds(30));
        var request = new TypedHttpRequest("POST", server.Uri(path: "/expect")) { Content = new StringRequestContent("continued") };
        request.Headers.Add("Expect", "100-continue");

        await using TypedHttpResponse response = await session.SendAsync(request);

        Assert.Equal("continued", await response.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_and_404_do_not_disturb_the_connection()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session();

        await using (TypedHttpResponse head = await session.SendAsync(new TypedHttpRequest("HEAD", server.Uri(path: "/x"))))
        {
            Assert.Equal("HEAD", head.Headers.GetValue("X-Method"));
            Assert.Equal("", await head.ReadAsStringAsync());
        }
        await using (TypedHttpResponse missing = await session.GetAsync(server.Uri(path: "/missing")))
        {
            Assert.Equal(404, missing.StatusCode);
        }
        await using TypedHttpResponse ok = await session.SendAsync(new TypedHttpRequest("POST", server.Uri(path: "/again")) { Content = new StringRequestContent("still fine") });
        Assert.Equal("still fine", await ok.ReadAsStringAsync());
    }

    [Fact]
    public async Task Concurrent_requests_all_succeed()
    {
        await using KestrelServer server = await StartEchoAsync();
        using HttpSession session = Session(o => o.MaxConnectionsPerServer = 4);
        var tasks = new Task<string>[40];
        for (int i = 0; i < tasks.Length; i++)
        {
            int n = i;
            tasks[i] = Task.Run(async () =>
            {
                await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri(path: "/c")) { Content = new StringRequestContent("req" + n) });
                return await response.ReadAsStringAsync();
            });
        }
        for (int i = 0; i < tasks.Length; i++)
        {
            Assert.Equal("req" + i, await tasks[i]);
        }
    }
}
