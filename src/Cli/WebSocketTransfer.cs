using System;
using System.Globalization;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>
/// A ws:// or wss:// URL: the handshake through the session (its proxy, credentials, cookies, TLS settings and
/// timeouts; -v and -i show the heads), then messages both ways until one side closes.
/// </summary>
/// <remarks>
/// <para>
/// What is sent: the -d/--data-raw/--json data as one text message (--data-binary: one binary message); without data,
/// each line of standard input as a text message (its line end removed) when standard input is not a terminal;
/// otherwise nothing. When the input ends (the data sent, or end of file) thttp sends a close frame with 1000 and
/// waits up to <see cref="CloseGrace"/> for the server's; -m expiring does the same and then exits 28.
/// </para>
/// <para>
/// What is written: each message as it arrives, a text message as its UTF-8 bytes followed by a line feed (so that
/// messages stay apart, as lines went in), a binary message as its bytes with nothing added.
/// </para>
/// <para>
/// Exit codes: a handshake answered with anything but a valid 101 is 22 (as curl, with or without -f); connection,
/// TLS and timeout failures as for HTTP (7, 35, 60, 28); a server that closes with a status other than 1000 (normal)
/// or none, or that breaks the protocol or the connection, 56.
/// </para>
/// </remarks>
internal sealed class WebSocketTransfer
{
    /// <summary>How long thttp waits for the server's close frame after sending its own.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] LineFeed = "\n"u8.ToArray();

    private readonly CliEnvironment _env;
    private readonly RequestBuilder _requests;
    private readonly HopHeads? _hops;
    private readonly VerboseTrace? _verbose;

    public WebSocketTransfer(CliEnvironment environment, RequestBuilder requests, HopHeads? hops, VerboseTrace? verbose)
    {
        _env = environment;
        _requests = requests;
        _hops = hops;
        _verbose = verbose;
    }

