using System;
using System.Threading.Tasks;
using CsCheck;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>RFC 6265 behaviour of <see cref="CookieStore"/> beyond the http-state suite (CK-1, CK-2).</summary>
public sealed class CookieStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Home = new("http://www.example.com/app/page");

    private static (CookieStore Store, ManualTimeProvider Clock) NewStore(int perDomain = 50, int total = 3000)
    {
        var clock = new ManualTimeProvider(T0);
        return (new CookieStore(clock, perDomain, total), clock);
    }

    [Fact]
    public void CK1_simple_cookie_round_trips()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        Assert.True(store.SetCookie(Home, "sid=abc"));
        Assert.Equal("sid=abc", store.GetCookieHeader(new Uri("http://www.example.com/app/other")));
    }

    [Fact]
    public void Max_Age_wins_over_Expires_in_either_order()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore();
        store.SetCookie(Home, "a=1; Max-Age=60; Expires=Wed, 01 Jan 2099 00:00:00 GMT");
        store.SetCookie(Home, "b=2; Expires=Wed, 01 Jan 2099 00:00:00 GMT; Max-Age=60");
        Assert.Equal("a=1; b=2", store.GetCookieHeader(Home));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(store.GetCookieHeader(Home));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-99999999999999999999999")]
    public void Max_Age_of_zero_or_less_deletes_the_cookie(string maxAge)
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(Home, "a=1");
        Assert.Equal("a=1", store.GetCookieHeader(Home));
        Assert.True(store.SetCookie(Home, $"a=gone; Max-Age={maxAge}"));
        Assert.Null(store.GetCookieHeader(Home));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Huge_Max_Age_saturates_instead_of_overflowing()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore();
        store.SetCookie(Home, "a=1; Max-Age=999999999999999999999999999");
        clock.Advance(TimeSpan.FromDays(365 * 100));
        Assert.Equal("a=1", store.GetCookieHeader(Home));
    }

    [Fact]
    public void Expires_in_the_past_deletes_and_unparsable_Expires_is_ignored()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(Home, "a=1");
        store.SetCookie(Home, "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        store.SetCookie(Home, "b=2; Expires=not a date");
        Assert.Equal("b=2", store.GetCookieHeader(Home));
    }

    [Fact]
    public void Session_cookie_outlives_any_clock_advance_within_the_session()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore();
        store.SetCookie(Home, "a=1");
        clock.Advance(TimeSpan.FromDays(10000));
        Assert.Equal("a=1", store.GetCookieHeader(Home));
        Assert.False(store.Snapshot()[0].Persistent);
    }

    [Fact]
    public void Host_only_cookie_is_not_sent_to_subdomains_but_a_domain_cookie_is()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        var origin = new Uri("http://example.com/");
        store.SetCookie(origin, "hostonly=1");
        store.SetCookie(origin, "domain=2; Domain=example.com");
        Assert.Equal("hostonly=1; domain=2", store.GetCookieHeader(origin));
        Assert.Equal("domain=2", store.GetCookieHeader(new Uri("http://api.example.com/")));
        Assert.Null(store.GetCookieHeader(new Uri("http://notexample.com/")));
    }

    [Theory]
    [InlineData("com")]
    [InlineData(".com")]
    [InlineData("co.uk")]
    [InlineData("github.io")]
    public void Domain_attribute_naming_a_public_suffix_is_refused(string domain)
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        string host = domain.TrimStart('.') switch { "com" => "shop.example.com", "co.uk" => "shop.example.co.uk", _ => "someone.github.io" };
        Assert.False(store.SetCookie(new Uri($"http://{host}/"), $"a=1; Domain={domain}"));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Public_suffix_equal_to_the_host_becomes_host_only()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        var local = new Uri("http://localhost:5000/");
        Assert.True(store.SetCookie(local, "a=1; Domain=localhost"));
        Assert.Equal("a=1", store.GetCookieHeader(local));
        Assert.True(store.Snapshot()[0].HostOnly);
    }

    [Fact]
    public void Domain_attribute_not_matching_the_request_host_is_refused()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        Assert.False(store.SetCookie(Home, "a=1; Domain=other.com"));
        Assert.False(store.SetCookie(Home, "a=1; Domain=sub.www.example.com"));
    }

    [Fact]
    public void IP_literal_hosts_match_only_exactly()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        var ip = new Uri("http://127.0.0.1:8080/x");
        store.SetCookie(ip, "a=1");
        Assert.False(store.SetCookie(ip, "b=2; Domain=0.0.1"));
        Assert.Equal("a=1", store.GetCookieHeader(ip));
        Assert.Null(store.GetCookieHeader(new Uri("http://127.0.0.2:8080/x")));
        var v6 = new Uri("http://[::1]:8080/");
        store.SetCookie(v6, "c=3");
        Assert.Equal("c=3", store.GetCookieHeader(v6));
    }

    [Fact]
    public void Cookies_are_per_host_not_per_port()
    {
        // RFC 6265 §8.5: cookies do not provide isolation by port.
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(new Uri("http://example.com:8080/"), "a=1");
        Assert.Equal("a=1", store.GetCookieHeader(new Uri("http://example.com:9090/")));
    }

    [Fact]
    public void Secure_cookies_go_only_over_https_and_HttpOnly_ones_are_stored_and_sent()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(new Uri("https://example.com/"), "s=1; Secure");
        store.SetCookie(new Uri("https://example.com/"), "h=2; HttpOnly");
        Assert.Equal("s=1; h=2", store.GetCookieHeader(new Uri("https://example.com/")));
        Assert.Equal("h=2", store.GetCookieHeader(new Uri("http://example.com/")));
        Assert.Contains(store.Snapshot(), c => c.HttpOnly && c.Name == "h");
    }

    [Theory]
    [InlineData("/app/page", "/app")]
    [InlineData("/app/", "/app")]
    [InlineData("/app", "/")]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("/a/b/c", "/a/b")]
    public void Default_path_is_the_request_path_up_to_its_last_slash(string requestPath, string expected)
        => Assert.Equal(expected, CookieStore.DefaultPath(requestPath));

    [Theory]
    [InlineData("/app", "/app", true)]
    [InlineData("/app/x", "/app", true)]
    [InlineData("/app/x", "/app/", true)]
    [InlineData("/application", "/app", false)]
    [InlineData("/ap", "/app", false)]
    [InlineData("/APP", "/app", false)]
    public void Path_match_follows_RFC6265_5_1_4(string requestPath, string cookiePath, bool matches)
        => Assert.Equal(matches, CookieStore.PathMatches(requestPath, cookiePath));

    [Fact]
    public void Cookie_header_orders_longer_paths_first_then_earlier_creation()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore();
        var uri = new Uri("http://example.com/a/b/c");
        store.SetCookie(uri, "first=1; Path=/");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(uri, "deep=2; Path=/a/b");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(uri, "second=3; Path=/");
        store.SetCookie(uri, "mid=4; Path=/a");
        Assert.Equal("deep=2; mid=4; first=1; second=3", store.GetCookieHeader(uri));
    }

    [Fact]
    public void Replacing_a_cookie_keeps_its_creation_time_and_so_its_place()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore();
        store.SetCookie(Home, "a=1");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(Home, "b=2");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(Home, "a=updated");
        Assert.Equal("a=updated; b=2", store.GetCookieHeader(Home));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void Same_name_with_different_path_or_domain_are_different_cookies()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        var uri = new Uri("http://www.example.com/x/y");
        store.SetCookie(uri, "a=root; Path=/");
        store.SetCookie(uri, "a=x; Path=/x");
        store.SetCookie(uri, "a=dom; Domain=example.com; Path=/");
        Assert.Equal(3, store.Count);
        Assert.Equal("a=x; a=root; a=dom", store.GetCookieHeader(uri));
    }

    [Fact]
    public void Host_names_compare_case_insensitively_and_idn_hosts_use_their_A_label()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(new Uri("http://WWW.Example.COM/"), "a=1; Domain=EXAMPLE.com");
        Assert.Equal("a=1", store.GetCookieHeader(new Uri("http://www.example.com/")));
        store.SetCookie(new Uri("http://bücher.example/"), "b=2");
        Assert.Equal("b=2", store.GetCookieHeader(new Uri("http://xn--bcher-kva.example/")));
    }

    [Fact]
    public void Per_domain_limit_evicts_the_least_recently_used_cookie()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore(perDomain: 3);
        var uri = new Uri("http://example.com/");
        store.SetCookie(uri, "a=1");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(uri, "b=2");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(uri, "c=3");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a=1; b=2; c=3", store.GetCookieHeader(uri)); // touches all three
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(uri, "d=4");
        Assert.Equal(3, store.Count);
        Assert.Equal("b=2; c=3; d=4", store.GetCookieHeader(uri));
    }

    [Fact]
    public void Total_limit_evicts_across_domains()
    {
        (CookieStore? store, ManualTimeProvider? clock) = NewStore(total: 2);
        store.SetCookie(new Uri("http://a.test/"), "a=1");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(new Uri("http://b.test/"), "b=1");
        clock.Advance(TimeSpan.FromSeconds(1));
        store.SetCookie(new Uri("http://c.test/"), "c=1");
        Assert.Equal(2, store.Count);
        Assert.Null(store.GetCookieHeader(new Uri("http://a.test/")));
    }

    [Fact]
    public void Too_long_name_and_value_is_ignored()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        Assert.True(store.SetCookie(Home, "a=" + new string('x', 4095)));
        Assert.False(store.SetCookie(Home, "b=" + new string('x', 4096)));
    }

    [Fact]
    public void Set_cookies_from_headers_reads_every_Set_Cookie_field()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        var headers = new HttpHeaderCollection();
        headers.Add("Set-Cookie", "a=1");
        headers.Add("Content-Type", "text/plain");
        headers.Add("set-cookie", "b=2, c=3");
        store.SetCookies(Home, headers);
        Assert.Equal("a=1; b=2, c=3", store.GetCookieHeader(Home));
    }

    [Fact]
    public void Non_http_uris_neither_set_nor_get_cookies()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        Assert.False(store.SetCookie(new Uri("ftp://example.com/"), "a=1"));
        store.SetCookie(new Uri("http://example.com/"), "a=1");
        Assert.Null(store.GetCookieHeader(new Uri("ftp://example.com/")));
    }

    [Fact]
    public void Clear_empties_the_store()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        store.SetCookie(Home, "a=1");
        store.Clear();
        Assert.Equal(0, store.Count);
        Assert.Null(store.GetCookieHeader(Home));
    }

    [Fact]
    public async Task Concurrent_setters_and_readers_do_not_corrupt_the_store()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore(perDomain: 1000, total: 100000);
        var tasks = new Task[8];
        for (int t = 0; t < tasks.Length; t++)
        {
            int id = t;
            tasks[t] = Task.Run(() =>
            {
                for (int i = 0; i < 500; i++)
                {
                    store.SetCookie(Home, $"c{id}_{i % 50}={i}");
                    _ = store.GetCookieHeader(Home);
                }
            });
        }
        await Task.WhenAll(tasks);
        Assert.Equal(8 * 50, store.Count);
    }

    [Fact]
    public void Any_set_cookie_string_is_parsed_without_throwing()
    {
        (CookieStore? store, ManualTimeProvider _) = NewStore();
        Gen.String[Gen.Char["ab=; ,\"\t.-/\\0xMaAgeExpirsDomnPthSecu19:"], 0, 80].Sample(s =>
        {
            store.SetCookie(Home, s);
            string? header = store.GetCookieHeader(Home);
            Assert.True(header is null || (!header.Contains('\r') && !header.Contains('\n')));
        }, iter: 3000);
    }

    [Fact]
    public void Any_cookie_date_is_parsed_without_throwing()
    {
        Gen.String[Gen.Char["0123456789:-, JanFebDecGMT"], 0, 40].Sample(s =>
        {
            // RFC 6265 §5.1.1: a year before 1601 fails the parse; a failed parse leaves the default value.
            bool parsed = CookieDateParser.TryParse(s, out DateTimeOffset d);
            Assert.True(parsed ? d.Year >= 1601 && d.Offset == TimeSpan.Zero : d == default, $"'{s}' -> {parsed} {d:O}");
        }, iter: 3000);
    }
}
