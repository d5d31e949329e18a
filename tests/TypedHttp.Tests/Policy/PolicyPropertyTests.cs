using System;
using System.IO;
using CsCheck;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>Property tests: hostile input to every policy parser gives a decision or our error, never another exception.</summary>
public sealed class PolicyPropertyTests
{
    private static readonly Uri Current = new("https://api.example.com/a/b?c#d");

    [Fact]
    public void Any_Location_gives_a_decision_and_never_throws()
    {
        Gen.String[Gen.Char["/\\:.?#%@[]ab hHtTpPsS09\t-~"], 0, 40].Sample(location =>
        {
            foreach (RedirectPolicy policy in new[] { RedirectPolicy.Never, RedirectPolicy.DisallowHttpsToHttp, RedirectPolicy.Always })
            {
                RedirectDecision d = RedirectDecider.Decide(302, "POST", Current, location, policy, 0);
                if (d.Action == RedirectAction.Follow)
                {
                    Assert.True(d.Target!.IsAbsoluteUri);
                    Assert.True(d.Target.Scheme is "http" or "https");
                    Assert.Equal("GET", d.Method);
                }
                else if (d.Action == RedirectAction.Fail)
                {
                    Assert.Equal(HttpError.RedirectFailed, d.ToException().Error);
                }
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_bypass_list_or_no_proxy_value_parses_and_matches_without_throwing()
    {
        Uri[] targets = new[] { new Uri("http://a.example.com:8080/"), new Uri("https://[::1]/"), new Uri("http://10.1.2.3/"), new Uri("http://intranet/") };
        Gen.String[Gen.Char["*.;, <>localhst:/[]0123456789abcdef"], 0, 40].Sample(list =>
        {
            var named = ProxySettings.Named("http://proxy:3128", list);
            var env = ProxySettings.FromEnvironment(name => name switch { "http_proxy" => "proxy:1", "https_proxy" => "proxy:2", "no_proxy" => list, _ => null });
            foreach (Uri t in targets)
            {
                // Whatever the list says, a host is either bypassed or sent to the configured proxy for its scheme.
                Uri? viaNamed = named.GetProxy(t);
                Assert.True(viaNamed is null || viaNamed == new Uri("http://proxy:3128/"), $"'{list}' {t} -> {viaNamed}");
                Uri? viaEnv = env.GetProxy(t);
                Uri envProxy = new(t.Scheme == "https" ? "http://proxy:2/" : "http://proxy:1/");
                Assert.True(viaEnv is null || viaEnv == envProxy, $"'{list}' {t} -> {viaEnv}");
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_proxy_environment_value_is_used_or_ignored_without_throwing()
    {
        Gen.String[Gen.Char["htps:/@%[]:.abc0189 socks5"], 0, 30].Sample(value =>
        {
            var env = ProxySettings.FromEnvironment(name => name == "https_proxy" ? value : null);
            Uri? proxy = env.GetProxy(new Uri("https://example.com/"));
            Assert.True(proxy is null || proxy.Scheme == "http");
        }, iter: 2000);
    }

    [Fact]
    public void Any_bytes_under_any_coding_decode_or_fail_with_our_error()
    {
        string[] codings = new[] { "gzip", "deflate", "br", "gzip, deflate", "br, gzip" };
        Gen.Byte.Array[0, 200].Select(Gen.Int[0, codings.Length - 1]).Sample((bytes, i) =>
        {
            Assert.True(ContentDecoding.TryCreateDecodingStream(new MemoryStream(bytes), codings[i], new DecompressionLimits(1 << 20, 0), out Stream decoded));
            try
            {
                byte[] buffer = new byte[4096];
                while (decoded.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (TypedHttpException e)
            {
                Assert.True(e.Error is HttpError.InvalidServerResponse or HttpError.DecompressionLimitExceeded or HttpError.ResponseTruncated, e.Error.ToString());
            }
        }, iter: 2000);
    }

    [Fact]
    public void Any_content_encoding_value_is_handled_without_throwing()
    {
        Gen.String[Gen.Char["gzipdeflatebr, \tidentityx-"], 0, 60].Sample(value =>
        {
            // An unknown coding leaves the body alone: false comes with the body itself to pass through.
            var body = new MemoryStream();
            bool known = ContentDecoding.TryCreateDecodingStream(body, value, DecompressionLimits.Default, out Stream decoded);
            Assert.True(known || ReferenceEquals(body, decoded), $"'{value}'");
        }, iter: 3000);
    }
}
