namespace System.Runtime.CompilerServices;

/// <summary>Lets records and init accessors compile on netstandard2.0.</summary>
internal static class IsExternalInit
{
}

/// <summary>Lets <see cref="TypedHttp.Generator.SourceWriter.LineHandler"/> take interpolated strings on netstandard2.0.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
internal sealed class InterpolatedStringHandlerAttribute : Attribute
{
}

/// <summary>Names the arguments an interpolated string handler's constructor receives (netstandard2.0 lacks it).</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
internal sealed class InterpolatedStringHandlerArgumentAttribute : Attribute
{
    public InterpolatedStringHandlerArgumentAttribute(string argument) => Arguments = new[] { argument };

    public InterpolatedStringHandlerArgumentAttribute(params string[] arguments) => Arguments = arguments;

    public string[] Arguments { get; }
}
