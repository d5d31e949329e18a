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

/// <summary>How a collection is written into a query string or a form.</summary>
public enum CollectionFormat
{
    /// <summary>One <c>name=value</c> pair per item: <c>ids=1&amp;ids=2</c> (the default).</summary>
    Multi,

    /// <summary>One pair, items separated by commas: <c>ids=1%2C2</c>.</summary>
    Csv,

    /// <summary>One pair, items separated by spaces.</summary>
    Ssv,

    /// <summary>One pair, items separated by tabs.</summary>
    Tsv,

    /// <summary>One pair, items separated by <c>|</c>.</summary>
    Pipes,
}

/// <summary>
/// Sends the parameter in the query string. Parameters that match no route hole are query parameters anyway; the
/// attribute makes that explicit and sets how collections, objects and values are written. An object is
/// flattened into one pair per public readable property (at compile time); its keys are the property names (or
/// their <see cref="AliasAsAttribute"/> names), each prefixed with <see cref="Prefix"/> and <see cref="Delimiter"/>
/// when a prefix is given. On a property of such an object the attribute sets that property's format.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, Inherited = true, AllowMultiple = false)]
public sealed class QueryAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public QueryAttribute() { }

    /// <summary>Creates the attribute with the collection format of a collection parameter.</summary>
    /// <param name="collectionFormat">How the collection is written.</param>
    public QueryAttribute(CollectionFormat collectionFormat) => CollectionFormat = collectionFormat;

    /// <summary>Creates the attribute with the delimiter between an object's prefix and its property names.</summary>
    /// <param name="delimiter">The delimiter, <c>.</c> by default.</param>
    public QueryAttribute(string delimiter) => Delimiter = delimiter;

    /// <summary>Creates the attribute with a delimiter and a prefix for an object's keys.</summary>
    /// <param name="delimiter">The delimiter between the prefix and a property name.</param>
    /// <param name="prefix">The prefix of every key.</param>
    public QueryAttribute(string delimiter, string prefix)
    {
        Delimiter = delimiter;
        Prefix = prefix;
    }

    /// <summary>Creates the attribute with a delimiter, a prefix and a format string.</summary>
    /// <param name="delimiter">The delimiter between the prefix and a property name.</param>
    /// <param name="prefix">The prefix of every key.</param>
    /// <param name="format">The format string of the values, such as <c>yyyy-MM-dd</c>.</param>
    public QueryAttribute(string delimiter, string prefix, string format)
    {
        Delimiter = delimiter;
        Prefix = prefix;
        Format = format;
    }

    /// <summary>The delimiter between <see cref="Prefix"/> and the property names of an object.</summary>
    public string Delimiter { get; set; } = ".";

    /// <summary>The prefix of an object's keys, or null for the bare property names.</summary>
    public string? Prefix { get; set; }

    /// <summary>The format string passed to <see cref="IFormattable.ToString(string, IFormatProvider)"/> with the invariant culture.</summary>
    public string? Format { get; set; }

    /// <summary>How a collection is written.</summary>
    public CollectionFormat CollectionFormat { get; set; } = CollectionFormat.Multi;

    /// <summary>
    /// Sends an object as one value, its <see cref="object.ToString"/> (or <see cref="IFormattable"/> with
    /// <see cref="Format"/>), instead of flattening its properties, as Refit's <c>TreatAsString</c>.
    /// </summary>
    public bool TreatAsString { get; set; }

    /// <summary>
    /// Sends a null value as an empty one (<c>key=</c>) instead of leaving the key out, as Refit's
    /// <c>SerializeNull</c>: on a query parameter, a query object (its null properties), a null collection (one
    /// empty pair), a dictionary (its null values), and a property of a query object or form body. Null items of
    /// a collection are still skipped, and a null query object sends nothing.
    /// </summary>
    public bool SerializeNull { get; set; }
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

/// <summary>How a <see cref="BodyAttribute"/> parameter is written.</summary>
public enum BodySerializationMethod
{
    /// <summary>A string as text, a byte array or stream as it is, anything else as JSON.</summary>
    Default,

    /// <summary>JSON through the client's source-generated type information (the same as <see cref="Default"/> for objects).</summary>
    Json,

    /// <summary>
    /// <c>application/x-www-form-urlencoded</c>: an object flattened at compile time into one pair per public
    /// readable property, or a dictionary with string keys.
    /// </summary>
    UrlEncoded,

    /// <summary>The same as <see cref="Json"/>.</summary>
    Serialized,
}

/// <summary>Sends the parameter as the request body: JSON unless it is a string, a byte array, a stream or a form.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class BodyAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public BodyAttribute() { }

    /// <summary>Creates the attribute with a serialization method.</summary>
    /// <param name="serializationMethod">How the body is written.</param>
    public BodyAttribute(BodySerializationMethod serializationMethod) => SerializationMethod = serializationMethod;

    /// <summary>How the body is written.</summary>
    public BodySerializationMethod SerializationMethod { get; }
}

/// <summary>
/// Sends every entry of an <c>IDictionary&lt;string, string&gt;</c> or <c>IReadOnlyDictionary&lt;string, string&gt;</c>
/// parameter as a request header; an entry replaces a constant header of the same name, a null value sends nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class HeaderCollectionAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public HeaderCollectionAttribute() { }
}

