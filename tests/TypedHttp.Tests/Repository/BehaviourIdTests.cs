using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace TypedHttp.Tests.Repository;

/// <summary>
/// Every behaviour ID the repository cites (<c>R-6</c>, <c>A-9f</c>, <c>TO-2</c>, or <c>R6_</c> at the start of a test
/// method's name) is defined in docs/behaviour.md, so a reader of the code can look it up without anything outside the
/// repository.
/// </summary>
public sealed class BehaviourIdTests
{
    /// <summary>
    /// The ID families, as docs/behaviour.md heads them. A new family is added here and there. Longest first, so
    /// that <c>TO</c> wins over <c>T</c> and <c>H2</c> over <c>H</c>.
    /// </summary>
    internal static readonly string[] Families = ["OM", "TO", "CK", "HD", "H2", "WS", "RS", "SD", "R", "A", "C", "T", "P", "S", "H", "D"];

    private static readonly string FamilyAlternation = string.Join("|", Families);

    /// <summary>An ID in text: family, hyphen, one or two digits, an optional lower-case letter, on word boundaries.</summary>
    internal static readonly Regex CitedId = new($@"\b(?:{FamilyAlternation})-[0-9]{{1,2}}[a-z]?\b", RegexOptions.CultureInvariant);

    /// <summary>An ID leading a test method's name: <c>R6_</c>, <c>A9f_</c>, <c>TO2_</c>; H2 and WS keep an underscore (<c>H2_4_</c>).</summary>
    private static readonly Regex MethodNameId = new(
        @"\b(?:public|internal|private)\s+(?:static\s+)?(?:async\s+)?[\w<>]+\s+(?:(?<family>H2|WS)_|(?<family>OM|TO|CK|HD|RS|SD|R|A|C|T|P|S|H|D))(?<number>[0-9]{1,2}[a-z]?)_\w*\s*\(",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    /// <summary>A definition in docs/behaviour.md: a list item that starts with the ID in bold.</summary>
    private static readonly Regex DefinedId = new(@"^- \*\*(?<id>[A-Z0-9]+-[0-9]{1,2}[a-z]?)\*\*", RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.ExplicitCapture);

    private static readonly string[] ScannedFolders = ["src", "tests", "samples", "benchmarks", "docs", ".ci"];
    private static readonly string[] ScannedExtensions = [".cs", ".md", ".csproj", ".props", ".targets", ".sh", ".json", ".xml", ".yml", ".txt"];
    private static readonly string[] SkippedFolders = ["bin", "obj", "artifacts", "BenchmarkDotNet.Artifacts", "corpus"];

    [Fact]
    public void Every_behaviour_ID_cited_in_the_repository_is_defined_in_docs_behaviour_md()
    {
        string root = RepositoryRoot();
        HashSet<string> defined = [.. Definitions(root).Select(d => d.Id)];
        // The page itself defines the IDs, and this file spells out IDs and look-alikes as test data.
        string[] definitions = [Path.Combine(root, "docs", "behaviour.md"), Path.Combine(root, "tests", "TypedHttp.Tests", "Repository", "BehaviourIdTests.cs")];

        var undefined = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        int cited = 0;
        foreach (string file in SourceFiles(root))
        {
            if (definitions.Contains(file))
            {
                continue;
            }
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (string id in IdsIn(lines[i]))
                {
                    cited++;
                    if (!defined.Contains(id))
                    {
                        if (!undefined.TryGetValue(id, out List<string>? places))
                        {
                            undefined[id] = places = [];
                        }
                        places.Add($"{Path.GetRelativePath(root, file)}:{i + 1}");
                    }
                }
            }
        }

        Assert.True(cited > 0, "no behaviour ID was found at all; the scan is looking in the wrong place");
        Assert.True(undefined.Count == 0,
            "Cited but not defined in docs/behaviour.md:\n" + string.Join("\n", undefined.Select(u => $"  {u.Key}: {string.Join(", ", u.Value)}")));
    }

