using Microsoft.CodeAnalysis;

namespace TypedHttp.Generator;

/// <summary>Every diagnostic the generator reports. docs/diagnostics.md explains each with an example and its fix.</summary>
internal static class Diagnostics
{
    private const string Category = "TypedHttp";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor RouteHoleWithoutParameter = Error(
        "THTTP001",
        "Route hole has no parameter",
        "The route of '{0}' has the hole '{{{1}}}' but no parameter of that name; add a parameter named '{1}' or put [AliasAs(\"{1}\")] on one");

    public static readonly DiagnosticDescriptor ParameterBoundTwice = Error(
        "THTTP002",
        "Parameter bound twice",
        "Parameter '{0}' of '{1}' is bound both as {2} and as {3}; a parameter goes to one place in the request, so remove one of the bindings");

    public static readonly DiagnosticDescriptor MultipleBodies = Error(
        "THTTP003",
        "More than one body",
        "'{0}' has more than one [Body] parameter ('{1}' is the second); a request has one body, so keep [Body] on one parameter");

    public static readonly DiagnosticDescriptor MultipleCancellationTokens = Error(
        "THTTP004",
        "More than one CancellationToken",
        "'{0}' has more than one CancellationToken parameter ('{1}' is the second); keep one");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "THTTP005",
        "Unsupported return type",
        "'{0}' returns '{1}', which TypedHttp cannot produce; return Task, Task<T>, Task<string>, Task<Stream>, Task<byte[]>, Task<ApiResponse<T>>, Task<IApiResponse<T>>, Task<IApiResponse>, Task<TypedHttpResponse>, the same forms of ValueTask, or IAsyncEnumerable<T>");

    public static readonly DiagnosticDescriptor MalformedHeader = Error(
        "THTTP006",
        "Malformed constant header",
        "The header \"{0}\" on '{1}' is not of the form \"Name: value\" (or \"Name\", which removes an outer header of that name) with a valid header name (letters, digits and !#$%&'*+-.^_`|~); write it as \"Name: value\"");

    public static readonly DiagnosticDescriptor LineBreakInConstant = Error(
        "THTTP007",
        "Line break in a constant header or route",
        "The {0} of '{1}' contains a CR, LF or NUL character, which would split the request head; remove it");

    public static readonly DiagnosticDescriptor RouteMustStartWithSlash = Error(
        "THTTP008",
        "Route does not start with '/'",
        "The route \"{0}\" of '{1}' must start with '/' (it is appended to the base address); write \"/{0}\"");

    public static readonly DiagnosticDescriptor MethodWithoutHttpAttribute = Error(
        "THTTP009",
        "Method without an HTTP method attribute",
        "'{0}' has no HTTP method attribute, so the client generated for '{1}' cannot implement it; add [Get(\"/…\")], [Post(\"/…\")] or another HTTP method attribute");

    public static readonly DiagnosticDescriptor UnformattableParameter = Error(
        "THTTP010",
        "Parameter type cannot be formatted",
        "Parameter '{0}' of '{1}' has type '{2}', which cannot be written into a route, query or header; use a string, number, bool, enum, Guid, date or another IFormattable type, or mark it [Body]");

    public static readonly DiagnosticDescriptor ByRefParameter = Error(
        "THTTP011",
        "ref, out or in parameter",
        "Parameter '{0}' of '{1}' is passed by reference; a request method takes its parameters by value, so remove the '{2}' modifier");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "THTTP012",
        "Generic method",
        "'{0}' is generic; TypedHttp needs every body and result type at compile time, so declare one method per type");

    public static readonly DiagnosticDescriptor MalformedRoute = Error(
        "THTTP013",
        "Malformed route",
        "The route \"{0}\" of '{1}' is malformed: {2}");

    public static readonly DiagnosticDescriptor MultipleHttpAttributes = Error(
        "THTTP014",
        "More than one HTTP method attribute",
        "'{0}' has more than one HTTP method attribute; keep one");

    public static readonly DiagnosticDescriptor HttpAttributeOutsideInterface = Error(
        "THTTP015",
        "HTTP method attribute outside an interface",
        "'{0}' is not an interface method; TypedHttp generates clients for interfaces, so move the method into an interface");

    public static readonly DiagnosticDescriptor UnsupportedInterface = Error(
        "THTTP016",
        "Interface cannot have a generated client",
        "No client can be generated for '{0}': {1}");

    public static readonly DiagnosticDescriptor UnreadableCustomHttpMethod = Error(
        "THTTP017",
        "Custom HTTP method cannot be read",
        "The HTTP method of attribute '{0}' on '{1}' cannot be read at compile time: {2}");

    public static readonly DiagnosticDescriptor UnsupportedMember = Error(
        "THTTP018",
        "Interface member is not a method",
        "'{0}' is a {1}; a TypedHttp interface declares only request methods, so remove it or give it a default implementation");

    public static readonly DiagnosticDescriptor InvalidHeaderParameterName = Error(
        "THTTP019",
        "Invalid header name",
        "[Header(\"{0}\")] on parameter '{1}' of '{2}' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~); fix the name");

    public static readonly DiagnosticDescriptor UnsupportedBodyParameter = Error(
        "THTTP020",
        "Parameter has no place in the request",
        "Parameter '{0}' of '{1}' has type '{2}' and no attribute; for {3} Refit would send it as the body, TypedHttp does not guess: mark it [Body] to send it as JSON, or [Query] to flatten it into the query string");

    public static readonly DiagnosticDescriptor MultipartWithBody = Error(
        "THTTP021",
        "[Multipart] method with a [Body] parameter",
        "'{0}' is [Multipart] but parameter '{1}' is marked [Body]; the parts of a multipart request are its parameters, so remove [Body] (the parameter becomes a part) or remove [Multipart]");

    public static readonly DiagnosticDescriptor JsonTypeNotInContext = Warning(
        "THTTP022",
        "JSON type not declared in a JsonSerializerContext",
        "'{0}' sends or reads '{1}' as JSON, but no JsonSerializerContext in this project declares it, so a Native AOT application fails at run time; add [JsonSerializable(typeof({1}))] to the application's JsonSerializerContext");

    public static readonly DiagnosticDescriptor RouteMisuse = Error(
        "THTTP023",
        "Backslash, '?' or '#' misused in a route",
        "The route \"{0}\" of '{1}' {2}");

    public static readonly DiagnosticDescriptor CollectionFormatOnNonCollection = Warning(
        "THTTP024",
        "Collection format on a value that is not a collection",
        "Parameter '{0}' of '{1}' sets CollectionFormat.{2}, but its type '{3}' is not a collection, so the format has no effect; remove it, or change the type to an array or list");

    public static readonly DiagnosticDescriptor HeaderCollectionType = Error(
        "THTTP025",
        "[HeaderCollection] on a type that is not a string dictionary",
        "Parameter '{0}' of '{1}' is [HeaderCollection] but has type '{2}'; declare it IDictionary<string, string> or IReadOnlyDictionary<string, string>");

    public static readonly DiagnosticDescriptor AuthorizeNotString = Error(
        "THTTP026",
        "[Authorize] on a parameter that is not a string",
        "Parameter '{0}' of '{1}' is [Authorize] but has type '{2}'; the credentials of an Authorization header are text, so declare it string");

    public static readonly DiagnosticDescriptor InvalidMultipartBoundary = Error(
        "THTTP027",
        "Invalid multipart boundary",
        "The boundary \"{0}\" of [Multipart] on '{1}' is not 1 to 70 characters of RFC 2046's boundary alphabet (letters, digits and '()+_,-./:=? ', not ending in a space); fix it, or write [Multipart] for a random boundary per request");

    public static readonly DiagnosticDescriptor UrlParameterMisuse = Error(
        "THTTP028",
        "Invalid [Url] parameter",
        "Parameter '{0}' of '{1}' is [Url] but {2}");

    public static readonly DiagnosticDescriptor InvalidBasePath = Error(
        "THTTP029",
        "Invalid [BasePath]",
        "[BasePath(\"{0}\")] on '{1}' is not a path: {2}");

    public static readonly DiagnosticDescriptor RouteHoleWithoutProperty = Error(
        "THTTP030",
        "Route hole names no property",
        "The route of '{0}' has the hole '{{{1}}}', but '{2}' has no public readable property '{3}' of a type that can become text; fix the property name or add the property");

    public static readonly DiagnosticDescriptor InvalidTimeout = Error(
        "THTTP031",
        "Invalid [Timeout]",
        "[Timeout({0})] on '{1}' is not a positive number of milliseconds; give a positive value, or remove the attribute to use TypedHttpClientOptions.Timeout");

    public static readonly DiagnosticDescriptor InvalidRedirectPolicy = Error(
        "THTTP032",
        "Invalid [RedirectPolicy]",
        "[RedirectPolicy({0})] on '{1}' is not a member of RedirectPolicy; use RedirectPolicy.Never, RedirectPolicy.DisallowHttpsToHttp or RedirectPolicy.Always");

    public static readonly DiagnosticDescriptor ConstructionWithoutClient = Error(
        "THTTP033",
        "Construction of a generic interface cannot have a client",
        "No client can be generated for '{0}', so creating it fails at run time: {1}");

    public static readonly DiagnosticDescriptor QueryKeyBoundTwice = Warning(
        "THTTP034",
        "Two parameters bind one query key",
        "Parameter '{0}' of '{2}' binds the query key '{3}' that parameter '{1}' binds already, so the request to '{4}' carries '{3}' twice; give one of them another name ([AliasAs])");

    public static readonly DiagnosticDescriptor RepeatedHoleWithUnboundParameter = Warning(
        "THTTP035",
        "Route hole used twice while a parameter fills none",
        "The route '{0}' of '{1}' uses the hole '{{{2}}}' twice while parameter '{3}' fills no hole and is sent as a query parameter; if the second hole is meant for '{3}', write '{{{3}}}' there");

    public static readonly DiagnosticDescriptor RefitFeatureWithoutEquivalent = Error(
        "THTTP037",
        "Refit feature TypedHttp does not have",
        "{0} of '{1}' (route \"{2}\") uses {3}, which TypedHttp does not have: {4}");

    public static readonly DiagnosticDescriptor QueryKeyInRouteAndParameter = Warning(
        "THTTP036",
        "Query key in the route and bound by a parameter",
        "Parameter '{0}' of '{1}' binds the query key '{2}' that the route '{3}' already sets, so the request carries '{2}' twice; remove it from the route or rename the parameter ([AliasAs])");

    public static readonly DiagnosticDescriptor FormatterWithoutInterface = Error(
        "THTTP038",
        "Value formatter does not implement its interface",
        "[{0}(typeof({1}))] on '{2}' names a type that does not implement {3}; implement 'string? Format<T>(T value, in UrlParameterContext context)' of {3}");

    public static readonly DiagnosticDescriptor FormatterCannotBeCreated = Error(
        "THTTP039",
        "Value formatter cannot be created",
        "[{0}(typeof({1}))] on '{2}' names a type the generated client cannot create: {3}");

    public static readonly DiagnosticDescriptor InvalidHttpVersion = Error(
        "THTTP040",
        "Invalid [HttpVersion]",
        "[HttpVersion(\"{0}\")] on '{1}' {2}");

    public static readonly DiagnosticDescriptor WebSocketWithHttpMethod = Error(
        "THTTP041",
        "[WebSocket] combined with an HTTP method attribute",
        "'{0}' carries both [WebSocket] and an HTTP method attribute; a method either opens a WebSocket or sends a request, so keep one");

    public static readonly DiagnosticDescriptor WebSocketWithBody = Error(
        "THTTP042",
        "Body on a [WebSocket] method",
        "'{0}' is a [WebSocket] method, but {1}; the handshake is a GET without a body, so send the value as a route value, a query parameter or a header, or as a message once connected");

    public static readonly DiagnosticDescriptor UnsupportedWebSocketReturnType = Error(
        "THTTP043",
        "Unsupported return type for [WebSocket]",
        "'{0}' is a [WebSocket] method returning '{1}'{2}; return Task<WebSocket> or Task<WebSocketChannel<TSend, TReceive>> (or ValueTask of either)");

    public static readonly DiagnosticDescriptor WebSocketMessageTypeNotInContext = Warning(
        "THTTP044",
        "WebSocket message type not declared in a JsonSerializerContext",
        "'{0}' sends or receives WebSocket messages of type '{1}' as JSON, but no JsonSerializerContext in this project declares it, so a Native AOT application fails at run time; add [JsonSerializable(typeof({1}))] to the application's JsonSerializerContext");

    public static readonly DiagnosticDescriptor InvalidWebSocketAttribute = Error(
        "THTTP045",
        "Invalid [WebSocket] argument",
        "[WebSocket] on '{0}' {1}");
}
