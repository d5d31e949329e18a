using System;

namespace TypedHttp;

/// <summary>
/// Base class of the HTTP method attributes. Subclass it to declare a custom verb; the generator reads
/// <see cref="Method"/> from the attribute's constructor arguments at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public abstract class HttpMethodAttribute : Attribute
{
    /// <summary>Creates the attribute for <paramref name="method"/> and the route template <paramref name="path"/>.</summary>
    /// <param name="method">The request method, such as <c>GET</c>.</param>
    /// <param name="path">The route template, such as <c>/users/{id}</c>.</param>
    protected HttpMethodAttribute(string method, string path)
    {
        Method = method;
        Path = path;
    }

    /// <summary>The request method.</summary>
    public string Method { get; }

    /// <summary>The route template, relative to the client's base address.</summary>
    public string Path { get; }
}

/// <summary>Sends a GET request to the route template.</summary>
public sealed class GetAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template, such as <c>/users/{id}</c>.</param>
    public GetAttribute(string path) : base("GET", path) { }
}

/// <summary>Sends a POST request to the route template.</summary>
public sealed class PostAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public PostAttribute(string path) : base("POST", path) { }
}

/// <summary>Sends a PUT request to the route template.</summary>
public sealed class PutAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public PutAttribute(string path) : base("PUT", path) { }
}

/// <summary>Sends a DELETE request to the route template.</summary>
public sealed class DeleteAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public DeleteAttribute(string path) : base("DELETE", path) { }
}

/// <summary>Sends a PATCH request to the route template.</summary>
public sealed class PatchAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public PatchAttribute(string path) : base("PATCH", path) { }
}

/// <summary>Sends a HEAD request to the route template.</summary>
public sealed class HeadAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public HeadAttribute(string path) : base("HEAD", path) { }
}

/// <summary>Sends an OPTIONS request to the route template.</summary>
public sealed class OptionsAttribute : HttpMethodAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="path">The route template.</param>
    public OptionsAttribute(string path) : base("OPTIONS", path) { }
}
