using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Nasty route templates, each with its exact outcome: the diagnostic (ID and message) for a refused one, the
/// request target built at run time for an accepted one.
/// </summary>
public sealed class RouteTemplateCorpusTests
{
    private static readonly string Long = new('a', 5000);

    /// <summary>Refused templates: the template, the diagnostic ID, a fragment of its message.</summary>
    private static readonly (string Template, string Id, string Message)[] Refused =
    {
        ("/a/{", "THTTP013", "the '{' at position 3 is never closed"),
        ("/a/}", "THTTP013", "the '}' at position 3 closes no hole"),
        ("/a/{}", "THTTP013", "the hole at position 3 has no name"),
        ("/a/{{id}}", "THTTP013", "the '{{' at position 3 is no escape in a route (a '{' opens a hole); write %7B for a literal '{'"),
        ("/a/}}", "THTTP013", "the '}}' at position 3 is no escape in a route (a '}' closes a hole); write %7D for a literal '}'"),
        ("/a/{b{c}", "THTTP013", "the '{' at position 3 is not closed before the '{' at position 5"),
        ("/{id}}", "THTTP013", "the '}' at position 5 closes no hole"),
        ("/{ id }", "THTTP013", "the hole '{ id }' has the character ' '"),
        ("/{i-d}", "THTTP013", "the hole '{i-d}' has the character '-'"),
        ("/{\u0001}", "THTTP013", "the hole '{U+0001}' has the character U+0001"),
        ("/{\uD83D\uDE00}", "THTTP013", "the hole '{U+D83DU+DE00}' has the character U+D83D"),
        ("/{a.b.c}", "THTTP013", "the hole '{a.b.c}' is not 'parameter.Property'"),
        ("/{.a}", "THTTP013", "the hole '{.a}' is not 'parameter.Property'"),
        ("/{a.}", "THTTP013", "the hole '{a.}' is not 'parameter.Property'"),
        ("/{**}", "THTTP013", "the hole at position 1 has no name"),
        ("/{**a.b}", "THTTP013", "the hole '{a.b}' has the character '.'"),
        ("/{**rest?}", "THTTP013", "the optional hole '{rest?}' is not a whole path segment"),
        ("/x{id?}", "THTTP013", "the optional hole '{id?}' is not a whole path segment"),
        ("/{id?}x", "THTTP013", "the optional hole '{id?}' is not a whole path segment"),
        ("/a?q={id?}", "THTTP013", "the optional hole '{id?}' is not a whole path segment"),
        ("/a?q={**rest}", "THTTP013", "the catch-all hole '{**rest}' is in the query string"),
        ("/\uD800", "THTTP013", "it has an unpaired UTF-16 surrogate (U+D800) at position 1"),
        ("/x\uDC00y", "THTTP013", "it has an unpaired UTF-16 surrogate (U+DC00) at position 2"),
        ("/\uDE00\uD83D", "THTTP013", "it has an unpaired UTF-16 surrogate (U+DE00) at position 1"),
        ("/" + Long + "{", "THTTP013", "the '{' at position 5001 is never closed"),
        ("/a#b", "THTTP023", "contains '#'"),
        ("/a\\b", "THTTP023", "contains a backslash"),
        ("/a?b=1?c=2", "THTTP023", "contains a second '?'"),
        ("/a?", "THTTP023", "has a '?' followed by no parameter"),
        ("/a?&b=1", "THTTP023", "has a '?' followed by no parameter"),
        ("/a}?", "THTTP023", "has a '?' followed by no parameter"),
        ("a/{id}", "THTTP008", "The route \"a/{id}\" of 'IApi.GetAsync' must start with '/'"),
        ("{id}", "THTTP008", "must start with '/'"),
        ("%2Fa", "THTTP008", "must start with '/'"),
        (" /a", "THTTP008", "must start with '/'"),
        ("/a\r\nHost: evil", "THTTP007", "The route of 'IApi.GetAsync' contains a CR, LF or NUL character"),
        ("/a\0", "THTTP007", "contains a CR, LF or NUL character"),
        ("/{id\n}", "THTTP007", "contains a CR, LF or NUL character"),
    };

