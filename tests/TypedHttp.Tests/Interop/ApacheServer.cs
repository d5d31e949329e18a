using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// Apache httpd from Debian (<c>apache2 -X</c>: one process in the foreground, killed on dispose) with
/// mod_auth_gssapi, the server nobody here wrote, on 127.0.0.1 with a configuration written into a temp folder.
/// <c>/krb/echo</c> needs Kerberos through <c>AuthType GSSAPI</c> with the realm's keytab; <c>/ntlm/echo</c> the
/// same with the gss-ntlmssp mechanism and its user file (connection-bound). Both run a CGI script that answers
/// <c>user=</c> (REMOTE_USER), <c>method=</c>, <c>length=</c> and <c>sha256=</c> of the body it read. The access log
/// has one line per request: <c>user status method path client-port keepalive-count</c>. <c>-X</c> serves one
/// connection at a time, so every client closes its connection when done (sessions are disposed).
/// </summary>
public sealed class ApacheServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _root;

    private ApacheServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>The access log so far.</summary>
    public string AccessLog => ReadLog("access.log");

    /// <summary>
    /// The access log lines that contain <paramref name="text"/>, once there are at least <paramref name="count"/> of
    /// them or 5 s have passed: Apache writes a line after it has sent the response, so a client can be faster.
    /// </summary>
    public async Task<string[]> AccessLogLinesAsync(string text, int count)
    {
        string[] lines = [];
        for (int i = 0; i < 200; i++)
        {
            lines = Array.FindAll(AccessLog.Split('\n'), l => l.Contains(text, StringComparison.Ordinal));
            if (lines.Length >= count)
            {
                break;
            }
            await Task.Delay(25);
        }
        return lines;
    }

    /// <summary>The error log so far.</summary>
    public string ErrorLog => ReadLog("error.log");

    /// <summary>The version Apache reports (<c>apache2 -v</c>).</summary>
    public static string Version { get; private set; } = "";

    /// <summary><c>http://localhost:port/path</c>: the host name the service principal <c>HTTP/localhost</c> names.</summary>
    public Uri Uri(string path) => new($"http://localhost:{Port}{path}");

    /// <summary>Starts Apache; fails (never skips) naming the Debian package of what is missing.</summary>
    public static async Task<ApacheServer> StartAsync()
    {
        Prerequisites.Require(Prerequisite.ApacheGssapi);
        string root = Directory.CreateTempSubdirectory("typedhttp-apache-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "cgi"));
        string script = Path.Combine(root, "cgi", "echo.cgi");
        File.WriteAllText(script, """
            #!/bin/sh
            printf 'Content-Type: text/plain\r\n\r\n'
            printf 'user=%s\n' "$REMOTE_USER"
            printf 'method=%s\n' "$REQUEST_METHOD"
            body=$(mktemp)
            head -c "${CONTENT_LENGTH:-0}" > "$body"
            printf 'length=%s\n' "$(wc -c < "$body" | tr -d ' ')"
            printf 'sha256=%s\n' "$(sha256sum "$body" | cut -d' ' -f1)"
            rm -f "$body"

            """);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Apache with mod_auth_gssapi runs on Linux.");
        }
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        int port = ServerProcess.FreePort();
        string m = Prerequisites.ApacheModules;
        string config = $$"""
            ServerRoot {{root}}
            PidFile {{root}}/httpd.pid
            Listen 127.0.0.1:{{port}}
            ServerName localhost
            LoadModule mpm_prefork_module {{m}}/mod_mpm_prefork.so
            LoadModule authn_core_module {{m}}/mod_authn_core.so
            LoadModule authz_core_module {{m}}/mod_authz_core.so
            LoadModule authz_user_module {{m}}/mod_authz_user.so
            LoadModule auth_gssapi_module {{m}}/mod_auth_gssapi.so
            LoadModule cgi_module {{m}}/mod_cgi.so
            LoadModule alias_module {{m}}/mod_alias.so
            ErrorLog {{root}}/error.log
            LogLevel info
            LogFormat "%u %s %m %U %{remote}p %k" auth
            CustomLog {{root}}/access.log auth
            KeepAlive On
            MaxKeepAliveRequests 100
            KeepAliveTimeout 5
            ScriptAlias /krb/echo {{script}}
            ScriptAlias /ntlm/echo {{script}}
            <Location /krb>
                AuthType GSSAPI
                AuthName "TypedHttp Kerberos"
                GssapiCredStore keytab:{{KerberosEnvironment.Keytab}}
                GssapiAllowedMech krb5
                Require valid-user
            </Location>
            <Location /ntlm>
                AuthType GSSAPI
                AuthName "TypedHttp NTLM"
                GssapiAllowedMech ntlmssp
                GssapiConnectionBound On
                Require valid-user
            </Location>
            """;
        string conf = Path.Combine(root, "httpd.conf");
        File.WriteAllText(conf, config);
        string apache = Prerequisites.FindProgram("apache2")!;
        if (Version.Length == 0)
        {
            (_, string version) = await KerberosRealm.TryRunAsync("apache2", ["-v"], null);
            Version = version.Split('\n')[0].Replace("Server version: ", "", StringComparison.Ordinal).Trim();
        }
        var start = new ProcessStartInfo(apache, ["-X", "-f", conf]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The NTLM location's acceptor: gss-ntlmssp and its user file (this test process itself has no NTLM mechanism).
        start.Environment["GSS_MECH_CONFIG"] = KerberosEnvironment.NtlmMechanismConfig;
        start.Environment["NTLM_USER_FILE"] = KerberosEnvironment.NtlmUserFile;
        start.Environment["KRB5_KTNAME"] = "FILE:" + KerberosEnvironment.Keytab;
        Process process = Process.Start(start)!;
        var server = new ApacheServer(process, root, port);
        if (await ServerProcess.WaitUntilListeningAsync(process, TimeSpan.FromSeconds(5), port))
        {
            return server;
        }
        if (process.HasExited)
        {
            Assert.Fail($"apache2 exited at start ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()} {server.ErrorLog}");
        }
        await server.DisposeAsync();
        Assert.Fail("apache2 did not listen within 5 s.");
        return server;
    }

    /// <summary>Stops Apache and removes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        KerberosRealm.DeleteFolder(_root);
    }

    private string ReadLog(string name)
    {
        string path = Path.Combine(_root, name);
        if (!File.Exists(path))
        {
            return "";
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
