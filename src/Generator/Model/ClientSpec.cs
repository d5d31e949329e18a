namespace TypedHttp.Generator.Model;

/// <summary>Everything the emitter needs to write the client of one interface.</summary>
/// <param name="HintName">The unique name of the generated file.</param>
/// <param name="Namespace">The interface's namespace, or empty for the global namespace.</param>
/// <param name="ClassName">The generated class's name (file-local, so it cannot collide).</param>
/// <param name="InterfaceType">The interface as a fully qualified type name (<c>global::…</c>).</param>
/// <param name="InterfaceFullName">The interface's name as users read it, used in runtime error messages.</param>
/// <param name="Methods">The methods to implement: the interface's own and those of its base interfaces.</param>
/// <param name="Forwards">Base interface methods without an HTTP method attribute hidden (<c>new</c>) by a derived method with one: each calls it.</param>
/// <param name="UrlFormatter">The <c>[UrlParameterFormatter]</c> type (fully qualified) of route and query values, or null.</param>
/// <param name="FormFormatter">The <c>[FormUrlEncodedParameterFormatter]</c> type (fully qualified) of form fields, or null.</param>
internal sealed record ClientSpec(
    string HintName,
    string Namespace,
    string ClassName,
    string InterfaceType,
    string InterfaceFullName,
    EquatableArray<MethodSpec> Methods,
    EquatableArray<ForwardSpec> Forwards = default,
    string? UrlFormatter = null,
    string? FormFormatter = null);

/// <summary>A base interface method implemented by calling the derived interface's method that hides it.</summary>
/// <param name="DeclaringInterfaceType">The base interface (fully qualified).</param>
/// <param name="Name">The method name, escaped when it is a keyword.</param>
/// <param name="ReturnType">The return type (fully qualified, with nullable annotations).</param>
/// <param name="Parameters">The parameters, in order.</param>
/// <param name="TargetInterfaceType">The derived interface whose method hides it (fully qualified).</param>
internal sealed record ForwardSpec(string DeclaringInterfaceType, string Name, string ReturnType, EquatableArray<ForwardParameter> Parameters, string TargetInterfaceType);

/// <summary>A parameter of a <see cref="ForwardSpec"/>: its modifier (<c>ref </c> or empty), type and name.</summary>
internal sealed record ForwardParameter(string Modifier, string Type, string Name);

/// <summary>One interface method and the request it sends.</summary>
/// <param name="DeclaringInterfaceType">The interface that declares the method (fully qualified), named in the explicit implementation.</param>
/// <param name="Name">The method name, escaped when it is a keyword.</param>
/// <param name="ReturnType">The declared return type (fully qualified, with nullable annotations).</param>
/// <param name="Response">How the response is read.</param>
/// <param name="IsValueTask">Whether the method returns ValueTask rather than Task.</param>
/// <param name="ResultType">The result type T (fully qualified) for JSON results and item type of streams; text results carry their declared type; otherwise null.</param>
/// <param name="HttpMethod">The request method, such as <c>GET</c>.</param>
/// <param name="BasePath">The interface's <c>[BasePath]</c>, escaped, or null.</param>
/// <param name="Route">The route split into escaped literals and holes.</param>
/// <param name="Parameters">Every parameter, in declaration order.</param>
/// <param name="Headers">The constant headers (interface and method merged, method winning), in send order.</param>
/// <param name="AuthorizationScheme">The scheme of a constant <c>Authorization</c> header without credentials (filled by the options' getter), or null.</param>
/// <param name="IsMultipart">Whether the method sends <c>multipart/form-data</c>.</param>
/// <param name="MultipartBoundary">The fixed boundary of <c>[Multipart("…")]</c>, or null for a random one.</param>
/// <param name="TimeoutMilliseconds">The declared <c>[Timeout]</c> (method, else declaring interface, else client interface), or 0 for none.</param>
/// <param name="RedirectPolicy">The declared <c>[RedirectPolicy]</c> member name (same precedence), or null for none.</param>
/// <param name="HttpVersion">The <c>System.Net.HttpVersion</c> field of the declared <c>[HttpVersion]</c> (same precedence), or null for none.</param>
/// <param name="VersionPolicy">The <c>HttpVersionPolicy</c> member of that <c>[HttpVersion]</c>, or null for the session's default.</param>
/// <param name="WebSocket">For a <c>[WebSocket]</c> method, what the handshake offers and the channel's types; otherwise null.</param>
internal sealed record MethodSpec(
    string DeclaringInterfaceType,
    string Name,
    string ReturnType,
    ResponseKind Response,
    bool IsValueTask,
    string? ResultType,
    string HttpMethod,
    string? BasePath,
    EquatableArray<RouteSegment> Route,
    EquatableArray<ParameterSpec> Parameters,
    EquatableArray<HeaderSpec> Headers,
    string? AuthorizationScheme,
    bool IsMultipart,
    string? MultipartBoundary,
    int TimeoutMilliseconds = 0,
    string? RedirectPolicy = null,
    string? HttpVersion = null,
    string? VersionPolicy = null,
    WebSocketSpec? WebSocket = null);

