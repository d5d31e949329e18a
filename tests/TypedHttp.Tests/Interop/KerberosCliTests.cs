using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// thttp, run as a user runs it (a child process with the realm's environment), against the same Apache and Kestrel
/// as <see cref="KerberosTests"/>, and curl 7.88 with the same arguments: status and body must be the same. curl's
/// <c>--negotiate -u :</c> is "use my Kerberos ticket"; thttp maps an empty user name to
/// <see cref="HttpCredentials.DefaultCredentials"/> (A-12).
/// </summary>
[Collection(KerberosCollection.Name)]
public sealed class KerberosCliTests(KerberosFixture fixture)
{
    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    [Fact]
    public async Task A12_thttp_negotiate_with_u_colon_gets_what_curl_gets_from_Apache()
    {
        await RequireTicketAsync();
        string url = fixture.Apache.Uri("/krb/echo").ToString();
        ((int, string), (int, string)) both = await BothAsync(null, ["-s", "--negotiate", "-u", ":", .. Resolve(fixture.Apache.Port), url]);
        string expected = $"user={KerberosRealm.UserPrincipal}\nmethod=GET\nlength=0\nsha256={EmptySha256}\n";
        Assert.Equal(((0, expected), (0, expected)), both);
    }

    [Fact]
    public async Task A12_thttp_negotiate_with_u_colon_gets_what_curl_gets_from_Kestrel()
    {
        await RequireTicketAsync();
        string url = fixture.Kestrel.Uri("/cli").ToString();
        ((int Exit, string Out) thttp, (int Exit, string Out) curl) = await BothAsync(null, ["-s", "--negotiate", "-u", ":", .. Resolve(fixture.Kestrel.Port), url]);
        // The last line names the connection, which differs between the two runs.
        string expected = $"user={KerberosRealm.UserPrincipal}\nmethod=GET\nlength=0\nsha256={EmptySha256}";
        Assert.Equal(((0, expected), (0, expected)), ((thttp.Exit, WithoutConnection(thttp.Out)), (curl.Exit, WithoutConnection(curl.Out))));
    }

