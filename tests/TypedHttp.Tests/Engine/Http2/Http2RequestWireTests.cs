using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>How requests go on the wire (RFC 9113 §8.1–§8.3, §6.9, H2-7, H2-9): the header block as the scripted server decodes it, DATA frames, flow control.</summary>
public sealed class Http2RequestWireTests
{
    /// <summary>Sends <paramref name="request"/> on a fresh connection and returns what the server received (the server answers 200 "ok").</summary>
    private static async Task<(Http2ReceivedRequest Request, Http2ServerConnection Connection)> CaptureAsync(TypedHttpRequest request, Action<HttpSessionOptions>? configure = null)
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        request.Uri = new Uri(server.Uri(), request.Uri.PathAndQuery);
        using (HttpSession session = Http2Wire.Session(configure))
        {
            await using TypedHttpResponse response = await session.SendAsync(request);
            await response.ReadAsStringAsync();
        }
        await server.WaitForScriptsAsync();
        Http2ServerConnection connection = server.Connections[0];
        Http2ReceivedRequest? received = null;
        // ReadRequestAsync's object is not kept by the server: decode it again from the recorded frames.
        var decoder = new TypedHttp.Http2.Hpack.HpackDecoder(4096, 1 << 20);
        var sink = new FieldList();
        decoder.Decode(connection.HeaderBlock(1), sink);
        received = new Http2ReceivedRequest(1);
        received.Fields.AddRange(sink.Fields);
        foreach (Http2ReceivedFrame f in connection.ReceivedFrames.Where(f => f.Header.Type == Http2FrameType.Data && f.Header.StreamId == 1))
        {
            received.AppendData(Http2Frame.RemovePadding(f.Header, f.Payload));
            received.EndStream |= f.Header.HasFlag(Http2FrameFlags.EndStream);
        }
        return (received, connection);
    }

    private sealed class FieldList : TypedHttp.Http2.Hpack.IHpackFieldSink
    {
        public System.Collections.Generic.List<(string, string)> Fields { get; } = new();

        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Fields.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
    }

    [Fact]
    public async Task Rfc_9113_8_3_1_pseudo_headers_come_first_in_order()
    {
        (Http2ReceivedRequest r, _) = await CaptureAsync(new TypedHttpRequest("GET", new Uri("http://x/a/b?q=1&r=%20")));

        Assert.Equal("GET|http|/a/b?q=1&r=%20|:method,:scheme,:authority,:path",
            $"{r.Method}|{r.Scheme}|{r.Path}|{string.Join(",", r.Fields.Take(4).Select(f => f.Name))}");
    }

    [Fact]
    public async Task Rfc_9113_8_3_1_authority_is_the_host_header_and_no_host_field_is_sent()
    {
        var request = new TypedHttpRequest("GET", new Uri("http://x/"));
        request.Headers.Add("Host", "api.example.test:8443");

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal(("api.example.test:8443", false), (r.Authority, r.Fields.Any(f => f.Name == "host")));
    }

    [Fact]
    public async Task Rfc_9113_8_3_1_authority_defaults_to_the_uri_host_and_port()
    {
        (Http2ReceivedRequest r, Http2ServerConnection _) = await CaptureAsync(new TypedHttpRequest("GET", new Uri("http://x/")));

        Assert.StartsWith("127.0.0.1:", r.Authority);
    }

    [Fact]
    public async Task Rfc_9113_8_2_1_field_names_are_lower_case()
    {
        var request = new TypedHttpRequest("GET", new Uri("http://x/"));
        request.Headers.Add("X-Custom-Thing", "Value Kept");
        request.Headers.Add("ACCEPT", "text/plain");

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal(("Value Kept", "text/plain", true), (r.Header("x-custom-thing"), r.Header("accept"), r.Fields.All(f => f.Name == f.Name.ToLowerInvariant())));
    }

    [Fact]
    public async Task Rfc_9113_8_2_2_connection_specific_fields_are_not_sent()
    {
        var request = new TypedHttpRequest("GET", new Uri("http://x/"));
        request.Headers.Add("Connection", "keep-alive");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("Proxy-Connection", "keep-alive");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("X-Kept", "1");

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal("x-kept", string.Join(",", r.Fields.Where(f => !f.Name.StartsWith(':') && f.Name != "user-agent").Select(f => f.Name)));
    }

    [Theory]
    [InlineData("trailers", "trailers")]
    [InlineData("gzip", null)]
    [InlineData("trailers, deflate", null)]
    public async Task Rfc_9113_8_2_2_TE_is_sent_only_as_trailers(string te, string? sent)
    {
        var request = new TypedHttpRequest("GET", new Uri("http://x/"));
        request.Headers.Add("TE", te);

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal(sent, r.Header("te"));
    }

    [Fact]
    public async Task Rfc_7541_7_1_3_authorization_and_cookie_are_never_indexed()
    {
        var request = new TypedHttpRequest("GET", new Uri("http://x/"));
        request.Headers.Add("Authorization", "Bearer secret-token");
        request.Headers.Add("Proxy-Authorization", "Basic c2VjcmV0");
        request.Headers.Add("Cookie", "session=abc");
        request.Headers.Add("X-Plain", "1");

        (Http2ReceivedRequest r, Http2ServerConnection c) = await CaptureAsync(request);
        var kinds = Http2Wire.Representations(c.HeaderBlock(1)).Where(k => !k.StartsWith("size-update", StringComparison.Ordinal)).ToList();
        string Kind(string name) => kinds[r.Fields.FindIndex(f => f.Name == name)];

        Assert.Equal("never,never,never,incremental", $"{Kind("authorization")},{Kind("proxy-authorization")},{Kind("cookie")},{Kind("x-plain")}");
    }

    [Fact]
    public async Task Rfc_9113_8_1_post_body_goes_in_data_frames_ending_the_stream()
    {
        var request = new TypedHttpRequest("POST", new Uri("http://x/up")) { Content = new StringRequestContent("hello body") };

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal(("POST", "10", "text/plain; charset=utf-8", "hello body", true),
            (r.Method, r.Header("content-length"), r.Header("content-type"), Encoding.ASCII.GetString(r.Body), r.EndStream));
    }

    [Fact]
    public async Task Rfc_9113_8_1_unknown_length_body_has_no_content_length_and_ends_with_end_stream()
    {
        var request = new TypedHttpRequest("POST", new Uri("http://x/up")) { Content = new PiecewiseContent(5, 7000, null) };

        (Http2ReceivedRequest r, _) = await CaptureAsync(request);

        Assert.Equal((null, 35_000, true), (r.Header("content-length"), r.Body.Length, r.EndStream));
    }

    /// <summary>A server with a small stream window that gives back <paramref name="credit"/> bytes after each DATA frame; returns the DATA lengths it saw.</summary>
    private static async Task<(string Body, string Lengths)> UploadThroughWindowAsync(uint window, int credit, RequestContent content)
    {
        var seen = new TaskCompletionSource<(string, string)>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.InitialWindowSize, window));
            await c.ServeOneAsync();
            Http2ReceivedRequest post = (await c.ReadRequestAsync(waitForEndStream: false))!;
            while (!c.ReceivedFrames.Any(f => f.Header.Type == Http2FrameType.Data && f.Header.StreamId == post.StreamId && f.Header.HasFlag(Http2FrameFlags.EndStream)))
            {
                Http2ReceivedFrame data = await c.ExpectAsync(Http2FrameType.Data, post.StreamId);
                if (data.Header.Length > 0)
                {
                    await c.SendWindowUpdateAsync(post.StreamId, credit);
                }
            }
            var body = new System.IO.MemoryStream();
            foreach (Http2ReceivedFrame f in c.ReceivedFrames.Where(f => f.Header.Type == Http2FrameType.Data && f.Header.StreamId == post.StreamId))
            {
                body.Write(f.Payload);
            }
            seen.SetResult((Encoding.ASCII.GetString(body.ToArray()), string.Join(",", c.DataLengths(post.StreamId).Where(n => n > 0).Distinct())));
            await c.RespondAsync(post.StreamId, "done");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri());
        await using TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/up")) { Content = content });
        await response.ReadAsStringAsync();
        return await seen.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Rfc_9113_6_9_body_larger_than_the_window_waits_for_window_updates()
    {
        string text = string.Concat(Enumerable.Range(0, 500).Select(i => $"{i:D9},"));

        (string body, string lengths) = await UploadThroughWindowAsync(1000, 1000, new StringRequestContent(text));

        Assert.Equal((text, "1000"), (body, lengths));
    }

    [Fact]
    public async Task Rfc_9113_6_9_one_byte_window_sends_one_byte_frames()
    {
        (string body, string lengths) = await UploadThroughWindowAsync(1, 1, new StringRequestContent("twenty bytes of body"));

        Assert.Equal(("twenty bytes of body", "1"), (body, lengths));
    }

    [Fact]
    public async Task Rfc_9113_6_9_body_stuck_without_window_fails_with_send_timeout()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.InitialWindowSize, 0u));
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.SendTimeout = TimeSpan.FromMilliseconds(300));
        await session.GetStringAsync(server.Uri());

        TypedHttpException e = await AssertFailsAsync(HttpError.Timeout, HttpPhase.Send,
            async () => await session.SendAsync(new TypedHttpRequest("POST", server.Uri("/up")) { Content = new StringRequestContent("never sent") }));
        Assert.Contains("flow-control window", e.Message);
    }
}
