namespace TypedHttp.Tests.Policy;

/// <summary>The shared RFC 9110 token rule (src/Shared/HttpTokens.cs), which the engine's header and method checks use.</summary>
public sealed class HttpTokenTests
{
    private const string Delimiters = "\"(),/:;<=>?@[\\]{}";

    [Fact]
    public void A_char_is_a_tchar_exactly_when_it_is_a_visible_ascii_char_other_than_a_delimiter()
    {
        for (int i = 0; i <= char.MaxValue; i++)
        {
            char c = (char)i;
            bool expected = c > ' ' && c < 0x7F && !Delimiters.Contains(c);
            Assert.True(expected == HttpTokens.IsTokenChar(c), $"U+{i:X4}");
        }
    }

    [Theory]
    [InlineData("Content-Type", true)]
    [InlineData("x-api-key!#$%&'*+.^_`|~", true)]
    [InlineData("", false)]
    [InlineData("Bad Name", false)]
    [InlineData("colon:", false)]
    [InlineData("caf\u00e9", false)]
    public void A_token_is_one_or_more_tchars(string value, bool expected)
        => Assert.Equal(expected, HttpTokens.IsToken(value));
}
