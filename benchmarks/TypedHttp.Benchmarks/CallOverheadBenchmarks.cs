using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TypedHttp.Testing;

namespace TypedHttp.Benchmarks;

public sealed record User(int Id, string Name, string Email, bool Active);

public sealed record NewUser(string Name, string Email);

[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(NewUser))]
[JsonSerializable(typeof(List<User>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>The benchmark's interface, declared for TypedHttp.</summary>
public interface ITypedUsers
{
    [TypedHttp.Get("/users/{id}")]
    Task<User> GetUserAsync(int id, [TypedHttp.AliasAs("details")] bool includeDetails, CancellationToken cancellationToken = default);

    [TypedHttp.Post("/users")]
    Task<User> CreateAsync([TypedHttp.Body] NewUser user, CancellationToken cancellationToken = default);

    [TypedHttp.Get("/users")]
    Task<List<User>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The same list, answered without Content-Length (as ASP.NET Core sends JSON: chunked).</summary>
    [TypedHttp.Get("/users/unframed")]
    Task<List<User>> ListUnframedAsync(CancellationToken cancellationToken = default);
}

/// <summary>The same interface, declared for Refit.</summary>
public interface IRefitUsers
{
    [Refit.Get("/users/{id}")]
    Task<User> GetUserAsync(int id, [Refit.AliasAs("details")] bool includeDetails, CancellationToken cancellationToken = default);

    [Refit.Post("/users")]
    Task<User> CreateAsync([Refit.Body] NewUser user, CancellationToken cancellationToken = default);

    [Refit.Get("/users")]
    Task<List<User>> ListAsync(CancellationToken cancellationToken = default);

    [Refit.Get("/users/unframed")]
    Task<List<User>> ListUnframedAsync(CancellationToken cancellationToken = default);
}

/// <summary>The same calls written by hand over HttpClient and source-generated System.Text.Json, the way a careful developer would.</summary>
public sealed class HandWrittenUsersClient(HttpClient client)
{
    public async Task<User> GetUserAsync(int id, bool includeDetails, CancellationToken cancellationToken = default)
    {
        string path = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/users/{id}?details={(includeDetails ? "true" : "false")}");
        using HttpResponseMessage response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return (await JsonSerializer.DeserializeAsync(body, BenchJsonContext.Default.User, cancellationToken))!;
    }

    public async Task<User> CreateAsync(NewUser user, CancellationToken cancellationToken = default)
    {
        using var content = JsonContent.Create(user, BenchJsonContext.Default.NewUser);
        using HttpResponseMessage response = await client.PostAsync("/users", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return (await JsonSerializer.DeserializeAsync(body, BenchJsonContext.Default.User, cancellationToken))!;
    }

    public Task<List<User>> ListAsync(CancellationToken cancellationToken = default) => ListAsync("/users", cancellationToken);

    public Task<List<User>> ListUnframedAsync(CancellationToken cancellationToken = default) => ListAsync("/users/unframed", cancellationToken);

    private async Task<List<User>> ListAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return (await JsonSerializer.DeserializeAsync(body, BenchJsonContext.Default.ListUser, cancellationToken))!;
    }
}

/// <summary>Canned answers shared by the in-memory transport and the in-memory HttpMessageHandler.</summary>
internal static class CannedUsers
{
    public static readonly byte[] One = JsonSerializer.SerializeToUtf8Bytes(new User(42, "Ada Lovelace", "ada@example.test", true), BenchJsonContext.Default.User);

    public static readonly byte[] Fifty = JsonSerializer.SerializeToUtf8Bytes(
        Enumerable.Range(1, 50).Select(i => new User(i, "User " + i, $"user{i}@example.test", i % 2 == 0)).ToList(), BenchJsonContext.Default.ListUser);

    public static byte[] For(string method, string path) =>
        method == "GET" && path.StartsWith("/users/unframed", StringComparison.Ordinal) ? Fifty
        : method == "GET" && path == "/users" ? Fifty : One;

    /// <summary>Whether the answer to <paramref name="path"/> goes without Content-Length, as a stream of unknown length.</summary>
    public static bool Unframed(string path) => path.StartsWith("/users/unframed", StringComparison.Ordinal);
}

/// <summary>
/// The bytes of a body whose length is not announced, the in-memory stand-in for a chunked or read-to-close body:
/// not seekable, no Length, each read returns what was asked for (the whole body is at hand, as on a fast wire).
/// </summary>
internal sealed class UnknownLengthStream(byte[] bytes) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, bytes.Length - _position);
        bytes.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));
}

/// <summary>An HttpMessageHandler answering canned bytes; it reads request bodies so that serialization happens, as on a wire.</summary>
internal sealed class InMemoryHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken);
        }
        string path = request.RequestUri!.AbsolutePath;
        byte[] body = CannedUsers.For(request.Method.Method, path);
        HttpContent content = CannedUsers.Unframed(path) ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}

