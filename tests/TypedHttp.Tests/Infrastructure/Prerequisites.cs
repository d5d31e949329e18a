using System;
using System.IO;
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

    /// <summary>A Kerberos realm is configured (a <c>default_realm</c> in krb5.conf), so Negotiate can get a ticket.</summary>
    KerberosRealm,

    /// <summary>No Kerberos realm is configured: Negotiate cannot get a ticket.</summary>
    NoKerberosRealm,

    /// <summary>The GSSAPI library has an NTLM mechanism (gss-ntlmssp, registered in /etc/gss/mech.d).</summary>
    NtlmMechanism,

    /// <summary>The GSSAPI library has no NTLM mechanism.</summary>
    NoNtlmMechanism,
}

/// <summary>
/// Checks a <see cref="Prerequisite"/> once per test run and says why it is missing. A test that needs one uses
/// <see cref="RequiresFactAttribute"/> or <see cref="RequiresTheoryAttribute"/>: it is reported as skipped with that
/// reason instead of passing without checking anything.
/// </summary>
public static class Prerequisites
{
    private static readonly Lazy<bool> s_secondLoopback = new(() => CanBind(IPAddress.Parse("127.0.0.2")));
    private static readonly Lazy<bool> s_ipv6Loopback = new(() => Socket.OSSupportsIPv6 && CanBind(IPAddress.IPv6Loopback));
    private static readonly Lazy<bool> s_kerberosRealm = new(HasKerberosRealm);
    private static readonly Lazy<bool> s_ntlmMechanism = new(HasNtlmMechanism);

    /// <summary>Null when <paramref name="prerequisite"/> holds on this machine, else the reason a test that needs it is skipped.</summary>
    public static string? MissingReason(Prerequisite prerequisite) => prerequisite switch
    {
        Prerequisite.SecondLoopbackAddress => s_secondLoopback.Value ? null
            : "Needs 127.0.0.2 as a loopback address (Linux has all of 127.0.0.0/8 on lo; elsewhere add the alias).",
        Prerequisite.IPv6Loopback => s_ipv6Loopback.Value ? null
            : "Needs the IPv6 loopback address ::1 (on Linux: sysctl net.ipv6.conf.lo.disable_ipv6=0).",
        Prerequisite.KerberosRealm => s_kerberosRealm.Value ? null
            : "Needs a Kerberos realm (default_realm in krb5.conf) and a ticket for the test user; issue 15 brings one to CI.",
        Prerequisite.NoKerberosRealm => s_kerberosRealm.Value
            ? "A Kerberos realm is configured here, so Negotiate does not fail for want of one." : null,
        Prerequisite.NtlmMechanism => s_ntlmMechanism.Value ? null
            : "Needs the GSSAPI NTLM mechanism (Debian: apt-get install gss-ntlmssp).",
        Prerequisite.NoNtlmMechanism => s_ntlmMechanism.Value
            ? "The GSSAPI NTLM mechanism is installed here, so NTLM does not fail for want of it." : null,
        _ => throw new ArgumentOutOfRangeException(nameof(prerequisite)),
    };

    /// <summary>Null when all of <paramref name="prerequisites"/> hold, else the reasons for those that do not.</summary>
    public static string? MissingReason(Prerequisite[] prerequisites)
    {
        string? reasons = null;
        foreach (Prerequisite prerequisite in prerequisites)
        {
            if (MissingReason(prerequisite) is { } reason)
            {
                reasons = reasons is null ? reason : reasons + " " + reason;
            }
        }
        return reasons;
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
        return File.Exists(config) && File.ReadAllText(config).Contains("default_realm", StringComparison.Ordinal);
    }

    private static bool HasNtlmMechanism()
    {
        const string MechanismFolder = "/etc/gss/mech.d";
        if (!Directory.Exists(MechanismFolder))
        {
            return false;
        }
        foreach (string file in Directory.EnumerateFiles(MechanismFolder))
        {
            if (File.ReadAllText(file).Contains("ntlmssp", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A fact that is skipped, with the reason, when this machine lacks one of its <see cref="Prerequisite"/>s.</summary>
public sealed class RequiresFactAttribute : FactAttribute
{
    public RequiresFactAttribute(params Prerequisite[] prerequisites) => Skip = Prerequisites.MissingReason(prerequisites);
}

/// <summary>A theory that is skipped, with the reason, when this machine lacks one of its <see cref="Prerequisite"/>s.</summary>
public sealed class RequiresTheoryAttribute : TheoryAttribute
{
    public RequiresTheoryAttribute(params Prerequisite[] prerequisites) => Skip = Prerequisites.MissingReason(prerequisites);
}