    /// <summary>Runs the WebSocket transfer to <paramref name="uri"/>; a failure is thrown as <see cref="CliFailure"/>, <see cref="TypedHttpException"/> or <see cref="OperationCanceledException"/> (of <paramref name="maxTime"/> when -m expired).</summary>
    public async Task RunAsync(HttpSession session, Uri uri, Output output, TransferReport report, CancellationToken maxTime, CancellationToken cancellationToken)
    {
        WebSocketConnectOptions options = _requests.WebSocketOptions();
        byte[]? data = _requests.Data;
        bool binary = _requests.HasBinaryData;
        if (data is not null && !binary && !IsUtf8(data))
        {
            throw new CliFailure(ExitCodes.Usage, "the -d data is not valid UTF-8, so it cannot be a WebSocket text message; use --data-binary to send it as a binary message");
        }

        WebSocket socket;
        try
        {
            socket = await session.ConnectWebSocketAsync(uri, options, maxTime).ConfigureAwait(false);
        }
        catch (TypedHttpException e) when (e.Error == HttpError.WebSocketHandshakeFailed)
        {
            report.HttpCode = e.StatusCode ?? 0;
            report.HttpVersion = System.Net.HttpVersion.Version11;
            throw;
        }
        using (socket)
        {
            report.HttpCode = 101;
            report.HttpVersion = System.Net.HttpVersion.Version11;
            if (_hops is not null)
            {
                foreach (byte[] head in _hops.TakeHops(null))
                {
                    await output.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            await ExchangeAsync(socket, data, binary, output, report, maxTime, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ExchangeAsync(WebSocket socket, byte[]? data, bool binary, Output output, TransferReport report, CancellationToken maxTime, CancellationToken cancellationToken)
    {
        using var sendLock = new SemaphoreSlim(1, 1);
        using var stopInput = CancellationTokenSource.CreateLinkedTokenSource(maxTime);
        Task receiving = ReceiveAllAsync(socket, output, report, cancellationToken);
        Task input = SendInputAsync(socket, sendLock, data, binary, stopInput.Token);
        // -m on its own: a read of standard input does not always honour cancellation (a console stream), so the
        // input task is not waited for once it has been told to stop.
        var expiry = Task.Delay(Timeout.Infinite, maxTime);
        Task first = await Task.WhenAny(receiving, input, expiry).ConfigureAwait(false);

        if (first != receiving)
        {
            // The input ended (the data sent, end of file), -m expired, or the input failed: close (1000) and wait for the server's close.
            bool timedOut = maxTime.IsCancellationRequested;
            await CloseAsync(socket, sendLock, WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
            Task done = await Task.WhenAny(receiving, Task.Delay(CloseGrace, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (done != receiving)
            {
                _verbose?.Info(string.Create(CultureInfo.InvariantCulture, $"no WebSocket close frame from the server within {CloseGrace.TotalSeconds:0} s; closing the connection"));
                socket.Abort();
            }
            Exception? afterClose = await ObserveAsync(receiving).ConfigureAwait(false);
            if (afterClose is CliFailure { Code: ExitCodes.WriteError } writeFailure)
            {
                throw writeFailure;
            }
            if (afterClose is not null)
            {
                _verbose?.Info($"after the close frame: {afterClose.Message}");
            }
            if (input.IsCompleted && input.IsFaulted && input.Exception!.InnerException is { } inputFailure and not OperationCanceledException)
            {
                throw Map(inputFailure);
            }
            if (timedOut)
            {
                throw new OperationCanceledException(maxTime);
            }
            return;
        }

        // The server closed, or the receive failed: the input stops.
        await stopInput.CancelAsync().ConfigureAwait(false);
        _ = ObserveAsync(input); // not waited for (see above); its failure no longer matters
        if (await ObserveAsync(receiving).ConfigureAwait(false) is { } failure)
        {
            throw Map(failure);
        }
        WebSocketCloseStatus status = socket.CloseStatus ?? WebSocketCloseStatus.Empty;
        _verbose?.Info(string.Create(CultureInfo.InvariantCulture, $"WebSocket closed by the server: {(int)status}{(string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : " " + socket.CloseStatusDescription)}"));
        if (socket.State == WebSocketState.CloseReceived)
        {
            await CloseAsync(socket, sendLock, status == WebSocketCloseStatus.Empty ? WebSocketCloseStatus.NormalClosure : status, cancellationToken).ConfigureAwait(false);
        }
        if (status is not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.Empty))
        {
            string reason = string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : $" ({socket.CloseStatusDescription})";
            throw new CliFailure(ExitCodes.RecvError, string.Create(CultureInfo.InvariantCulture, $"Recv failure: the server closed the WebSocket with status {(int)status}{reason}"));
        }
    }

    /// <summary>Writes each received message as it arrives until the server's close frame.</summary>
    private static async Task ReceiveAllAsync(WebSocket socket, Output output, TransferReport report, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (result.Count > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, result.Count), CancellationToken.None).ConfigureAwait(false);
                report.SizeDownload += result.Count;
            }
            if (result.EndOfMessage)
            {
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    await output.WriteAsync(LineFeed, CancellationToken.None).ConfigureAwait(false);
                }
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the data, or the lines of standard input, or (neither) waits until <paramref name="stop"/>.</summary>
    private async Task SendInputAsync(WebSocket socket, SemaphoreSlim sendLock, byte[]? data, bool binary, CancellationToken stop)
    {
        if (data is not null)
        {
            await SendAsync(socket, sendLock, data, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text).ConfigureAwait(false);
            return;
        }
        if (_env.Stdin is not { } stdin || _env.StdinIsTerminal)
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false); // listen until the server closes, -m or an interrupt
            return;
        }
        var pending = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int lineNumber = 0;
        while (true)
        {
            int n;
            try
            {
                n = await stdin.ReadAsync(buffer, stop).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new CliFailure(ExitCodes.ReadError, $"Failed to read standard input: {e.Message}");
            }
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    pending.Write(buffer, start, i - start);
                    start = i + 1;
                    await SendLineAsync(socket, sendLock, pending, ++lineNumber).ConfigureAwait(false);
                }
            }
            pending.Write(buffer, start, n - start);
            if (n == 0)
            {
                if (pending.Length > 0)
                {
                    await SendLineAsync(socket, sendLock, pending, ++lineNumber).ConfigureAwait(false); // the last line, without a line end
                }
                return;
            }
        }
    }

    /// <summary>Sends the line in <paramref name="pending"/> (without its CR before the LF) as a text message and empties it.</summary>
    private static async Task SendLineAsync(WebSocket socket, SemaphoreSlim sendLock, MemoryStream pending, int lineNumber)
    {
        byte[] line = pending.ToArray();
        pending.SetLength(0);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        if (!IsUtf8(line))
        {
            throw new CliFailure(ExitCodes.ReadError, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber} of standard input is not valid UTF-8, so it cannot be a WebSocket text message"));
        }
        await SendAsync(socket, sendLock, line, WebSocketMessageType.Text).ConfigureAwait(false);
    }

    /// <summary>One whole message. A send is never cancelled: .NET aborts a WebSocket whose send is cancelled.</summary>
    private static async Task SendAsync(WebSocket socket, SemaphoreSlim sendLock, byte[] message, WebSocketMessageType type)
    {
        await sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends the close frame unless one was sent or the WebSocket is past it.</summary>
    private static async Task CloseAsync(WebSocket socket, SemaphoreSlim sendLock, WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        await sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // The connection is gone already; the receive side reports how.
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Waits for <paramref name="task"/> and returns its failure (null when it ran to completion or was cancelled).</summary>
    private static async Task<Exception?> ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>curl's code for a failure after the handshake.</summary>
    private static Exception Map(Exception e) => e switch
    {
        CliFailure or TypedHttpException => e,
        WebSocketException w => new CliFailure(ExitCodes.RecvError, $"Recv failure: {w.Message}"),
        IOException io => new CliFailure(ExitCodes.RecvError, $"Recv failure: {io.Message}"),
        _ => e,
    };

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