/// <summary>What a <c>[WebSocket]</c> method offers and, for a channel, its message types.</summary>
/// <param name="SubProtocols">The subprotocols offered, in order.</param>
/// <param name="MaxMessageBytes">The channel's <c>MaxMessageBytes</c>, or 0 for the client's.</param>
/// <param name="SendType">TSend (fully qualified), or null for a plain WebSocket.</param>
/// <param name="ReceiveType">TReceive (fully qualified), or null for a plain WebSocket.</param>
internal sealed record WebSocketSpec(EquatableArray<string> SubProtocols, int MaxMessageBytes, string? SendType, string? ReceiveType);

/// <summary>How a method's response is read.</summary>
internal enum ResponseKind
{
    /// <summary><c>Task</c>: the body is discarded.</summary>
    None,

    /// <summary><c>Task&lt;T&gt;</c>: the body is JSON.</summary>
    Json,

    /// <summary><c>Task&lt;string&gt;</c>: the body is text.</summary>
    String,

    /// <summary><c>Task&lt;ApiResponse&lt;T&gt;&gt;</c>: the response is wrapped, its body is JSON.</summary>
    ApiResponseJson,

    /// <summary><c>Task&lt;ApiResponse&lt;string&gt;&gt;</c>: the response is wrapped, its body is text.</summary>
    ApiResponseString,

    /// <summary><c>Task&lt;IApiResponse&lt;T&gt;&gt;</c>.</summary>
    IApiResponseJson,

    /// <summary><c>Task&lt;IApiResponse&lt;string&gt;&gt;</c>.</summary>
    IApiResponseString,

    /// <summary><c>Task&lt;IApiResponse&gt;</c>: status and headers, the body is discarded.</summary>
    IApiResponse,

    /// <summary><c>Task&lt;Stream&gt;</c>: the body stream, owned by the caller.</summary>
    Stream,

    /// <summary><c>Task&lt;byte[]&gt;</c>.</summary>
    Bytes,

    /// <summary><c>IAsyncEnumerable&lt;T&gt;</c>: a JSON array or JSON Lines, item by item.</summary>
    AsyncEnumerable,

    /// <summary><c>Task&lt;TypedHttpResponse&gt;</c>: the response as it arrived, any status, owned by the caller.</summary>
    Response,

    /// <summary><c>Task&lt;ApiResponse&lt;Stream&gt;&gt;</c>: the response wrapped, its 2xx body a stream owned by the caller.</summary>
    ApiResponseStream,

    /// <summary><c>Task&lt;IApiResponse&lt;Stream&gt;&gt;</c>.</summary>
    IApiResponseStream,

    /// <summary><c>[WebSocket]</c> returning <c>Task&lt;WebSocket&gt;</c>.</summary>
    WebSocket,

    /// <summary><c>[WebSocket]</c> returning <c>Task&lt;WebSocketChannel&lt;TSend, TReceive&gt;&gt;</c>.</summary>
    WebSocketChannel,
}

/// <summary>A piece of the route: an escaped literal, or a hole filled from a parameter (or a property of one).</summary>
/// <param name="Literal">The escaped literal text; null for a hole.</param>
/// <param name="ParameterName">The parameter (as written in code) that fills the hole.</param>
/// <param name="HoleName">The hole's name as written in the route, used in the null-value error message.</param>
/// <param name="CatchAll">A <c>{**name}</c> hole: slashes in the value are kept.</param>
/// <param name="Format">How the value becomes text.</param>
/// <param name="Member">For a <c>{obj.Prop}</c> hole, the property (as written in code); otherwise null.</param>
/// <param name="Optional">A <c>{name?}</c> hole: a null value drops the segment and its slash.</param>
internal sealed record RouteSegment(string? Literal, string? ParameterName, string? HoleName, bool CatchAll, ValueFormat? Format, string? Member = null, bool Optional = false);

