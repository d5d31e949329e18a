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
public sealed record RecordedRequest(string Method, string Uri, string BuiltUri, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body, string? ContentType)
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

    public override async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        byte[]? body = null;
        if (request.Content is { } content)
        {
            using var buffer = new MemoryStream();
            await content.WriteToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        Requests.Add(new RecordedRequest(request.Method, request.Uri.AbsoluteUri, request.Uri.OriginalString, request.Headers.ToList(), body, request.Content?.ContentType));
        var headers = new HttpHeaderCollection();
        headers.Add("Content-Type", "application/json; charset=utf-8");
        return new TypedHttpResponse(StatusCode, StatusCode == 200 ? "OK" : "Error", HttpVersion.Version11, headers, new MemoryStream(Encoding.UTF8.GetBytes(ResponseBody)), request.Uri);
    }
}
