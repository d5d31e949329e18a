using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Cli;

/// <summary>The process: standard streams around <see cref="Cli.RunAsync"/>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        await using Stream stdout = Console.OpenStandardOutput();
        var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true, NewLine = "\n" };
        try
        {
            return await Cli.RunAsync(args, stdout, TextWriter.Synchronized(stderr), CliEnvironment.Process(), stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
        finally
        {
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
