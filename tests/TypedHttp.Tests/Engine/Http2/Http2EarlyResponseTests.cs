using System.Threading.Tasks;
using TypedHttp.Http2;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// A server that answers before the request body is sent is heard at once (H2-7, RFC 9113 §8.1); an idle connection
/// says GOAWAY before it closes (H2-13, RFC 9113 §6.8).
/// </summary>
public sealed class Http2EarlyResponseTests
{
    [Fact]
    public async Task H2_13_an_idle_connection_is_closed_with_goaway_no_error()
    {
        var code = new TaskCompletionSource<Http2ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            await c.HandshakeAsync();
            await c.ServeOneAsync();
            code.TrySetResult(await c.ExpectGoAwayAsync());
        });
        using HttpSession session = Http2Wire.Session(o => o.PooledConnectionIdleTimeout = System.TimeSpan.FromMilliseconds(200));
        await using (TypedHttpResponse response = await session.SendAsync(new TypedHttpRequest("GET", server.Uri("/"))))
        {
            await response.ReadAsStringAsync();
        }

        Assert.Equal(Http2ErrorCode.NoError, await code.Task.WaitAsync(System.TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task H2_7_an_early_413_arrives_while_the_body_still_waits_for_window()
    {
        await using var server = Http2ScriptedServer.Start(async c =>
        {
            // A 1 000-byte window and no WINDOW_UPDATE: the 100 000-byte body can never be sent whole.
            await c.HandshakeAsync((Http2SettingId.InitialWindowSize, 1000u));
            Http2ReceivedRequest request = (await c.ReadRequestAsync(waitForEndStream: false))!;
            await c.SendHeadersAsync(request.StreamId, [(":status", "413"), ("content-length", "0")], endStream: true);
            await c.WaitForClientCloseAsync();
        });
        using HttpSession session = Http2Wire.Session(o => o.SendTimeout = System.TimeSpan.FromSeconds(30));

        var post = new TypedHttpRequest("POST", server.Uri("/upload")) { Content = new ByteArrayRequestContent(new byte[100_000]) };
        Task<TypedHttpResponse> sending = session.SendAsync(post).AsTask();
        Task first = await Task.WhenAny(sending, Task.Delay(10_000));
        Assert.True(first == sending, "the 413 did not arrive while the upload waited for window");
        await using TypedHttpResponse response = await sending;

        Assert.Equal(413, response.StatusCode);
    }
}
