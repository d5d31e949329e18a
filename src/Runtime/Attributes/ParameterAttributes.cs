using System;

namespace TypedHttp;

/// <summary>
/// Constant request headers, each written as <c>"Name: value"</c>. On an interface they apply to every
/// method; on a method they apply to that method and win over the interface's headers of the same name.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class HeadersAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="headers">Header lines of the form <c>"Name: value"</c>.</param>
    public HeadersAttribute(params string[] headers) => Headers = headers;

    /// <summary>The header lines.</summary>
    public string[] Headers { get; }
}

/// <summary>Sends the parameter's value as the request header <see cref="Name"/>; a null value sends no header.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class HeaderAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The header name.</param>
    public HeaderAttribute(string name) => Name = name;

    /// <summary>The header name.</summary>
    public string Name { get; }
}

/// <summary>
/// Sends the parameter in the query string. Parameters that match no route hole are query parameters
/// anyway; the attribute makes that explicit.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, Inherited = true, AllowMultiple = false)]
public sealed class QueryAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public QueryAttribute() { }
}

/// <summary>Gives a parameter (or a property) the name it has on the wire, in a route hole or the query string.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
public sealed class AliasAsAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The name on the wire.</param>
    public AliasAsAttribute(string name) => Name = name;

    /// <summary>The name on the wire.</summary>
    public string Name { get; }
}

/// <summary>Sends the parameter as the request body, serialized as JSON through the client's JSON options.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class BodyAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public BodyAttribute() { }
}
