using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// The Kerberos and GSSAPI environment of the whole test process, fixed before any test runs (a module initializer):
/// <c>KRB5_CONFIG</c>, <c>KRB5CCNAME</c>, <c>KRB5_KTNAME</c>, <c>KRB5_KDC_PROFILE</c> and <c>GSS_MECH_CONFIG</c>
/// point into one temp folder per run, never at the machine's /etc. Why fixed for the process: the GSSAPI library
/// under <c>NegotiateAuthentication</c> reads them from the native environment (getenv), and reads the mechanism list
/// once; a value set while tests run would reach some of them and not others. So every test sees the same
/// configuration: one realm, <see cref="Realm"/>, with its KDC on <see cref="KdcPort"/> (started by
/// <see cref="KerberosRealm"/> when a Kerberos test needs it; until then the realm's KDC does not answer), DNS never
/// asked for KDCs or realms, and no NTLM mechanism in this process (an empty <c>GSS_MECH_CONFIG</c>), so the cases
/// that describe a machine without a realm for the credentials' domain or without gss-ntlmssp hold on any machine.
/// The NTLM cases run in child processes given <see cref="NtlmMechanismConfig"/> instead.
/// </summary>
internal static class KerberosEnvironment
{
    /// <summary>The test realm.</summary>
    public const string Realm = "TYPEDHTTP.TEST";

    /// <summary>The run's folder: the configuration files, the KDC database, the credential cache and the keytab.</summary>
    public static string Folder { get; private set; } = "";

    /// <summary>The port the KDC listens on (TCP and UDP, 127.0.0.1).</summary>
    public static int KdcPort { get; private set; }

    /// <summary>krb5.conf for clients and servers.</summary>
    public static string Krb5Config => Path.Combine(Folder, "krb5.conf");

    /// <summary>kdc.conf for the KDC and kadmin.local.</summary>
    public static string KdcProfile => Path.Combine(Folder, "kdc.conf");

    /// <summary>The credential cache kinit fills (without the FILE: prefix).</summary>
    public static string CredentialCache => Path.Combine(Folder, "ccache");

    /// <summary>The keytab of <c>HTTP/localhost</c>.</summary>
    public static string Keytab => Path.Combine(Folder, "http.keytab");

    /// <summary>This process's GSSAPI mechanism list: empty (Kerberos and SPNEGO are built in; no NTLM).</summary>
    public static string NoMechanismConfig => Path.Combine(Folder, "gss-mech-none.conf");

    /// <summary>A GSSAPI mechanism list with gss-ntlmssp, for child processes that speak NTLM.</summary>
    public static string NtlmMechanismConfig => Path.Combine(Folder, "gss-mech-ntlmssp.conf");

    /// <summary>gss-ntlmssp's user file (NTLM_USER_FILE) for child processes.</summary>
    public static string NtlmUserFile => Path.Combine(Folder, "ntlm-users");

#pragma warning disable CA2255 // a test assembly: the environment must be fixed before the first test touches GSSAPI
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        Folder = Directory.CreateTempSubdirectory("typedhttp-krb-").FullName;
        KdcPort = PickKdcPort();
        File.WriteAllText(Krb5Config, $"""
            [libdefaults]
                default_realm = {Realm}
                dns_lookup_kdc = false
                dns_lookup_realm = false
                dns_canonicalize_hostname = false
                rdns = false
                udp_preference_limit = 1
                ticket_lifetime = 1h
            [realms]
                {Realm} = {"{"}
                    kdc = 127.0.0.1:{KdcPort}
                {"}"}
            [domain_realm]
                localhost = {Realm}
            """);
        File.WriteAllText(NoMechanismConfig, "# no GSSAPI mechanism plugins: Kerberos and SPNEGO only\n");
        Set("KRB5_CONFIG", Krb5Config);
        Set("KRB5_KDC_PROFILE", KdcProfile);
        Set("KRB5CCNAME", "FILE:" + CredentialCache);
        Set("KRB5_KTNAME", "FILE:" + Keytab);
        Set("GSS_MECH_CONFIG", NoMechanismConfig);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KerberosRealm.DeleteFolder(Folder);
    }

    /// <summary>Sets a variable for this process's native code (GSSAPI) and for the child processes it starts.</summary>
    private static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows())
        {
            _ = NativeSetEnv(name, value, 1);
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int NativeSetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>
    /// A port below Linux's ephemeral range (32768 and up), free for TCP and UDP now: the servers the tests start on
    /// port 0 get ephemeral ports, so none of them takes it before the KDC starts.
    /// </summary>
    private static int PickKdcPort()
    {
        var random = new Random();
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = random.Next(20000, 32000);
            if (Free(port, SocketType.Stream, ProtocolType.Tcp) && Free(port, SocketType.Dgram, ProtocolType.Udp))
            {
                return port;
            }
        }
        throw new InvalidOperationException("No free port between 20000 and 32000 on 127.0.0.1 for the test KDC.");
    }

    private static bool Free(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
