using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>The connection preface and SETTINGS (RFC 9113 §3.4, §6.5, H2-4) against the scripted server.</summary>
public sealed class Http2SettingsTests
{
    [Fact]
    public async Task Rfc_9113_3_4_first_settings_push_off_stream_window_header_list_limit()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session(o =>
        {
            o.Http2StreamWindowSize = 200_000;
            o.MaxResponseHeadersLength = 32 * 1024;
        }))
        {
            await session.GetStringAsync(server.Uri());
        }
        await server.WaitForScriptsAsync();

        Assert.Equal("(EnablePush, 0),(InitialWindowSize, 200000),(MaxHeaderListSize, 32768)", string.Join(",", server.Connections[0].ClientSettings));
    }

    [Fact]
    public async Task Rfc_9113_6_9_2_connection_window_update_follows_the_first_settings()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session(o => o.Http2StreamWindowSize = 100_000))
        {
            await session.GetStringAsync(server.Uri());
        }
        await server.WaitForScriptsAsync();

        Http2ReceivedFrame second = server.Connections[0].ReceivedFrames[1];
        Assert.Equal((Http2FrameType.WindowUpdate, 0, 16 * 100_000 - 65535),
            (second.Header.Type, second.Header.StreamId, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(second.Payload)));
    }

    [Fact]
    public async Task Rfc_9113_6_5_3_server_settings_are_acknowledged_once()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxConcurrentStreams, 10u), (Http2SettingId.InitialWindowSize, 70000u));
            await c.ServeOneAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session())
        {
            await session.GetStringAsync(server.Uri());
            await session.GetStringAsync(server.Uri());
        }
        await server.WaitForScriptsAsync();

        Assert.Equal(1, server.Connections[0].SettingsAcksReceived);
    }

    [Fact]
    public async Task Rfc_9113_6_9_2_initial_window_size_lowered_then_raised_applies_to_the_open_stream()
    {
        var dataBeforeRaise = new TaskCompletionSource<string>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.InitialWindowSize, 100u));
            await c.ServeOneAsync(); // the client has applied our SETTINGS by now
            Http2ReceivedRequest post = (await c.ReadRequestAsync(waitForEndStream: false))!;
            while (c.DataLengths(post.StreamId).Sum() < 100)
            {
                await c.ExpectAsync(Http2FrameType.Data, post.StreamId);
            }
            // Lowered to 50: the stream's window is now 0 - 50; a WINDOW_UPDATE of 50 brings it back to 0 only.
            await c.SendSettingsAsync((Http2SettingId.InitialWindowSize, 50u));
            await c.SendWindowUpdateAsync(post.StreamId, 50);
            await c.ExpectSettingsAckAsync();
            await Task.Delay(200);
            await c.SendPingAsync(7);
            await c.ExpectFrameAsync(f => f.Header.Type == Http2FrameType.Ping && f.Header.HasFlag(Http2FrameFlags.Ack), "the PING ACK");
            int countBefore = c.DataLengths(post.StreamId).Count;
            string before = string.Join(",", c.DataLengths(post.StreamId));
            // Raised to 950: +900 with no WINDOW_UPDATE: the rest of the body may go.
            await c.SendSettingsAsync((Http2SettingId.InitialWindowSize, 950u));
            while (c.DataLengths(post.StreamId).Sum() < 1000)
            {
                await c.ExpectAsync(Http2FrameType.Data, post.StreamId);
            }
            dataBeforeRaise.SetResult(before + " | " + string.Join(",", c.DataLengths(post.StreamId).Skip(countBefore)));
            await c.RespondAsync(post.StreamId, "done");
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();
        await session.GetStringAsync(server.Uri());
        var request = new TypedHttpRequest("POST", server.Uri("/up")) { Content = new PiecewiseContent(1, 1000, null) };
        await using TypedHttpResponse response = await session.SendAsync(request);
        await response.ReadAsStringAsync();

        Assert.Equal("100 | 900", await dataBeforeRaise.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Rfc_9113_6_5_2_max_frame_size_raised_the_client_sends_bigger_data_frames()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxFrameSize, 65536u), (Http2SettingId.InitialWindowSize, 1u << 20));
            await c.SendWindowUpdateAsync(0, 1 << 20);
            await c.ServeOneAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session())
        {
            await session.GetStringAsync(server.Uri());
            var request = new TypedHttpRequest("POST", server.Uri("/up")) { Content = new ByteArrayRequestContent(new byte[60_000]) };
            await using TypedHttpResponse response = await session.SendAsync(request);
            await response.ReadAsStringAsync();
        }
        await server.WaitForScriptsAsync();

        Assert.Equal("60000,0", string.Join(",", server.Connections[0].DataLengths(3)));
    }

    [Fact]
    public async Task Rfc_9113_6_5_2_max_frame_size_raised_the_client_sends_a_bigger_headers_frame()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.MaxFrameSize, 65536u));
            await c.ServeOneAsync();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session())
        {
            await session.GetStringAsync(server.Uri());
            var request = new TypedHttpRequest("GET", server.Uri("/big"));
            request.Headers.Add("X-Big", new string('b', 30_000));
            await using TypedHttpResponse response = await session.SendAsync(request);
            await response.ReadAsStringAsync();
        }
        await server.WaitForScriptsAsync();

        Assert.Equal("HEADERS/5", string.Join(",", server.Connections[0].ReceivedFrames
            .Where(f => f.Header.StreamId == 3 && f.Header.Type is Http2FrameType.Headers or Http2FrameType.Continuation)
            .Select(f => $"{Http2Frame.Name(f.Header.Type)}/{(int)f.Header.Flags}")));
    }

    [Fact]
    public async Task Rfc_7541_4_2_header_table_size_starts_the_next_block_with_a_size_update()
    {
        var applied = new TaskCompletionSource();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            await c.SendSettingsAsync((Http2SettingId.HeaderTableSize, 0u));
            await c.ExpectSettingsAckAsync();
            applied.SetResult();
            await c.ServeOneAsync();
            await c.WaitForClientCloseAsync();
        });
        using (HttpSession session = Http2Wire.Session())
        {
            await session.GetStringAsync(server.Uri());
            await applied.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await session.GetStringAsync(server.Uri("/next"));
        }
        await server.WaitForScriptsAsync();

        Assert.Equal("size-update 0", Http2Wire.Representations(server.Connections[0].HeaderBlock(3))[0]);
    }

    [Fact]
    public async Task Rfc_9113_6_5_3_server_never_acknowledges_the_client_sends_go_away_settings_timeout()
    {
        var code = new TaskCompletionSource<Http2ErrorCode>();
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.ReadPrefaceAsync();
            await c.ExpectSettingsAsync();
            await c.SendSettingsAsync(); // and never a SETTINGS ACK
            Http2ReceivedRequest r = (await c.ReadRequestAsync())!;
            await c.RespondAsync(r.StreamId, "ok");
            code.SetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session(o => o.ReceiveTimeout = TimeSpan.FromMilliseconds(400));
        await session.GetStringAsync(server.Uri());

        Assert.Equal(Http2ErrorCode.SettingsTimeout, await code.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Rfc_9113_3_4_server_sends_garbage_instead_of_settings_invalid_server_response_naming_it()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.ReadPrefaceAsync();
            await c.SendRawAsync(Encoding.ASCII.GetBytes("hello, this is not HTTP/2 at all\r\n"));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Contains("must start with a SETTINGS frame", e.Message);
    }

    [Fact]
    public async Task Rfc_9113_3_4_server_answers_in_http_11_invalid_server_response_quoting_the_status_line()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.ReadPrefaceAsync();
            await c.SendRawAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Contains("'HTTP/1.1 400 Bad Request'", e.Message);
    }

    [Fact]
    public async Task Rfc_9113_6_5_2_server_enable_push_is_a_connection_protocol_error()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync((Http2SettingId.EnablePush, 1u));
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session();

        TypedHttpException e = await AssertFailsAsync(HttpError.InvalidServerResponse, HttpPhase.ReceiveHeaders, () => session.GetStringAsync(server.Uri()));
        Assert.Equal(((long?)Http2ErrorCode.ProtocolError, true), (e.ProtocolErrorCode, e.Message.Contains("SETTINGS_ENABLE_PUSH", StringComparison.Ordinal)));
    }
}
