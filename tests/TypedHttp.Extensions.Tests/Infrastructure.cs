using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using TypedHttp.Testing;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Extensions.Tests;

public sealed record Reply(string Name, int Value);

[JsonSerializable(typeof(Reply))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
public sealed partial class TestJsonContext : JsonSerializerContext;

[Headers("Accept: application/json", "X-Api-Version: 1")]
public interface IParityApi
{
    [Get("/items/{id}")]
    Task<Reply> GetAsync(int id, string? filter, [Header("X-Tag")] string? tag);

    [Post("/items")]
    Task<Reply> CreateAsync([Body] Reply body);

    [Put("/items/{id}/text")]
    Task PutTextAsync(int id, [Body] string text);

    [Delete("/items/{id}")]
    Task DeleteAsync(int id);

    [Get("/status/{code}")]
    Task StatusAsync(int code);

    [Get("/problem")]
    Task ProblemAsync();

    [Post("/redirect307")]
    Task<Reply> RedirectedPostAsync([Body] Reply body);

    [Get("/slow")]
    Task SlowAsync();

    [Get("/conn")]
    Task<string> ConnectionAsync();

    [Get("/secret")]
    Task<string> SecretAsync([Header("Authorization")] string authorization, [Header("Cookie")] string cookie, [Header("Proxy-Authorization")] string proxy);
}

/// <summary>A generic client interface, registered in DI through a closed construction.</summary>
public interface IResourceApi<T, in TKey> where T : class
{
    [Get("/items/{id}")]
    Task<T> GetAsync(TKey id);
}

/// <summary>One request as Kestrel saw it.</summary>
public sealed record SeenRequest(string Method, string RawTarget, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string ConnectionId)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public int Count(string name) => Headers.Count(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Kestrel on 127.0.0.1 that records every request and answers by path.</summary>
public sealed class TestServer : LoopbackKestrelHost
{
    private TestServer(WebApplication app, int port)
        : base(app, port, https: false)
    {
    }

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public static async Task<TestServer> StartAsync()
    {
        WebApplication app = LoopbackKestrel.CreateBuilder().Build();
        TestServer? server = null;
        app.Run(async context =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, StringValues> h in context.Request.Headers)
            {
                foreach (string? v in h.Value)
                {
                    headers.Add(new(h.Key, v ?? ""));
                }
            }
            string raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            server!.Seen.Enqueue(new SeenRequest(context.Request.Method, raw, headers, body.ToArray(), context.Connection.Id));
            await Answer(context);
        });
        server = new TestServer(app, await LoopbackKestrel.StartAsync(app));
        return server;
    }

    private static async Task Answer(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        HttpResponse response = context.Response;
        if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            response.StatusCode = int.Parse(path["/status/".Length..]);
            response.ContentType = "text/plain";
            await response.WriteAsync("status body");
        }
        else if (path == "/problem")
        {
            response.StatusCode = 404;
            response.ContentType = "application/problem+json; charset=utf-8";
            await response.WriteAsync("""{"type":"https://example.test/not-found","title":"Not found","status":404,"detail":"No item 7.","instance":"/items/7","traceId":"abc","retry":{"after":3}}""");
        }
        else if (path == "/redirect307")
        {
            response.StatusCode = 307;
            response.Headers.Location = "/items";
        }
        else if (path == "/slow")
        {
            await Task.Delay(3000, context.RequestAborted).ContinueWith(_ => { });
        }
        else if (path == "/conn")
        {
            await response.WriteAsync(context.Connection.Id);
        }
        else if (path == "/secret")
        {
            response.Headers.SetCookie = "session=s3cr3t-cookie-out; Path=/";
            await response.WriteAsync("ok");
        }
        else if (context.Request.Method is "PUT" or "DELETE")
        {
            response.StatusCode = 204;
        }
        else
        {
            response.ContentType = "application/json";
            response.Headers["X-Reply"] = "yes";
            response.Headers.ContentLanguage = "en";
            await response.WriteAsync("""{"name":"reply","value":42}""");
        }
    }

    public SeenRequest[] Drain()
    {
        var list = new List<SeenRequest>();
        while (Seen.TryDequeue(out SeenRequest? r))
        {
            list.Add(r);
        }
        return list.ToArray();
    }
}

/// <summary>The shipped in-memory transport, answering 200 <c>{}</c> after a delay (for timeout tests).</summary>
internal static class DelayedTransport
{
    public static InMemoryTransport Create(TimeSpan delay) => new(async (request, cancellationToken) =>
    {
        await Task.Delay(delay, cancellationToken);
        return InMemoryTransport.CreateResponse(request.Request, 200, "{}"u8.ToArray());
    });
}