    [Fact]
    public void Docs_behaviour_md_defines_each_ID_once_and_only_in_a_known_family()
    {
        List<(string Id, int Line)> definitions = Definitions(RepositoryRoot());

        Assert.Empty(definitions.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key} defined on lines {string.Join(", ", g.Select(d => d.Line))}"));
        Assert.Empty(definitions.Where(d => !CitedId.IsMatch(d.Id)).Select(d => $"{d.Id} (line {d.Line}) is not in a family the scan knows"));
    }

    [Theory]
    [InlineData("R-6", "R-6")]
    [InlineData("redirects (R-1 … R-9, A-9f)", "R-1 R-9 A-9f")]
    [InlineData("TO-2: connect; HD-4, CK-1; OM-13.", "TO-2 HD-4 CK-1 OM-13")]
    [InlineData("// C-2…C-4 and S-1…S-6", "C-2 C-4 S-1 S-6")]
    [InlineData("UTF-8, UTF-16, SHA-256, SHA-512-256, ISO-8859-1, Latin-1, P-256, RFC-9110, IL-2026, X-Forwarded-For, x-gzip", "")]
    [InlineData("public async Task R14_the_3xx_body_is_drained()", "R-14")]
    [InlineData("public void A9f_digest_reuses_the_nonce()", "A-9f")]
    [InlineData("public void H2_4_goaway_drains() and public void TO2_connect()", "H2-4 TO-2")]
    [InlineData("public void Rfc9110_example() and public void Http10_status_line()", "")]
    public void The_ID_scan_finds_cited_IDs_and_nothing_that_only_looks_like_one(string text, string expected)
        => Assert.Equal(expected, string.Join(" ", IdsIn(text)));

    /// <summary>The IDs cited on one line of text, in order.</summary>
    internal static IEnumerable<string> IdsIn(string line)
    {
        var found = new List<(int Index, string Id)>();
        foreach (Match m in CitedId.Matches(line))
        {
            found.Add((m.Index, m.Value));
        }
        foreach (Match m in MethodNameId.Matches(line))
        {
            found.Add((m.Groups["family"].Index, m.Groups["family"].Value + "-" + m.Groups["number"].Value));
        }
        return found.OrderBy(f => f.Index).Select(f => f.Id);
    }

    private static List<(string Id, int Line)> Definitions(string root)
    {
        string text = File.ReadAllText(Path.Combine(root, "docs", "behaviour.md"));
        var definitions = new List<(string Id, int Line)>();
        foreach (Match m in DefinedId.Matches(text))
        {
            definitions.Add((m.Groups["id"].Value, text.AsSpan(0, m.Index).Count('\n') + 1));
        }
        Assert.NotEmpty(definitions);
        return definitions;
    }

    private static IEnumerable<string> SourceFiles(string root)
    {
        foreach (string file in Directory.EnumerateFiles(root, "*.md", SearchOption.TopDirectoryOnly))
        {
            yield return file;
        }
        foreach (string folder in ScannedFolders)
        {
            string path = Path.Combine(root, folder);
            if (!Directory.Exists(path))
            {
                continue;
            }
            foreach (string file in Walk(path))
            {
                yield return file;
            }
        }
    }

    private static IEnumerable<string> Walk(string folder)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            if (ScannedExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase) || Path.GetFileName(folder) == ".ci")
            {
                yield return file;
            }
        }
        foreach (string sub in Directory.EnumerateDirectories(folder))
        {
            if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.OrdinalIgnoreCase))
            {
                foreach (string file in Walk(sub))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>The folder holding TypedHttp.sln, above the test's output folder.</summary>
    internal static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "TypedHttp.sln")))
        {
            dir = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar));
        }
        Assert.True(dir is not null, $"TypedHttp.sln was not found above {AppContext.BaseDirectory}; the test runs from the repository's build output.");
        return dir;
    }
}
