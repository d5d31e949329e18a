using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// A throw-away MIT Kerberos realm (<see cref="KerberosEnvironment.Realm"/>) in the run's temp folder: the database
/// made by <c>kdb5_util create -s</c>, <c>krb5kdc -n</c> in the foreground on 127.0.0.1 (killed on dispose), the user
/// <see cref="User"/> with <see cref="Password"/>, the service <c>HTTP/localhost</c> with its keytab
/// (<c>kadmin.local ktadd</c>), and for NTLM a gss-ntlmssp user file and mechanism list for child processes. The
/// configuration files are those of <see cref="KerberosEnvironment"/>, which the whole process already points at.
/// </summary>
public sealed class KerberosRealm : IAsyncDisposable
{
    /// <summary>The user principal's name (without the realm).</summary>
    public const string User = "alice";

    /// <summary>Its Kerberos password.</summary>
    public const string Password = "alice-Kerberos-1";

    /// <summary>The NTLM domain of the gss-ntlmssp user file.</summary>
    public const string NtlmDomain = "TYPEDHTTP";

    /// <summary>The NTLM user of that file.</summary>
    public const string NtlmUser = "bob";

    /// <summary>Its NTLM password.</summary>
    public const string NtlmPassword = "bob-Ntlm-2";

    private readonly Process _kdc;

    private KerberosRealm(Process kdc) => _kdc = kdc;

    /// <summary>The user principal, <c>alice@TYPEDHTTP.TEST</c>.</summary>
    public static string UserPrincipal => User + "@" + KerberosEnvironment.Realm;

    /// <summary>The KDC's log: one line per ticket it issued or refused.</summary>
    public static string KdcLog => File.Exists(Path.Combine(KerberosEnvironment.Folder, "kdc.log")) ? File.ReadAllText(Path.Combine(KerberosEnvironment.Folder, "kdc.log")) : "";

    /// <summary>Creates the realm and starts its KDC; fails (never skips) naming the Debian package of a missing program.</summary>
    public static async Task<KerberosRealm> StartAsync()
    {
        Prerequisites.Require(Prerequisite.KerberosKdc, Prerequisite.KerberosClientTools);
        string f = KerberosEnvironment.Folder;
        int port = KerberosEnvironment.KdcPort;
        File.WriteAllText(KerberosEnvironment.KdcProfile, $$"""
            [kdcdefaults]
                kdc_ports = {{port}}
                kdc_tcp_ports = {{port}}
            [realms]
                {{KerberosEnvironment.Realm}} = {
                    database_name = {{f}}/principal
                    key_stash_file = {{f}}/stash
                    acl_file = {{f}}/kadm5.acl
                    kdc_listen = 127.0.0.1:{{port}}
                    kdc_tcp_listen = 127.0.0.1:{{port}}
                    max_life = 1h
                }
            [logging]
                kdc = FILE:{{f}}/kdc.log
                admin_server = FILE:{{f}}/kadmin.log
                default = FILE:{{f}}/krb5.log
            """);
        File.WriteAllText(Path.Combine(f, "kadm5.acl"), "");
        await RunAsync("kdb5_util", ["create", "-s", "-r", KerberosEnvironment.Realm, "-P", "master-" + Guid.NewGuid().ToString("N")]);
        await RunAsync("kadmin.local", ["-r", KerberosEnvironment.Realm, "-q", $"addprinc +requires_preauth -pw {Password} {User}"]);
        await RunAsync("kadmin.local", ["-r", KerberosEnvironment.Realm, "-q", "addprinc -randkey HTTP/localhost"]);
        await RunAsync("kadmin.local", ["-r", KerberosEnvironment.Realm, "-q", $"ktadd -k {KerberosEnvironment.Keytab} HTTP/localhost"]);
        Assert.True(File.Exists(KerberosEnvironment.Keytab), "kadmin.local ktadd wrote no keytab.");

        string? library = Prerequisites.NtlmMechanismLibrary();
        File.WriteAllText(KerberosEnvironment.NtlmMechanismConfig, library is null ? "" : $"gssntlmssp_v1 1.3.6.1.4.1.311.2.2.10 {library}\n");
        File.WriteAllText(KerberosEnvironment.NtlmUserFile, $"{NtlmDomain}:{NtlmUser}:{NtlmPassword}\n");

        var start = new ProcessStartInfo(Prerequisites.FindProgram("krb5kdc")!, ["-n", "-r", KerberosEnvironment.Realm])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process kdc = Process.Start(start)!;
        var realm = new KerberosRealm(kdc);
        if (await ServerProcess.WaitUntilListeningAsync(kdc, TimeSpan.FromSeconds(5), port))
        {
            return realm;
        }
        if (kdc.HasExited)
        {
            Assert.Fail($"krb5kdc exited at start ({kdc.ExitCode}): {await kdc.StandardError.ReadToEndAsync()} {KdcLog}");
        }
        await realm.DisposeAsync();
        Assert.Fail("krb5kdc did not listen within 5 s.");
        return realm;
    }

    /// <summary><c>kinit</c> into the process's credential cache, the password given on stdin; the exit code and what it printed.</summary>
    public static Task<(int ExitCode, string Output)> KinitAsync(string principal = User, string password = Password) =>
        TryRunAsync("kinit", [principal], password + "\n");

    /// <summary>Empties the process's credential cache (<c>kdestroy</c>): nobody holds a ticket.</summary>
    public static async Task KdestroyAsync()
    {
        _ = await TryRunAsync("kdestroy", [], null);
        Assert.False(File.Exists(KerberosEnvironment.CredentialCache), "kdestroy left the credential cache.");
    }

    /// <summary>Stops the KDC.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_kdc.HasExited)
        {
            _kdc.Kill();
            await _kdc.WaitForExitAsync();
        }
        _kdc.Dispose();
    }

    /// <summary>Removes the run's folder (at process exit: the process's environment points into it until then).</summary>
    internal static void DeleteFolder(string folder)
    {
        try
        {
            if (folder.Length > 0 && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // a server still writing its log: the temp folder is the system's to clean
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Runs a Kerberos tool; fails the test with its output when it does not exit with 0.</summary>
    private static async Task RunAsync(string program, string[] arguments)
    {
        (int exit, string output) = await TryRunAsync(program, arguments, null);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} failed ({exit}): {output}");
    }

    /// <summary>Runs a program found by <see cref="Prerequisites.FindProgram"/> with the process's environment.</summary>
    internal static async Task<(int ExitCode, string Output)> TryRunAsync(string program, string[] arguments, string? stdin)
    {
        string path = Prerequisites.FindProgram(program) ?? throw new InvalidOperationException(program + " is not installed.");
        var start = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
