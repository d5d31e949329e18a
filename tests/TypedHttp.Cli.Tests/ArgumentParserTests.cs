using System.Threading.Tasks;

namespace TypedHttp.Cli.Tests;

public class ArgumentParserTests
{
    [Fact]
    public void Short_options_combine_and_a_value_option_takes_the_rest_of_the_word()
    {
        CliOptions o = ArgumentParser.Parse(["-sSfi", "-o-", "-XPUT", "-H", "A: 1", "http://a/"]);
        Assert.True(o.Silent && o.ShowError && o.Fail && o.Include);
        Assert.Equal(["-"], o.Outputs);
        Assert.Equal("PUT", o.Method);
        Assert.Equal(["A: 1"], o.Headers);
        Assert.Equal(["http://a/"], o.Urls);
    }

    [Fact]
    public void A_value_option_at_the_end_of_a_cluster_takes_the_next_word()
    {
        CliOptions o = ArgumentParser.Parse(["-sw", "%{http_code}", "u"]);
        Assert.True(o.Silent);
        Assert.Equal("%{http_code}", o.WriteOut);
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        CliOptions o = ArgumentParser.Parse(["-s", "--", "-v", "--head"]);
        Assert.False(o.Verbose);
        Assert.Equal(["-v", "--head"], o.Urls);
    }

    [Fact]
    public void Long_options_take_the_next_word_and_repeat()
    {
        CliOptions o = ArgumentParser.Parse(["--header", "A: 1", "--header", "B;", "--data", "x", "--data-binary", "@f", "--json", "{}", "--max-time", "1.5", "--connect-timeout", "2", "--max-redirs", "3", "u1", "u2"]);
        Assert.Equal(["A: 1", "B;"], o.Headers);
        Assert.Equal([new DataPart(DataKind.Ascii, "x"), new DataPart(DataKind.Binary, "@f"), new DataPart(DataKind.Json, "{}")], o.Data);
        Assert.Equal(1.5, o.MaxTime);
        Assert.Equal(2, o.ConnectTimeout);
        Assert.Equal(3, o.MaxRedirs);
        Assert.Equal(["u1", "u2"], o.Urls);
    }

    [Theory]
    [InlineData("--bogus", "option --bogus: is unknown")]
    [InlineData("-q", "option -q: is unknown")]
    [InlineData("-o", "option -o: requires parameter")]
    [InlineData("--header", "option --header: requires parameter")]
    public async Task Bad_usage_exits_2_with_curls_message(string arg, string message)
    {
        CliResult r = await CliRunner.RunAsync(arg);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"thttp: {message}\nthttp: try 'thttp --help' for more information\n", r.Stderr);
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("--max-time", "soon")]
    [InlineData("--connect-timeout", "-1")]
    [InlineData("--max-redirs", "x")]
    public async Task A_bad_number_exits_2(string option, string value)
    {
        CliResult r = await CliRunner.RunAsync(option, value, "http://127.0.0.1/");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"thttp: option {option}: expected a proper numerical parameter\n", r.Stderr);
    }

    [Fact]
    public async Task No_url_exits_2()
    {
        CliResult r = await CliRunner.RunAsync("-s");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("thttp: no URL specified\n", r.Stderr);
    }

    [Fact]
    public async Task Head_and_data_together_exit_2()
    {
        CliResult r = await CliRunner.RunAsync("-I", "-d", "x", "http://127.0.0.1/");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("only select one HTTP request method", r.Stderr);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task Help_goes_to_stdout_and_names_the_engine_differences(string arg)
    {
        CliResult r = await CliRunner.RunAsync(arg);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Usage: thttp [options...] <url>...", r.StdoutText);
        Assert.Contains("at most 10 are followed", r.StdoutText);
        Assert.Contains("https->http is not", r.StdoutText);
        Assert.Contains("replaces any given with -H", r.StdoutText);
        Assert.Empty(r.Stderr);
    }

    [Fact]
    public async Task Version_goes_to_stdout()
    {
        CliResult r = await CliRunner.RunAsync("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("thttp " + Cli.Version + " ", r.StdoutText);
    }
}
