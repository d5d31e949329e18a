using System;
using System.Text.Json;

namespace TypedHttp;

/// <summary>Options of a generated client.</summary>
public sealed class TypedHttpClientOptions
{
    /// <summary>
    /// The absolute URI every route is appended to. A base path is kept: <c>http://host/api</c> with the route
    /// <c>/users</c> gives <c>http://host/api/users</c>.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The JSON options whose <see cref="JsonSerializerOptions.TypeInfoResolver"/> is the application's
    /// source-generated <c>JsonSerializerContext</c>. Native AOT needs every body and result type declared there.
    /// </summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    /// <summary>The engine session to run on; null uses <see cref="HttpSession.Shared"/>.</summary>
    public HttpSession? Session { get; set; }

    /// <summary>
    /// The transport to run on instead of an engine session (for example an in-memory transport in unit tests);
    /// when set, <see cref="Session"/> is ignored.
    /// </summary>
    public HttpTransport? Transport { get; set; }
}