/// <summary>
/// Call overhead with no sockets (issues 8 and 17): the same calls through TypedHttp (on its in-memory transport),
/// Refit 16.4's generated client and hand-written HttpClient code (both on an in-memory handler). The 50-user list
/// is answered twice: as bytes of known length, and as a stream of unknown length without Content-Length (what a
/// chunked or read-to-close body is).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallOverheadBenchmarks
{
    private static readonly NewUser Grace = new("Grace Hopper", "grace@example.test");
    private ITypedUsers _typed = null!;
    private IRefitUsers _refit = null!;
    private HandWrittenUsersClient _hand = null!;

    [GlobalSetup]
    public void Setup()
    {
        var headers = new HttpHeaderCollection(1);
        headers.Add("Content-Type", "application/json; charset=utf-8");
        var transport = new InMemoryTransport(
            (request, _) =>
            {
                string path = request.Uri.AbsolutePath;
                byte[] body = CannedUsers.For(request.Method, path);
                if (CannedUsers.Unframed(path))
                {
                    return ValueTask.FromResult(new TypedHttpResponse(200, "OK", HttpVersion.Version11, headers, new UnknownLengthStream(body), request.Uri));
                }
                return ValueTask.FromResult(InMemoryTransport.CreateResponse(request.Request, request.Method == "POST" ? 201 : 200, body, headers));
            },
            recordBodies: false);
        _typed = TypedHttpClient.Create<ITypedUsers>(new TypedHttpClientOptions
        {
            BaseAddress = new Uri("http://users.test"),
            JsonSerializerOptions = BenchJsonContext.Default.Options,
            Transport = transport,
        });
        var refitClient = new HttpClient(new InMemoryHandler()) { BaseAddress = new Uri("http://users.test") };
        _refit = Refit.RestService.ForGenerated<IRefitUsers>(refitClient, new Refit.RefitSettings(new Refit.SystemTextJsonContentSerializer(BenchJsonContext.Default.Options)));
        _hand = new HandWrittenUsersClient(new HttpClient(new InMemoryHandler()) { BaseAddress = new Uri("http://users.test") });

        // The three must agree before their speed means anything.
        Check(HttpClient_GetUser().Result, Refit_GetUser().Result, TypedHttp_GetUser().Result);
        Check(HttpClient_Create().Result, Refit_Create().Result, TypedHttp_Create().Result);
        Check(HttpClient_List().Result.Count, Refit_List().Result.Count, TypedHttp_List().Result.Count);
        Check(HttpClient_ListUnframed().Result.Count, Refit_ListUnframed().Result.Count, TypedHttp_ListUnframed().Result.Count);
        if (TypedHttp_List().Result.Count != 50)
        {
            throw new InvalidOperationException("the list call did not return 50 users");
        }
    }

    private static void Check<T>(T hand, T refit, T typed)
    {
        if (!EqualityComparer<T>.Default.Equals(hand, refit) || !EqualityComparer<T>.Default.Equals(hand, typed))
        {
            throw new InvalidOperationException($"results differ: hand-written {hand}, Refit {refit}, TypedHttp {typed}");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("GET user")]
    public Task<User> HttpClient_GetUser() => _hand.GetUserAsync(42, true);

    [Benchmark, BenchmarkCategory("GET user")]
    public Task<User> Refit_GetUser() => _refit.GetUserAsync(42, true);

    [Benchmark, BenchmarkCategory("GET user")]
    public Task<User> TypedHttp_GetUser() => _typed.GetUserAsync(42, true);

    /// <summary>What the caller keeps and no client can avoid: the deserialized result and its task.</summary>
    [Benchmark, BenchmarkCategory("GET user")]
    public Task<User> Floor_GetUser() => Task.FromResult(JsonSerializer.Deserialize(CannedUsers.One, BenchJsonContext.Default.User)!);

    [Benchmark(Baseline = true), BenchmarkCategory("POST user")]
    public Task<User> HttpClient_Create() => _hand.CreateAsync(Grace);

    [Benchmark, BenchmarkCategory("POST user")]
    public Task<User> Refit_Create() => _refit.CreateAsync(Grace);

    [Benchmark, BenchmarkCategory("POST user")]
    public Task<User> TypedHttp_Create() => _typed.CreateAsync(Grace);

    /// <summary>The request body serialized, the result deserialized, and the task: the least a POST can cost.</summary>
    [Benchmark, BenchmarkCategory("POST user")]
    public Task<User> Floor_Create()
    {
        using var buffer = new MemoryStream(64);
        JsonSerializer.Serialize(buffer, Grace, BenchJsonContext.Default.NewUser);
        return Task.FromResult(JsonSerializer.Deserialize(CannedUsers.One, BenchJsonContext.Default.User)!);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("GET 50 users")]
    public Task<List<User>> HttpClient_List() => _hand.ListAsync();

    [Benchmark, BenchmarkCategory("GET 50 users")]
    public Task<List<User>> Refit_List() => _refit.ListAsync();

    [Benchmark, BenchmarkCategory("GET 50 users")]
    public Task<List<User>> TypedHttp_List() => _typed.ListAsync();

    /// <summary>The 50 users deserialized from bytes already in memory, and the task: System.Text.Json's own cost.</summary>
    [Benchmark, BenchmarkCategory("GET 50 users")]
    public Task<List<User>> Floor_List() => Task.FromResult(JsonSerializer.Deserialize(CannedUsers.Fifty, BenchJsonContext.Default.ListUser)!);

    [Benchmark(Baseline = true), BenchmarkCategory("GET 50 users, no Content-Length")]
    public Task<List<User>> HttpClient_ListUnframed() => _hand.ListUnframedAsync();

    [Benchmark, BenchmarkCategory("GET 50 users, no Content-Length")]
    public Task<List<User>> Refit_ListUnframed() => _refit.ListUnframedAsync();

    [Benchmark, BenchmarkCategory("GET 50 users, no Content-Length")]
    public Task<List<User>> TypedHttp_ListUnframed() => _typed.ListUnframedAsync();
}
