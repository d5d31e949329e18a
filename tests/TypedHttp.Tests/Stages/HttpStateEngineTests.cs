using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using TypedHttp.Tests.Policy;
using static TypedHttp.Tests.Stages.StageTest;

namespace TypedHttp.Tests.Stages;

/// <summary>
/// The IETF http-state parser suite through the ENGINE (CK-1, R-13): a scripted server answers
/// <c>/cookie-parser?case</c> with the case's Set-Cookie lines and a 302 to its Location, the session follows it
/// (host names resolve to 127.0.0.1 through the session's resolver; the suite's port 8888 becomes the server's port),
/// and the Cookie header the server receives on the second hop is compared with the expected file. Clock fixed at
/// 2011-01-01; the deviations are the Policy test's reviewed list.
/// </summary>
public sealed class HttpStateEngineTests
{
    private static readonly DateTimeOffset SuiteClock = new(2011, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> AllCases() => SharedData.HttpStateParserCases();

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task Parser_case_through_the_engine_gives_the_expected_cookie_header(string testCase)
    {
        string folder = Path.Combine(SharedData.RequireHttpState(), "parser");
        byte[] testBytes = File.ReadAllBytes(Path.Combine(folder, testCase + "-test"));
        string[] expectedLines = Lines(Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(folder, testCase + "-expected"))));
        string? result = null;
        bool resultSeen = false;
        int port = 0;
        await using ScriptedServer server = RoutedBytes(request =>
        {
            if (request.Path().StartsWith("/cookie-parser?", StringComparison.Ordinal))
            {
                // The case's header lines as sent by the suite's server (bytes as in the file), then our 302.
                var head = new MemoryStream();
                head.Write("HTTP/1.1 302 Found\r\n"u8);
                bool hasLocation = false;
                foreach (byte[] line in ByteLines(testBytes))
                {
                    string text = Encoding.Latin1.GetString(line);
                    if (text.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))
                    {
                        hasLocation = true;
                        head.Write(Encoding.Latin1.GetBytes(text.Replace(":8888", ":" + port, StringComparison.Ordinal)));
                    }
                    else
                    {
                        head.Write(line);
                    }
                    head.Write("\r\n"u8);
                }
                if (!hasLocation)
                {
                    head.Write(Encoding.ASCII.GetBytes($"Location: /cookie-parser-result?{testCase}\r\n"));
                }
                head.Write("Content-Length: 0\r\n\r\n"u8);
                return head.ToArray();
            }
            resultSeen = true;
            string? cookie = request.Header("Cookie");
            result = cookie is null ? null : Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(cookie));
            return Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });
        port = server.Port;
        using HttpSession session = Session(o => o.TimeProvider = new ManualTimeProvider(SuiteClock));
        string? failure = null;
        try
        {
            await SendAsync(session, new TypedHttpRequest("GET", new Uri($"http://home.example.org:{port}/cookie-parser?{testCase}")));
        }
        catch (TypedHttpException e)
        {
            failure = $"{e.Error}: {e.Message}";
        }

        string? expected = expectedLines.Length == 1 && expectedLines[0].StartsWith("Cookie: ", StringComparison.Ordinal) ? expectedLines[0]["Cookie: ".Length..] : null;
        if (HttpStateSuiteTests.Deviations.TryGetValue(testCase, out (string? RfcCookie, string Reason) deviation))
        {
            // Same reviewed list as the Policy test. A response the engine refuses outright (a control byte in a
            // Set-Cookie value is InvalidServerResponse at the wire) sends no cookie either.
            Assert.True(failure is not null || resultSeen, testCase);
            Assert.Equal(deviation.RfcCookie, failure is null ? result : null);
            return;
        }
        Assert.True(failure is null, $"{testCase}: {failure}");
        Assert.True(resultSeen, $"{testCase}: the redirect was not followed");
        Assert.Equal(expected, result);
    }

    private static string[] Lines(string text)
    {
        var lines = new List<string>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }
        return lines.ToArray();
    }

    private static List<byte[]> ByteLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                int end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
                if (end > start)
                {
                    lines.Add(bytes[start..end]);
                }
                start = i + 1;
            }
        }
        return lines;
    }
}
