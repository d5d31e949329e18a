using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Client;

/// <summary>A transport answering every request with one canned response; it records the requests it saw.</summary>
internal sealed class CannedTransport : HttpTransport
{
    private readonly int _status;
    private readonly byte[] _body;
    private readonly (string Name, string Value)[] _headers;

    public CannedTransport(int status, string body, params (string Name, string Value)[] headers)
    {
        _status = status;
        _body = Encoding.UTF8.GetBytes(body);
        _headers = headers;
    }

    public List<TypedHttpRequest> Requests { get; } = new();

    public override ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(request);
        var headers = new HttpHeaderCollection();
        foreach ((string name, string value) in _headers)
        {
            headers.Add(name, value);
        }
        return ValueTask.FromResult(new TypedHttpResponse(_status, "Canned", HttpVersion.Version11, headers, new MemoryStream(_body), request.Uri));
    }
}
