using System;
using System.Collections.Generic;
using System.Globalization;

namespace TypedHttp.Cli;

/// <summary>A command line that cannot be run: exit code 2 with this message.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>
/// The argument parser, written by hand for Native AOT: curl's spellings, short options combined
/// (<c>-sSL</c>, <c>-o-</c>, <c>-XPOST</c>), <c>--</c> ending options, every other word a URL.
/// </summary>
internal static class ArgumentParser
{
    private delegate void Apply(CliOptions o, string value);

    private sealed record Spec(string Long, char Short, bool TakesValue, Apply Apply);

    private static readonly Spec[] s_specs =
    [
        new("request", 'X', true, (o, v) => o.Method = IsToken(v) ? v : throw new UsageException($"option -X: '{Shorten(v)}' is not an HTTP method (a token of letters, digits and !#$%&'*+-.^_`|~)")),
        new("header", 'H', true, (o, v) => o.Headers.Add(v)),
        new("data", 'd', true, (o, v) => o.Data.Add(new DataPart(DataKind.Ascii, v))),
        new("data-ascii", '\0', true, (o, v) => o.Data.Add(new DataPart(DataKind.Ascii, v))),
        new("data-binary", '\0', true, (o, v) => o.Data.Add(new DataPart(DataKind.Binary, v))),
        new("data-raw", '\0', true, (o, v) => o.Data.Add(new DataPart(DataKind.Raw, v))),
        new("json", '\0', true, (o, v) => o.Data.Add(new DataPart(DataKind.Json, v))),
        new("get", 'G', false, (o, _) => o.Get = true),
        new("user", 'u', true, (o, v) => o.User = v),
        new("basic", '\0', false, (o, _) => o.Auth = AuthChoice.Basic),
        new("digest", '\0', false, (o, _) => o.Auth = AuthChoice.Digest),
        new("ntlm", '\0', false, (o, _) => o.Auth = AuthChoice.Ntlm),
        new("negotiate", '\0', false, (o, _) => o.Auth = AuthChoice.Negotiate),
        new("anyauth", '\0', false, (o, _) => o.Auth = AuthChoice.Any),
        new("location", 'L', false, (o, _) => o.Location = true),
        new("max-redirs", '\0', true, (o, v) => o.MaxRedirs = ParseInt("--max-redirs", v)),
        new("location-trusted", '\0', false, (o, _) => { o.Location = true; o.LocationTrusted = true; }),
        new("proxy", 'x', true, (o, v) => o.Proxy = v),
        new("proxy-user", 'U', true, (o, v) => o.ProxyUser = v),
        new("noproxy", '\0', true, (o, v) => o.NoProxy = v),
        new("proxytunnel", 'p', false, (o, _) => o.ProxyTunnel = true),
        new("proxy-basic", '\0', false, (o, _) => o.ProxyAuth = AuthChoice.Basic),
        new("proxy-digest", '\0', false, (o, _) => o.ProxyAuth = AuthChoice.Digest),
        new("proxy-negotiate", '\0', false, (o, _) => o.ProxyAuth = AuthChoice.Negotiate),
        new("proxy-anyauth", '\0', false, (o, _) => o.ProxyAuth = AuthChoice.Any),
        new("include", 'i', false, (o, _) => o.Include = true),
        new("head", 'I', false, (o, _) => o.Head = true),
        new("output", 'o', true, (o, v) => o.Outputs.Add(v)),
        new("silent", 's', false, (o, _) => o.Silent = true),
        new("show-error", 'S', false, (o, _) => o.ShowError = true),
        new("fail", 'f', false, (o, _) => o.Fail = true),
        new("write-out", 'w', true, (o, v) => o.WriteOut = v),
        new("verbose", 'v', false, (o, _) => o.Verbose = true),
        new("compressed", '\0', false, (o, _) => o.Compressed = true),
        new("http1.0", '0', false, (o, _) => o.HttpVersion = HttpVersionChoice.Http10),
        new("http1.1", '\0', false, (o, _) => o.HttpVersion = HttpVersionChoice.Http11),
        new("http2", '\0', false, (o, _) => o.HttpVersion = HttpVersionChoice.Http2),
        new("http2-prior-knowledge", '\0', false, (o, _) => o.HttpVersion = HttpVersionChoice.Http2PriorKnowledge),
        new("user-agent", 'A', true, (o, v) => o.UserAgent = v),
        new("cookie", 'b', true, (o, v) => o.Cookies.Add(v)),
        new("cookie-jar", 'c', true, (o, v) => o.CookieJar = v),
        new("connect-timeout", '\0', true, (o, v) => o.ConnectTimeout = ParseSeconds("--connect-timeout", v)),
        new("max-time", 'm', true, (o, v) => o.MaxTime = ParseSeconds("--max-time", v)),
        new("insecure", 'k', false, (o, _) => o.Insecure = true),
        new("cacert", '\0', true, (o, v) => o.CaCert = v),
        new("cert", 'E', true, (o, v) => o.Cert = v),
        new("key", '\0', true, (o, v) => o.Key = v),
        new("resolve", '\0', true, (o, v) => o.Resolve.Add(v)),
        new("help", 'h', false, (o, _) => o.Help = true),
        new("version", 'V', false, (o, _) => o.Version = true),
    ];

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> for anything curl would refuse.</summary>
    public static CliOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CliOptions();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                options.Urls.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                string name = arg.Substring(2);
                Spec? spec = FindLong(name);
                if (spec is null)
                {
                    throw new UsageException($"option {arg}: is unknown");
                }
                string value = string.Empty;
                if (spec.TakesValue)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"option {arg}: requires parameter");
                    }
                    value = args[++i];
                }
                options.Given.Add(arg);
                spec.Apply(options, value);
                continue;
            }
            // A cluster of short options: flags combine; one that takes a value takes the rest of the word, or the next word.
            for (int j = 1; j < arg.Length; j++)
            {
                char c = arg[j];
                Spec? spec = FindShort(c);
                if (spec is null)
                {
                    throw new UsageException($"option -{c}: is unknown");
                }
                options.Given.Add("-" + c);
                if (!spec.TakesValue)
                {
                    spec.Apply(options, string.Empty);
                    continue;
                }
                string value;
                if (j + 1 < arg.Length)
                {
                    value = arg.Substring(j + 1);
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"option -{c}: requires parameter");
                }
                spec.Apply(options, value);
                break;
            }
        }
        return options;
    }

    /// <summary>Every option the parser knows, as <c>--long</c> (and whether it takes a value); for tests and help checks.</summary>
    internal static IEnumerable<(string Option, bool TakesValue)> KnownOptions()
    {
        foreach (Spec s in s_specs)
        {
            yield return ("--" + s.Long, s.TakesValue);
        }
    }

    private static Spec? FindLong(string name)
    {
        foreach (Spec s in s_specs)
        {
            if (s.Long == name)
            {
                return s;
            }
        }
        return null;
    }

    private static Spec? FindShort(char c)
    {
        foreach (Spec s in s_specs)
        {
            if (s.Short == c)
            {
                return s;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="value"/> is an RFC 9110 token (§5.6.2), as a method must be.</summary>
    private static bool IsToken(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }
        return true;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "..." : value;

    private static int ParseInt(string option, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= -1
            ? n
            : throw new UsageException($"option {option}: expected a proper numerical parameter");

    private static double ParseSeconds(string option, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d) && d >= 0 && double.IsFinite(d)
            ? d
            : throw new UsageException($"option {option}: expected a proper numerical parameter");
}
