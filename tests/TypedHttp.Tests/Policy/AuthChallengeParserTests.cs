using System;
using System.Collections.Generic;
using CsCheck;
using TypedHttp.Policy;

namespace TypedHttp.Tests.Policy;

/// <summary>WWW-Authenticate / Proxy-Authenticate parsing (RFC 9110 §11.6.1, A-2).</summary>
public sealed class AuthChallengeParserTests
{
    private static List<AuthChallenge> Parse(params string[] fields)
    {
        var list = new List<AuthChallenge>();
        foreach (string f in fields)
        {
            AuthChallengeParser.ParseInto(f, list);
        }
        return list;
    }

    [Fact]
    public void RFC9110_example_with_two_challenges_escapes_and_commas()
    {
        List<AuthChallenge> c = Parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
        Assert.Equal(2, c.Count);
        Assert.Equal("Newauth", c[0].Scheme);
        Assert.Equal(HttpAuthSchemes.None, c[0].KnownScheme);
        Assert.Equal("apps", c[0].Realm);
        Assert.Equal("1", c[0].GetParameter("TYPE"));
        Assert.Equal("Login to \"apps\"", c[0].GetParameter("title"));
        Assert.Equal(HttpAuthSchemes.Basic, c[1].KnownScheme);
        Assert.Equal("simple", c[1].Realm);
    }

    [Fact]
    public void Several_fields_and_case_insensitive_schemes()
    {
        var headers = new HttpHeaderCollection();
        headers.Add("WWW-Authenticate", "NEGOTIATE");
        headers.Add("Content-Type", "text/plain");
        headers.Add("www-authenticate", "ntlm, basic Realm=\"x\"");
        List<AuthChallenge> c = AuthChallengeParser.Parse(headers, "WWW-Authenticate");
        Assert.Equal(new[] { HttpAuthSchemes.Negotiate, HttpAuthSchemes.Ntlm, HttpAuthSchemes.Basic }, new[] { c[0].KnownScheme, c[1].KnownScheme, c[2].KnownScheme });
        Assert.Equal("x", c[2].Realm);
        Assert.Empty(AuthChallengeParser.Parse(headers, "Proxy-Authenticate"));
    }

    [Theory]
    [InlineData("Negotiate YIIGhgYGKwYBBQUCoIIGejCC", "YIIGhgYGKwYBBQUCoIIGejCC")]
    [InlineData("Negotiate abc==", "abc==")]
    [InlineData("NTLM TlRMTVNTUAACAAAA+/8=  ", "TlRMTVNTUAACAAAA+/8=")]
    [InlineData("Bearer a-b.c_d~e+f/g", "a-b.c_d~e+f/g")]
    public void Token68_form(string field, string token)
    {
        AuthChallenge c = Assert.Single(Parse(field));
        Assert.Equal(token, c.Token68);
        Assert.Empty(c.Parameters);
    }

    [Fact]
    public void Token68_followed_by_another_challenge()
    {
        List<AuthChallenge> c = Parse("Negotiate abc=, Basic realm=\"r\"");
        Assert.Equal(2, c.Count);
        Assert.Equal("abc=", c[0].Token68);
        Assert.Equal("r", c[1].Realm);
    }

    [Fact]
    public void Digest_params_in_any_order_with_whitespace_around_equals_and_commas_in_quotes()
    {
        AuthChallenge c = Assert.Single(Parse("Digest qop = \"auth, auth-int\" ,nonce=\"n,1\",   realm=\"a, b\",algorithm=SHA-256,stale=TRUE"));
        Assert.Equal("auth, auth-int", c.GetParameter("qop"));
        Assert.Equal("n,1", c.GetParameter("nonce"));
        Assert.Equal("a, b", c.Realm);
        Assert.Equal("SHA-256", c.GetParameter("algorithm"));
        Assert.Equal("TRUE", c.GetParameter("stale"));
    }

    [Fact]
    public void Empty_list_elements_are_ignored()
    {
        List<AuthChallenge> c = Parse(" , ,Basic realm=x,, ,Digest realm=y, nonce=z ,");
        Assert.Equal(2, c.Count);
        Assert.Equal("x", c[0].Realm);
        Assert.Equal("z", c[1].GetParameter("nonce"));
    }

    [Theory]
    [InlineData("Basic realm=\"unterminated, Digest realm=x, nonce=y", 0)]
    [InlineData("Basic realm=\"a\", b=, Digest realm=x, nonce=y", 1)]
    [InlineData("Basic realm=, Digest realm=x, nonce=y", 2)] // "realm=" is a valid token68
    [InlineData("\"quoted\" realm=x, Basic realm=y", 1)]
    [InlineData("Basic realm=\"a\" junk, Digest realm=x, nonce=y", 1)]
    [InlineData("Basic realm=a b=c, Negotiate", 1)]
    [InlineData("=, ===, Basic", 1)]
    [InlineData("Basic@ realm=x, NTLM", 1)]
    public void Bad_challenges_are_skipped_and_parsing_goes_on(string field, int expectedCount)
    {
        List<AuthChallenge> c = Parse(field);
        Assert.Equal(expectedCount, c.Count);
        foreach (AuthChallenge challenge in c)
        {
            Assert.NotEqual(HttpAuthSchemes.None, challenge.KnownScheme);
        }
    }

    [Fact]
    public void Repeated_parameter_keeps_its_first_value()
    {
        AuthChallenge c = Assert.Single(Parse("Basic realm=first, realm=second"));
        Assert.Equal("first", c.Realm);
    }

    [Fact]
    public void Scheme_with_no_parameters()
    {
        AuthChallenge c = Assert.Single(Parse("Negotiate"));
        Assert.Null(c.Token68);
        Assert.Empty(c.Parameters);
    }

    [Fact]
    public void Huge_input_is_bounded_and_fast()
    {
        string field = string.Concat(System.Linq.Enumerable.Repeat("Basic realm=\"x\", ", 10000));
        List<AuthChallenge> c = Parse(field);
        Assert.Equal(AuthChallengeParser.MaxChallenges, c.Count);
        AuthChallenge d = Assert.Single(Parse("Digest " + string.Concat(System.Linq.Enumerable.Repeat("a=\"b\\\"\", ", 5000)) + "realm=r"));
        Assert.True(d.Parameters.Count <= AuthChallengeParser.MaxParameters);
    }

    [Fact]
    public void Any_input_parses_without_throwing_and_yields_only_token_schemes()
    {
        Gen.String[Gen.Char["BasicDgNTLM =,\"\\\t;x+/~"], 0, 60].Sample(s =>
        {
            var list = new List<AuthChallenge>();
            AuthChallengeParser.ParseInto(s, list);
            foreach (AuthChallenge c in list)
            {
                Assert.NotEmpty(c.Scheme);
                foreach (char ch in c.Scheme)
                {
                    Assert.True(HttpHeaderCollection.IsTokenChar(ch));
                }
            }
        }, iter: 5000);
    }
}
