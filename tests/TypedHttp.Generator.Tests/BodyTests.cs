using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>Generated clients' bodies: JSON, string, bytes, streams (replayable or not), forms, multipart.</summary>
[Collection(GeneratedClients.Name)]
public sealed class BodyTests(CoreClients core, RefitSurfaceClients surface, ShapeClients shapes)
{
    [Fact]
    public async Task Json_body_and_headers()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("""{"Id":7,"Name":"Zoë"}""");
        string result = await core.Assembly.CallAsync<string>("App.Scenario", "Create", options, "req-1", null);

        Assert.Equal("200 Zoë ok", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("http://example.test/api/users", request.Uri);
        Assert.Equal("""{"Id":7,"Name":"Zo\u00EB"}""", request.BodyText);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        // The method's "accept" replaces the interface's "Accept"; a null header parameter removes the constant of
        // its name (as Refit does).
        Assert.Equal(
            new[] { "accept: text/plain", "X-Request-Id: req-1" },
            request.Headers.Select(h => h.Key + ": " + h.Value));
    }

    [Fact]
    public async Task String_body_is_utf8_text()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options("stored");
        string result = await core.Assembly.CallAsync<string>("App.Scenario", "Note", options);

        Assert.Equal("stored", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("http://example.test/api/notes/3", request.Uri);
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), request.Body);
        Assert.Equal("text/plain; charset=utf-8", request.ContentType);
    }

    [Fact]
    public async Task Byte_array_body_is_sent_as_it_is()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = CoreClients.Options();
        await core.Assembly.CallAsync<string>("App.Scenario", "Blob", options);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, request.Body);
        Assert.Equal("application/octet-stream", request.ContentType);
    }

    [Fact]
    public async Task Form_body_is_url_encoded_invariant_and_replayable()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await RefitSurfaceClients.InGerman(() => surface.Call("Login", options));

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("User=ann%40example.org&pass+word=p%26ss+w%C3%B6rd%2B&Amount=12.5&Scopes=read%2Cwrite", request.BodyText);
        Assert.Equal(request.Body!.Length, request.ContentLength);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
    }

    [Fact]
    public async Task Dictionary_form_body()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Fields", options);
        Assert.Equal("a=1+2&b=%C3%BC", Assert.Single(transport.Requests).BodyText);
    }

    [Fact]
    public async Task Seekable_stream_body_is_replayed_from_its_start_position()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        var stream = new MemoryStream(Encoding.UTF8.GetBytes("skip:payload"));
        stream.Position = 5;
        await surface.Call("Blob", options, stream);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("payload", request.BodyText);
        Assert.Equal(7, request.ContentLength);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
        Assert.Equal("application/octet-stream", request.ContentType);
    }

    [Fact]
    public async Task Unseekable_stream_body_is_chunked_and_not_replayable()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        var body = new GatedStream("one ", "shot");
        body.Release();
        await surface.Call("Blob", options, body);

        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("one shot", request.BodyText);
        Assert.Null(request.ContentLength);
        Assert.False(request.Replayable);
    }

    [Fact]
    public async Task Multipart_body_bytes_are_exact()
    {
        string file = Path.Combine(Path.GetTempPath(), "typedhttp-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(file, "file text");
        try
        {
            (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
            await RefitSurfaceClients.InGerman(() => surface.Call("Upload", options, file));

            RecordedRequest request = Assert.Single(transport.Requests);
            Assert.Equal("http://example.test/api/v2/upload/5", request.Uri);
            Assert.Equal("multipart/form-data; boundary=test-boundary", request.ContentType);
            string expected =
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"description\"\r\n" +
                "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
                "héllo\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\n" +
                "Content-Type: application/octet-stream\r\n\r\n" +
                "\u0000\u0001\u0002\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"part\"; filename=\"a%22b%0D%0A.txt\"\r\n" +
                "Content-Type: text/plain\r\n\r\n" +
                "stream text\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"document\"; filename=\"doc.txt\"\r\n" +
                "Content-Type: application/octet-stream\r\n\r\n" +
                "file text\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"meta\"\r\n" +
                "Content-Type: application/json; charset=utf-8\r\n\r\n" +
                "{\"Title\":\"T\"}\r\n" +
                "--test-boundary\r\n" +
                "Content-Disposition: form-data; name=\"n\"\r\n" +
                "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
                "1234.5\r\n" +
                "--test-boundary--\r\n";
            Assert.Equal(Encoding.UTF8.GetBytes(expected), request.Body);
            Assert.Equal(request.Body!.Length, request.ContentLength);
            Assert.True(request.Replayable);
            Assert.Equal(request.Body, request.Replay);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Multipart_boundary_is_random_per_request()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
        await surface.Call("Random", options);
        await surface.Call("Random", options);

        var boundaries = new List<string>();
        foreach (RecordedRequest request in transport.Requests)
        {
            Assert.StartsWith("multipart/form-data; boundary=typedhttp-", request.ContentType);
            string boundary = request.ContentType!.Substring("multipart/form-data; boundary=".Length);
            Assert.Equal(
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx\r\n--{boundary}--\r\n",
                request.BodyText);
            boundaries.Add(boundary);
        }
        Assert.NotEqual(boundaries[0], boundaries[1]);
    }

    [Fact]
    public async Task Multipart_with_an_unseekable_stream_part_is_chunked_and_not_replayable()
    {
        string file = Path.Combine(Path.GetTempPath(), "typedhttp-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(file, "f");
        try
        {
            var part = new GatedStream("unseekable", "");
            part.Release();
            (TypedHttpClientOptions options, RecordingTransport transport) = RefitSurfaceClients.Options();
            await surface.Call("UploadStream", options, part, file);

            RecordedRequest request = Assert.Single(transport.Requests);
            Assert.Null(request.ContentLength);
            Assert.False(request.Replayable);
            Assert.Contains("filename=\"s.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nunseekable\r\n", request.BodyText);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Form_keys_follow_the_same_rule()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = ShapeClients.Options();
        await shapes.Call("Form", options);
        Assert.Equal("user_name=ann&min=18&Plain=p&Page.per_page=20", Assert.Single(transport.Requests).BodyText);
    }

    [Fact]
    public async Task Collections_of_parts_send_one_part_per_item_named_by_the_parameter()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = ShapeClients.Options();
        await shapes.Call("Upload", options);
        RecordedRequest request = Assert.Single(transport.Requests);
        string expected =
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"1.txt\"\r\nContent-Type: text/plain\r\n\r\none\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"second\"; filename=\"2.txt\"\r\nContent-Type: application/octet-stream\r\n\r\ntwo\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\nContent-Type: application/octet-stream\r\n\r\nA\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"raw\"\r\nContent-Type: application/octet-stream\r\n\r\nB\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nn\r\n" +
            "--b--\r\n";
        Assert.Equal(expected, request.BodyText);
        Assert.True(request.Replayable);
        Assert.Equal(request.Body, request.Replay);
    }

    [Fact]
    public async Task Empty_collections_of_parts_send_no_part()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = ShapeClients.Options();
        await shapes.Call("UploadEmpty", options);
        string expected =
            "--b\r\nContent-Disposition: form-data; name=\"blobs\"; filename=\"c.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nC\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nn\r\n" +
            "--b--\r\n";
        Assert.Equal(expected, Assert.Single(transport.Requests).BodyText);
    }
}
