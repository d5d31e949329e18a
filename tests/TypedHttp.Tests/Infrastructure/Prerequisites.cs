using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>What a test needs from the machine beyond the .NET runtime.</summary>
public enum Prerequisite
{
    /// <summary>127.0.0.2 can be bound: the whole 127.0.0.0/8 block is loopback (Linux does this by default).</summary>
    SecondLoopbackAddress,

    /// <summary>The IPv6 loopback address ::1 exists and can be bound.</summary>
    IPv6Loopback,

    /// <summary>
    /// The Kerberos configuration this process runs with (KRB5_CONFIG; the suite sets its own, see
    /// Interop/KerberosEnvironment.cs) has no realm <c>DOMAIN</c>, the domain of the no-realm cases' credentials:
    /// Negotiate cannot get a ticket for them.
    /// </summary>
    NoKerberosRealm,

    /// <summary>The GSSAPI mechanism list this process runs with (GSS_MECH_CONFIG, else /etc/gss) has no NTLM mechanism.</summary>
    NoNtlmMechanism,

    /// <summary>The MIT Kerberos KDC and its database tools: krb5kdc, kdb5_util (Debian krb5-kdc), kadmin.local (krb5-admin-server).</summary>
    KerberosKdc,

    /// <summary>The MIT Kerberos user tools kinit and kdestroy (Debian krb5-user).</summary>
    KerberosClientTools,

    /// <summary>Apache with mod_auth_gssapi and mod_cgi (Debian apache2, libapache2-mod-auth-gssapi).</summary>
    ApacheGssapi,

    /// <summary>The GSSAPI NTLM mechanism library gssntlmssp.so (Debian gss-ntlmssp).</summary>
    GssNtlmssp,

    /// <summary>curl, to compare thttp's results with (Debian curl).</summary>
    Curl,
}

/// <summary>
/// Checks a <see cref="Prerequisite"/> once per test run and says why it is missing. A test that needs one starts with
/// <see cref="Require"/>: on a machine without it the test FAILS with the reason, which names the fix (.ci/run gives
/// CI's machine every one of them), instead of passing without checking anything or being skipped.
/// </summary>
public static class Prerequisites
{
    private static readonly Lazy<bool> s_secondLoopback = new(() => CanBind(IPAddress.Parse("127.0.0.2")));
    private static readonly Lazy<bool> s_ipv6Loopback = new(() => Socket.OSSupportsIPv6 && CanBind(IPAddress.IPv6Loopback));
    private static readonly Lazy<bool> s_kerberosRealm = new(HasKerberosRealm);
    private static readonly Lazy<bool> s_ntlmMechanism = new(HasNtlmMechanism);
    private static readonly Lazy<string?> s_kerberosKdc = new(() => MissingPrograms(("krb5kdc", "krb5-kdc"), ("kdb5_util", "krb5-kdc"), ("kadmin.local", "krb5-admin-server")));
    private static readonly Lazy<string?> s_kerberosClient = new(() => MissingPrograms(("kinit", "krb5-user"), ("kdestroy", "krb5-user")));
    private static readonly Lazy<string?> s_apacheGssapi = new(MissingApache);
    private static readonly Lazy<string?> s_curl = new(() => MissingPrograms(("curl", "curl")));

