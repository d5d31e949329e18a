using System;
using System.Collections.Generic;
using System.IO;

namespace TypedHttp.Tests.Policy;

/// <summary>A clock that stands still until a test moves it.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Finds the shared test data that sits beside the clone (<c>../shared/data</c> from the repository root).</summary>
internal static class SharedData
{
    public static readonly string? HttpStateFolder = Locate("http-state");

    /// <summary>
    /// The names of the http-state suite's parser cases (<c>parser/NAME-test</c>) for which <paramref name="include"/>
    /// holds, in ordinal order; only <see cref="MissingCase"/> when the data folder is absent, so the theory fails naming the folder.
    /// </summary>
    /// <param name="include">Which names to take; all by default.</param>
    public static TheoryData<string> HttpStateParserCases(Func<string, bool>? include = null)
    {
        var data = new TheoryData<string>();
        if (HttpStateFolder is null)
        {
            data.Add(MissingCase);
            return data;
        }
        var names = new List<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(HttpStateFolder, "parser"), "*-test"))
        {
            string name = Path.GetFileName(file)[..^"-test".Length];
            if (include is null || include(name))
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        foreach (string n in names)
        {
            data.Add(n);
        }
        return data;
    }

    /// <summary>
    /// The name of the one case a suite's theory data holds when the data folder is missing: the case then fails
    /// with <see cref="MissingReason"/> rather than the suite being skipped or passing with no cases.
    /// </summary>
    public const string MissingCase = "shared-data-missing";

    /// <summary>The http-state folder, or a failure naming what is missing and where it belongs.</summary>
    public static string RequireHttpState() => HttpStateFolder ?? throw new Xunit.Sdk.XunitException(MissingReason("http-state"));

    public static string MissingReason(string name) =>
        $"The shared test data folder '../shared/data/{name}' beside the repository root was not found; these cases need it (see shared/data/{name}/README.md).";

    private static string? Locate(string name)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "TypedHttp.sln")))
        {
            dir = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar));
        }
        if (dir is null)
        {
            return null;
        }
        string folder = Path.GetFullPath(Path.Combine(dir, "..", "shared", "data", name));
        return Directory.Exists(folder) ? folder : null;
    }
}
