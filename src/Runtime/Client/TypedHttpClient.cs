using System;
using System.ComponentModel;

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
            throw new InvalidOperationException(
                $"No TypedHttp client was generated for '{typeof(TApi).FullName}'. Check that it is an interface whose methods carry [Get], [Post] or another HTTP method attribute, that the project references the TypedHttp package (which carries the generator), and that the build shows no THTTP diagnostics.");
        }
        return factory(options);
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