    public static TheoryData<int> RefusedCases() => new(Enumerable.Range(0, Refused.Length));

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public void Refused_template_gets_exactly_its_diagnostic_on_the_route(int index)
    {
        (string template, string id, string message) = Refused[index];
        string route = Emitter.Literal(template);
        string source = GeneratorHarness.Usings + $$"""
            public interface IApi
            {
                [Get({{route}})]
                Task<string> GetAsync(string id, string rest);
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source).AssertCompiles();
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(route, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(run.Clients);
        // The pure parser agrees.
        Assert.Null(RouteTemplateParser.Check(template, out _, out _));
    }

    /// <summary>Accepted templates: the template, the method's parameters, the call's arguments, the target built.</summary>
    private static readonly (string Template, string Parameters, string Arguments, string Target)[] Accepted =
    {
        ("", "", "", "http://example.test/api"),
        ("/", "", "", "http://example.test/api/"),
        ("/ü/😀/{id}", "string id", "\"ä/b\"", "http://example.test/api/%C3%BC/%F0%9F%98%80/%C3%A4%2Fb"),
        ("/already%2Fescaped/100%/%zz/%4", "", "", "http://example.test/api/already%2Fescaped/100%25/%25zz/%254"),
        ("/q?x=%41%4", "", "", "http://example.test/api/q?x=%41%254"),
        ("/{id}{rest}", "string id, string rest", "\"a\", \"b\"", "http://example.test/api/ab"),
        ("/{id}/{ID}", "int id", "7", "http://example.test/api/7/7"),
        ("/a b/{id}?q=x y&flag", "int id", "1", "http://example.test/api/a%20b/1?q=x%20y&flag"),
        ("/files/{**rest}", "string rest", "\"a/b c/../d/\"", "http://example.test/api/files/a/b%20c/%2E%2E/d/"),
        ("/users/{id?}/posts", "string? id", "null", "http://example.test/api/users/posts"),
        ("/users/{id?}?x=1", "string? id", "null", "http://example.test/api/users?x=1"),
        ("/{id}", "string id", "\"..\"", "http://example.test/api/%2E%2E"),
        ("/search?term={id}", "string id", "\"a&admin=true#x\"", "http://example.test/api/search?term=a%26admin%3Dtrue%23x"),
        ("/{class}/{_1}/{2x}", "string @class, int _1, [AliasAs(\"2x\")] bool two", "\"c\", 1, true", "http://example.test/api/c/1/true"),
        ("/{req.Name}/x", "Req req", "new Req(\"n m\", 3)", "http://example.test/api/n%20m/x?Page=3"),
        ("/~!$&'()*+,;=:@", "", "", "http://example.test/api/~!$&'()*+,;=:@"),
        ("/\t\u00A0\u007F", "", "", "http://example.test/api/%09%C2%A0%7F"),
        ("/" + Long + "/{id}", "int id", "5", "http://example.test/api/" + Long + "/5"),
    };

    [Fact]
    public async Task Accepted_templates_build_exactly_their_targets()
    {
        (string Template, string Parameters, string Arguments, string Target)[] cases = Accepted;
        var source = new StringBuilder(GeneratorHarness.Usings + """
            namespace Corpus;

            public sealed record Req(string Name, int Page);

            public interface ICorpusApi
            {

            """);
        for (int i = 0; i < cases.Length; i++)
        {
            source.Append($"    [Get({Emitter.Literal(cases[i].Template)})]\n    Task<string> M{i}Async({cases[i].Parameters});\n\n");
        }
        source.Append("}\n\npublic static class Scenario\n{\n");
        for (int i = 0; i < cases.Length; i++)
        {
            source.Append($"    public static Task<string> M{i}(TypedHttpClientOptions options) => TypedHttpClient.Create<ICorpusApi>(options).M{i}Async({cases[i].Arguments});\n");
        }
        source.Append("}\n");

        GeneratorRun run = GeneratorHarness.Run(source.ToString()).AssertNoGeneratorDiagnostics().AssertCompiles();
        using var assembly = GeneratedAssembly.Load(run);
        var transport = new RecordingTransport { ResponseBody = "ok" };
        var options = new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/api/"), Transport = transport };
        var failures = new List<string>();
        for (int i = 0; i < cases.Length; i++)
        {
            await assembly.CallAsync<string>("Corpus.Scenario", "M" + i, options);
            string built = transport.Requests[^1].BuiltUri;
            if (built != cases[i].Target)
            {
                failures.Add($"{Emitter.Literal(cases[i].Template)}:\n  expected {cases[i].Target}\n  built    {built}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
