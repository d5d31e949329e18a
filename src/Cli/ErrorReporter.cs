using System.Globalization;
using System.IO;

namespace TypedHttp.Cli;

/// <summary>Writes a failure as curl does: <c>thttp: (CODE) message</c> on stderr unless -s without -S, and as a <c>* </c> line with -v.</summary>
internal sealed class ErrorReporter
{
    private readonly CliOptions _o;
    private readonly TextWriter _stderr;
    private readonly VerboseTrace? _verbose;

    public ErrorReporter(CliOptions options, TextWriter stderr, VerboseTrace? verbose)
    {
        _o = options;
        _stderr = stderr;
        _verbose = verbose;
    }

    /// <summary>Whether error messages are shown (not -s, or -s with -S).</summary>
    public bool ShowErrors => !_o.Silent || _o.ShowError;

    /// <summary>Reports a failure with curl's exit <paramref name="code"/>.</summary>
    public void Error(int code, string message)
    {
        if (_verbose is not null)
        {
            _verbose.Info($"thttp: ({code}) {message}");
        }
        if (ShowErrors)
        {
            _stderr.Write(string.Create(CultureInfo.InvariantCulture, $"thttp: ({code}) {message}\n"));
        }
    }

    /// <summary>A warning line, shown when errors are.</summary>
    public void Warning(string message)
    {
        if (ShowErrors)
        {
            _stderr.Write($"thttp: WARNING: {message}\n");
        }
    }
}
