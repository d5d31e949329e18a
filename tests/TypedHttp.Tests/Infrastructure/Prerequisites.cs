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

    /// <summary>No Kerberos realm is configured: Negotiate cannot get a ticket.</summary>
    NoKerberosRealm,

    /// <summary>The GSSAPI library has no NTLM mechanism.</summary>
    NoNtlmMechanism,
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

    /// <summary>Null when <paramref name="prerequisite"/> holds on this machine, else the reason a test that needs it is skipped.</summary>
    public static string? MissingReason(Prerequisite prerequisite) => prerequisite switch
    {
        Prerequisite.SecondLoopbackAddress => s_secondLoopback.Value ? null
            : "Needs 127.0.0.2 as a loopback address (Linux has all of 127.0.0.0/8 on lo; elsewhere add the alias).",
        Prerequisite.IPv6Loopback => s_ipv6Loopback.Value ? null
            : "Needs the IPv6 loopback address ::1 (on Linux: sysctl net.ipv6.conf.lo.disable_ipv6=0).",
        Prerequisite.NoKerberosRealm => s_kerberosRealm.Value
            ? "A Kerberos realm is configured here (default_realm in krb5.conf), so Negotiate does not fail for want of one: this case describes a machine without one, like CI's." : null,
        Prerequisite.NoNtlmMechanism => s_ntlmMechanism.Value
            ? "The GSSAPI NTLM mechanism (gss-ntlmssp) is installed here, so NTLM does not fail for want of it: this case describes a machine without it, like CI's." : null,
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
