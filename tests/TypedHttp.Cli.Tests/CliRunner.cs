using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading.Tasks;

namespace TypedHttp.Cli.Tests;

/// <summary>The outcome of one in-process run.</summary>
public sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    public override string ToString() => $"exit {ExitCode}; stdout: {StdoutText}; stderr: {Stderr}";
}

/// <summary>Runs thttp in-process with captured streams and a resolver that never asks DNS.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(null, args);

    public static async Task<CliResult> RunAsync(byte[]? stdin, params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            Stdin = stdin is null ? null : new MemoryStream(stdin),
            // Names not given with --resolve do not resolve: tests never query real DNS.
            Resolver = (_, _) => ValueTask.FromResult(Array.Empty<IPAddress>()),
        };
        int exit = await Cli.RunAsync(args, stdout, stderr, environment);
        return new CliResult(exit, stdout.ToArray(), stderr.ToString());
    }

    /// <summary>A port on 127.0.0.1 where nothing listens.</summary>
    public static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A temporary file removed with the returned handle.</summary>
    public static TempFile Temp(byte[]? content = null) => new(content);
}

internal sealed class TempFile : IDisposable
{
    public TempFile(byte[]? content)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "thttp-test-" + Guid.NewGuid().ToString("N"));
        if (content is not null)
        {
            File.WriteAllBytes(Path, content);
        }
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
