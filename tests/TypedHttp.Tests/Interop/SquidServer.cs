using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Interop;

/// <summary>How the squid of a <see cref="SquidServer"/> asks for proxy credentials.</summary>
public enum SquidAuth
{
    /// <summary>No proxy authentication: every request is forwarded.</summary>
    None,

    /// <summary>Basic proxy authentication through squid's <c>basic_ncsa_auth</c> helper and an htpasswd file.</summary>
    Basic,

    /// <summary>Digest proxy authentication through squid's <c>digest_file_auth</c> helper and a password file.</summary>
    Digest,
}

/// <summary>
/// squid from Debian (package <c>squid</c>, installed by <c>.ci/run</c>) as a forward proxy on 127.0.0.1: run in the
/// foreground (<c>squid -N</c>) from a configuration written into a temp folder (never the machine's /etc), no cache,
/// its own hosts file (<see cref="OriginHost"/> and <see cref="DeniedHost"/> are 127.0.0.1 for squid), CONNECT allowed
/// to ports 1024-65535 (the tests' TLS origins; squid's usual SSL_ports is 443 only) and refused below, requests to
/// <see cref="DeniedHost"/> answered 403 by squid. One user, <see cref="UserName"/> / <see cref="Password"/>.
/// </summary>
public sealed class SquidServer : IAsyncDisposable
{
    /// <summary>A name squid resolves to 127.0.0.1 through its hosts file.</summary>
    public const string OriginHost = "origin.test";

    /// <summary>A name squid resolves to 127.0.0.1 but refuses to forward to (http_access deny: 403).</summary>
    public const string DeniedHost = "denied.test";

    /// <summary>The proxy user.</summary>
    public const string UserName = "proxyuser";

    /// <summary>The proxy user's password.</summary>
    public const string Password = "proxy-pw";

    /// <summary>The realm squid names in its Basic and Digest challenges.</summary>
    public const string Realm = "typedhttp-squid";

    private const string SquidBinary = "/usr/sbin/squid";

    private readonly Process _process;
    private readonly DirectoryInfo _root;
    private readonly StringBuilder _output = new();

    private SquidServer(Process process, DirectoryInfo root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    /// <summary>The port squid listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The proxy's URI, for <c>ProxySettings.Named</c>.</summary>
    public string ProxyUri => $"http://127.0.0.1:{Port}";

    /// <summary>How long squid took from the process start until its port accepted a connection.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>squid's access log (native format: time, elapsed, client, code/status, bytes, method, URL, user, hierarchy, type).</summary>
    public string AccessLog => ReadShared(Path.Combine(_root.FullName, "access.log"));

    /// <summary>The access-log lines of requests squid answered with <paramref name="status"/> (e.g. <c>TCP_DENIED/407</c>).</summary>
    /// <param name="status">The three-digit status.</param>
    public string[] AccessLogLines(int status) =>
        AccessLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains($"/{status} ", StringComparison.Ordinal)).ToArray();

    /// <summary>squid's cache.log and what it wrote to stdout and stderr, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_output)
            {
                return ReadShared(Path.Combine(_root.FullName, "cache.log")) + _output;
            }
        }
    }

    /// <summary>Starts squid and waits until its port accepts connections; fails (never skips) when squid is missing, naming the package.</summary>
    /// <param name="auth">How squid asks for proxy credentials.</param>
    public static async Task<SquidServer> StartAsync(SquidAuth auth = SquidAuth.None)
    {
        Assert.True(File.Exists(SquidBinary), "squid is not installed: install the Debian package 'squid' (.ci/run does: apt-get install squid).");
        string helper = auth switch
        {
            SquidAuth.Basic => "/usr/lib/squid/basic_ncsa_auth",
            SquidAuth.Digest => "/usr/lib/squid/digest_file_auth",
            _ => "",
        };
        Assert.True(helper.Length == 0 || File.Exists(helper), $"squid's authentication helper {helper} is missing: install the Debian package 'squid'.");

        DirectoryInfo root = Directory.CreateTempSubdirectory("typedhttp-squid-");
        string r = root.FullName;
        // Started as root, squid drops to its cache_effective_user (Debian's 'proxy'), which must write the logs here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(r, (UnixFileMode)0x1FF);
        }
        File.WriteAllText(Path.Combine(r, "hosts"), $"127.0.0.1 {OriginHost} {DeniedHost}\n");
        int port = ServerProcess.FreePort();
        string authLines = auth switch
        {
            SquidAuth.Basic => $"""
                auth_param basic program {helper} {r}/passwd
                auth_param basic realm {Realm}
                auth_param basic children 2 startup=1
                auth_param basic credentialsttl 1 hour
                """,
            SquidAuth.Digest => $"""
                auth_param digest program {helper} {r}/digest-passwd
                auth_param digest realm {Realm}
                auth_param digest children 2 startup=1
                auth_param digest nonce_max_duration 30 minutes
                """,
            _ => "",
        };
        if (auth == SquidAuth.Basic)
        {
            // basic_ncsa_auth reads htpasswd's own format (apr1 MD5 here), so the file is made by htpasswd itself.
            Assert.True(File.Exists("/usr/bin/htpasswd"), "htpasswd is not installed: install the Debian package 'apache2-utils' (.ci/run does).");
            using Process htpasswd = Process.Start(new ProcessStartInfo("/usr/bin/htpasswd", ["-b", "-c", Path.Combine(r, "passwd"), UserName, Password]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            await htpasswd.WaitForExitAsync();
            Assert.True(htpasswd.ExitCode == 0, "htpasswd failed: " + await htpasswd.StandardError.ReadToEndAsync());
        }
        else if (auth == SquidAuth.Digest)
        {
            File.WriteAllText(Path.Combine(r, "digest-passwd"), $"{UserName}:{Password}\n");
        }
        string access = auth == SquidAuth.None
            ? "http_access allow all"
            : """
              acl authenticated proxy_auth REQUIRED
              http_access allow authenticated
              http_access deny all
              """;
        string config = $"""
            http_port 127.0.0.1:{port}
            pid_filename {r}/squid.pid
            cache_log {r}/cache.log
            access_log stdio:{r}/access.log
            coredump_dir {r}
            hosts_file {r}/hosts
            cache deny all
            shutdown_lifetime 0 seconds
            pinger_enable off
            logfile_rotate 0
            strip_query_terms off
            {authLines}
            acl CONNECT method CONNECT
            acl test_tls_ports port 1024-65535
            acl denied_destination dstdomain {DeniedHost}
            http_access deny CONNECT !test_tls_ports
            http_access deny denied_destination
            {access}
            """;
        File.WriteAllText(Path.Combine(r, "squid.conf"), config);

        var start = new ProcessStartInfo(SquidBinary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-N");
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(Path.Combine(r, "squid.conf"));
        var clock = Stopwatch.StartNew();
        Process process = Process.Start(start)!;
        var server = new SquidServer(process, root, port);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await ServerProcess.WaitUntilListeningAsync(process, TimeSpan.FromSeconds(10), port))
        {
            server.StartupTime = clock.Elapsed;
            return server;
        }
        if (process.HasExited)
        {
            await process.WaitForExitAsync();
            string why = server.Diagnostics;
            await server.DisposeAsync();
            Assert.Fail($"squid exited at start ({process.ExitCode}): {why}");
        }
        string log = server.Diagnostics;
        await server.DisposeAsync();
        Assert.Fail($"squid did not accept connections on port {port} within 10 s: {log}");
        return server;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stops squid (and its helpers) and deletes the temp folder.</summary>
    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _root.FullName);
}
