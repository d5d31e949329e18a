using System;
using System.Collections.Generic;
using System.Text;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>Proxy settings, bypass lists (P-2, P-3), the environment (curl's rules) and the proxy request heads (P-5).</summary>
public sealed class ProxyTests
{
    private static Uri? Resolve(ProxySettings s, string target) => s.GetProxy(new Uri(target));

    [Fact]
    public void P1_none_is_always_direct()
    {
        Assert.Null(Resolve(ProxySettings.None, "http://example.com/"));
        Assert.Equal(ProxyKind.None, ProxySettings.None.Kind);
    }

    [Theory]
    [InlineData("http://proxy.corp:3128", "http://proxy.corp:3128/")]
    [InlineData("proxy.corp:3128", "http://proxy.corp:3128/")]
    [InlineData("proxy.corp", "http://proxy.corp/")]
    [InlineData("http://proxy.corp:80/", "http://proxy.corp/")]
    [InlineData("http://[::1]:8080", "http://[::1]:8080/")]
    [InlineData("HTTP://PROXY.Corp:8080", "http://proxy.corp:8080/")]
    public void P2_named_proxy_is_used_for_http_and_https(string proxy, string expected)
    {
        var s = ProxySettings.Named(proxy);
        Assert.Equal(new Uri(expected), Resolve(s, "http://example.com/x"));
        Assert.Equal(new Uri(expected), Resolve(s, "https://example.com/x"));
        Assert.Null(Resolve(s, "ftp://example.com/x"));
    }

    [Theory]
    [InlineData("socks5://proxy:1080")]
    [InlineData("https://proxy:443")]
    [InlineData("")]
    [InlineData("http://")]
    public void P2_only_http_proxies_are_accepted(string proxy)
        => Assert.ThrowsAny<ArgumentException>(() => ProxySettings.Named(proxy));

    [Fact]
    public void Named_proxy_password_never_shows_in_messages()
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => ProxySettings.Named("socks5://user:secret@proxy:1080"));
        Assert.DoesNotContain("secret", e.Message);
        var s = ProxySettings.Named("http://user:p%40ss@proxy:3128");
        Assert.Equal("user", s.Credentials!.UserName);
        Assert.Equal("p@ss", s.Credentials.Password);
        Assert.DoesNotContain("p@ss", s.ToString());
        Assert.Equal(new Uri("http://proxy:3128/"), s.Address);
    }

    [Theory]
    // P-3: ';' or whitespace separated, case-insensitive, wildcards, <local>, IP literals, ports.
    [InlineData("example.com", "http://example.com/", true)]
    [InlineData("example.com", "http://EXAMPLE.com/", true)]
    [InlineData("example.com", "http://www.example.com/", false)]
    [InlineData("*.example.com", "http://www.example.com/", true)]
    [InlineData("*.example.com", "http://a.b.example.com/", true)]
    [InlineData("*.example.com", "http://example.com/", false)]
    [InlineData("*example.com", "http://badexample.com/", true)]
    [InlineData("a.test;*.example.com", "https://x.example.com/", true)]
    [InlineData("a.test  *.example.com", "https://x.example.com/", true)]
    [InlineData("<local>", "http://intranet/", true)]
    [InlineData("<LOCAL>", "http://intranet:8080/", true)]
    [InlineData("<local>", "http://intranet.corp/", false)]
    [InlineData("<local>", "http://10.0.0.1/", false)]
    [InlineData("10.*", "http://10.1.2.3/", true)]
    [InlineData("10.*", "http://11.1.2.3/", false)]
    [InlineData("127.0.0.1", "http://127.0.0.1:9000/", true)]
    [InlineData("[::1]", "http://[::1]/", true)]
    [InlineData("example.com:8080", "http://example.com:8080/", true)]
    [InlineData("example.com:8080", "http://example.com/", false)]
    [InlineData("http://example.com", "http://example.com/", true)]
    [InlineData("", "http://example.com/", false)]
    public void P3_bypass_list(string bypass, string target, bool bypassed)
    {
        var s = ProxySettings.Named("http://proxy:3128", bypass);
        Assert.Equal(bypassed ? null : new Uri("http://proxy:3128/"), Resolve(s, target));
    }

    [Fact]
    public void Glob_matching_is_linear_on_hostile_patterns()
    {
        string text = new('a', 5000);
        Assert.False(ProxyBypassList.GlobMatches(string.Concat(System.Linq.Enumerable.Repeat("*a", 2000)) + "b", text));
        Assert.True(ProxyBypassList.GlobMatches("*", ""));
        Assert.True(ProxyBypassList.GlobMatches("a*b*c", "axxbyyc"));
        Assert.False(ProxyBypassList.GlobMatches("a*b*c", "axxbyy"));
    }

    private static ProxySettings Env(params (string Name, string Value)[] vars)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string? n, string? v) in vars)
        {
            map[n] = v;
        }
        return ProxySettings.FromEnvironment(name => map.TryGetValue(name, out string? v) ? v : null);
    }

    [Fact]
    public void Environment_http_proxy_is_read_in_lower_case_only()
    {
        Assert.Null(Resolve(Env(("HTTP_PROXY", "http://evil:8080")), "http://example.com/"));
        Assert.Equal(new Uri("http://good:8080/"), Resolve(Env(("http_proxy", "http://good:8080"), ("HTTP_PROXY", "http://evil:8080")), "http://example.com/"));
        Assert.Equal(ProxyKind.Environment, Env().Kind);
    }

    [Fact]
    public void Environment_https_proxy_in_either_case_lower_wins_and_all_proxy_is_the_fallback()
    {
        Assert.Equal(new Uri("http://upper:1/"), Resolve(Env(("HTTPS_PROXY", "upper:1")), "https://example.com/"));
        Assert.Equal(new Uri("http://lower:2/"), Resolve(Env(("HTTPS_PROXY", "upper:1"), ("https_proxy", "lower:2")), "https://example.com/"));
        ProxySettings all = Env(("ALL_PROXY", "http://all:3"));
        Assert.Equal(new Uri("http://all:3/"), Resolve(all, "https://example.com/"));
        Assert.Equal(new Uri("http://all:3/"), Resolve(all, "http://example.com/"));
        ProxySettings mixed = Env(("all_proxy", "http://all:3"), ("http_proxy", "http://web:4"));
        Assert.Equal(new Uri("http://web:4/"), Resolve(mixed, "http://example.com/"));
        Assert.Equal(new Uri("http://all:3/"), Resolve(mixed, "https://example.com/"));
        Assert.Null(Resolve(Env(("https_proxy", "http://only-https:5")), "http://example.com/"));
    }

    [Fact]
    public void Environment_proxy_without_port_uses_1080_and_credentials_come_from_the_url()
    {
        ProxySettings s = Env(("http_proxy", "http://bob:s3cr%3At@proxy.local"), ("https_proxy", "proxy2.local"));
        Assert.Equal(new Uri("http://proxy.local:1080/"), Resolve(s, "http://example.com/"));
        Assert.Equal(new Uri("http://proxy2.local:1080/"), Resolve(s, "https://example.com/"));
        Assert.Equal("bob", s.GetProxyCredentials(new Uri("http://example.com/"))!.UserName);
        Assert.Equal("s3cr:t", s.GetProxyCredentials(new Uri("http://example.com/"))!.Password);
        Assert.Null(s.GetProxyCredentials(new Uri("https://example.com/")));
    }

    [Fact]
    public void Environment_socks_proxies_are_ignored()
        => Assert.Null(Resolve(Env(("https_proxy", "socks5://proxy:1080")), "https://example.com/"));

    [Theory]
    [InlineData("*", "http://anything.example/", true)]
    [InlineData("example.com", "http://example.com/", true)]
    [InlineData("example.com", "http://api.example.com/", true)]
    [InlineData("example.com", "http://notexample.com/", false)]
    [InlineData(".example.com", "http://example.com/", true)]
    [InlineData(".example.com", "http://a.b.example.com/", true)]
    [InlineData("*.example.com", "http://a.example.com/", true)]
    [InlineData("EXAMPLE.COM", "http://api.example.com/", true)]
    [InlineData("localhost,127.0.0.1", "http://127.0.0.1:5000/", true)]
    [InlineData("localhost , .internal", "http://svc.internal/", true)]
    [InlineData("example.com:8080", "http://example.com:8080/", true)]
    [InlineData("example.com:8080", "http://example.com:9090/", false)]
    [InlineData("10.0.0.0/8", "http://10.20.30.40/", true)]
    [InlineData("10.0.0.0/8", "http://11.0.0.1/", false)]
    [InlineData("192.168.1.0/25", "http://192.168.1.127/", true)]
    [InlineData("192.168.1.0/25", "http://192.168.1.128/", false)]
    [InlineData("::1", "http://[::1]:8080/", true)]
    [InlineData("[::1]:8080", "http://[::1]:8080/", true)]
    [InlineData("fd00::/8", "http://[fd12::1]/", true)]
    [InlineData("fd00::/8", "http://[fe80::1]/", false)]
    [InlineData("", "http://example.com/", false)]
    [InlineData(",,", "http://example.com/", false)]
    public void No_proxy_follows_curls_rules(string noProxy, string target, bool bypassed)
    {
        ProxySettings s = Env(("http_proxy", "http://proxy:3128"), ("no_proxy", noProxy));
        Assert.Equal(bypassed ? null : new Uri("http://proxy:3128/"), Resolve(s, target));
    }

    [Fact]
    public void Upper_case_NO_PROXY_is_read_when_lower_is_absent()
    {
        ProxySettings s = Env(("http_proxy", "http://proxy:3128"), ("NO_PROXY", "example.com"));
        Assert.Null(Resolve(s, "http://example.com/"));
    }

    [Theory]
    [InlineData("http://example.com/a/b?c=d#frag", "http://example.com/a/b?c=d")]
    [InlineData("http://user:pw@Example.COM:8080/", "http://example.com:8080/")]
    [InlineData("http://example.com:80", "http://example.com/")]
    [InlineData("http://[::1]:8080/x", "http://[::1]:8080/x")]
    [InlineData("http://bücher.example/a%20b", "http://xn--bcher-kva.example/a%20b")]
    public void P5_absolute_form_request_target(string target, string expected)
        => Assert.Equal(expected, ProxyRequestHead.GetAbsoluteFormTarget(new Uri(target)));

    [Fact]
    public void P5_connect_request_head_is_byte_exact()
    {
        Assert.Equal("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
            Encoding.ASCII.GetString(ProxyRequestHead.BuildConnectRequest(new Uri("https://Example.com/path?q"))));
        Assert.Equal("CONNECT api.example.com:8443 HTTP/1.1\r\nHost: api.example.com:8443\r\nUser-Agent: TypedHttp/0.1\r\nProxy-Authorization: Basic dTpw\r\n\r\n",
            Encoding.ASCII.GetString(ProxyRequestHead.BuildConnectRequest(new Uri("https://api.example.com:8443/"), "Basic dTpw", "TypedHttp/0.1")));
        Assert.Equal("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
            Encoding.ASCII.GetString(ProxyRequestHead.BuildConnectRequest(new Uri("https://[::1]/"))));
        Assert.Equal("CONNECT xn--bcher-kva.example:443 HTTP/1.1\r\nHost: xn--bcher-kva.example:443\r\n\r\n",
            Encoding.ASCII.GetString(ProxyRequestHead.BuildConnectRequest(new Uri("https://bücher.example/"))));
    }

    [Fact]
    public void Connect_head_refuses_header_injection_and_non_ascii()
    {
        Assert.ThrowsAny<ArgumentException>(() => ProxyRequestHead.BuildConnectRequest(new Uri("https://h/"), "Basic x\r\nEvil: 1"));
        Assert.ThrowsAny<ArgumentException>(() => ProxyRequestHead.BuildConnectRequest(new Uri("https://h/"), null, "agent é"));
    }

    [Theory]
    [InlineData("http://example.com/", "example.com")]
    [InlineData("http://example.com:8080/", "example.com:8080")]
    [InlineData("https://example.com:443/", "example.com")]
    [InlineData("https://example.com:80/", "example.com:80")]
    public void HD4_host_value_leaves_out_the_default_port(string target, string expected)
        => Assert.Equal(expected, ProxyRequestHead.GetHostHeaderValue(new Uri(target)));
}
