using System;

namespace TypedHttp.Tests.Engine;

/// <summary>The Host header and pool key worked out before sending (HD-4, OM-4), for ports and hosts no test server can take.</summary>
public sealed class RequestPlanTests
{
    [Theory]
    [InlineData("http://example.test/", "example.test", false, "example.test", 80)]
    [InlineData("http://example.test:80/", "example.test", false, "example.test", 80)]
    [InlineData("https://example.test/", "example.test", true, "example.test", 443)]
    [InlineData("https://example.test:443/x", "example.test", true, "example.test", 443)]
    [InlineData("http://example.test:443/", "example.test:443", false, "example.test", 443)]
    [InlineData("https://example.test:80/", "example.test:80", true, "example.test", 80)]
    [InlineData("http://EXAMPLE.Test:8080/", "example.test:8080", false, "example.test", 8080)]
    [InlineData("http://[::1]/", "[::1]", false, "::1", 80)]
    [InlineData("http://[::1]:8080/", "[::1]:8080", false, "::1", 8080)]
    [InlineData("http://[fe80::1%25eth0]:81/", "[fe80::1]:81", false, "fe80::1%eth0", 81)]
    [InlineData("http://bücher.example/", "xn--bcher-kva.example", false, "xn--bcher-kva.example", 80)]
    public void Host_header_omits_the_default_port_brackets_IPv6_and_uses_punycode(string uri, string host, bool https, string poolHost, int port)
    {
        RequestPlan plan = HttpSession.Plan(new TypedHttpRequest("GET", new Uri(uri)), out PoolKey key);

        Assert.Equal(host, plan.HostHeader);
        Assert.Equal(new PoolKey(https, poolHost, port), key);
    }
}
