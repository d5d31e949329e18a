using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Fuzz;

/// <summary>
/// One fuzz execution: a loopback server in this process answers one request with bytes taken from the input and
/// closes; a fresh <see cref="HttpSession"/> sends the request and reads the whole response (body and trailers).
/// The first input byte picks what the rest is:
/// <list type="bullet">
/// <item>0 — a raw response to GET (status line, headers, framing, body);</item>
/// <item>1 — a raw response to HEAD;</item>
/// <item>2 — a chunked body after a fixed <c>Transfer-Encoding: chunked</c> head (the chunked decoder);</item>
/// <item>3 — a gzip-coded close-delimited body with automatic decompression on.</item>
/// </list>
/// Small limits make the limit paths reachable. Any exception other than <see cref="TypedHttpException"/> escapes
/// and is a crash for afl-fuzz; a hang is caught by afl-fuzz's timeout (nothing here may wait: the server closes).
/// </summary>
internal sealed class ResponseTarget : IDisposable
{
    private static readonly byte[] s_chunkedHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    private static readonly byte[] s_gzipHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n");

    private readonly Socket _listener;
    private readonly Uri _uri;
    private readonly byte[] _readBuffer = new byte[8192];

    public ResponseTarget()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
        _uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/fuzz");
    }

    /// <summary>Runs one input; returns a short description of the outcome.</summary>
    public string Run(byte[] input)
    {
        int mode = input.Length > 0 ? input[0] & 3 : 0;
        ReadOnlySpan<byte> payload = input.Length > 0 ? input.AsSpan(1) : ReadOnlySpan<byte>.Empty;
        byte[] response = mode switch
        {
            2 => Concat(s_chunkedHead, payload),
            3 => Concat(s_gzipHead, payload),
            _ => payload.ToArray(),
        };
        return RunAsync(response, head: mode == 1, decompress: mode == 3).GetAwaiter().GetResult();
    }

    private async Task<string> RunAsync(byte[] response, bool head, bool decompress)
    {
        Task serve = ServeOneAsync(response);
        string outcome;
        using (var session = new HttpSession(Options(decompress)))
        {
            try
            {
                await using TypedHttpResponse r = await session.SendAsync(new TypedHttpRequest(head ? "HEAD" : "GET", _uri)).ConfigureAwait(false);
                long total = 0;
                int n;
                while ((n = await r.Body.ReadAsync(_readBuffer).ConfigureAwait(false)) > 0)
                {
                    total += n;
                }
                outcome = $"{r.StatusCode}, {total} body bytes, {r.Headers.Count} headers, {r.Trailers.Count} trailers";
            }
            catch (TypedHttpException e)
            {
                outcome = $"{e.Error}/{e.Phase}";
            }
        }
        await serve.ConfigureAwait(false);
        return outcome;
    }

    private async Task ServeOneAsync(byte[] response)
    {
        using Socket s = await _listener.AcceptAsync().ConfigureAwait(false);
        s.NoDelay = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // The request head ends with an empty line; the engine sends no body for GET or HEAD.
            byte[] head = new byte[4096];
            int have = 0;
            while (have < head.Length && head.AsSpan(0, have).IndexOf("\r\n\r\n"u8) < 0)
            {
                int n = await s.ReceiveAsync(head.AsMemory(have), SocketFlags.None, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }
                have += n;
            }
            if (response.Length > 0)
            {
                await s.SendAsync(response, SocketFlags.None, cts.Token).ConfigureAwait(false);
            }
            s.Shutdown(SocketShutdown.Send);
            // Wait for the client to close so that the next input never meets this connection's leftovers.
            while (await s.ReceiveAsync(head, SocketFlags.None, cts.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The client may reset a connection it gave up on; that is its right.
        }
    }

    private static HttpSessionOptions Options(bool decompress) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        SendTimeout = TimeSpan.FromSeconds(2),
        ReceiveTimeout = TimeSpan.FromSeconds(2),
        ReceiveResponseTimeout = TimeSpan.FromSeconds(3),
        MaxResponseHeadersLength = 2048,
        MaxResponseHeaderCount = 32,
        MaxChunkSizeLineLength = 64,
        MaxInterimResponses = 3,
        MaxResponseDrainSize = 1024,
        UseCookies = true,
        AutomaticDecompression = decompress,
        DecompressionLimits = new DecompressionLimits(1 << 16, 100),
        // Nothing leaves the loopback: no redirect is followed and no name is ever resolved.
        RedirectPolicy = RedirectPolicy.Never,
        Resolver = static (host, _) => throw new SocketException((int)SocketError.HostNotFound),
    };

    private static byte[] Concat(byte[] head, ReadOnlySpan<byte> payload)
    {
        byte[] bytes = new byte[head.Length + payload.Length];
        head.CopyTo(bytes, 0);
        payload.CopyTo(bytes.AsSpan(head.Length));
        return bytes;
    }

    public void Dispose() => _listener.Dispose();
}
