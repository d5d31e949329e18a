using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SharpFuzz;

namespace TypedHttp.Fuzz;

/// <summary>
/// Entry point of the fuzz targets. The target is chosen by the FUZZ_TARGET environment variable or a leading
/// <c>--target=NAME</c> argument: <c>response</c> (default, <see cref="ResponseTarget"/>), <c>hpack</c>
/// (<see cref="HpackTarget"/>) or <c>frames</c> (<see cref="FrameTarget"/>). Under afl-fuzz (run.sh) it runs the
/// target in SharpFuzz's persistent mode; <c>replay FILE|DIR...</c> runs saved inputs once each (crash triage,
/// corpus checks) and exits 1 when any of them ends in anything but an expected outcome of its target.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        string name = Environment.GetEnvironmentVariable("FUZZ_TARGET") ?? "response";
        if (args.Length > 0 && args[0].StartsWith("--target=", StringComparison.Ordinal))
        {
            name = args[0]["--target=".Length..];
            args = args[1..];
        }
        using ResponseTarget? response = name == "response" ? new ResponseTarget() : null;
        Func<byte[], string> target = name switch
        {
            "response" => response!.Run,
            "hpack" => new HpackTarget().Run,
            "frames" => new FrameTarget().Run,
            _ => throw new ArgumentException($"Unknown fuzz target '{name}' (response, hpack, frames)."),
        };
        if (args.Length > 0 && args[0] == "replay")
        {
            return Replay(target, args.Skip(1));
        }
        Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
    }

    private static int Replay(Func<byte[], string> target, IEnumerable<string> paths)
    {
        int failures = 0;
        int count = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                : new[] { path };
            foreach (string file in files)
            {
                count++;
                try
                {
                    string outcome = target(File.ReadAllBytes(file));
                    Console.WriteLine($"{file}: {outcome}");
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"{file}: CRASH {e}");
                }
            }
        }
        Console.WriteLine($"{count} inputs, {failures} crashes");
        return failures == 0 ? 0 : 1;
    }
}
