namespace TypedHttp;

/// <summary>Creates the clients registered with <c>AddTypedHttpClient</c>, by name.</summary>
public interface ITypedHttpClientFactory
{
    /// <summary>Creates the client registered as <paramref name="name"/>.</summary>
    /// <typeparam name="TApi">The client interface.</typeparam>
    /// <param name="name">The registration's name (<see cref="TypedHttpClientBuilder.Name"/>).</param>
    /// <returns>A new client; clients of one name share their engine session or HttpClient handler pipeline.</returns>
    TApi CreateClient<TApi>(string name)
        where TApi : class;
}
