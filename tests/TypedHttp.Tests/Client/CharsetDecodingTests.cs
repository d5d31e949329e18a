using System;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Client;

public interface ICharsetApi
{
    [Get("/text/{charset}")]
    Task<string> TextAsync(string charset);

    [Get("/fail/{charset}")]
    Task FailAsync(string charset);

    [Get("/text/{charset}")]
    Task<ApiResponse<string>> WrappedAsync(string charset);
}

/// <summary>
/// Text results and ApiException.Content decode with the charset the response's Content-Type names
/// (RFC 9110 §8.3.2), UTF-8 when it names none, against Kestrel.
/// </summary>
public sealed class CharsetDecodingTests
{
    private const string Text = "café ½ ü";

    /// <summary>Answers <see cref="Text"/> encoded in the charset named by the last path segment ("none": UTF-8 with no charset parameter).</summary>
    private static async Task Answer(HttpContext context)
    {
        string path = context.Request.Path.Value!;
        string charset = path.Substring(path.LastIndexOf('/') + 1);
        Encoding encoding = charset == "none" ? Encoding.UTF8 : Encoding.GetEncoding(charset);
        context.Response.StatusCode = path.StartsWith("/fail/", StringComparison.Ordinal) ? 422 : 200;
        context.Response.ContentType = charset == "none" ? "text/plain" : $"text/plain; charset={charset}";
        byte[] body = encoding.GetBytes(Text);
        await context.Response.Body.WriteAsync(body);
    }

    private static async Task<(KestrelServer Server, ICharsetApi Api)> StartAsync()
    {
        KestrelServer server = await KestrelServer.StartAsync(Answer);
        ICharsetApi api = TypedHttpClient.Create<ICharsetApi>(new TypedHttpClientOptions { BaseAddress = server.Uri() });
        return (server, api);
    }

    [Theory]
    [InlineData("iso-8859-1")]
    [InlineData("utf-16")]
    [InlineData("utf-8")]
    [InlineData("none")]
    public async Task Text_result_decodes_with_the_declared_charset(string charset)
    {
        (KestrelServer server, ICharsetApi api) = await StartAsync();
        await using (server)
        {
            Assert.Equal(Text, await api.TextAsync(charset));
        }
    }

    [Fact]
    public async Task Api_exception_content_decodes_with_the_declared_charset()
    {
        (KestrelServer server, ICharsetApi api) = await StartAsync();
        await using (server)
        {
            ApiException error = await Assert.ThrowsAsync<ApiException>(() => api.FailAsync("iso-8859-1"));

            Assert.Equal(Text, error.Content);
            Assert.Equal((HttpStatusCode)422, error.StatusCode);
        }
    }

    [Fact]
    public async Task Api_response_of_string_decodes_with_the_declared_charset()
    {
        (KestrelServer server, ICharsetApi api) = await StartAsync();
        await using (server)
        {
            ApiResponse<string> response = await api.WrappedAsync("iso-8859-1");

            Assert.Equal(Text, response.Content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