/// <summary>How a value becomes text for a route, query, form, header or text part.</summary>
/// <param name="Kind">The formatter to call.</param>
/// <param name="TypeArgument">The (underlying, non-nullable) type for generic formatters and enums; otherwise null.</param>
/// <param name="MayBeNull">Whether the formatted text may be null (a nullable type or a reference type).</param>
/// <param name="FormatString">The <c>[Query(Format = "…")]</c> format string, or null.</param>
/// <param name="EnumMembers">For enums: each member (one per value) with the text it is sent as.</param>
/// <param name="ValueType">The value's declared type (fully qualified, with nullable annotations), the type argument of a value formatter's call.</param>
internal sealed record ValueFormat(FormatKind Kind, string? TypeArgument, bool MayBeNull, string? FormatString = null, EquatableArray<EnumMemberSpec> EnumMembers = default, string? ValueType = null);

/// <summary>An enum member and its text on the wire (its <c>[EnumMember(Value)]</c> or <c>[JsonStringEnumMemberName]</c> alias, else its name).</summary>
internal sealed record EnumMemberSpec(string Name, string Wire);

/// <summary>The formatter a value goes through.</summary>
internal enum FormatKind
{
    /// <summary><c>ValueFormatter.Format(…)</c>: string, bool, char, DateTime, DateTimeOffset and their nullables.</summary>
    Direct,

    /// <summary><c>ValueFormatter.FormatValue&lt;T&gt;(…)</c>: formattable value types (numbers, Guid, …).</summary>
    Value,

    /// <summary>A switch over the enum's members emitted into the client.</summary>
    Enum,

    /// <summary><c>ValueFormatter.FormatObject(…)</c>: formattable reference types.</summary>
    Object,
}

/// <summary>Where a parameter goes in the request.</summary>
internal enum ParameterRole
{
    /// <summary>Fills one or more route holes (itself or, for <c>{obj.Prop}</c>, its properties).</summary>
    Route,

    /// <summary>A query string parameter.</summary>
    Query,

    /// <summary>A request header.</summary>
    Header,

    /// <summary>The request body.</summary>
    Body,

    /// <summary>The call's cancellation token.</summary>
    CancellationToken,

    /// <summary><c>[HeaderCollection]</c>: a dictionary of headers.</summary>
    HeaderCollection,

    /// <summary><c>[Authorize]</c>: the credentials of the Authorization header.</summary>
    Authorize,

    /// <summary><c>[Url]</c>: where the request goes instead of the base address.</summary>
    Url,

    /// <summary>A part of a <c>[Multipart]</c> body.</summary>
    Part,
}

/// <summary>How a body parameter is written.</summary>
internal enum BodyKind
{
    /// <summary>Not a body.</summary>
    None,

    /// <summary>JSON through the client's type information.</summary>
    Json,

    /// <summary>A string sent as UTF-8 text.</summary>
    String,

    /// <summary>A byte array sent as it is.</summary>
    Bytes,

    /// <summary>A stream (replayable only when it can seek).</summary>
    Stream,

    /// <summary><c>application/x-www-form-urlencoded</c> from <see cref="ParameterSpec.Query"/>.</summary>
    Form,

    /// <summary><c>[Body(UrlEncoded)] string</c>: the string escaped with <c>Uri.EscapeDataString</c>, as a form body.</summary>
    FormString,
}

/// <summary>How a multipart part is written.</summary>
internal enum PartKind
{
    /// <summary>Not a part.</summary>
    None,

    /// <summary>Text (a string, or a formatted value).</summary>
    Text,

    /// <summary>A byte array, as a file named after the part.</summary>
    Bytes,

    /// <summary>A stream, as a file named after the part.</summary>
    Stream,

    /// <summary>A <c>FileInfo</c>.</summary>
    File,

    /// <summary>A <c>StreamPart</c>, <c>ByteArrayPart</c> or <c>FileInfoPart</c>.</summary>
    Item,

    /// <summary>A JSON value.</summary>
    Json,

    /// <summary>A collection whose items are each one part of the kind <see cref="ParameterSpec.ItemPart"/>, all named by the parameter.</summary>
    Collection,
}

