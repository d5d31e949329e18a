using System;
using System.ComponentModel;
using System.Text;

namespace TypedHttp;

/// <summary>Creates generated clients.</summary>
public static class TypedHttpClient
{
    /// <summary>Creates the generated client for <typeparamref name="TApi"/>.</summary>
    /// <typeparam name="TApi">An interface annotated with HTTP method attributes.</typeparam>
    /// <param name="options">The client's options; <see cref="TypedHttpClientOptions.BaseAddress"/> is required.</param>
    /// <exception cref="InvalidOperationException">No client was generated for <typeparamref name="TApi"/>.</exception>
    public static TApi Create<TApi>(TypedHttpClientOptions options)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(options);
        Func<TypedHttpClientOptions, TApi>? factory = FactoryCache<TApi>.Factory;
        if (factory is null)
        {
            throw NoClient(typeof(TApi));
        }
        return factory(options);
    }

    private static InvalidOperationException NoClient(Type type)
    {
        if (type.IsConstructedGenericType)
        {
            string name = CSharpName(type);
            return new InvalidOperationException(
                $"No TypedHttp client was generated for '{name}'. The generator writes a client for each construction of a generic interface it sees: at TypedHttpClient.Create<{name}> and AddTypedHttpClient<{name}> calls, and as a closed base interface. Add [assembly: TypedHttpClientFor(typeof({name}))] to the project that creates it, and check that the build shows no THTTP diagnostics.");
        }
        return new InvalidOperationException(
            $"No TypedHttp client was generated for '{type.FullName}'. Check that it is an interface whose methods carry [Get], [Post] or another HTTP method attribute, that the project references the TypedHttp package (which carries the generator), and that the build shows no THTTP diagnostics.");
    }

    /// <summary>A type's name as C# writes it: <c>App.ICrudApi&lt;App.User, int&gt;</c> rather than its metadata name.</summary>
    private static string CSharpName(Type type)
    {
        if (!type.IsConstructedGenericType)
        {
            return Type.GetTypeCode(type) switch
            {
                TypeCode.Int32 => "int",
                TypeCode.Int64 => "long",
                TypeCode.String => "string",
                TypeCode.Boolean => "bool",
                _ => (type.FullName ?? type.Name).Replace('+', '.'),
            };
        }
        Type definition = type.GetGenericTypeDefinition();
        string name = (definition.FullName ?? definition.Name).Replace('+', '.');
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        StringBuilder text = new System.Text.StringBuilder(tick < 0 ? name : name.Substring(0, tick)).Append('<');
        Type[] arguments = type.GenericTypeArguments;
        for (int i = 0; i < arguments.Length; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(CSharpName(arguments[i]));
        }
        return text.Append('>').ToString();
    }

    /// <summary>Registers the factory of a generated client. Generated code calls this from a module initializer.</summary>
    /// <typeparam name="TApi">The interface.</typeparam>
    /// <param name="factory">Creates the generated client.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void RegisterFactory<TApi>(Func<TypedHttpClientOptions, TApi> factory)
        where TApi : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        FactoryCache<TApi>.Factory = factory;
    }

    private static class FactoryCache<TApi>
        where TApi : class
    {
        public static Func<TypedHttpClientOptions, TApi>? Factory;
    }
}
