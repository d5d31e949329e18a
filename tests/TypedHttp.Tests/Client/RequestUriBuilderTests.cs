using System;
using System.Globalization;
using TypedHttp.Internal;

namespace TypedHttp.Tests.Client;

public sealed class RequestUriBuilderTests
{
    [Theory]
    [InlineData("http://api.test", "http://api.test/users/42")]
    [InlineData("http://api.test/", "http://api.test/users/42")]
    [InlineData("http://api.test/v2", "http://api.test/v2/users/42")]
    [InlineData("http://api.test/v2/", "http://api.test/v2/users/42")]
    [InlineData("https://user:secret@api.test:8443/v2?ignored=1", "https://api.test:8443/v2/users/42")]
    public void The_base_path_is_kept_and_user_information_and_query_are_not(string baseAddress, string expected)
    {
        var b = new RequestUriBuilder(new Uri(baseAddress));
        b.AppendLiteral("/users/");
        b.AppendPathValue("42", "id");

        Assert.Equal(expected, b.ToUri().AbsoluteUri);
    }

    [Theory]
    [InlineData("..", "/f/%2E%2E")]
    [InlineData(".", "/f/%2E")]
    [InlineData("a b", "/f/a%20b")]
    [InlineData("a/b?c#d", "/f/a%2Fb%3Fc%23d")]
    [InlineData("ü€", "/f/%C3%BC%E2%82%AC")]
    [InlineData("%2E%2E", "/f/%252E%252E")]
    [InlineData("a+b=c&d", "/f/a%2Bb%3Dc%26d")]
    public void Route_values_are_escaped_and_dot_segments_survive_as_data(string value, string expectedPath)
    {
        var b = new RequestUriBuilder(new Uri("http://h"));
        b.AppendLiteral("/f/");
        b.AppendPathValue(value, "v");

        var uri = b.ToUri();

        Assert.Equal(expectedPath, uri.PathAndQuery);
    }

    [Fact]
    public void A_catch_all_value_keeps_its_slashes_and_escapes_each_segment()
    {
        var b = new RequestUriBuilder(new Uri("http://h"));
        b.AppendLiteral("/files/");
        b.AppendPathValueKeepingSlashes("docs/a b/../x", "path");

        Assert.Equal("/files/docs/a%20b/%2E%2E/x", b.ToUri().PathAndQuery);
    }

    [Fact]
    public void A_null_route_value_names_its_parameter()
    {
        var b = new RequestUriBuilder(new Uri("http://h"));

        ArgumentNullException ex = Assert.Throws<ArgumentNullException>(() => b.AppendPathValue(null, "userId"));

        Assert.Equal("userId", ex.ParamName);
    }

    [Fact]
    public void Query_parameters_start_or_continue_the_query_and_nulls_are_omitted()
    {
        var b = new RequestUriBuilder(new Uri("http://h"));
        b.AppendLiteral("/search?fixed=1");
        b.AppendQuery("q", "a&b=c d");
        b.AppendQuery("skip", null);
        b.AppendQuery("na me", "ü");

        Assert.Equal("/search?fixed=1&q=a%26b%3Dc%20d&na%20me=%C3%BC", b.ToUri().PathAndQuery);
    }

    [Fact]
    public void Values_format_the_same_under_any_culture()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1234.5", ValueFormatter.FormatValue(1234.5m));
            Assert.Equal("0.25", ValueFormatter.FormatValue(0.25));
            Assert.Equal("-7", ValueFormatter.FormatValue(-7));
            Assert.Equal("true", ValueFormatter.Format(true));
            Assert.Equal("false", ValueFormatter.Format((bool?)false));
            Assert.Null(ValueFormatter.FormatValue((int?)null));
            Assert.Equal("2026-11-25T08:30:00.0000000+01:00", ValueFormatter.Format(new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.FromHours(1))));
            Assert.Equal("2026-11-25T08:30:00.0000000Z", ValueFormatter.Format(new DateTime(2026, 11, 25, 8, 30, 0, DateTimeKind.Utc)));
            Assert.Equal("Friday", ValueFormatter.FormatEnum(DayOfWeek.Friday));
            Assert.Equal("0001", ValueFormatter.FormatValue(1, "D4"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Long_values_that_escape_to_many_times_their_length_grow_the_buffer_without_losing_text()
    {
        // 3 000 chars: BMP characters escape to up to 9 chars, a surrogate pair to 12; a lone surrogate becomes U+FFFD.
        string value = string.Concat(System.Linq.Enumerable.Repeat("€😀a/", 750));
        var b = new RequestUriBuilder(new Uri("http://h"));
        b.AppendLiteral("/f/");
        b.AppendPathValueKeepingSlashes(value, "v");
        b.AppendQuery("q€", value);
        b.BeginQueryList("list", ",");
        b.AppendQueryListItem(value);
        b.AppendQueryListItem("\ud800");

        var uri = b.ToUri();

        string escapedSegment = Uri.EscapeDataString("€😀a");
        Assert.StartsWith("/f/" + escapedSegment + "/" + escapedSegment + "/", uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("?q%E2%82%AC=" + Uri.EscapeDataString(value) + "&list=" + Uri.EscapeDataString(value) + "%2C%EF%BF%BD", uri.Query);
    }

    [Fact]
    public void Builders_used_one_after_another_on_a_thread_do_not_share_text()
    {
        var first = new RequestUriBuilder(new Uri("http://h"));
        first.AppendLiteral("/first/");
        first.AppendPathValue(new string('x', 500), "v");
        var one = first.ToUri();
        var second = new RequestUriBuilder(new Uri("http://h"));
        second.AppendLiteral("/b");

        Assert.Equal("http://h/b", second.ToUri().AbsoluteUri);
        Assert.Equal("/first/" + new string('x', 500), one.AbsolutePath);
    }
}