    /// <summary>Null when <paramref name="prerequisite"/> holds on this machine, else the reason a test that needs it is skipped.</summary>
    public static string? MissingReason(Prerequisite prerequisite) => prerequisite switch
    {
        Prerequisite.SecondLoopbackAddress => s_secondLoopback.Value ? null
            : "Needs 127.0.0.2 as a loopback address (Linux has all of 127.0.0.0/8 on lo; elsewhere add the alias).",
        Prerequisite.IPv6Loopback => s_ipv6Loopback.Value ? null
            : "Needs the IPv6 loopback address ::1 (on Linux: sysctl net.ipv6.conf.lo.disable_ipv6=0).",
        Prerequisite.NoKerberosRealm => s_kerberosRealm.Value
            ? "The Kerberos configuration of this process (KRB5_CONFIG) defines the realm DOMAIN, so Negotiate does not fail for want of one: this case describes credentials of a realm without a KDC." : null,
        Prerequisite.NoNtlmMechanism => s_ntlmMechanism.Value
            ? "The GSSAPI mechanism list of this process (GSS_MECH_CONFIG, else /etc/gss) has NTLM (gss-ntlmssp), so NTLM does not fail for want of it: this case describes a process without it." : null,
        Prerequisite.KerberosKdc => s_kerberosKdc.Value,
        Prerequisite.KerberosClientTools => s_kerberosClient.Value,
        Prerequisite.ApacheGssapi => s_apacheGssapi.Value,
        Prerequisite.GssNtlmssp => NtlmMechanismLibrary() is null
            ? "gssntlmssp.so is missing: install the Debian package 'gss-ntlmssp' (.ci/run does)." : null,
        Prerequisite.Curl => s_curl.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(prerequisite)),
    };

    /// <summary>Fails the calling test, naming what is missing and how to add it, unless every one of <paramref name="prerequisites"/> holds.</summary>
    public static void Require(params Prerequisite[] prerequisites)
    {
        foreach (Prerequisite prerequisite in prerequisites)
        {
            string? reason = MissingReason(prerequisite);
            Assert.True(reason is null, reason);
        }
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool HasKerberosRealm()
    {
        string config = Environment.GetEnvironmentVariable("KRB5_CONFIG") is { Length: > 0 } path ? path : "/etc/krb5.conf";
        return File.Exists(config) && System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(config), @"^\s*DOMAIN\s*=\s*\{", System.Text.RegularExpressions.RegexOptions.Multiline);
    }

    private static bool HasNtlmMechanism()
    {
        // MIT's mechanism glue reads GSS_MECH_CONFIG instead of /etc/gss/mech and /etc/gss/mech.d when it is set.
        if (Environment.GetEnvironmentVariable("GSS_MECH_CONFIG") is { Length: > 0 } list)
        {
            return File.Exists(list) && MentionsNtlm(File.ReadAllText(list));
        }
        if (File.Exists("/etc/gss/mech") && MentionsNtlm(File.ReadAllText("/etc/gss/mech")))
        {
            return true;
        }
        const string MechanismFolder = "/etc/gss/mech.d";
        if (!Directory.Exists(MechanismFolder))
        {
            return false;
        }
        foreach (string file in Directory.EnumerateFiles(MechanismFolder, "*.conf"))
        {
            if (MentionsNtlm(File.ReadAllText(file)))
            {
                return true;
            }
        }
        return false;
    }

    private static bool MentionsNtlm(string mechanismList)
    {
        foreach (string line in mechanismList.Split('\n'))
        {
            if (!line.TrimStart().StartsWith('#') && line.Contains("ntlmssp", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The full path of <paramref name="program"/> on PATH or in /usr/sbin and /sbin (where Debian puts daemons), or null.</summary>
    public static string? FindProgram(string program)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            string candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>gss-ntlmssp's mechanism library (<c>/usr/lib/&lt;triplet&gt;/gssntlmssp/gssntlmssp.so</c>), or null.</summary>
    public static string? NtlmMechanismLibrary()
    {
        if (!Directory.Exists("/usr/lib"))
        {
            return null;
        }
        foreach (string folder in Directory.EnumerateDirectories("/usr/lib"))
        {
            string candidate = Path.Combine(folder, "gssntlmssp", "gssntlmssp.so");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Apache's module folder on Debian.</summary>
    public const string ApacheModules = "/usr/lib/apache2/modules";

    private static string? MissingPrograms(params (string Program, string Package)[] programs)
    {
        foreach ((string program, string package) in programs)
        {
            if (FindProgram(program) is null)
            {
                return $"'{program}' is not installed: install the Debian package '{package}' (.ci/run does).";
            }
        }
        return null;
    }

    private static string? MissingApache()
    {
        if (MissingPrograms(("apache2", "apache2")) is string missing)
        {
            return missing;
        }
        if (!File.Exists(Path.Combine(ApacheModules, "mod_auth_gssapi.so")))
        {
            return "Apache's mod_auth_gssapi is missing: install the Debian package 'libapache2-mod-auth-gssapi' (.ci/run does).";
        }
        return File.Exists(Path.Combine(ApacheModules, "mod_cgi.so")) ? null : "Apache's mod_cgi is missing: install the Debian package 'apache2' (.ci/run does).";
    }
}