    [Fact]
    public async Task A4_thttp_negotiate_posts_a_file_to_Apache_as_curl_does()
    {
        await RequireTicketAsync();
        byte[] payload = RandomNumberGenerator.GetBytes(100_000);
        string file = Path.Combine(KerberosEnvironment.Folder, "payload-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, payload);
        string url = fixture.Apache.Uri("/krb/echo").ToString();
        ((int, string), (int, string)) both = await BothAsync(null, ["-s", "--negotiate", "-u", ":", "--data-binary", "@" + file, .. Resolve(fixture.Apache.Port), url]);
        string expected = $"user={KerberosRealm.UserPrincipal}\nmethod=POST\nlength=100000\nsha256={Convert.ToHexStringLower(SHA256.HashData(payload))}\n";
        Assert.Equal(((0, expected), (0, expected)), both);
    }

    [Fact]
    public async Task A12_without_a_ticket_thttp_and_curl_both_end_with_the_401()
    {
        await KerberosRealm.KdestroyAsync();
        string url = fixture.Apache.Uri("/krb/echo").ToString();
        ((int Exit, string Out) thttp, (int Exit, string Out) curl) = await BothAsync(null, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--negotiate", "-u", ":", .. Resolve(fixture.Apache.Port), url]);
        Assert.Equal(((0, "401"), (0, "401")), (thttp, curl));
    }

    [Fact]
    public async Task A12_thttp_negotiate_with_user_and_password_authenticates_without_a_ticket_where_curl_does_not()
    {
        // curl's GSS-API Negotiate uses the ticket cache only and ignores -u's user and password.
        await KerberosRealm.KdestroyAsync();
        string url = fixture.Apache.Uri("/krb/echo").ToString();
        ((int Exit, string Out) thttp, (int Exit, string Out) curl) = await BothAsync(null, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--negotiate", "-u", $"{KerberosRealm.User}:{KerberosRealm.Password}", .. Resolve(fixture.Apache.Port), url]);
        Assert.Equal(((0, "200"), (0, "401")), (thttp, curl));
    }

    [Fact]
    public async Task A12_thttp_with_U_colon_and_a_proxy_that_is_down_fails_to_connect_as_curl_does()
    {
        int closed = ClosedPort();
        ((int Exit, string Out) thttp, (int Exit, string Out) curl) = await BothAsync(null, ["-s", "-U", ":", "-x", $"http://127.0.0.1:{closed}", "http://localhost/"]);
        Assert.Equal(((7, ""), (7, "")), (thttp, curl));
    }

    [Fact]
    public async Task A5_thttp_ntlm_through_gss_ntlmssp_authenticates_to_Apache_where_curl_is_refused()
    {
        // gss-ntlmssp 1.2, Apache's acceptor, refuses curl 7.88's own 32-byte NEGOTIATE_MESSAGE ("Invalid token was
        // supplied (Failed to decode data)" in its error log), so curl ends with the 401; thttp's NTLM is
        // gss-ntlmssp's initiator, which the acceptor takes (docs/engine.md, "Tested against").
        string url = fixture.Apache.Uri("/ntlm/echo").ToString();
        string[] arguments = ["-s", "--ntlm", "-u", NtlmUser(KerberosRealm.NtlmPassword), .. Resolve(fixture.Apache.Port), url];
        (int thttpExit, string thttpOut, _) = await KerberosFixture.RunAsync("dotnet", [.. KerberosFixture.Thttp(), .. arguments], Ntlm());
        Prerequisites.Require(Prerequisite.Curl);
        (int curlExit, string curlOut, _) = await KerberosFixture.RunAsync(Prerequisites.FindProgram("curl")!, ["-o", "/dev/null", "-w", "%{http_code}", .. arguments], Ntlm());
        string expected = $"user={KerberosRealm.NtlmDomain}\\{KerberosRealm.NtlmUser}\nmethod=GET\nlength=0\nsha256={EmptySha256}\n";
        Assert.Equal(((0, expected), (0, "401")), ((thttpExit, thttpOut), (curlExit, curlOut)));
    }

    [Fact]
    public async Task A4_thttp_ntlm_takes_three_legs_on_one_connection()
    {
        string path = "/ntlm/echo/" + Guid.NewGuid().ToString("N");
        _ = await KerberosFixture.RunAsync("dotnet", [.. KerberosFixture.Thttp(), "-s", "--ntlm", "-u", NtlmUser(KerberosRealm.NtlmPassword), .. Resolve(fixture.Apache.Port), fixture.Apache.Uri(path).ToString()], Ntlm());
        // Access log fields: user status method path client-port keepalive-count.
        string[][] lines = [.. (await fixture.Apache.AccessLogLinesAsync(path, 3)).Select(l => l.Split(' '))];
        string port = lines.Length > 0 ? lines[0][4] : "?";
        string user = $"{KerberosRealm.NtlmDomain}\\\\{KerberosRealm.NtlmUser}"; // %u escapes the backslash
        Assert.Equal([("-", "401", port), ("-", "401", port), (user, "200", port)], lines.Select(l => (l[0], l[1], l[4])));
    }

    [Fact]
    public async Task A6_thttp_ntlm_with_a_wrong_password_ends_with_Apaches_401()
    {
        string url = fixture.Apache.Uri("/ntlm/echo").ToString();
        (int exit, string stdout, _) = await KerberosFixture.RunAsync("dotnet", [.. KerberosFixture.Thttp(), "-s", "-o", "/dev/null", "-w", "%{http_code}", "--ntlm", "-u", NtlmUser("wrong"), .. Resolve(fixture.Apache.Port), url], Ntlm());
        Assert.Equal((0, "401"), (exit, stdout));
    }

    [Fact]
    public async Task A9d_thttp_u_with_a_domain_and_no_user_is_a_usage_error()
    {
        (int exit, _, string stderr) = await KerberosFixture.RunAsync("dotnet", [.. KerberosFixture.Thttp(), "-s", "--ntlm", "-u", "TYPEDHTTP\\:secret", "http://localhost:1/"]);
        Assert.Equal((2, "thttp: option -u: 'TYPEDHTTP\\' names a domain but no user"), (exit, stderr.Split('\n')[0]));
    }

    private static string NtlmUser(string password) => $"{KerberosRealm.NtlmDomain}\\{KerberosRealm.NtlmUser}:{password}";

    /// <summary>The child's GSSAPI with gss-ntlmssp (this test process has no NTLM mechanism, see <see cref="KerberosEnvironment"/>).</summary>
    private static Dictionary<string, string> Ntlm()
    {
        Prerequisites.Require(Prerequisite.GssNtlmssp);
        return new Dictionary<string, string>
        {
            ["GSS_MECH_CONFIG"] = KerberosEnvironment.NtlmMechanismConfig,
            ["NTLM_USER_FILE"] = KerberosEnvironment.NtlmUserFile,
        };
    }

    private static async Task<((int Exit, string Out) Thttp, (int Exit, string Out) Curl)> BothAsync(IDictionary<string, string>? environment, string[] arguments)
    {
        Prerequisites.Require(Prerequisite.Curl);
        (int thttpExit, string thttpOut, _) = await KerberosFixture.RunAsync("dotnet", [.. KerberosFixture.Thttp(), .. arguments], environment);
        (int curlExit, string curlOut, _) = await KerberosFixture.RunAsync(Prerequisites.FindProgram("curl")!, arguments, environment);
        return ((thttpExit, thttpOut), (curlExit, curlOut));
    }

    private static async Task RequireTicketAsync()
    {
        (int exit, string output) = await KerberosRealm.KinitAsync();
        Assert.True(exit == 0, "kinit failed: " + output);
    }

    private static string[] Resolve(int port) => ["--resolve", $"localhost:{port}:127.0.0.1"];

    private static string WithoutConnection(string body) => string.Join("\n", body.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("connection=", StringComparison.Ordinal)));

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
