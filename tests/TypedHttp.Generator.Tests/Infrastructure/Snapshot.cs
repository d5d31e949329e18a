using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>
/// Compares generated source with a committed <c>Snapshots/&lt;name&gt;.verified.cs</c>. With
/// <c>TYPEDHTTP_ACCEPT_SNAPSHOTS=1</c> the snapshot is rewritten instead; on a mismatch the actual text is written to
/// <c>&lt;name&gt;.received.cs</c> beside it and the test fails with a summary of the differences.
/// </summary>
internal static class Snapshot
{
    public static void Match(string actual, [CallerMemberName] string name = "", [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(ProjectDirectory(callerFile), "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable("TYPEDHTTP_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return;
        }

        if (!File.Exists(verifiedPath))
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
            Assert.Fail($"No snapshot {verifiedPath}. The generated source is in {receivedPath}; review it and run the tests with TYPEDHTTP_ACCEPT_SNAPSHOTS=1 to accept it.");
        }

        string expected = Normalize(File.ReadAllText(verifiedPath));
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        Assert.Fail($"The generated source differs from {verifiedPath} (actual text written to {receivedPath}; run with TYPEDHTTP_ACCEPT_SNAPSHOTS=1 to accept it):\n{Diff(expected, actual)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    /// <summary>A short line diff: the differing lines with their numbers, at most 20 of them.</summary>
    internal static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        // Longest common subsequence of lines, then walk it to list removed (-) and added (+) lines.
        int[,] lcs = new int[e.Length + 1, a.Length + 1];
        for (int i = e.Length - 1; i >= 0; i--)
        {
            for (int j = a.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = e[i] == a[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var text = new StringBuilder();
        int shown = 0;
        int total = 0;
        int x = 0;
        int y = 0;
        while (x < e.Length || y < a.Length)
        {
            if (x < e.Length && y < a.Length && e[x] == a[y])
            {
                x++;
                y++;
            }
            else if (y < a.Length && (x == e.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                total++;
                if (shown++ < 20)
                {
                    text.Append($"  + {y + 1,4}: {a[y]}\n");
                }
                y++;
            }
            else
            {
                total++;
                if (shown++ < 20)
                {
                    text.Append($"  - {x + 1,4}: {e[x]}\n");
                }
                x++;
            }
        }
        if (total > 20)
        {
            text.Append($"  … and {total - 20} more differing lines\n");
        }
        return $"{total} differing lines (- expected line, + actual line):\n{text}";
    }

    private static string ProjectDirectory(string callerFile)
    {
        string? directory = Path.GetDirectoryName(callerFile);
        if (directory is not null && File.Exists(Path.Combine(directory, "..", "TypedHttp.Generator.Tests.csproj")))
        {
            return Path.GetFullPath(Path.Combine(directory, ".."));
        }
        if (directory is not null && File.Exists(Path.Combine(directory, "TypedHttp.Generator.Tests.csproj")))
        {
            return directory;
        }
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "TypedHttp.Generator.Tests.csproj")))
            {
                return d;
            }
        }
        throw new InvalidOperationException("The test project directory was not found.");
    }
}
