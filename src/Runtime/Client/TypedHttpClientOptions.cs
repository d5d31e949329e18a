using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

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

    /// <summary>
    /// Gives the credentials of methods that declare a constant <c>Authorization</c> header holding only a scheme,
    /// such as <c>[Headers("Authorization: Bearer")]</c>: called for each such request, its result is sent as
    /// <c>Authorization: Bearer &lt;result&gt;</c>. When it is not set, such a request throws
    /// <see cref="InvalidOperationException"/>.
    /// </summary>
    public Func<TypedHttpRequest, CancellationToken, Task<string>>? AuthorizationHeaderValueGetter { get; set; }
}
