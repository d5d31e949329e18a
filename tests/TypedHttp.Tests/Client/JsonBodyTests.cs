using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Internal;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Client;

public sealed record Item(int Id, string Name);

[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(List<Item>))]
internal sealed partial class JsonBodyContext : JsonSerializerContext;

/// <summary>
/// JSON response bodies over the wire: a body already received is parsed in place, a body of known length is read
/// into one buffer, anything else streams. Each path must give the same values, the same errors and leave the
/// connection ready for the next response.
/// </summary>
public sealed class JsonBodyTests
{
    private static ClientCore Core(HttpSession session, ScriptedServer server) =>
        new(new TypedHttpClientOptions { BaseAddress = server.Uri("/"), Session = session, JsonSerializerOptions = JsonBodyContext.Default.Options }, "Tests.IItems");

    private static string Json(string json, string framing = "length")
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        return framing == "length"
            ? $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n{Encoding.Latin1.GetString(bytes)}"
            : $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{bytes.Length:x}\r\n{Encoding.Latin1.GetString(bytes)}\r\n0\r\n\r\n";
    }

    private static TypedHttpRequest Get(ScriptedServer server, string path) => new("GET", server.Uri(path));

    private static List<Item> Many(int count) => Enumerable.Range(1, count).Select(i => new Item(i, "item ü " + i)).ToList();

    [Theory]
    [InlineData("length")]
    [InlineData("chunked")]
    public async Task Small_bodies_parse_and_the_connection_serves_the_next_response(string framing)
    {
        await using var server = ScriptedServer.Respond(Json("{\"Id\":1,\"Name\":\"one\"}", framing), Json("{\"Id\":2,\"Name\":\"two ✓\"}", framing));
        using HttpSession session = Engine.EngineTest.Session();
        ClientCore core = Core(session, server);

        Item first = await core.SendJsonAsync(Get(server, "/1"), JsonBodyContext.Default.Item, CancellationToken.None);
        Item second = await core.SendJsonAsync(Get(server, "/2"), JsonBodyContext.Default.Item, CancellationToken.None);

        Assert.Equal(new Item(1, "one"), first);
        Assert.Equal(new Item(2, "two ✓"), second);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task A_body_larger_than_the_read_buffer_is_read_whole_then_parsed()
    {
        // About 600 KiB: more than one socket read, less than the one-buffer limit.
        List<Item> items = Many(20_000);
        string json = JsonSerializer.Serialize(items, JsonBodyContext.Default.ListItem);
        Assert.InRange(Encoding.UTF8.GetByteCount(json), 64 * 1024, JsonBody.MaxBufferedLength);
        await using var server = ScriptedServer.Respond(Json(json), Json("{\"Id\":7,\"Name\":\"after\"}"));
        using HttpSession session = Engine.EngineTest.Session();
        ClientCore core = Core(session, server);

        List<Item> got = await core.SendJsonAsync(Get(server, "/many"), JsonBodyContext.Default.ListItem, CancellationToken.None);
        Item next = await core.SendJsonAsync(Get(server, "/next"), JsonBodyContext.Default.Item, CancellationToken.None);

        Assert.Equal(items, got);
        Assert.Equal(new Item(7, "after"), next);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task A_body_over_the_one_buffer_limit_streams_and_parses_the_same()
    {
        List<Item> items = Many(60_000);
        string json = JsonSerializer.Serialize(items, JsonBodyContext.Default.ListItem);
        Assert.True(Encoding.UTF8.GetByteCount(json) > JsonBody.MaxBufferedLength);
        await using var server = ScriptedServer.Respond(Json(json));
        using HttpSession session = Engine.EngineTest.Session();

        List<Item> got = await Core(session, server).SendJsonAsync(Get(server, "/many"), JsonBodyContext.Default.ListItem, CancellationToken.None);

        Assert.Equal(items, got);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(20_000)]
    public async Task A_utf8_byte_order_mark_is_skipped_as_the_streaming_reader_does(int count)
    {
        string json = "\uFEFF" + JsonSerializer.Serialize(Many(count), JsonBodyContext.Default.ListItem);
        await using var server = ScriptedServer.Respond(Json(json));
        using HttpSession session = Engine.EngineTest.Session();

        List<Item> got = await Core(session, server).SendJsonAsync(Get(server, "/bom"), JsonBodyContext.Default.ListItem, CancellationToken.None);

        Assert.Equal(count, got.Count);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(20_000)]
    public async Task A_body_cut_short_is_ResponseTruncated_not_a_json_error(int count)
    {
        string json = JsonSerializer.Serialize(Many(count), JsonBodyContext.Default.ListItem);
        int length = Encoding.UTF8.GetByteCount(json);
        string head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length + 10}\r\n\r\n";
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestAsync();
            await c.SendAsync(Encoding.Latin1.GetBytes(head).Concat(Encoding.UTF8.GetBytes(json)).ToArray());
            c.Close();
        });
        using HttpSession session = Engine.EngineTest.Session();

        TypedHttpException ex = await Assert.ThrowsAsync<TypedHttpException>(
            () => Core(session, server).SendJsonAsync(Get(server, "/short"), JsonBodyContext.Default.ListItem, CancellationToken.None));

        Assert.Equal(HttpError.ResponseTruncated, ex.Error);
        Assert.Equal(HttpPhase.ReceiveBody, ex.Phase);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("chunked")]
    public async Task Invalid_json_names_the_path_on_every_read_path_and_the_connection_survives(string framing)
    {
        await using var server = ScriptedServer.Respond(Json("{\"Id\":1,\"Name\":5}", framing), Json("{\"Id\":3,\"Name\":\"ok\"}", framing));
        using HttpSession session = Engine.EngineTest.Session();
        ClientCore core = Core(session, server);

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => core.SendJsonAsync(Get(server, "/bad"), JsonBodyContext.Default.Item, CancellationToken.None));
        Item next = await core.SendJsonAsync(Get(server, "/good"), JsonBodyContext.Default.Item, CancellationToken.None);

        Assert.Equal("$.Name", ex.Path);
        Assert.Contains("TypedHttp.Tests.Client.Item", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new Item(3, "ok"), next);
        Assert.Equal(1, server.AcceptedCount);
    }

    [Fact]
    public async Task Trailing_bytes_after_the_value_are_refused()
    {
        await using var server = ScriptedServer.Respond(Json("{\"Id\":1,\"Name\":\"a\"} x"));
        using HttpSession session = Engine.EngineTest.Session();

        await Assert.ThrowsAsync<JsonException>(() => Core(session, server).SendJsonAsync(Get(server, "/trailing"), JsonBodyContext.Default.Item, CancellationToken.None));
    }

    [Fact]
    public async Task An_empty_body_with_a_2xx_status_is_a_json_error()
    {
        await using var server = ScriptedServer.Respond("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Engine.EngineTest.Session();

        JsonException ex = await Assert.ThrowsAsync<JsonException>(() => Core(session, server).SendJsonAsync(Get(server, "/empty"), JsonBodyContext.Default.Item, CancellationToken.None));

        Assert.Contains("/empty", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>JSON request bodies: the per-thread writer is reset per body and never mixes options or bytes.</summary>
public sealed class JsonRequestContentTests
{
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    private static string Text(RequestContent content)
    {
        using var buffer = new System.IO.MemoryStream();
        content.WriteToAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Assert.Equal(buffer.Length, content.Length);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Bodies_with_different_options_interleaved_on_one_thread_keep_their_own_formatting()
    {
        var compact = new JsonSerializerOptions { TypeInfoResolver = JsonBodyContext.Default };
        var indented = new JsonSerializerOptions { TypeInfoResolver = JsonBodyContext.Default, WriteIndented = true };
        var relaxed = new JsonSerializerOptions { TypeInfoResolver = JsonBodyContext.Default, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var tabs = new JsonSerializerOptions { TypeInfoResolver = JsonBodyContext.Default, WriteIndented = true, IndentCharacter = '\t', IndentSize = 1, NewLine = "\n" };
        var item = new Item(1, "<ü>");

        using var a = new JsonRequestContent<Item>(item, Info<Item>(compact));
        using var b = new JsonRequestContent<Item>(item, Info<Item>(indented));
        using var c = new JsonRequestContent<Item>(item, Info<Item>(relaxed));
        using var d = new JsonRequestContent<Item>(new Item(2, "x"), Info<Item>(compact));
        using var e = new JsonRequestContent<Item>(new Item(4, "t"), Info<Item>(tabs));

        Assert.Equal("{\"Id\":1,\"Name\":\"\\u003C\\u00FC\\u003E\"}", Text(a));
        Assert.Equal("{\n  \"Id\": 1,\n  \"Name\": \"\\u003C\\u00FC\\u003E\"\n}".Replace("\n", Environment.NewLine, StringComparison.Ordinal), Text(b));
        Assert.Equal("{\"Id\":1,\"Name\":\"<ü>\"}", Text(c));
        Assert.Equal("{\"Id\":2,\"Name\":\"x\"}", Text(d));
        Assert.Equal("{\n\t\"Id\": 4,\n\t\"Name\": \"t\"\n}", Text(e));
    }

    [Fact]
    public void A_body_that_fails_to_serialize_leaves_the_next_body_intact()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = JsonBodyContext.Default };
        options.Converters.Add(new HalfWritingConverter());
        JsonTypeInfo<Item> failing = Info<Item>(options);

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => new JsonRequestContent<Item>(new Item(1, "a"), failing));
        using var next = new JsonRequestContent<Item>(new Item(3, "c"), JsonBodyContext.Default.Item);

        Assert.Equal("half written", ex.Message);
        Assert.Equal("{\"Id\":3,\"Name\":\"c\"}", Text(next));
    }

    private sealed class HalfWritingConverter : JsonConverter<Item>
    {
        public override Item Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Item value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("Id", value.Id);
            throw new InvalidOperationException("half written");
        }
    }
}
