using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Property tests of route templates: <see cref="RouteTemplateParser.Check"/> never throws, an accepted template
/// splits into parts that give the template back, a refused one has exactly one diagnostic, and the generator agrees
/// with the parser on random templates.
/// </summary>
public sealed class RouteTemplatePropertyTests
{
    /// <summary>Pieces that make interesting routes: holes of every kind, braces, escapes, query marks, non-ASCII, controls.</summary>
    private static readonly Gen<string> Piece = Gen.OneOf(
        "/", "/", "/", "a", "Z9", "_", "-", ".", "..", "~", "+", ":", "@", "*", "**", "=", "&", "x=1",
        "{", "}", "{{", "}}", "{}", "{ }", "{?}", "{**}", "{id}", "{Id}", "{id?}", "{**rest}", "{q.Name}", "{1}", "{a-b}", "{a.b.c}",
        "?", "#", "\\", "%", "%2F", "%zz", "%4", "ü", "😀", "\uD800", "\uDC00", " ", "\t", "\u0001", "\r", "\n", "\0", "\u00A0");

    /// <summary>Templates built from <see cref="Piece"/>, most of them starting with '/'.</summary>
    private static readonly Gen<string> Template = Gen.Select(Gen.Int[0, 9], Piece.Array[0, 10], (lead, pieces) => (lead == 0 ? "" : "/") + string.Concat(pieces));

    /// <summary>Any text at all: every UTF-16 code unit, lone surrogates included.</summary>
    private static readonly Gen<string> AnyText = Gen.String[Gen.Char, 0, 60];

    private static readonly Dictionary<RouteProblem, string> ExpectedIds = new()
    {
        [RouteProblem.LineBreak] = "THTTP007",
        [RouteProblem.Misuse] = "THTTP023",
        [RouteProblem.NoLeadingSlash] = "THTTP008",
        [RouteProblem.Malformed] = "THTTP013",
    };

    /// <summary>The template an accepted template's parts describe.</summary>
    internal static string Rebuild(IEnumerable<RoutePart> parts)
    {
        var text = new StringBuilder();
        foreach (RoutePart part in parts)
        {
            if (part.IsHole)
            {
                text.Append('{').Append(part.CatchAll ? "**" : "").Append(part.Text).Append(part.Optional ? "?" : "").Append('}');
            }
            else
            {
                text.Append(part.Text);
            }
        }
        return text.ToString();
    }

    private static void AssertCheckIsConsistent(string template)
    {
        List<RoutePart>? parts = RouteTemplateParser.Check(template, out RouteProblem problem, out string? detail);
        if (parts is null)
        {
            Assert.NotEqual(RouteProblem.None, problem);
            Assert.False(string.IsNullOrEmpty(detail));
            TypedHttp.Generator.Model.DiagnosticInfo diagnostic = Parser.RouteDiagnostic(problem, template, "IApi.GetAsync", detail, null);
            Assert.Equal(ExpectedIds[problem], diagnostic.Descriptor.Id);
            return;
        }
        Assert.Equal(RouteProblem.None, problem);
        Assert.Null(detail);
        // Literal text and hole names round-trip: nothing is lost, reordered or invented.
        Assert.Equal(template, Rebuild(parts));
        bool inQuery = false;
        for (int i = 0; i < parts.Count; i++)
        {
            RoutePart part = parts[i];
            Assert.NotEqual("", part.Text);
            if (part.IsHole)
            {
                Assert.All(part.Text, c => Assert.True(char.IsLetterOrDigit(c) || c == '_' || (c == '.' && !part.CatchAll), $"'{c}' in hole '{part.Text}'"));
                Assert.Equal(inQuery, part.InQuery);
                Assert.False(part.Optional && (part.CatchAll || part.InQuery));
            }
            else
            {
                Assert.False(i > 0 && !parts[i - 1].IsHole, "two literal parts in a row");
                Assert.DoesNotContain('{', part.Text);
                Assert.DoesNotContain('}', part.Text);
                inQuery |= part.Text.Contains('?');
                Assert.Equal(inQuery, part.InQuery);
                AssertEscapedLiteral(RouteTemplateParser.EscapeLiteral(part.Text));
            }
        }
    }

