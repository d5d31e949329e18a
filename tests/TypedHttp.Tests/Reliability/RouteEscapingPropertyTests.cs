using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CsCheck;
using TypedHttp.Internal;

namespace TypedHttp.Tests.Reliability;

/// <summary>
/// Properties of route and query escaping (<see cref="RequestUriBuilder"/>, <see cref="ValueFormatter"/>): whatever
/// a caller passes, a route value stays one segment that cannot climb or leave the route, and is recovered exactly
/// by unescaping; query pairs come back as sent; formatted values parse back under any culture.
/// </summary>
public sealed class RouteEscapingPropertyTests
{
    /// <summary>Well-formed UTF-16 (no lone surrogates) with a bias to the characters that matter.</summary>
    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.String[Gen.Char["./?#%2eE\\;:@&=+$, \r\n\0"], 0, 12],
        Gen.String[Gen.Char, 0, 20].Where(s => !HasLoneSurrogate(s)),
        Gen.OneOf(".", "..", "%2e%2e", "%2E%2E", ".%2e", "..;", "../admin", "..\\admin", "a/../../b"));

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static string Segment(RequestUriBuilder b, string prefix)
    {
        string text = b.ToString();
        int at = text.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length;
        return text[at..];
    }

    [Fact]
    public void Any_route_value_is_one_segment_that_cannot_climb_and_unescapes_to_itself()
    {
        Value.Sample(value =>
        {
            var b = new RequestUriBuilder(new Uri("http://api.test/v1/"));
            b.AppendLiteral("/files/");
            b.AppendPathValue(value, "name");
            string segment = Segment(b, "/v1/files/");

            Assert.Equal(-1, segment.AsSpan().IndexOfAny("/?#\\"));
            Assert.True(segment is not ("." or ".."), segment);
            Assert.True(segment.All(c => c > 0x20 && c < 0x7F), segment);
            Assert.Equal(value, Uri.UnescapeDataString(segment));
            var uri = b.ToUri();
            Assert.Equal("/v1/files/" + segment, uri.AbsolutePath);
            Assert.Equal("", uri.Query);
        }, iter: 5000);
    }

    [Fact]
    public void Lone_surrogates_are_replaced_not_thrown_and_still_cannot_climb()
    {
        Gen.String[Gen.Char[".\uD800\uDC00/a"], 0, 10].Sample(value =>
        {
            var b = new RequestUriBuilder(new Uri("http://api.test"));
            b.AppendLiteral("/f/");
            b.AppendPathValue(value, "v");
            string segment = Segment(b, "/f/");
            Assert.Equal(-1, segment.AsSpan().IndexOfAny("/?#"));
            Assert.True(segment is not ("." or ".."));
        }, iter: 2000);
    }

    [Fact]
    public void Any_catch_all_value_keeps_its_slashes_and_no_segment_is_a_dot_segment()
    {
        Value.Array[1, 4].Select(parts => string.Join('/', parts)).Sample(value =>
        {
            var b = new RequestUriBuilder(new Uri("http://api.test"));
            b.AppendLiteral("/files/");
            b.AppendPathValueKeepingSlashes(value, "path");
            string[] segments = Segment(b, "/files/").Split('/');
            string[] expected = value.Split('/');
            Assert.Equal(expected.Length, segments.Length);
            for (int i = 0; i < segments.Length; i++)
            {
                Assert.True(segments[i] is not ("." or ".."), segments[i]);
                Assert.Equal(-1, segments[i].AsSpan().IndexOfAny("?#\\"));
                Assert.Equal(expected[i], Uri.UnescapeDataString(segments[i]));
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_query_pairs_come_back_as_sent()
    {
        Gen.Select(Value.Where(s => s.Length > 0), Value.Null()).Array[1, 5].Sample(pairs =>
        {
            var b = new RequestUriBuilder(new Uri("http://api.test"));
            b.AppendLiteral("/search?fixed=1");
            foreach ((string? name, string? value) in pairs)
            {
                b.AppendQuery(name, value);
            }
            var uri = b.ToUri();
            Assert.Equal("/search", uri.AbsolutePath);
            Assert.Equal("", uri.Fragment);
            string[] sent = uri.Query[1..].Split('&');
            var expected = new List<string> { "fixed=1" };
            expected.AddRange(pairs.Where(p => p.Item2 is not null).Select(p => p.Item1 + "=" + p.Item2));
            Assert.Equal(expected, sent.Select(p =>
            {
                int eq = p.IndexOf('=');
                return Uri.UnescapeDataString(p[..eq]) + "=" + Uri.UnescapeDataString(p[(eq + 1)..]);
            }));
        }, iter: 3000);
    }

    [Fact]
    public void Formatted_values_parse_back_exactly_under_any_culture()
    {
        string[] cultures = ["de-DE", "fr-FR", "ar-SA", "fa-IR", "th-TH", "tr-TR", "sv-SE", "hi-IN", ""];
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            Gen.Select(Gen.Double.Where(double.IsFinite), Gen.Decimal, Gen.Long, Gen.DateTime[new DateTime(1, 1, 3), new DateTime(9999, 12, 29)], Gen.Int[0, cultures.Length - 1]).Sample((d, m, l, t, c) =>
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(cultures[c]);
                Assert.Equal(d, double.Parse(ValueFormatter.FormatValue(d), CultureInfo.InvariantCulture));
                Assert.Equal(m, decimal.Parse(ValueFormatter.FormatValue(m), CultureInfo.InvariantCulture));
                Assert.Equal(l, long.Parse(ValueFormatter.FormatValue(l), CultureInfo.InvariantCulture));
                var offset = new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Unspecified), TimeSpan.FromMinutes(90));
                Assert.Equal(offset, DateTimeOffset.Parse(ValueFormatter.Format(offset), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            }, iter: 2000, threads: 1);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
