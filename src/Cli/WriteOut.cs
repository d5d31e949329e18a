using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>What one transfer reports to <c>-w</c>.</summary>
internal sealed class TransferReport
{
    public int HttpCode { get; set; }
    public int NumRedirects { get; set; }
    /// <summary>The final response's HTTP version; null when there was none.</summary>
    public Version? HttpVersion { get; set; }
    public string UrlEffective { get; set; } = string.Empty;
    public double TimeTotal { get; set; }
    public long SizeDownload { get; set; }
    public string? ContentType { get; set; }
    public int ExitCode { get; set; }
    public string ErrorMessage { get; set; } = string.Empty;
}

/// <summary><c>-w/--write-out</c>: <c>%{variable}</c>, <c>%%</c>, and the escapes <c>\n</c>, <c>\r</c>, <c>\t</c>.</summary>
internal static class WriteOut
{
    /// <summary>Formats <paramref name="format"/> for <paramref name="report"/>; unknown variables warn on <paramref name="stderr"/> and print nothing.</summary>
    public static string Format(string format, TransferReport report, TextWriter stderr, bool silent)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c == '%' && i + 1 < format.Length && format[i + 1] == '%')
            {
                text.Append('%');
                i++;
            }
            else if (c == '%' && i + 1 < format.Length && format[i + 1] == '{' && format.IndexOf('}', i + 2) is int end and > 0)
            {
                string name = format.Substring(i + 2, end - i - 2);
                string? value = Variable(name, report);
                if (value is null)
                {
                    if (!silent)
                    {
                        stderr.Write($"thttp: unknown --write-out variable: '{name}'\n");
                    }
                }
                else
                {
                    text.Append(value);
                }
                i = end;
            }
            else if (c == '\\' && i + 1 < format.Length && format[i + 1] is 'n' or 'r' or 't')
            {
                text.Append(format[i + 1] switch { 'n' => '\n', 'r' => '\r', _ => '\t' });
                i++;
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    private static string? Variable(string name, TransferReport r) => name switch
    {
        "http_code" or "response_code" => r.HttpCode.ToString("000", CultureInfo.InvariantCulture),
        "http_version" => HttpVersionText(r.HttpVersion),
        "num_redirects" => r.NumRedirects.ToString(CultureInfo.InvariantCulture),
        "url_effective" => r.UrlEffective,
        "time_total" => r.TimeTotal.ToString("0.000000", CultureInfo.InvariantCulture),
        "size_download" => r.SizeDownload.ToString(CultureInfo.InvariantCulture),
        "content_type" => r.ContentType ?? string.Empty,
        "exitcode" => r.ExitCode.ToString(CultureInfo.InvariantCulture),
        "errormsg" => r.ErrorMessage,
        _ => null,
    };

    /// <summary>curl's <c>%{http_version}</c>: <c>1.0</c>, <c>1.1</c>, <c>2</c>; <c>0</c> when there was no response.</summary>
    public static string HttpVersionText(Version? version) => version switch
    {
        null => "0",
        { Major: >= 2, Minor: 0 } => version.Major.ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{version.Major}.{version.Minor}"),
    };
}
