namespace TypedHttp;

/// <summary>Options of an <see cref="HttpSession"/>; defaults follow WinHTTP (WINHTTP.md part 1).</summary>
public sealed class HttpSessionOptions
{
    /// <summary>The User-Agent sent when a request has none; null sends none (OM-2).</summary>
    public string? UserAgent { get; set; } = "TypedHttp/0.1";
}
