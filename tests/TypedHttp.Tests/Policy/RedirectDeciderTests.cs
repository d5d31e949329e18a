using System;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>Redirect decisions (R-1 … departure; docs/behaviour.md).</summary>
public sealed class RedirectDeciderTests
{
    private static readonly Uri Http = new("http://api.example.com/v1/items?page=2#frag");
    private static readonly Uri Https = new("https://api.example.com/v1/items");

    private static RedirectDecision Decide(int status, string method = "GET", Uri? current = null, string? location = "/next",
        RedirectPolicy policy = RedirectPolicy.DisallowHttpsToHttp, int hops = 0)
        => RedirectDecider.Decide(status, method, current ?? Http, location, policy, hops);

    [Theory]
    [InlineData(300)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public void R1_these_statuses_are_followed(int status) => Assert.Equal(RedirectAction.Follow, Decide(status).Action);

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(304)]
    [InlineData(305)]
    [InlineData(306)]
    [InlineData(309)]
    [InlineData(401)]
    public void R1_other_statuses_are_not_redirects_even_with_a_Location(int status)
        => Assert.Equal(RedirectAction.NotRedirect, Decide(status).Action);

    [Theory]
    // 300/301/302 turn POST into GET and keep every other method.
    [InlineData(300, "POST", "GET")]
    [InlineData(301, "POST", "GET")]
    [InlineData(302, "POST", "GET")]
    [InlineData(301, "PUT", "PUT")]
    [InlineData(302, "DELETE", "DELETE")]
    [InlineData(302, "HEAD", "HEAD")]
    [InlineData(302, "GET", "GET")]
    [InlineData(302, "post", "post")]
    // 303: every method but GET and HEAD becomes GET.
    [InlineData(303, "POST", "GET")]
    [InlineData(303, "PUT", "GET")]
    [InlineData(303, "DELETE", "GET")]
    [InlineData(303, "PATCH", "GET")]
    [InlineData(303, "CUSTOM", "GET")]
    [InlineData(303, "HEAD", "HEAD")]
    [InlineData(303, "GET", "GET")]
    // 307/308: method and body kept.
    [InlineData(307, "POST", "POST")]
    [InlineData(308, "POST", "POST")]
    [InlineData(308, "PUT", "PUT")]
    [InlineData(307, "HEAD", "HEAD")]
    public void R2_method_rewriting(int status, string method, string expected)
    {
        RedirectDecision d = Decide(status, method);
        Assert.Equal(RedirectAction.Follow, d.Action);
        Assert.Equal(expected, d.Method);
        Assert.Equal(method == expected, d.KeepBody);
    }

    [Fact]
    public void R3_never_returns_every_3xx()
    {
        Assert.Equal(RedirectAction.ReturnResponse, Decide(302, policy: RedirectPolicy.Never).Action);
        Assert.Equal(RedirectAction.ReturnResponse, Decide(302, location: null, policy: RedirectPolicy.Never).Action);
        Assert.Equal(RedirectAction.NotRedirect, Decide(200, policy: RedirectPolicy.Never).Action);
    }

    [Fact]
    public void R4_https_to_http_is_returned_under_the_default_and_followed_under_Always()
    {
        Assert.Equal(RedirectAction.ReturnResponse, Decide(302, current: Https, location: "http://api.example.com/").Action);
        RedirectDecision always = Decide(302, current: Https, location: "http://api.example.com/", policy: RedirectPolicy.Always);
        Assert.Equal(RedirectAction.Follow, always.Action);
        Assert.True(always.OriginChanged);
        Assert.Equal(RedirectAction.Follow, Decide(302, current: Http, location: "https://api.example.com/").Action);
    }

