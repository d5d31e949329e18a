using System;

namespace TypedHttp;

/// <summary>
/// Asks the generator for the client of a closed construction of a generic interface that it cannot see in the
/// compilation, such as one created through a generic helper (<c>Create&lt;TApi&gt;()</c>) or only by another
/// assembly: <c>[assembly: TypedHttpClientFor(typeof(ICrudApi&lt;Invoice, long&gt;))]</c>. Constructions named at
/// <see cref="TypedHttpClient.Create{TApi}"/> and <c>AddTypedHttpClient&lt;TApi&gt;</c> calls and closed base
/// interfaces need no attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class TypedHttpClientForAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="interfaceType">A closed construction of a generic client interface, such as <c>typeof(ICrudApi&lt;Invoice, long&gt;)</c>.</param>
    public TypedHttpClientForAttribute(Type interfaceType) => InterfaceType = interfaceType;

    /// <summary>The closed construction the generator writes a client for.</summary>
    public Type InterfaceType { get; }
}
