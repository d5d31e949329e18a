namespace TypedHttp.Generator.Model;

/// <summary>Everything the emitter needs to write the client of one interface.</summary>
/// <param name="HintName">The unique name of the generated file.</param>
/// <param name="Namespace">The interface's namespace, or empty for the global namespace.</param>
/// <param name="ClassName">The generated class's name (file-local, so it cannot collide).</param>
/// <param name="InterfaceType">The interface as a fully qualified type name (<c>global::…</c>).</param>
/// <param name="InterfaceFullName">The interface's name as users read it, used in runtime error messages.</param>
/// <param name="Methods">The methods to implement: the interface's own and those of its base interfaces.</param>
internal sealed record ClientSpec(
    string HintName,
    string Namespace,
    string ClassName,
    string InterfaceType,
    string InterfaceFullName,
    EquatableArray<MethodSpec> Methods);

/// <summary>One interface method and the request it sends.</summary>
/// <param name="DeclaringInterfaceType">The interface that declares the method (fully qualified), named in the explicit implementation.</param>
/// <param name="Name">The method name, escaped when it is a keyword.</param>
/// <param name="ReturnType">The declared return type (fully qualified, with nullable annotations).</param>
/// <param name="Return">How the response is read.</param>
/// <param name="ResultType">The result type T (fully qualified) for JSON results; otherwise null.</param>
/// <param name="HttpMethod">The request method, such as <c>GET</c>.</param>
/// <param name="Route">The route split into escaped literals and holes.</param>
/// <param name="Parameters">Every parameter, in declaration order.</param>
/// <param name="Headers">The constant headers (interface and method merged, method winning), in send order.</param>
internal sealed record MethodSpec(
    string DeclaringInterfaceType,
    string Name,
    string ReturnType,
    ReturnKind Return,
    string? ResultType,
    string HttpMethod,
    EquatableArray<RouteSegment> Route,
    EquatableArray<ParameterSpec> Parameters,
    EquatableArray<HeaderSpec> Headers);

/// <summary>How a method's response is read, and whether it returns Task or ValueTask.</summary>
internal enum ReturnKind
{
    /// <summary><c>Task</c>: the body is discarded.</summary>
    Task,

    /// <summary><c>Task&lt;T&gt;</c>: the body is JSON.</summary>
    TaskOfJson,

    /// <summary><c>Task&lt;string&gt;</c>: the body is text.</summary>
    TaskOfString,

    /// <summary><c>Task&lt;ApiResponse&lt;T&gt;&gt;</c>: the response is wrapped, its body is JSON.</summary>
    TaskOfApiResponseJson,

    /// <summary><c>Task&lt;ApiResponse&lt;string&gt;&gt;</c>: the response is wrapped, its body is text.</summary>
    TaskOfApiResponseString,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>ValueTask&lt;T&gt;</c> with a JSON body.</summary>
    ValueTaskOfJson,

    /// <summary><c>ValueTask&lt;string&gt;</c>.</summary>
    ValueTaskOfString,

    /// <summary><c>ValueTask&lt;ApiResponse&lt;T&gt;&gt;</c>.</summary>
    ValueTaskOfApiResponseJson,

    /// <summary><c>ValueTask&lt;ApiResponse&lt;string&gt;&gt;</c>.</summary>
    ValueTaskOfApiResponseString,
}

/// <summary>A piece of the route: an escaped literal, or a hole filled from a parameter.</summary>
/// <param name="Literal">The escaped literal text; null for a hole.</param>
/// <param name="ParameterName">The parameter (as written in code) that fills the hole.</param>
/// <param name="HoleName">The hole's name as written in the route, used in the null-value error message.</param>
/// <param name="CatchAll">A <c>{**name}</c> hole: slashes in the value are kept.</param>
/// <param name="Format">How the parameter's value becomes text.</param>
internal sealed record RouteSegment(string? Literal, string? ParameterName, string? HoleName, bool CatchAll, ValueFormat? Format);

/// <summary>How a value becomes text for a route, query or header.</summary>
/// <param name="Kind">The formatter to call.</param>
/// <param name="TypeArgument">The (underlying, non-nullable) type for generic formatters; otherwise null.</param>
/// <param name="MayBeNull">Whether the formatted text may be null (a nullable type or a reference type).</param>
internal sealed record ValueFormat(FormatKind Kind, string? TypeArgument, bool MayBeNull);

/// <summary>The formatter a value goes through.</summary>
internal enum FormatKind
{
    /// <summary><c>ValueFormatter.Format(…)</c>: string, bool, char, DateTime, DateTimeOffset and their nullables.</summary>
    Direct,

    /// <summary><c>ValueFormatter.FormatValue&lt;T&gt;(…)</c>: formattable value types (numbers, Guid, …).</summary>
    Value,

    /// <summary><c>ValueFormatter.FormatEnum&lt;T&gt;(…)</c>: enums by member name.</summary>
    Enum,

    /// <summary><c>ValueFormatter.FormatObject(…)</c>: formattable reference types.</summary>
    Object,
}

/// <summary>Where a parameter goes in the request.</summary>
internal enum ParameterRole
{
    /// <summary>Fills one or more route holes.</summary>
    Route,

    /// <summary>A query string parameter.</summary>
    Query,

    /// <summary>A request header.</summary>
    Header,

    /// <summary>The request body.</summary>
    Body,

    /// <summary>The call's cancellation token.</summary>
    CancellationToken,
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
}

/// <summary>One method parameter.</summary>
/// <param name="Name">The name as written in code (escaped when it is a keyword).</param>
/// <param name="Type">The type (fully qualified, with nullable annotations).</param>
/// <param name="Role">Where the value goes.</param>
/// <param name="WireName">The query name or header name; null for other roles.</param>
/// <param name="Format">How the value becomes text, for route, query and header parameters.</param>
/// <param name="Body">How a body is written.</param>
internal sealed record ParameterSpec(string Name, string Type, ParameterRole Role, string? WireName, ValueFormat? Format, BodyKind Body);

/// <summary>A constant request header.</summary>
internal sealed record HeaderSpec(string Name, string Value);
