using System;

namespace TypedHttp;

/// <summary>Where a formatted value goes.</summary>
public enum UrlParameterKind
{
    /// <summary>A route hole.</summary>
    Route,

    /// <summary>A query string value (a parameter, a property of a query object, a collection item or a dictionary value).</summary>
    Query,

    /// <summary>A field of an <c>application/x-www-form-urlencoded</c> body.</summary>
    Form,
}

/// <summary>
/// What a value formatter knows about the value it formats, written by the generator as static data of the client
/// (no reflection): where it goes, the method, the parameter, the property path inside a query object or form, and
/// its key. The value's type is the formatter's type argument.
/// </summary>
public readonly struct UrlParameterContext
{
    /// <summary>Creates the context; generated clients create one per formatted place, once.</summary>
    /// <param name="kind">Where the value goes.</param>
    /// <param name="methodName">The interface method, as declared.</param>
    /// <param name="parameterName">The method parameter the value comes from, as declared.</param>
    /// <param name="propertyPath">The property path inside the parameter (<c>Span.From</c>), or null for the parameter itself.</param>
    /// <param name="key">The route hole's name, the query key or the form field name (a dictionary's prefix for its entries).</param>
    public UrlParameterContext(UrlParameterKind kind, string methodName, string parameterName, string? propertyPath, string key)
    {
        Kind = kind;
        MethodName = methodName;
        ParameterName = parameterName;
        PropertyPath = propertyPath;
        Key = key;
    }

    /// <summary>Where the value goes.</summary>
    public UrlParameterKind Kind { get; }

    /// <summary>The interface method, as declared.</summary>
    public string MethodName { get; }

    /// <summary>The method parameter the value comes from, as declared.</summary>
    public string ParameterName { get; }

    /// <summary>The property path inside the parameter (<c>Span.From</c>), or null when the value is the parameter (or one of its items).</summary>
    public string? PropertyPath { get; }

    /// <summary>The route hole's name, the query key or the form field name; for a dictionary's entries, the prefix put before each key.</summary>
    public string Key { get; }
}

/// <summary>
/// Formats route and query values, the compile-time equivalent of Refit's <c>RefitSettings.UrlParameterFormatter</c>.
/// Named by <see cref="UrlParameterFormatterAttribute"/>; the generated client creates one instance and calls it
/// directly, so it runs without reflection (Native AOT safe).
/// </summary>
public interface IUrlParameterFormatter
{
    /// <summary>
    /// The text of <paramref name="value"/>, unescaped (the client escapes it), or null to treat the value as null:
    /// a query value is then left out (or sent empty under <c>[Query(SerializeNull = true)]</c>) and a route value
    /// throws <see cref="ArgumentNullException"/>.
    /// </summary>
    /// <typeparam name="T">The value's declared type (an item's type for a collection, the value type for a dictionary).</typeparam>
    /// <param name="value">The value, which may be null.</param>
    /// <param name="context">Where the value goes.</param>
    string? Format<T>(T value, in UrlParameterContext context);
}

/// <summary>
/// Formats the field values of <c>[Body(BodySerializationMethod.UrlEncoded)]</c> bodies, the compile-time equivalent of
/// Refit's <c>RefitSettings.FormUrlEncodedParameterFormatter</c>. Named by
/// <see cref="FormUrlEncodedParameterFormatterAttribute"/>; called directly by the generated client.
/// </summary>
public interface IFormUrlEncodedParameterFormatter
{
    /// <summary>The text of <paramref name="value"/>, unescaped, or null to leave the field out (or send it empty under <c>[Query(SerializeNull = true)]</c>).</summary>
    /// <typeparam name="T">The value's declared type.</typeparam>
    /// <param name="value">The value, which may be null.</param>
    /// <param name="context">Where the value goes (<see cref="UrlParameterKind.Form"/>).</param>
    string? Format<T>(T value, in UrlParameterContext context);
}

/// <summary>
/// Names the <see cref="IUrlParameterFormatter"/> that formats route and query values of the interface's client (on
/// an interface) or of every client of the assembly (on the assembly; an interface's own attribute wins). The type
/// needs a public parameterless constructor. A value whose parameter or property carries
/// <c>[Query(Format = "…")]</c> is formatted with that format string instead (Refit passes it to its formatter). Header values and
/// multipart parts are not formatted by it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class UrlParameterFormatterAttribute : Attribute
{
    /// <summary>Names the formatter.</summary>
    /// <param name="formatterType">A class or struct implementing <see cref="IUrlParameterFormatter"/>.</param>
    public UrlParameterFormatterAttribute(Type formatterType) => FormatterType = formatterType;

    /// <summary>The formatter type.</summary>
    public Type FormatterType { get; }
}

/// <summary>
/// Names the <see cref="IFormUrlEncodedParameterFormatter"/> that formats the form fields of the interface's client (on
/// an interface) or of every client of the assembly (on the assembly; an interface's own attribute wins). The type
/// needs a public parameterless constructor; <c>[Query(Format = "…")]</c> on a property wins over it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class FormUrlEncodedParameterFormatterAttribute : Attribute
{
    /// <summary>Names the formatter.</summary>
    /// <param name="formatterType">A class or struct implementing <see cref="IFormUrlEncodedParameterFormatter"/>.</param>
    public FormUrlEncodedParameterFormatterAttribute(Type formatterType) => FormatterType = formatterType;

    /// <summary>The formatter type.</summary>
    public Type FormatterType { get; }
}
