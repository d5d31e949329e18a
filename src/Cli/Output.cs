using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>Where a transfer's bytes go: standard output, or a file created on first write (as curl does).</summary>
internal sealed class Output : IAsyncDisposable
{
    private readonly Stream _stdout;
    private readonly string? _path;
    private Stream? _file;

    public Output(Stream stdout, string? path)
    {
        _stdout = stdout;
        _path = path is null or "-" ? null : path;
    }

    /// <summary>Whether the bytes go to a file.</summary>
    public bool IsFile => _path is not null;

    /// <summary>Writes <paramref name="bytes"/>; a failure is curl's write error (23).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Stream target = Open();
        try
        {
            await target.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliFailure(ExitCodes.WriteError, $"Failure writing output to destination: {e.Message}");
        }
    }

    /// <summary>Pushes what was written out (each WebSocket message as it arrives); a failure is curl's write error (23).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Open().FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliFailure(ExitCodes.WriteError, $"Failure writing output to destination: {e.Message}");
        }
    }

    /// <summary>Creates the file even when the body is empty (a successful transfer leaves a file behind).</summary>
    public void EnsureCreated() => Open();

    private Stream Open()
    {
        if (_path is null)
        {
            return _stdout;
        }
        if (_file is null)
        {
            try
            {
                _file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure(ExitCodes.WriteError, $"Failure writing output to destination: {e.Message}");
            }
        }
        return _file;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await _stdout.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The status line as curl prints it: <c>HTTP/1.1 200 OK</c> (the reason phrase as received), <c>HTTP/2 200</c>.</summary>
    public static string StatusLine(TypedHttpResponse response) => HeadText.StatusLine(response.Version, response.StatusCode, response.ReasonPhrase);

    /// <summary>The response head for -i and -I: status line, headers as received, empty line, CRLF line ends, Latin-1.</summary>
    public static byte[] Head(TypedHttpResponse response) => Head(StatusLine(response), response.Headers);

    /// <summary>A response head for -i and -I from its status line and fields.</summary>
    public static byte[] Head(string statusLine, HttpHeaderCollection headers)
    {
        StringBuilder text = new StringBuilder(statusLine).Append("\r\n");
        foreach (KeyValuePair<string, string> field in headers)
        {
            text.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
        }
        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }
}
