using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>
/// A-9e: a forward proxy's 407 to a plain http request is answered like a 401, with the proxy's credentials: Digest
/// for the absolute-form target (P-5), and one retry when the proxy says the nonce went stale (RFC 7616 §3.3).
/// </summary>
public sealed class ProxyDigestTests
{
    [Fact]
    public async Task A9e_a_proxy_digest_stale_true_is_retried_once_with_the_new_nonce()
    {
        var sent = new ConcurrentQueue<string>();
        await using ScriptedServer proxy = Routed(request =>
        {
            string? authorization = request.Header("Proxy-Authorization");
            sent.Enqueue(authorization is null ? "-" : Field(authorization, "nonce") + " " + Field(authorization, "uri"));
            return sent.Count switch
            {
                1 => Challenge("n1", stale: false),
                2 => Challenge("n2", stale: true),
                _ => Ok("through"),
            };
        });
        using HttpSession session = Session(o => o.Proxy = ProxySettings.Named($"http://127.0.0.1:{proxy.Port}", null, new HttpCredentials("proxyuser", "proxy-pw")));

        (int code, string _, TypedHttpResponse _) = await SendAsync(session, new TypedHttpRequest("GET", new Uri("http://origin.test:8080/x")));

        Assert.Equal("200: - | n1 http://origin.test:8080/x | n2 http://origin.test:8080/x", $"{code}: {string.Join(" | ", sent)}");
    }

    private static string Challenge(string nonce, bool stale) =>
        "HTTP/1.1 407 Proxy Authentication Required\r\n"
        + $"Proxy-Authenticate: Digest realm=\"proxy\", qop=\"auth\", algorithm=MD5, nonce=\"{nonce}\"{(stale ? ", stale=true" : "")}\r\n"
        + "Content-Length: 0\r\n\r\n";

    /// <summary>A quoted parameter of a Digest answer.</summary>
    private static string Field(string authorization, string name)
    {
        string marker = name + "=\"";
        int start = authorization.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return name + " missing";
        }
        start += marker.Length;
        return authorization[start..authorization.IndexOf('"', start)];
    }
}
