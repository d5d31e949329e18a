using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Engine;

/// <summary>Helpers shared by the engine's wire tests.</summary>
internal static class EngineTest
{
    /// <summary>A session with timeouts short enough that a broken case fails fast instead of hanging.</summary>
    public static HttpSession Session(Action<HttpSessionOptions>? configure = null)
    {
        var options = new HttpSessionOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SendTimeout = TimeSpan.FromSeconds(5),
            ReceiveTimeout = TimeSpan.FromSeconds(5),
            ReceiveResponseTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new HttpSession(options);
    }

    /// <summary>A <see cref="Session"/> in which every host name resolves to 127.0.0.1 (for tests that name hosts such as <c>a.test</c>).</summary>
    public static HttpSession LoopbackSession(Action<HttpSessionOptions>? configure = null) =>
        Session(options =>
        {
            options.Resolver = static (_, _) => ValueTask.FromResult(new[] { IPAddress.Loopback });
            configure?.Invoke(options);
        });

    public static ValueTask<TypedHttpResponse> GetAsync(this HttpSession session, Uri uri, CancellationToken cancellationToken = default) =>
        session.SendAsync(new TypedHttpRequest("GET", uri), cancellationToken);

    /// <summary>
    /// A server whose first connection goes stale once pooled: it answers one request with <c>Ok("first")</c>, reads
    /// the next and closes (FIN) without answering. Every later connection answers with <c>Ok(<paramref name="then"/>)</c>.
    /// </summary>
    /// <param name="then">The body later connections answer with.</param>
    public static ScriptedServer StaleAfterFirst(string then) => ScriptedServer.Start(async c =>
    {
        if (c.Index == 0)
        {
            await c.ReadRequestAsync();
            await c.SendAsync(Ok("first"));
            await c.ReadRequestAsync(); // the server reads the second request, then drops the connection unanswered
            c.Close();
            return;
        }
        await c.ServeAsync(Ok(then));
    });

    /// <summary>Sends a GET, reads the body to the end, disposes the response and returns the body.</summary>
    public static async Task<string> GetStringAsync(this HttpSession session, Uri uri)
    {
        await using TypedHttpResponse response = await session.GetAsync(uri);
        return await response.ReadAsStringAsync();
    }

    /// <summary>Asserts that <paramref name="action"/> fails with a <see cref="TypedHttpException"/> of this kind and phase.</summary>
    public static async Task<TypedHttpException> AssertFailsAsync(HttpError error, HttpPhase phase, Func<Task> action)
    {
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(action);
        Assert.True(e.Error == error && e.Phase == phase, $"Expected {error}/{phase} but got {e.Error}/{e.Phase}: {e.Message}");
        return e;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (server-side effects happen on other threads).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), $"Timed out waiting until {what}.");
    }
}

/// <summary>A body that can be written once only (a stream the caller hands over).</summary>
internal sealed class OneShotContent(byte[] bytes, bool knownLength = true) : RequestContent
{
    private bool _written;

    public override long? Length => knownLength ? bytes.Length : null;

    public override bool IsReplayable => false;

    public override async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_written)
        {
            throw new InvalidOperationException("written twice");
        }
        _written = true;
        await destination.WriteAsync(bytes, cancellationToken);
    }
}

/// <summary>A body written in pieces, of known or unknown length, that may lie about its length.</summary>
internal sealed class PiecewiseContent(int pieces, int pieceSize, long? announcedLength, bool replayable = true) : RequestContent
{
    public override long? Length => announcedLength;

    public override bool IsReplayable => replayable;

    public override async ValueTask WriteToAsync(Stream destination, CancellationToken cancellationToken)
    {
        byte[] piece = new byte[pieceSize];
        for (int i = 0; i < piece.Length; i++)
        {
            piece[i] = (byte)('a' + i % 26);
        }
        for (int i = 0; i < pieces; i++)
        {
            await destination.WriteAsync(piece, cancellationToken);
        }
    }
}