    [Fact]
    public void R6_the_eleventh_redirect_is_an_error()
    {
        Assert.Equal(RedirectAction.Follow, Decide(302, hops: 9).Action);
        RedirectDecision d = Decide(302, hops: 10);
        Assert.Equal(RedirectAction.Fail, d.Action);
        Assert.Equal(HttpError.TooManyRedirects, d.Error);
        TypedHttpException e = d.ToException();
        Assert.Equal(HttpError.TooManyRedirects, e.Error);
        Assert.Contains("10", e.Message);
        Assert.Equal(RedirectAction.Follow, RedirectDecider.Decide(302, "GET", Http, "/x", RedirectPolicy.Always, 10, maxRedirects: 20).Action);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void R7_missing_Location_is_RedirectFailed(string? location)
    {
        RedirectDecision d = Decide(301, location: location);
        Assert.Equal(RedirectAction.Fail, d.Action);
        Assert.Equal(HttpError.RedirectFailed, d.Error);
        Assert.Contains("R-7", d.Message);
    }

    [Theory]
    [InlineData("ftp://example.com/file")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("g:h")]
    [InlineData("mailto:a@b.c")]
    public void R8_non_http_Location_is_RedirectFailed(string location)
    {
        RedirectDecision d = Decide(302, location: location);
        Assert.Equal(RedirectAction.Fail, d.Action);
        Assert.Equal(HttpError.RedirectFailed, d.Error);
        Assert.Contains("R-8", d.Message);
    }

    [Theory]
    [InlineData("http://")]
    [InlineData("http://exa mple.com/")]
    [InlineData("http://[::1/")]
    [InlineData("https://host:99999/")]
    public void Unparsable_Location_is_RedirectFailed(string location)
    {
        RedirectDecision d = Decide(302, location: location);
        Assert.Equal(RedirectAction.Fail, d.Action);
        Assert.Equal(HttpError.RedirectFailed, d.Error);
    }

    // RFC 3986 §5.4.1 normal and §5.4.2 abnormal examples, base http://a/b/c/d;p?q.
    [Theory]
    [InlineData("g", "http://a/b/c/g")]
    [InlineData("./g", "http://a/b/c/g")]
    [InlineData("g/", "http://a/b/c/g/")]
    [InlineData("/g", "http://a/g")]
    [InlineData("//g", "http://g/")]
    [InlineData("?y", "http://a/b/c/d;p?y")]
    [InlineData("g?y", "http://a/b/c/g?y")]
    [InlineData("#s", "http://a/b/c/d;p?q#s")]
    [InlineData("g#s", "http://a/b/c/g#s")]
    [InlineData("g?y#s", "http://a/b/c/g?y#s")]
    [InlineData(";x", "http://a/b/c/;x")]
    [InlineData("g;x", "http://a/b/c/g;x")]
    [InlineData("g;x?y#s", "http://a/b/c/g;x?y#s")]
    [InlineData(".", "http://a/b/c/")]
    [InlineData("./", "http://a/b/c/")]
    [InlineData("..", "http://a/b/")]
    [InlineData("../", "http://a/b/")]
    [InlineData("../g", "http://a/b/g")]
    [InlineData("../..", "http://a/")]
    [InlineData("../../", "http://a/")]
    [InlineData("../../g", "http://a/g")]
    [InlineData("../../../g", "http://a/g")]
    [InlineData("../../../../g", "http://a/g")]
    [InlineData("/./g", "http://a/g")]
    [InlineData("/../g", "http://a/g")]
    [InlineData("g.", "http://a/b/c/g.")]
    [InlineData(".g", "http://a/b/c/.g")]
    [InlineData("g..", "http://a/b/c/g..")]
    [InlineData("..g", "http://a/b/c/..g")]
    [InlineData("./../g", "http://a/b/g")]
    [InlineData("./g/.", "http://a/b/c/g/")]
    [InlineData("g/./h", "http://a/b/c/g/h")]
    [InlineData("g/../h", "http://a/b/c/h")]
    [InlineData("g;x=1/./y", "http://a/b/c/g;x=1/y")]
    [InlineData("g;x=1/../y", "http://a/b/c/y")]
    [InlineData("g?y/./x", "http://a/b/c/g?y/./x")]
    [InlineData("g?y/../x", "http://a/b/c/g?y/../x")]
    [InlineData("g#s/./x", "http://a/b/c/g#s/./x")]
    [InlineData("g#s/../x", "http://a/b/c/g#s/../x")]
    [InlineData("http:g", "http://a/b/c/g")] // §5.4.2 allows this backward-compatible reading
    public void R9_relative_Location_resolves_per_RFC3986_5_4(string location, string expected)
    {
        RedirectDecision d = RedirectDecider.Decide(302, "GET", new Uri("http://a/b/c/d;p?q"), location, RedirectPolicy.Always, 0);
        Assert.Equal(RedirectAction.Follow, d.Action);
        Assert.Equal(expected, d.Target!.AbsoluteUri);
    }

    [Fact]
    public void R9_the_current_fragment_is_not_inherited_but_the_Locations_own_is_kept()
    {
        Assert.Equal("http://api.example.com/next", Decide(302, location: "/next").Target!.AbsoluteUri);
        Assert.Equal("http://api.example.com/v1/items?page=2", Decide(302, location: "?page=2").Target!.AbsoluteUri);
        Assert.Equal("http://api.example.com/next#mine", Decide(302, location: "/next#mine").Target!.AbsoluteUri);
    }

    [Fact]
    public void Location_with_surrounding_whitespace_is_trimmed()
        => Assert.Equal("http://api.example.com/next", Decide(302, location: "  /next\t").Target!.AbsoluteUri);

    [Theory]
    [InlineData("/same/origin", false)]
    [InlineData("http://API.example.com:80/x", false)]
    [InlineData("https://api.example.com/x", true)]
    [InlineData("http://api.example.com:8080/x", true)]
    [InlineData("http://other.example.com/x", true)]
    [InlineData("//other.example.com/x", true)]
    public void Origin_change_is_reported(string location, bool changed)
        => Assert.Equal(changed, Decide(302, location: location).OriginChanged);

    private static HttpHeaderCollection CallerHeaders()
    {
        var h = new HttpHeaderCollection();
        h.Add("Authorization", "Bearer secret");
        h.Add("Proxy-Authorization", "Basic cHJveHk=");
        h.Add("Cookie", "sid=1");
        h.Add("Content-Type", "application/json");
        h.Add("Content-Length", "12");
        h.Add("X-Trace", "t");
        return h;
    }

    [Fact]
    public void Secrets_are_kept_on_the_same_origin()
    {
        HttpHeaderCollection h = CallerHeaders();
        RedirectDecider.RemoveHeadersForNextHop(h, Decide(307, "POST", location: "/other"), null);
        Assert.Equal(6, h.Count);
    }

    [Fact]
    public void Secrets_are_dropped_when_the_origin_changes()
    {
        HttpHeaderCollection h = CallerHeaders();
        RedirectDecider.RemoveHeadersForNextHop(h, Decide(307, "POST", location: "http://elsewhere.test/"), null);
        Assert.False(h.Contains("Authorization"));
        Assert.False(h.Contains("Proxy-Authorization"));
        Assert.False(h.Contains("Cookie"));
        Assert.True(h.Contains("Content-Length"));
        Assert.True(h.Contains("X-Trace"));
    }

    [Fact]
    public void Secrets_follow_to_a_trusted_host()
    {
        HttpHeaderCollection h = CallerHeaders();
        RedirectDecider.RemoveHeadersForNextHop(h, Decide(307, "POST", location: "https://Files.Example.com/"), new[] { "files.example.com" });
        Assert.True(h.Contains("Authorization"));
        Assert.True(h.Contains("Cookie"));
    }

    [Fact]
    public void R2_a_body_dropped_by_the_rewrite_takes_its_framing_headers_with_it()
    {
        HttpHeaderCollection h = CallerHeaders();
        h.Add("Transfer-Encoding", "chunked");
        RedirectDecider.RemoveHeadersForNextHop(h, Decide(303, "POST"), null);
        Assert.False(h.Contains("Content-Length"));
        Assert.False(h.Contains("Transfer-Encoding"));
        Assert.False(h.Contains("Content-Type"));
        Assert.True(h.Contains("Authorization"));
    }
}