/// <summary>One method parameter.</summary>
/// <param name="Name">The name as written in code (escaped when it is a keyword).</param>
/// <param name="Type">The type (fully qualified, with nullable annotations).</param>
/// <param name="Role">Where the value goes.</param>
/// <param name="WireName">The query, header or part name, the Authorization scheme, or the unescaped parameter name for [Url]; null for other roles.</param>
/// <param name="Format">How the value becomes text, for route, header and text-part parameters.</param>
/// <param name="Body">How a body is written.</param>
/// <param name="Query">How a query parameter (or the rest of a route object, or a form body) is written; null otherwise.</param>
/// <param name="Part">How a multipart part is written.</param>
/// <param name="JsonType">The type (without nullable annotation) whose JSON type information a JSON body or part needs; otherwise null.</param>
/// <param name="IsReferenceType">Whether the parameter's type is a reference type (a route object is then checked for null).</param>
/// <param name="ItemPart">For a <see cref="PartKind.Collection"/>, how each item is written: Item, File, Bytes or Stream.</param>
internal sealed record ParameterSpec(
    string Name,
    string Type,
    ParameterRole Role,
    string? WireName,
    ValueFormat? Format,
    BodyKind Body,
    QueryNode? Query = null,
    PartKind Part = PartKind.None,
    string? JsonType = null,
    bool IsReferenceType = false,
    PartKind ItemPart = PartKind.None);

/// <summary>The shape of a value written into the query string or a form.</summary>
internal enum QueryShape
{
    /// <summary>One formatted value.</summary>
    Value,

    /// <summary>A collection of formatted values.</summary>
    Collection,

    /// <summary>A dictionary with string keys: one pair per entry.</summary>
    Dictionary,

    /// <summary>An object flattened into its properties.</summary>
    Object,
}

/// <summary>
/// A query (or form) value: a value, a collection, a dictionary or an object whose properties are flattened at
/// compile time.
/// </summary>
/// <param name="Shape">The shape.</param>
/// <param name="Key">The key (for a dictionary: the prefix put before each entry's key).</param>
/// <param name="Member">How to reach the value from its parent: a parameter name at the top, a property name below.</param>
/// <param name="Format">How a value, an item or an entry's value becomes text.</param>
/// <param name="Collection">How a collection is written.</param>
/// <param name="ItemType">The item type of a collection, or the value type of a dictionary (fully qualified).</param>
/// <param name="MayBeNull">Whether the value may be null (and is then omitted).</param>
/// <param name="Children">An object's properties.</param>
internal sealed record QueryNode(
    QueryShape Shape,
    string Key,
    string Member,
    ValueFormat? Format,
    CollectionFormatKind Collection,
    string? ItemType,
    bool MayBeNull,
    EquatableArray<QueryNode> Children)
{
    /// <summary>For a dictionary whose keys are not strings, how a key becomes text; null for string keys.</summary>
    public ValueFormat? KeyFormat { get; init; }

    /// <summary>For a dictionary whose keys are not strings, the key type (fully qualified); null for string keys.</summary>
    public string? KeyType { get; init; }

    /// <summary>
    /// <c>[Query(SerializeNull = true)]</c>: a null value (or a dictionary's null value) is sent as <c>key=</c>, a
    /// null collection as one empty pair.
    /// </summary>
    public bool SendNull { get; init; }
}

/// <summary>The runtime's <c>CollectionFormat</c>, mirrored.</summary>
internal enum CollectionFormatKind
{
    /// <summary>One pair per item.</summary>
    Multi = 0,

    /// <summary>Comma-separated.</summary>
    Csv = 1,

    /// <summary>Space-separated.</summary>
    Ssv = 2,

    /// <summary>Tab-separated.</summary>
    Tsv = 3,

    /// <summary>Pipe-separated.</summary>
    Pipes = 4,
}

/// <summary>A constant request header; while levels are merged, a null value removes the header of that name.</summary>
internal sealed record HeaderSpec(string Name, string? Value);

/// <summary>A type the generated client sends or reads as JSON, with where it is used (for the THTTP022 warning).</summary>
/// <param name="TypeName">The type, fully qualified without nullable annotations (as a [JsonSerializable] declares it).</param>
/// <param name="DisplayName">The type as users read it.</param>
/// <param name="MemberName">The method that uses it.</param>
/// <param name="Location">The parameter or return type.</param>
/// <param name="IsWebSocketMessage">Whether it is the message type of a WebSocket channel (THTTP044 rather than THTTP022).</param>
internal sealed record JsonUse(string TypeName, string DisplayName, string MemberName, LocationInfo? Location, bool IsWebSocketMessage = false);
