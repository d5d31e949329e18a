using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace TypedHttp.Extensions.Tests;

public sealed class ErrorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProblemDetails_are_parsed_into_a_typed_property_on_both_transports(bool overHttpClient)
    {
        await using TestServer server = await TestServer.StartAsync();
        using var session = new HttpSession();
        using var client = new HttpClient();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions
        {
            BaseAddress = server.BaseAddress,
            Transport = overHttpClient ? new HttpClientTransport(client) : session,
        });

        ApiException e = await Assert.ThrowsAsync<ApiException>(() => api.ProblemAsync());

        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("Not Found", e.ReasonPhrase);
        Assert.Equal("GET", e.Method);
        Assert.Equal($"http://127.0.0.1:{server.Port}/problem", e.Uri.AbsoluteUri);
        Assert.Contains("\"detail\":\"No item 7.\"", e.Content);
        Assert.Equal("application/problem+json; charset=utf-8", e.Headers.GetValue("Content-Type"));
        HttpProblemDetails problem = Assert.IsType<HttpProblemDetails>(e.Problem);
        Assert.Equal("https://example.test/not-found", problem.Type);
        Assert.Equal("Not found", problem.Title);
        Assert.Equal(404, problem.Status);
        Assert.Equal("No item 7.", problem.Detail);
        Assert.Equal("/items/7", problem.Instance);
        Assert.Equal("abc", problem.Extensions["traceId"].GetString());
        Assert.Equal(3, problem.Extensions["retry"].GetProperty("after").GetInt32());
        Assert.Equal($"GET http://127.0.0.1:{server.Port}/problem answered 404 Not Found. Not found: No item 7.", e.Message);
    }

    [Fact]
    public async Task An_ordinary_error_body_is_kept_as_text_without_problem()
    {
        await using TestServer server = await TestServer.StartAsync();
        using var session = new HttpSession();
        IParityApi api = TypedHttpClient.Create<IParityApi>(new TypedHttpClientOptions { BaseAddress = server.BaseAddress, Session = session });
        ApiException e = await Assert.ThrowsAsync<ApiException>(() => api.StatusAsync(500));
        Assert.Null(e.Problem);
        Assert.Equal("status body", e.Content);
        Assert.Equal($"GET http://127.0.0.1:{server.Port}/status/500 answered 500 Internal Server Error.", e.Message);
    }

    [Theory]
    [InlineData("application/problem+json", "not json {")]
    [InlineData("application/problem+json", "[1,2]")]
    [InlineData("application/json", """{"title":"x"}""")]
    [InlineData(null, """{"title":"x"}""")]
    public void No_problem_unless_the_content_type_and_body_say_problem(string? contentType, string body)
    {
        var headers = new HttpHeaderCollection();
        if (contentType is not null)
        {
            headers.Add("Content-Type", contentType);
        }
        var e = new ApiException("GET", new Uri("http://h.test/a"), 400, "Bad Request", headers, body);
        Assert.Null(e.Problem);
        Assert.Equal(body, e.Content);
    }

    [Fact]
    public void Members_of_the_wrong_type_are_ignored_and_the_message_stays_one_line()
    {
        var problem = HttpProblemDetails.TryParse("Application/Problem+JSON", """{"title":"Line one\nline two","status":"400","detail":7,"extra":null}""");
        Assert.NotNull(problem);
        Assert.Equal("Line one\nline two", problem.Title);
        Assert.Null(problem.Status);
        Assert.Null(problem.Detail);
        Assert.Equal(JsonValueKind.Null, problem.Extensions["extra"].ValueKind);

        var headers = new HttpHeaderCollection();
        headers.Add("Content-Type", "application/problem+json");
        var e = new ApiException("POST", new Uri("http://user:pw@h.test/a"), 400, "Bad Request", headers, """{"title":"Line one\nline two"}""");
        Assert.Equal("POST http://h.test/a answered 400 Bad Request. Line one line two", e.Message);
    }
}
