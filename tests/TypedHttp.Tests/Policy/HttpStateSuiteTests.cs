using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>
/// The IETF http-state cookie suite (shared/data/http-state, read at test time), run straight through
/// <see cref="CookieStore"/> with the clock fixed at 2011-01-01 as the suite's README asks (CK-1, RFC 6265).
/// </summary>
public sealed class HttpStateSuiteTests
{
    private static readonly DateTimeOffset SuiteClock = new(2011, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Reviewed cases where RFC 6265 (our reference) and the expected file disagree. Each entry holds the Cookie
    /// header RFC 6265 gives (null: none) and why; the test asserts that we produce exactly that and that it still
    /// differs from the expected file, so the list cannot silently rot.
    /// </summary>
    internal static readonly Dictionary<string, (string? RfcCookie, string Reason)> Deviations = new(StringComparer.Ordinal)
    {
        ["0028"] = (null,
            "The expected file is broken: it holds the test's own two Set-Cookie lines instead of a Cookie header. " +
            "RFC 6265 §5.2 step 2 ignores 'foo' (no '=') and the blank field, so no Cookie header is sent, as in 0023–0027."),
        ["disabled-chromium0022"] = (null,
            "NUL inside the value. The expected file truncates at the NUL (old Chromium); RFC 6265 is silent, and we follow " +
            "RFC 6265bis §5.6 step 1, which ignores a set-cookie-string holding a control character. " +
            "Our header collection could not send such a value back anyway."),
        ["disabled-chromium0023"] = (null,
            "CR inside the value: as disabled-chromium0022 (RFC 6265bis §5.6 step 1 ignores the whole string)."),
    };

    public static TheoryData<string> EnabledCases() => Cases(disabled: false);

    public static TheoryData<string> DisabledCases() => Cases(disabled: true);

    private static TheoryData<string> Cases(bool disabled) =>
        SharedData.HttpStateParserCases(name => name.StartsWith("disabled-", StringComparison.Ordinal) == disabled);

    [Theory]
    [MemberData(nameof(EnabledCases))]
    public void Parser_case_gives_the_expected_cookie_header(string testCase) => RunCase(testCase);

    /// <summary>The cases the suite's authors disabled, reported separately; they are held to the same rule.</summary>
    [Theory]
    [MemberData(nameof(DisabledCases))]
    public void Disabled_parser_case_gives_the_expected_cookie_header_or_a_reviewed_deviation(string testCase) => RunCase(testCase);

    [Theory]
    [InlineData("examples.json")]
    [InlineData("bsd-examples.json")]
    public void Cookie_dates_parse_as_the_suite_expects(string file)
    {
        string json = File.ReadAllText(Path.Combine(SharedData.RequireHttpState(), "dates", file));
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var failures = new List<string>();
        int count = 0;
        foreach (JsonElement item in doc.RootElement.EnumerateArray())
        {
            count++;
            string input = item.GetProperty("test").GetString()!;
            JsonElement expectedElement = item.GetProperty("expected");
            bool ok = CookieDateParser.TryParse(input, out DateTimeOffset actual);
            if (expectedElement.ValueKind == JsonValueKind.Null)
            {
                if (ok)
                {
                    failures.Add($"'{input}': expected no date, got {actual:R}");
                }
                continue;
            }
            // "Wed, 18 Apr 2007 22:50:12 GMT": compare the instant, not the day name.
            string expectedText = expectedElement.GetString()!;
            var expected = DateTimeOffset.ParseExact(expectedText[(expectedText.IndexOf(',') + 2)..],
                "dd MMM yyyy HH:mm:ss 'GMT'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal);
            if (!ok || actual != expected)
            {
                failures.Add($"'{input}': expected {expected:R}, got {(ok ? actual.ToString("R") : "no date")}");
            }
        }
        Assert.True(count > 10, $"{file} holds only {count} cases");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static void RunCase(string testCase)
    {
        string folder = Path.Combine(SharedData.RequireHttpState(), "parser");
        string[] testLines = ReadLines(Path.Combine(folder, testCase + "-test"));
        string[] expectedLines = ReadLines(Path.Combine(folder, testCase + "-expected"));

        var store = new CookieStore(new ManualTimeProvider(SuiteClock));
        var requestUri = new Uri($"http://home.example.org:8888/cookie-parser?{testCase}");
        string location = $"/cookie-parser-result?{testCase}";
        foreach (string line in testLines)
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }
            string fieldName = line[..colon];
            // Field values lose leading and trailing whitespace, as an HTTP/1.1 parser does (RFC 9112 §5.1).
            string fieldValue = line[(colon + 1)..].Trim(' ', '\t');
            if (fieldName.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                store.SetCookie(requestUri, fieldValue);
            }
            else if (fieldName.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                location = fieldValue;
            }
        }
        var target = new Uri(requestUri, location);
        string? actual = store.GetCookieHeader(target);

        string? expected = null;
        if (expectedLines.Length == 1 && expectedLines[0].StartsWith("Cookie: ", StringComparison.Ordinal))
        {
            expected = expectedLines[0]["Cookie: ".Length..];
        }
        bool expectedIsWellFormed = expectedLines.Length == 0 || expected is not null;

        if (Deviations.TryGetValue(testCase, out (string? RfcCookie, string Reason) deviation))
        {
            Assert.Equal(deviation.RfcCookie, actual);
            Assert.False(expectedIsWellFormed && expected == actual,
                $"{testCase} now matches its expected file; remove it from the deviation list ({deviation.Reason}).");
            return;
        }
        Assert.True(expectedIsWellFormed, $"{testCase}: the expected file is not one Cookie line and the case is not a reviewed deviation.");
        Assert.Equal(expected, actual);
    }

    private static string[] ReadLines(string path)
    {
        string text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        var lines = new List<string>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }
        return lines.ToArray();
    }
}