/// <summary>Sends a string parameter as <c>Authorization: &lt;scheme&gt; &lt;value&gt;</c>; a null value sends no such header.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class AuthorizeAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="scheme">The authentication scheme, <c>Bearer</c> by default.</param>
    public AuthorizeAttribute(string scheme = "Bearer") => Scheme = scheme;

    /// <summary>The authentication scheme.</summary>
    public string Scheme { get; }
}

/// <summary>
/// Sends the request to the URL in a <c>string</c> or <see cref="Uri"/> parameter instead of the client's base address
/// (and <see cref="BasePathAttribute"/>): an absolute http or https URL is used as it is, a URL starting with <c>/</c>
/// is appended to the base address. The method's route is appended to it (usually empty), then the query.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class UrlAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public UrlAttribute() { }
}

/// <summary>How the keys that come from property names (of query objects and forms) are written.</summary>
public enum QueryKeyNaming
{
    /// <summary>As the property is named (the default).</summary>
    AsDeclared,

    /// <summary><c>PageSize</c> becomes <c>pageSize</c>.</summary>
    CamelCase,

    /// <summary><c>PageSize</c> becomes <c>page_size</c>.</summary>
    SnakeCaseLower,

    /// <summary><c>PageSize</c> becomes <c>page-size</c>.</summary>
    KebabCaseLower,
}

/// <summary>
/// The naming of query and form keys that come from property names, applied at compile time: the equivalent of
/// Refit's <c>RefitSettings.UrlParameterKeyFormatter</c> (such as its camel-case formatter). On an interface it
/// applies to the interface's client; on the assembly (<c>[assembly: QueryKeyNaming(…)]</c>) to every client the
/// assembly generates, unless its interface names another. An <see cref="AliasAsAttribute"/> or
/// <c>[JsonPropertyName]</c> name is used as it is written.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Assembly, Inherited = false, AllowMultiple = false)]
public sealed class QueryKeyNamingAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="naming">How keys are written.</param>
    public QueryKeyNamingAttribute(QueryKeyNaming naming) => Naming = naming;

    /// <summary>How keys are written.</summary>
    public QueryKeyNaming Naming { get; }
}

/// <summary>
/// Refit's request option (<c>HttpRequestMessage.Options</c>) under this name. A TypedHttp request carries no options
/// bag, so the generator reports THTTP037 on a parameter that carries it, naming the change: send the value as a
/// <see cref="HeaderAttribute"/> header, or read it in the code that makes the call. Declared so that a Refit
/// interface compiles to that diagnostic rather than to an unknown attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = true, AllowMultiple = false)]
public sealed class PropertyAttribute : Attribute
{
    /// <summary>Creates the attribute keyed by the parameter's name.</summary>
    public PropertyAttribute() { }

    /// <summary>Creates the attribute with a key.</summary>
    /// <param name="key">The option's key.</param>
    public PropertyAttribute(string key) => Key = key;

    /// <summary>The option's key, or null for the parameter's name.</summary>
    public string? Key { get; }
}

/// <summary>
/// Refit's choice of how query values are escaped. <see cref="UriFormat.UriEscaped"/> is what TypedHttp always does
/// (RFC 3986) and is accepted; any other format would send reserved characters such as <c>&amp;</c>, <c>#</c> or a
/// space unescaped, which RFC 3986 §3.4 does not allow in a query, so the generator reports THTTP037.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class QueryUriFormatAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="uriFormat">How query values are escaped.</param>
    public QueryUriFormatAttribute(UriFormat uriFormat) => UriFormat = uriFormat;

    /// <summary>How query values are escaped.</summary>
    public UriFormat UriFormat { get; }
}

/// <summary>
/// The same as <see cref="BasePathAttribute"/>, under the name Refit users know: a path put before the route of every
/// method of the interface.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false, AllowMultiple = false)]
public sealed class PathPrefixAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The path; it starts with <c>/</c> and has no holes or query.</param>
    public PathPrefixAttribute(string path) => Path = path;

    /// <summary>The path.</summary>
    public string Path { get; }
}

/// <summary>A path put before the route of every method of the interface, such as <c>/v2</c>.</summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false, AllowMultiple = false)]
public sealed class BasePathAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The path; it starts with <c>/</c> and has no holes or query.</param>
    public BasePathAttribute(string path) => Path = path;

    /// <summary>The path.</summary>
    public string Path { get; }
}

/// <summary>
/// Sends the method's body as <c>multipart/form-data</c> (RFC 7578): each parameter bound to no route hole, query or
/// header is one part, named by the parameter (or its <see cref="AliasAsAttribute"/> name).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class MultipartAttribute : Attribute
{
    /// <summary>Creates the attribute; each request gets a random boundary.</summary>
    public MultipartAttribute() { }

    /// <summary>Creates the attribute with a fixed boundary (1 to 70 characters of RFC 2046's boundary alphabet).</summary>
    /// <param name="boundaryText">The boundary.</param>
    public MultipartAttribute(string boundaryText) => BoundaryText = boundaryText;

    /// <summary>The fixed boundary, or null for a random boundary per request.</summary>
    public string? BoundaryText { get; }
}
