using System;
using System.ComponentModel;
using System.Globalization;

namespace TypedHttp.Internal;

/// <summary>
/// Formats route, query and header values the same way on every machine: invariant culture, ISO 8601 dates,
/// <c>true</c>/<c>false</c>. Generated code picks the overload at compile time; null formats as null.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ValueFormatter
{
    /// <summary>Formats a string (itself).</summary>
    public static string? Format(string? value) => value;

    /// <summary>Formats a Boolean as <c>true</c> or <c>false</c>.</summary>
    public static string Format(bool value) => value ? "true" : "false";

    /// <summary>Formats a nullable Boolean.</summary>
    public static string? Format(bool? value) => value is { } v ? Format(v) : null;

    /// <summary>Formats a character.</summary>
    public static string Format(char value) => value.ToString();

    /// <summary>Formats a nullable character.</summary>
    public static string? Format(char? value) => value?.ToString();

    /// <summary>Formats a date and time as ISO 8601 (round-trip format).</summary>
    public static string Format(DateTime value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Formats a nullable date and time.</summary>
    public static string? Format(DateTime? value) => value is { } v ? Format(v) : null;

    /// <summary>Formats a date, time and offset as ISO 8601 (round-trip format).</summary>
    public static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Formats a nullable date, time and offset.</summary>
    public static string? Format(DateTimeOffset? value) => value is { } v ? Format(v) : null;

    /// <summary>Formats a value type with the invariant culture and an optional format string.</summary>
    /// <typeparam name="T">A number, a <see cref="Guid"/> or another formattable value type.</typeparam>
    public static string FormatValue<T>(T value, string? format = null)
        where T : struct, IFormattable => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Formats a nullable value type with the invariant culture; null formats as null.</summary>
    /// <typeparam name="T">A number, a <see cref="Guid"/> or another formattable value type.</typeparam>
    public static string? FormatValue<T>(T? value, string? format = null)
        where T : struct, IFormattable => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : null;

    /// <summary>Formats an enum member by its name.</summary>
    /// <typeparam name="T">The enum type.</typeparam>
    public static string FormatEnum<T>(T value)
        where T : struct, Enum => value.ToString();

    /// <summary>Formats a nullable enum member by its name.</summary>
    /// <typeparam name="T">The enum type.</typeparam>
    public static string? FormatEnum<T>(T? value)
        where T : struct, Enum => value?.ToString();

    /// <summary>Formats any other value with <see cref="IFormattable"/> and the invariant culture when it has it, else <see cref="object.ToString"/>.</summary>
    public static string? FormatObject(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Formats any other value with a format string and the invariant culture when it is <see cref="IFormattable"/>, else with <see cref="object.ToString"/>.</summary>
    public static string? FormatObject(object? value, string? format) => value switch
    {
        null => null,
        IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>
    /// Calls a client's <see cref="IUrlParameterFormatter"/> through a constrained call, so an explicit implementation
    /// works and a struct formatter is not boxed.
    /// </summary>
    /// <typeparam name="TFormatter">The formatter type the attribute names.</typeparam>
    /// <typeparam name="T">The value's declared type.</typeparam>
    public static string? FormatUrl<TFormatter, T>(TFormatter formatter, T value, in UrlParameterContext context)
        where TFormatter : IUrlParameterFormatter => formatter.Format(value, in context);

    /// <summary>Calls a client's <see cref="IFormUrlEncodedParameterFormatter"/> through a constrained call.</summary>
    /// <typeparam name="TFormatter">The formatter type the attribute names.</typeparam>
    /// <typeparam name="T">The value's declared type.</typeparam>
    public static string? FormatForm<TFormatter, T>(TFormatter formatter, T value, in UrlParameterContext context)
        where TFormatter : IFormUrlEncodedParameterFormatter => formatter.Format(value, in context);
}
