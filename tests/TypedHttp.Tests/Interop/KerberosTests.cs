using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using TypedHttp.Tests.Stages;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// The engine's Negotiate path against a real MIT Kerberos realm (issue 15): the GSSAPI library under
/// <see cref="System.Net.Security.NegotiateAuthentication"/> gets tickets from the realm's KDC and both servers check
/// them with the keytab of <c>HTTP/localhost</c>: Apache with mod_auth_gssapi, and Kestrel with the GSSAPI acceptor.
/// </summary>
[Collection(KerberosCollection.Name)]
public sealed class KerberosTests(KerberosFixture fixture)
{
    private static readonly string User = KerberosRealm.UserPrincipal;

    [Fact]
    public async Task A12_a_ticket_from_kinit_authenticates_to_Apache()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        (int status, string body, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri("/krb/echo")));
        Assert.Equal((200, $"user={User}"), (status, FirstLine(body)));
    }

    [Fact]
    public async Task A12_a_ticket_from_kinit_authenticates_to_Kestrel()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        (int status, string body, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Kestrel.Uri("/who")));
        Assert.Equal((200, $"user={User}"), (status, FirstLine(body)));
    }

    [Fact]
    public async Task A12_the_user_a_ticket_authenticated_is_in_Apaches_access_log()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        string path = "/krb/echo/" + Guid.NewGuid().ToString("N");
        await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri(path)));
        Assert.Single(await fixture.Apache.AccessLogLinesAsync($"{User} 200 GET {path} ", 1));
    }

    [Fact]
    public async Task A9d_explicit_user_and_password_get_their_own_ticket_without_kinit()
    {
        await KerberosRealm.KdestroyAsync();
        using HttpSession session = Session(new HttpCredentials(KerberosRealm.User, KerberosRealm.Password), out _);
        (int status, string body, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri("/krb/echo")));
        Assert.Equal((200, $"user={User}"), (status, FirstLine(body)));
    }

    [Fact]
    public async Task A9d_explicit_credentials_with_the_realm_as_domain_authenticate_to_Kestrel()
    {
        await KerberosRealm.KdestroyAsync();
        using HttpSession session = Session(new HttpCredentials(KerberosRealm.User, KerberosRealm.Password, KerberosEnvironment.Realm), out _);
        (int status, string body, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Kestrel.Uri("/who")));
        Assert.Equal((200, $"user={User}"), (status, FirstLine(body)));
    }

    [Fact]
    public async Task A4_the_401_and_the_authenticated_request_go_on_one_connection_to_Apache()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        string path = "/krb/echo/" + Guid.NewGuid().ToString("N");
        await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri(path)));
        // Access log fields: user status method path client-port keepalive-count.
        string[][] lines = [.. (await fixture.Apache.AccessLogLinesAsync(path, 2)).Select(l => l.Split(' '))];
        Assert.Equal([("-", "401"), (User, "200")], lines.Select(l => (l[0], l[1])));
        Assert.Equal(lines[0][4], lines[1][4]);
    }

    [Fact]
    public async Task A4_the_401_and_the_authenticated_request_go_on_one_connection_to_Kestrel()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        string path = "/one-connection/" + Guid.NewGuid().ToString("N");
        await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Kestrel.Uri(path)));
        string[][] lines = [.. fixture.Kestrel.LogLines.Where(l => l.Contains(path, StringComparison.Ordinal)).Select(l => l.Split(' '))];
        Assert.Equal([("-", "401", lines[0][4]), (User, "200", lines[0][4])], lines.Select(l => (l[0], l[1], l[4])));
    }

    [Fact]
    public async Task A4_a_POST_body_reaches_Apaches_script_once_and_whole()
    {
        await RequireTicketAsync();
        byte[] payload = RandomNumberGenerator.GetBytes(200_000);
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        string path = "/krb/echo/" + Guid.NewGuid().ToString("N");
        var request = new TypedHttpRequest("POST", fixture.Apache.Uri(path)) { Content = new ByteArrayRequestContent(payload) };
        (int status, string body, _) = await StageTest.SendAsync(session, request);
        int served = (await fixture.Apache.AccessLogLinesAsync($"{User} 200 POST {path}", 1)).Length;
        Assert.Equal((200, $"user={User}\nmethod=POST\nlength=200000\nsha256={Hex(payload)}\n", 1), (status, body, served));
    }

    [Fact]
    public async Task A4_a_POST_body_reaches_Kestrel_once_and_whole()
    {
        await RequireTicketAsync();
        byte[] payload = RandomNumberGenerator.GetBytes(200_000);
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _);
        string path = "/post/" + Guid.NewGuid().ToString("N");
        var request = new TypedHttpRequest("POST", fixture.Kestrel.Uri(path)) { Content = new ByteArrayRequestContent(payload) };
        (int status, string body, _) = await StageTest.SendAsync(session, request);
        int served = fixture.Kestrel.LogLines.Count(l => l.StartsWith($"{User} 200 POST {path} ", StringComparison.Ordinal));
        Assert.Equal((200, $"length=200000\nsha256={Hex(payload)}", 1), (status, string.Join("\n", body.Split('\n')[2..4]), served));
    }

    [Fact]
    public async Task A10_Apaches_final_token_proves_its_identity()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out StringBuilder trace);
        await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri("/krb/echo")));
        Assert.Contains($"{fixture.Apache.Uri("/").GetLeftPart(UriPartial.Authority)} proved its identity with its final Negotiate token (mutual authentication, A-10)", trace.ToString());
    }

    [Fact]
    public async Task A10_Kestrels_final_token_proves_its_identity()
    {
        await RequireTicketAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out StringBuilder trace);
        await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Kestrel.Uri("/who")));
        Assert.Contains("proved its identity with its final Negotiate token", trace.ToString());
    }

    [Fact]
    public async Task A10_a_final_token_that_fails_mutual_authentication_is_a_LoginFailure()
    {
        await RequireTicketAsync();
        // A server that takes the real ticket and answers 200 with a token that is no AP-REP for it.
        await using ScriptedServer server = StageTest.Routed(r => r.Header("Authorization") is null
            ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nWWW-Authenticate: Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg==\r\nContent-Length: 6\r\n\r\nforged");
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _, server.Port);
        Uri uri = new($"http://localhost:{server.Port}/");
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", uri)));
        Assert.Equal((HttpError.LoginFailure, $"http://localhost:{server.Port} answered 200 but failed Negotiate mutual authentication: the security library rejected the server's final Negotiate token"),
            (e.Error, e.Message[..e.Message.IndexOf(" (", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task A12_without_a_ticket_the_401_is_returned_and_the_trace_says_why()
    {
        await KerberosRealm.KdestroyAsync();
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out StringBuilder trace);
        (int status, _, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", fixture.Apache.Uri("/krb/echo")));
        Assert.Equal((401, true), (status, trace.ToString().Contains("as (default credentials) is not possible here: Negotiate authentication cannot proceed: there are no default credentials (for Kerberos: no ticket in the credential cache, KRB5CCNAME; kinit gets one).", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A11_a_wrong_password_is_a_LoginFailure_naming_the_user()
    {
        await KerberosRealm.KdestroyAsync();
        using HttpSession session = Session(new HttpCredentials(KerberosRealm.User, "not-the-password"), out _);
        Uri uri = fixture.Apache.Uri("/krb/echo");
        TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", uri)));
        Assert.Equal((HttpError.LoginFailure, $"{uri.GetLeftPart(UriPartial.Authority)} asked for Negotiate and the credentials for alice were refused before anything was sent: Negotiate authentication cannot proceed: the security library could not use the given credentials for Negotiate (for Kerberos: a wrong password, an unknown user or no reachable KDC for the user's realm)."), (e.Error, e.Message));
    }

    [Fact]
    public async Task A11_the_KDC_refused_the_wrong_password()
    {
        await KerberosRealm.KdestroyAsync();
        using HttpSession session = Session(new HttpCredentials(KerberosRealm.User, "also-not-the-password"), out _);
        await Assert.ThrowsAsync<TypedHttpException>(async () => await session.SendAsync(new TypedHttpRequest("GET", fixture.Apache.Uri("/krb/echo"))));
        Assert.Contains($"PREAUTH_FAILED: {User} for krbtgt/{KerberosEnvironment.Realm}@{KerberosEnvironment.Realm}", KerberosRealm.KdcLog);
    }

    [Fact]
    public async Task A12_default_credentials_are_never_sent_by_Basic()
    {
        await RequireTicketAsync();
        await using ScriptedServer server = StageTest.Routed(_ => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out _, server.Port);
        (int status, _, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://localhost:{server.Port}/")));
        Assert.Equal((401, 1), (status, server.AllRequests().Count));
    }

    [Fact]
    public async Task A11_refused_Kerberos_credentials_still_answer_a_Basic_challenge_offered_beside_Negotiate()
    {
        await KerberosRealm.KdestroyAsync();
        string basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{KerberosRealm.User}:basic-only"));
        await using ScriptedServer server = StageTest.Routed(r => r.Header("Authorization") == basic
            ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nbasic"
            : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\n\r\n");
        using HttpSession session = Session(new HttpCredentials(KerberosRealm.User, "basic-only"), out _, server.Port);
        (int status, string body, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://localhost:{server.Port}/")));
        Assert.Equal((200, "basic"), (status, body));
    }

    [Fact]
    public async Task A10_a_final_response_without_a_token_is_returned_and_the_trace_says_the_server_is_not_proven()
    {
        await RequireTicketAsync();
        await using ScriptedServer server = StageTest.Routed(r => r.Header("Authorization") is null
            ? "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using HttpSession session = Session(HttpCredentials.DefaultCredentials, out StringBuilder trace, server.Port);
        (int status, _, _) = await StageTest.SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://localhost:{server.Port}/")));
        Assert.Equal((200, true), (status, trace.ToString().Contains($"http://localhost:{server.Port} answered 200 without a final Negotiate token: its identity is not proven (A-10)", StringComparison.Ordinal)));
    }

    private static async Task RequireTicketAsync()
    {
        (int exit, string output) = await KerberosRealm.KinitAsync();
        Assert.True(exit == 0, "kinit failed: " + output);
    }

    /// <summary>A session with <paramref name="credentials"/> for every server of the fixture (and one more port), tracing into <paramref name="trace"/>.</summary>
    private HttpSession Session(HttpCredentials credentials, out StringBuilder trace, int? port = null)
    {
        var lines = new StringBuilder();
        trace = lines;
        var cache = new HttpCredentialCache();
        foreach (int p in new[] { fixture.Apache.Port, fixture.Kestrel.Port, port ?? fixture.Apache.Port })
        {
            cache.Add(new Uri($"http://localhost:{p}/"), credentials);
        }
        return StageTest.Session(o =>
        {
            o.Credentials = cache;
            o.TraceListener = e =>
            {
                lock (lines)
                {
                    lines.AppendLine(e.Message);
                }
            };
        });
    }

    private static string FirstLine(string body) => body.Split('\n')[0];

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
