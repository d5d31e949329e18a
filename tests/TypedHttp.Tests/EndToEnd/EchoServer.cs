using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.EndToEnd;

/// <summary>
/// Kestrel on 127.0.0.1 (ephemeral port). <c>/echo/**</c> answers with what it received: the raw request
/// target, the method, every header and the body, as JSON. Other routes serve fixed cases. Connection ids are
/// counted so tests can see keep-alive reuse from the server's side.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _connections = new();

    /// <param name="http2Only">HTTP/2 only (h2c with prior knowledge) instead of HTTP/1.1.</param>
    public EchoServer(bool http2Only = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (http2Only)
        {
            builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        }
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            _connections.TryAdd(context.Connection.Id, 0);
            await next(context);
        });
        _app.Map("/echo/{**rest}", EchoAsync);
        _app.MapGet("/status/{code:int}", (int code, HttpContext ctx) =>
        {
            ctx.Response.StatusCode = code;
            return code == 204 ? Task.CompletedTask : ctx.Response.WriteAsync($"status {code} body");
        });
        _app.MapGet("/chunked/{count:int}", async (int count, HttpContext ctx) =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("[");
            for (int i = 0; i < count; i++)
            {
                await ctx.Response.WriteAsync((i == 0 ? "" : ",") + "{\"id\":" + i + ",\"name\":\"item " + i + "\"}");
                await ctx.Response.Body.FlushAsync();
            }
            await ctx.Response.WriteAsync("]");
        });
        _app.StartAsync().GetAwaiter().GetResult();
        BaseAddress = new Uri($"http://127.0.0.1:{LoopbackKestrel.PortOf(_app)}");
    }

    public Uri BaseAddress { get; }

    /// <summary>How many distinct TCP connections the server has seen.</summary>
    public int ConnectionCount => _connections.Count;

    private static async Task EchoAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        IHttpRequestFeature feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!;
        using var output = new MemoryStream();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("method", context.Request.Method);
            w.WriteString("target", feature.RawTarget);
            w.WriteStartArray("headers");
            foreach (KeyValuePair<string, StringValues> h in context.Request.Headers)
            {
                foreach (string? v in h.Value)
                {
                    w.WriteStringValue(h.Key + ": " + v);
                }
            }
            w.WriteEndArray();
            w.WriteString("body", Encoding.UTF8.GetString(body.ToArray()));
            w.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Echo"] = "1";
        await context.Response.Body.WriteAsync(output.ToArray());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
