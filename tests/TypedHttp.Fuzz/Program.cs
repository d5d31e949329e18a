using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SharpFuzz;

namespace TypedHttp.Fuzz;

/// <summary>
/// Entry point of the fuzz target. Under afl-fuzz (run.sh) it runs <see cref="ResponseTarget"/> in SharpFuzz's
/// persistent mode; <c>replay FILE|DIR...</c> runs saved inputs once each (crash triage, corpus checks) and exits
/// 1 when any of them ends in anything but a response or a <see cref="TypedHttpException"/>.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        using var target = new ResponseTarget();
        if (args.Length > 0 && args[0] == "replay")
        {
            return Replay(target, args.Skip(1));
        }
        Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target.Run(copy.ToArray());
        });
        return 0;
    }

    private static int Replay(ResponseTarget target, IEnumerable<string> paths)
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
                    string outcome = target.Run(File.ReadAllBytes(file));
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
