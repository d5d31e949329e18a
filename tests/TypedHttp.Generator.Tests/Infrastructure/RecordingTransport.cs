using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>A request as the transport received it.</summary>
/// <param name="Uri">The request URI as <see cref="System.Uri.AbsoluteUri"/> gives it (what the engine sends).</param>
/// <param name="BuiltUri">The text the generated code built (<see cref="System.Uri.OriginalString"/>), before System.Uri normalizes it.</param>
/// <param name="ContentLength">The body's declared length (null: chunked).</param>
/// <param name="Replayable">Whether the body said it could be written again.</param>
/// <param name="Replay">The body written a second time, when it is replayable.</param>
/// <param name="RedirectPolicy">The request's own redirect policy (null: the session's).</param>
/// <param name="Version">The request's own HTTP version (null: the session's default).</param>
/// <param name="VersionPolicy">The request's own version policy (null: the session's default).</param>
public sealed record RecordedRequest(string Method, string Uri, string BuiltUri, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body, string? ContentType, long? ContentLength = null, bool Replayable = false, byte[]? Replay = null, RedirectPolicy? RedirectPolicy = null, Version? Version = null, System.Net.Http.HttpVersionPolicy? VersionPolicy = null)
{
    public string BodyText => Body is null ? "<none>" : Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>A test double transport: records each request and answers with a canned response.</summary>
public sealed class RecordingTransport : HttpTransport
{
    public List<RecordedRequest> Requests { get; } = new();

    public int StatusCode { get; set; } = 200;

    public string ResponseBody { get; set; } = "";

    public string ResponseContentType { get; set; } = "application/json; charset=utf-8";

    /// <summary>When set, the response body stream (instead of <see cref="ResponseBody"/>).</summary>
    public Func<Stream>? ResponseStream { get; set; }

    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        byte[]? body = null;
        if (request.Content is { } content)
        {
            using var buffer = new MemoryStream();
            await content.WriteToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        byte[]? replay = null;
        if (request.Content is { IsReplayable: true } replayable)
        {
            using var again = new MemoryStream();
            await replayable.WriteToAsync(again, cancellationToken);
            replay = again.ToArray();
        }
        Requests.Add(new RecordedRequest(
            request.Method, request.Uri.AbsoluteUri, request.Uri.OriginalString, request.Headers.ToList(), body, request.Content?.ContentType,
            request.Content?.Length, request.Content?.IsReplayable ?? false, replay, request.RedirectPolicy, request.Version, request.VersionPolicy));
        var headers = new HttpHeaderCollection();
        headers.Add("Content-Type", ResponseContentType);
        Stream responseBody = ResponseStream?.Invoke() ?? new MemoryStream(Encoding.UTF8.GetBytes(ResponseBody));
        return new TypedHttpResponse(StatusCode, StatusCode == 200 ? "OK" : "Error", HttpVersion.Version11, headers, responseBody, request.Uri);
    }
}

/// <summary>A test double transport that never answers: it waits until the call is cancelled.</summary>
public sealed class SilentTransport : HttpTransport
{
    private int _calls;

    /// <summary>How many calls reached the transport.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("Unreachable: the delay never ends by itself.");
    }
}

/// <summary>A response body that hands out its first chunk, then waits for <see cref="Release"/> before the rest.</summary>
public sealed class GatedStream : Stream
{
    private readonly byte[] _first;
    private readonly byte[] _rest;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stage;

    public GatedStream(string first, string rest)
    {
        _first = Encoding.UTF8.GetBytes(first);
        _rest = Encoding.UTF8.GetBytes(rest);
    }

    /// <summary>Whether a read is waiting at the gate (the first chunk was consumed).</summary>
    public bool Waiting { get; private set; }

    public void Release() => _gate.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        switch (_stage)
        {
            case 0:
                _stage = 1;
                _first.CopyTo(buffer);
                return _first.Length;
            case 1:
                Waiting = true;
                await _gate.Task.WaitAsync(cancellationToken);
                Waiting = false;
                _stage = 2;
                _rest.CopyTo(buffer);
                return _rest.Length;
            default:
                return 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
