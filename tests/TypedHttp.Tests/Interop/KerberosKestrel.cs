using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Security;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// Kestrel on 127.0.0.1 authenticating Negotiate with the realm's keytab (<c>KRB5_KTNAME</c>) through the server side
/// of <see cref="NegotiateAuthentication"/>, the GSSAPI acceptor that ASP.NET Core's Negotiate handler
/// (Microsoft.AspNetCore.Authentication.Negotiate, a NuGet package this repository may not use) is built on. It keeps
/// an unfinished context per connection, as that handler does, answers 401 with <c>WWW-Authenticate: Negotiate</c>
/// (and the acceptor's token while the exchange continues), and on success the server's final token with a 200 whose
/// body is <c>user=</c>, <c>method=</c>, <c>length=</c>, <c>sha256=</c> of the body it read, and <c>connection=</c>.
/// <see cref="Log"/> has one line per request: <c>user status method path connection-id</c>.
/// </summary>
public sealed class KerberosKestrel : LoopbackKestrelHost
{
    private const string ContextKey = "negotiate-context";

    private KerberosKestrel(WebApplication app, int port, ConcurrentQueue<string> log) : base(app, port, https: false) => LogLines = log;

    /// <summary>The request log.</summary>
    public ConcurrentQueue<string> LogLines { get; }

    /// <summary>The request log as text.</summary>
    public string Log => string.Join("\n", LogLines);

    /// <summary><c>http://localhost:port/path</c>.</summary>
    public Uri Uri(string path) => new($"http://localhost:{Port}{path}");

    /// <summary>Starts the server.</summary>
    public static async Task<KerberosKestrel> StartAsync()
    {
        WebApplication app = LoopbackKestrel.CreateBuilder().Build();
        var log = new ConcurrentQueue<string>();
        app.Run(context => HandleAsync(context, log));
        int port = await LoopbackKestrel.StartAsync(app);
        return new KerberosKestrel(app, port, log);
    }

    private static async Task HandleAsync(HttpContext context, ConcurrentQueue<string> log)
    {
        System.Collections.Generic.IDictionary<object, object?> items = context.Features.Get<IConnectionItemsFeature>()!.Items;
        string connection = context.Connection.Id;
        string authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Negotiate ", StringComparison.OrdinalIgnoreCase))
        {
            await ChallengeAsync(context, log, connection, null);
            return;
        }
        byte[] token;
        try
        {
            token = Convert.FromBase64String(authorization["Negotiate ".Length..].Trim());
        }
        catch (FormatException)
        {
            await ChallengeAsync(context, log, connection, null);
            return;
        }
        NegotiateAuthentication acceptor = items.TryGetValue(ContextKey, out object? held) ? (NegotiateAuthentication)held! : new NegotiateAuthentication(new NegotiateAuthenticationServerOptions());
        items.Remove(ContextKey);
        byte[]? outgoing = acceptor.GetOutgoingBlob(token, out NegotiateAuthenticationStatusCode status);
        if (status == NegotiateAuthenticationStatusCode.ContinueNeeded)
        {
            items[ContextKey] = acceptor;
            await ChallengeAsync(context, log, connection, outgoing);
            return;
        }
        if (status != NegotiateAuthenticationStatusCode.Completed)
        {
            acceptor.Dispose();
            context.Response.Headers["X-Negotiate-Status"] = status.ToString();
            await ChallengeAsync(context, log, connection, null);
            return;
        }
        string user = acceptor.RemoteIdentity.Name ?? "";
        acceptor.Dispose();
        if (outgoing is { Length: > 0 })
        {
            context.Response.Headers.WWWAuthenticate = "Negotiate " + Convert.ToBase64String(outgoing);
        }
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        log.Enqueue($"{user} 200 {context.Request.Method} {context.Request.Path} {connection}");
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync($"user={user}\nmethod={context.Request.Method}\nlength={body.Length}\nsha256={Convert.ToHexStringLower(SHA256.HashData(body.ToArray()))}\nconnection={connection}\n");
    }

    private static async Task ChallengeAsync(HttpContext context, ConcurrentQueue<string> log, string connection, byte[]? token)
    {
        // The 401 reads and drops the body, as a server that wants the connection kept must.
        await context.Request.Body.CopyToAsync(Stream.Null);
        log.Enqueue($"- 401 {context.Request.Method} {context.Request.Path} {connection}");
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = token is null ? "Negotiate" : "Negotiate " + Convert.ToBase64String(token);
    }
}
