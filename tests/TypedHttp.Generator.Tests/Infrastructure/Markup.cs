using Microsoft.CodeAnalysis.Text;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>Source with one span marked as <c>[|…|]</c>: the text without the marks, and the marked span.</summary>
internal static class Markup
{
    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        int end = markup.IndexOf("|]", System.StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The test source marks no span with [| |].");
        string source = markup.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
