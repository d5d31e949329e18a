using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace TypedHttp.Cli.Tests;

/// <summary>
/// No option value can crash thttp: for every option the parser knows, hostile values (empty, ':', very long,
/// non-numeric, negative, unicode, '@' forms) end in one of curl's exit codes with a message, never an unhandled
/// exception out of <see cref="Cli.RunAsync"/>.
/// </summary>
public sealed class HostileOptionValueTests
{
    private static readonly string[] s_values =
    [
        "",
        ":",
        "::",
        new string('a', 70_000),
        "abc",
        "-1",
        "-99999999999999999999",
        "1e400",
        "ünïcödé ☃ 日本",
        "@",
        "@:",
        "%{",
        "http://",
        "x:y:z",
        "\\",
    ];

    private static readonly HashSet<int> s_exitCodes = typeof(ExitCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int))
        .Select(f => (int)f.GetRawConstantValue()!)
        .ToHashSet();

    public static TheoryData<string> OptionsWithValues()
    {
        var data = new TheoryData<string>();
        foreach ((string option, bool takesValue) in ArgumentParser.KnownOptions())
        {
            if (takesValue)
            {
                data.Add(option);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OptionsWithValues))]
    public async Task No_hostile_value_of_an_option_crashes_thttp(string option)
    {
        string url = $"http://127.0.0.1:{CliRunner.ClosedPort()}/";
        var failures = new List<string>();
        string folder = Directory.CreateTempSubdirectory("thttp-hostile-").FullName;
        try
        {
            foreach (string value in s_values)
            {
                // File-writing options get the value inside a temp folder, so that nothing lands in the working directory.
                string given = option is "--output" or "--cookie-jar" ? Path.Combine(folder, value) : value;
                string shown = value.Length > 40 ? $"{value.Length} chars" : $"'{value}'";
                try
                {
                    CliResult r = await CliRunner.RunAsync("-s", "-S", "--max-time", "5", option, given, url);
                    if (!s_exitCodes.Contains(r.ExitCode))
                    {
                        failures.Add($"{option} {shown}: exit {r.ExitCode}, not one of curl's codes");
                    }
                    else if (r.ExitCode != 0 && r.Stderr.Length == 0)
                    {
                        failures.Add($"{option} {shown}: exit {r.ExitCode} with no message");
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"{option} {shown}: unhandled {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task No_flag_crashes_thttp_on_its_own()
    {
        string url = $"http://127.0.0.1:{CliRunner.ClosedPort()}/";
        var failures = new List<string>();
        foreach ((string option, bool takesValue) in ArgumentParser.KnownOptions())
        {
            if (takesValue)
            {
                continue;
            }
            try
            {
                CliResult r = await CliRunner.RunAsync("-s", "-S", "--max-time", "5", option, url);
                if (!s_exitCodes.Contains(r.ExitCode))
                {
                    failures.Add($"{option}: exit {r.ExitCode}, not one of curl's codes");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{option}: unhandled {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("-u", ":")]
    [InlineData("-U", ":")]
    [InlineData("-u", "")]
    [InlineData("-U", "")]
    public async Task Empty_credentials_with_every_scheme_option_never_crash_thttp(string option, string value)
    {
        string url = $"http://127.0.0.1:{CliRunner.ClosedPort()}/";
        var failures = new List<string>();
        foreach (string scheme in new[] { "--basic", "--digest", "--ntlm", "--negotiate", "--anyauth", "--proxy-basic", "--proxy-digest", "--proxy-anyauth" })
        {
            try
            {
                CliResult r = await CliRunner.RunAsync("-s", "-S", "-x", $"http://127.0.0.1:{CliRunner.ClosedPort()}", scheme, option, value, url);
                if (!s_exitCodes.Contains(r.ExitCode))
                {
                    failures.Add($"{scheme} {option} '{value}': exit {r.ExitCode}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"{scheme} {option} '{value}': unhandled {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
