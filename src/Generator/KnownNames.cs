namespace TypedHttp.Generator;

/// <summary>Names of the runtime types the generator recognizes.</summary>
internal static class KnownNames
{
    public const string HttpMethodAttribute = "TypedHttp.HttpMethodAttribute";
    public const string HeadersAttribute = "TypedHttp.HeadersAttribute";
    public const string HeaderAttribute = "TypedHttp.HeaderAttribute";
    public const string QueryAttribute = "TypedHttp.QueryAttribute";
    public const string AliasAsAttribute = "TypedHttp.AliasAsAttribute";
    public const string BodyAttribute = "TypedHttp.BodyAttribute";
    public const string ApiResponse = "TypedHttp.ApiResponse<T>";
    public const string IApiResponse = "TypedHttp.IApiResponse";
    public const string TypedHttpResponse = "TypedHttp.TypedHttpResponse";
    public const string IApiResponseOfT = "TypedHttp.IApiResponse<T>";
    public const string MultipartItem = "TypedHttp.MultipartItem";
    public const string MultipartAttribute = "TypedHttp.MultipartAttribute";
    public const string HeaderCollectionAttribute = "TypedHttp.HeaderCollectionAttribute";
    public const string AuthorizeAttribute = "TypedHttp.AuthorizeAttribute";
    public const string UrlAttribute = "TypedHttp.UrlAttribute";
    public const string BasePathAttribute = "TypedHttp.BasePathAttribute";
    public const string PathPrefixAttribute = "TypedHttp.PathPrefixAttribute";
    public const string QueryKeyNamingAttribute = "TypedHttp.QueryKeyNamingAttribute";
    public const string TimeoutAttribute = "TypedHttp.TimeoutAttribute";
    public const string RedirectPolicyAttribute = "TypedHttp.RedirectPolicyAttribute";
    public const string TypedHttpClientForAttribute = "TypedHttp.TypedHttpClientForAttribute";
    public const string IAsyncEnumerableOfT = "System.Collections.Generic.IAsyncEnumerable<T>";
    public const string IEnumerableOfT = "System.Collections.Generic.IEnumerable<T>";
    public const string FileInfo = "System.IO.FileInfo";
    public const string Uri = "System.Uri";
    public const string EnumMemberAttribute = "System.Runtime.Serialization.EnumMemberAttribute";
    public const string JsonStringEnumMemberNameAttribute = "System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute";
    public const string JsonPropertyNameAttribute = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    public const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string Task = "System.Threading.Tasks.Task";
    public const string TaskOfT = "System.Threading.Tasks.Task<TResult>";
    public const string ValueTask = "System.Threading.Tasks.ValueTask";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask<TResult>";
    public const string DateTimeOffset = "System.DateTimeOffset";
    public const string IFormattable = "System.IFormattable";
    public const string Stream = "System.IO.Stream";
    public const string HttpResponseMessage = "System.Net.Http.HttpResponseMessage";
    public const string HttpContent = "System.Net.Http.HttpContent";
    public const string PropertyAttribute = "TypedHttp.PropertyAttribute";
    public const string QueryUriFormatAttribute = "TypedHttp.QueryUriFormatAttribute";
    public const string UrlParameterFormatterAttribute = "TypedHttp.UrlParameterFormatterAttribute";
    public const string FormUrlEncodedParameterFormatterAttribute = "TypedHttp.FormUrlEncodedParameterFormatterAttribute";
    public const string IUrlParameterFormatter = "TypedHttp.IUrlParameterFormatter";
    public const string IFormUrlEncodedParameterFormatter = "TypedHttp.IFormUrlEncodedParameterFormatter";
    public const string HttpVersionAttribute = "TypedHttp.HttpVersionAttribute";
    public const string WebSocketAttribute = "TypedHttp.WebSocketAttribute";
    public const string WebSocket = "System.Net.WebSockets.WebSocket";
    public const string WebSocketChannel = "TypedHttp.WebSocketChannel<TSend, TReceive>";

    /// <summary>The HTTP method attributes the runtime declares, by metadata name, with their request methods.</summary>
    public static readonly (string MetadataName, string Method)[] MethodAttributes =
    {
        ("TypedHttp.GetAttribute", "GET"),
        ("TypedHttp.PostAttribute", "POST"),
        ("TypedHttp.PutAttribute", "PUT"),
        ("TypedHttp.DeleteAttribute", "DELETE"),
        ("TypedHttp.PatchAttribute", "PATCH"),
        ("TypedHttp.HeadAttribute", "HEAD"),
        ("TypedHttp.OptionsAttribute", "OPTIONS"),
    };

    /// <summary>The request method of a runtime-declared HTTP method attribute, or null for any other type.</summary>
    public static string? KnownMethod(string metadataName)
    {
        foreach ((string name, string method) in MethodAttributes)
        {
            if (name == metadataName)
            {
                return method;
            }
        }
        return null;
    }
}
