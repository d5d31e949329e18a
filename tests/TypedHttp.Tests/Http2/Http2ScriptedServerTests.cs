using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Http2.Hpack;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Http2;

/// <summary>Self-tests of <see cref="Http2ScriptedServer"/>, driven by a raw TCP client that writes the preface and frames by hand.</summary>
public sealed class Http2ScriptedServerTests
{
    /// <summary>A hand-driven HTTP/2 client: writes frames, reads frames.</summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly Stream _stream;

        private RawClient(TcpClient tcp, Stream stream)
        {
            _tcp = tcp;
            _stream = stream;
        }

        public static async Task<RawClient> ConnectAsync(int port, X509Certificate2? authority = null)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            Stream stream = tcp.GetStream();
            if (authority is not null)
            {
                var tls = new SslStream(stream, false, TestCertificates.TrustOnly(authority));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                });
                stream = tls;
            }
            return new RawClient(tcp, stream);
        }

        public Stream Stream => _stream;

        public async Task WriteAsync(Action<IBufferWriter<byte>> write)
        {
            var output = new ArrayBufferWriter<byte>();
            write(output);
            await _stream.WriteAsync(output.WrittenMemory);
            await _stream.FlushAsync();
        }

        public Task StartAsync() => WriteAsync(o =>
        {
            o.Write(Http2Frame.ClientPreface);
            Http2Frame.WriteSettings(o, [(Http2SettingId.EnablePush, 0u), (Http2SettingId.InitialWindowSize, 1u << 20)]);
        });

        public async Task<(Http2FrameHeader Header, byte[] Payload)> ReadFrameAsync()
        {
            byte[] head = new byte[Http2FrameHeader.Size];
            await _stream.ReadExactlyAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            var header = Http2FrameHeader.Read(head);
            byte[] payload = new byte[header.Length];
            await _stream.ReadExactlyAsync(payload).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            return (header, payload);
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            _tcp.Dispose();
        }
    }

    private static string Describe(Http2FrameHeader h) =>
        $"{Http2Frame.Name(h.Type)}/{(int)h.Flags}/{h.StreamId}";

    [Fact]
    public async Task Handshake_sends_settings_and_ack_and_records_the_client_settings()
    {
        var seen = new TaskCompletionSource<string>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxConcurrentStreams, 10u));
            seen.SetResult(string.Join(",", c.ClientSettings));
            await c.WaitForClientCloseAsync();
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.StartAsync();
        (Http2FrameHeader Header, byte[] Payload) settings = await client.ReadFrameAsync();
        (Http2FrameHeader Header, byte[] Payload) ack = await client.ReadFrameAsync();
        Assert.Equal(
            ("SETTINGS/0/0", "00030000000a", "SETTINGS/1/0", "(EnablePush, 0),(InitialWindowSize, 1048576)"),
            (Describe(settings.Header), Convert.ToHexString(settings.Payload).ToLowerInvariant(), Describe(ack.Header), await seen.Task.WaitAsync(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Read_request_assembles_headers_continuation_and_data_skipping_acks_and_window_updates()
    {
        var requests = new TaskCompletionSource<Http2ReceivedRequest>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            requests.SetResult((await c.ReadRequestAsync())!);
            await c.WaitForClientCloseAsync();
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.StartAsync();
        var encoder = new HpackEncoder();
        var block = new ArrayBufferWriter<byte>();
        encoder.Encode(block, ":method", "POST");
        encoder.Encode(block, ":scheme", "http");
        encoder.Encode(block, ":path", "/upload");
        encoder.Encode(block, ":authority", "127.0.0.1");
        encoder.Encode(block, "content-type", "text/plain");
        await client.WriteAsync(o =>
        {
            Http2Frame.WriteSettingsAck(o);
            Http2Frame.WriteWindowUpdate(o, 0, 1000);
            Http2Frame.WriteHeaders(o, 1, block.WrittenSpan, endStream: false, maxFrameSize: 5);
            Http2Frame.WriteDataHeader(o, 1, 3, endStream: false);
            o.Write("abc"u8);
            Http2Frame.WriteWindowUpdate(o, 1, 7);
            Http2Frame.WriteDataHeader(o, 1, 2, endStream: true);
            o.Write("de"u8);
        });
        Http2ReceivedRequest request = await requests.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(
            ("POST /upload 127.0.0.1 http text/plain", "abcde", 2, "7", true),
            ($"{request.Method} {request.Path} {request.Authority} {request.Scheme} {request.Header("content-type")}", Encoding.ASCII.GetString(request.Body), request.DataFrames, string.Join(",", request.WindowUpdates), request.EndStream));
    }

    [Fact]
    public async Task Send_headers_and_data_write_frames_the_client_decodes_split_into_continuations()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.SendHeadersAsync(1, [(":status", "200"), ("content-type", "text/plain"), ("x-long", new string('v', 40))], endStream: false, maxFrameSize: 16);
            await c.SendDataAsync(1, "hello"u8.ToArray(), endStream: true, padLength: 3);
            await c.WaitForClientCloseAsync();
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.StartAsync();
        await client.ReadFrameAsync(); // SETTINGS
        await client.ReadFrameAsync(); // SETTINGS ACK
        var frames = new List<string>();
        var block = new ArrayBufferWriter<byte>();
        (Http2FrameHeader Header, byte[] Payload) frame;
        do
        {
            frame = await client.ReadFrameAsync();
            frames.Add(Describe(frame.Header));
            block.Write(frame.Payload);
        }
        while (!frame.Header.HasFlag(Http2FrameFlags.EndHeaders));
        var sink = new FieldCollector();
        new HpackDecoder().Decode(block.WrittenSpan, sink);
        (Http2FrameHeader Header, byte[] Payload) data = await client.ReadFrameAsync();
        string body = Encoding.ASCII.GetString(Http2Frame.RemovePadding(data.Header, data.Payload));
        Assert.Equal(
            ("HEADERS/0/1,CONTINUATION/0/1,CONTINUATION/0/1,CONTINUATION/4/1", ":status: 200; content-type: text/plain; x-long: " + new string('v', 40) + "; ", "DATA/9/1 hello"),
            (string.Join(",", frames), HpackTestSupport.Lines(sink.Text), Describe(data.Header) + " " + body));
    }

    [Fact]
    public async Task A_script_assertion_is_rethrown_by_wait_for_scripts()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.ReadPrefaceAsync();
            Assert.Fail("the script saw something it did not expect");
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.WriteAsync(o => o.Write(Http2Frame.ClientPreface));
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => server.WaitForScriptsAsync());
        Assert.Contains("did not expect", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_preface_fails_the_script()
    {
        await using var server = Http2ScriptedServer.Start(c => c.ReadPrefaceAsync());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.WriteAsync(o => o.Write("GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8));
        await Assert.ThrowsAsync<InvalidDataException>(() => server.WaitForScriptsAsync());
    }

    [Fact]
    public async Task A_silent_client_times_the_script_out_instead_of_hanging_it()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            c.ReadTimeout = TimeSpan.FromMilliseconds(200);
            await c.HandshakeAsync();
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.WriteAsync(o => o.Write(Http2Frame.ClientPreface)); // and never a SETTINGS frame
        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForScriptsAsync());
    }

    [Fact]
    public async Task Read_request_returns_null_when_the_client_sends_go_away()
    {
        var result = new TaskCompletionSource<string>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            Http2ReceivedRequest? request = await c.ReadRequestAsync();
            result.SetResult($"{request is null} {c.ClientGoAway}");
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.StartAsync();
        await client.WriteAsync(o => Http2Frame.WriteGoAway(o, 0, Http2ErrorCode.NoError, default));
        Assert.Equal("True (0, NoError)", await result.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Tls_negotiates_h_2_by_alpn_and_counts_the_connection()
    {
        using X509Certificate2 authority = TestCertificates.CreateAuthority();
        using X509Certificate2 certificate = TestCertificates.CreateServer(authority, "localhost");
        var protocol = new TaskCompletionSource<string?>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            protocol.SetResult(c.NegotiatedProtocol);
            await c.HandshakeAsync();
            await c.WaitForClientCloseAsync();
        }, certificate);
        await using RawClient client = await RawClient.ConnectAsync(server.Port, authority);
        await client.StartAsync();
        (Http2FrameHeader Header, byte[] Payload) settings = await client.ReadFrameAsync();
        Assert.Equal(("h2", "h2", "SETTINGS/0/0", 1, "https"),
            (((SslStream)client.Stream).NegotiatedApplicationProtocol.ToString(), await protocol.Task.WaitAsync(TimeSpan.FromSeconds(10)), Describe(settings.Header), server.AcceptedCount, server.Uri().Scheme));
    }
}
