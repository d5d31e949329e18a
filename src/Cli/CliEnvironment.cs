using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>What the command line gets from its process; tests replace it to run in-process.</summary>
internal sealed class CliEnvironment
{
    /// <summary>Standard input, for <c>-d @-</c>; null reads nothing.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>Whether standard input is a terminal (a WebSocket transfer then reads nothing from it).</summary>
    public bool StdinIsTerminal { get; init; }

    /// <summary>Whether standard error is a terminal (the progress meter is shown only then, and only with -o).</summary>
    public bool StderrIsTerminal { get; init; }

    /// <summary>Resolves names that <c>--resolve</c> does not cover; null uses DNS.</summary>
    public Func<string, CancellationToken, ValueTask<IPAddress[]>>? Resolver { get; init; }

    /// <summary>Whether proxies come from http_proxy/https_proxy/no_proxy when -x is not given (as curl does).</summary>
    public bool UseEnvironmentProxy { get; init; }

    /// <summary>
    /// Writes a prompt and reads a password from the terminal with echo off (<c>-u user</c> without one); null, or
    /// a result of null, when there is no terminal.
    /// </summary>
    public Func<string, string?>? ReadPassword { get; init; }

    /// <summary>The real process: console input, DNS, environment proxies.</summary>
    public static CliEnvironment Process() => new()
    {
        ReadPassword = PasswordPrompt.FromTerminal,
        Stdin = Console.OpenStandardInput(),
        StdinIsTerminal = !Console.IsInputRedirected,
        StderrIsTerminal = !Console.IsErrorRedirected,
        UseEnvironmentProxy = true,
    };

    /// <summary>Reads a local file for <c>@FILE</c> arguments (data, headers, -w); <c>-</c> reads <see cref="Stdin"/>.</summary>
    /// <exception cref="CliFailure">curl's read error (26) when the file cannot be read.</exception>
    public byte[] ReadFile(string path)
    {
        try
        {
            if (path == "-")
            {
                var input = new MemoryStream();
                Stdin?.CopyTo(input);
                return input.ToArray();
            }
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliFailure(ExitCodes.ReadError, $"Failed to open/read local data from file/application: {path}: {e.Message}");
        }
    }
}

/// <summary>A transfer (or the whole run) ends with curl's exit <see cref="Code"/> and a one-line message.</summary>
internal sealed class CliFailure : Exception
{
    public CliFailure(int code, string message) : base(message) => Code = code;

    public int Code { get; }
}