    /// <summary>Escaped text is ASCII: allowed characters and %XX escapes only, and escaping it again changes nothing.</summary>
    private static void AssertEscapedLiteral(string escaped)
    {
        for (int i = 0; i < escaped.Length; i++)
        {
            char c = escaped[i];
            if (c == '%')
            {
                Assert.True(i + 2 < escaped.Length && Uri.IsHexDigit(escaped[i + 1]) && Uri.IsHexDigit(escaped[i + 2]), $"bare '%' in {escaped}");
            }
            else
            {
                Assert.True(char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/?".Contains(c), $"'{c}' left unescaped in {escaped}");
            }
        }
        Assert.Equal(escaped, RouteTemplateParser.EscapeLiteral(escaped));
    }

    [Fact]
    public void Check_never_throws_on_any_text_and_either_accepts_with_round_tripping_parts_or_names_one_diagnostic() =>
        AnyText.Sample(AssertCheckIsConsistent, iter: 20_000);

    [Fact]
    public void Check_never_throws_on_route_shaped_templates_and_either_accepts_with_round_tripping_parts_or_names_one_diagnostic() =>
        Template.Sample(AssertCheckIsConsistent, iter: 20_000);

    [Fact]
    public void Route_shaped_templates_are_accepted_often_enough_for_the_round_trip_to_mean_something()
    {
        int accepted = 0;
        Template.Sample(t =>
        {
            if (RouteTemplateParser.Check(t, out _, out _) is not null)
            {
                System.Threading.Interlocked.Increment(ref accepted);
            }
        }, iter: 2_000, threads: 1);
        Assert.InRange(accepted, 200, 1_900);
    }

    [Fact]
    public void Escaping_text_without_percent_signs_or_lone_surrogates_unescapes_to_the_same_text()
    {
        Gen.String[Gen.Char, 0, 60]
            .Where(s => !s.Contains('%') && !HasLoneSurrogate(s))
            .Sample(text =>
            {
                string escaped = RouteTemplateParser.EscapeLiteral(text);
                AssertEscapedLiteral(escaped);
                Assert.Equal(text, Uri.UnescapeDataString(escaped));
            }, iter: 20_000);
    }

    [Fact]
    public void Existing_escapes_are_kept_verbatim_and_other_percent_signs_are_escaped()
    {
        // No token is a hex digit by itself, so the only valid escapes are the %2F and %41 tokens.
        Gen.OneOf("%2F", "%41", "%zz", "%", "%4", "%%", "/", "ü", "x").Array[0, 8].Select(pieces => string.Concat(pieces))
            .Sample(text =>
            {
                string escaped = RouteTemplateParser.EscapeLiteral(text);
                AssertEscapedLiteral(escaped);
                Assert.Equal(text.Replace("%2F", "\u0001").Replace("%41", "\u0002").Replace("%", "%25").Replace("ü", "%C3%BC").Replace("\u0001", "%2F").Replace("\u0002", "%41"), escaped);
            }, iter: 5_000);
    }

    /// <summary>
    /// The generator agrees with the parser: a random template it refuses gives exactly its diagnostic on the route; one it
    /// accepts (with a parameter for each hole) gives a client that compiles without a warning.
    /// </summary>
    [Fact]
    public void Generator_reports_exactly_the_parsers_diagnostic_or_emits_a_client_that_compiles_cleanly()
    {
        Template.Sample(template =>
        {
            List<RoutePart>? parts = RouteTemplateParser.Check(template, out RouteProblem problem, out _);
            var parameters = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (RoutePart hole in parts?.Where(p => p.IsHole) ?? Enumerable.Empty<RoutePart>())
            {
                if (hole.Text.Contains('.') && hole.Text != "q.Name")
                {
                    return; // a property hole needs a type of its own; the corpus covers those
                }
                string owner = hole.Text.Split('.')[0];
                if (seen.Add(owner))
                {
                    parameters.Add(hole.Text.Contains('.')
                        ? $"[AliasAs(\"{owner}\")] Req p{parameters.Count}"
                        : $"[AliasAs(\"{owner}\")] string? p{parameters.Count}");
                }
            }
            string source = GeneratorHarness.Usings + $$"""
                public sealed record Req(string Name);

                public interface IApi
                {
                    [Get({{Emitter.Literal(template)}})]
                    Task<string> GetAsync({{string.Join(", ", parameters)}});
                }
                """;
            GeneratorRun run = GeneratorHarness.Run(source).AssertCompiles();
            if (parts is null)
            {
                Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
                Assert.Equal(ExpectedIds[problem], diagnostic.Id);
                Assert.Equal(Emitter.Literal(template), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
                Assert.Empty(run.Clients);
            }
            else
            {
                run.AssertNoGeneratorDiagnostics();
                Assert.Single(run.Clients);
            }
        }, iter: 150, threads: 1);
    }

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
}
