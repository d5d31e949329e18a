using System;
using System.Collections.Generic;
using System.Text.Json;

namespace TypedHttp;

/// <summary>
/// An RFC 9457 problem details object, read from an error response whose content type is
/// <c>application/problem+json</c>. Members the RFC defines are typed; every other member is kept in
/// <see cref="Extensions"/> as a <see cref="JsonElement"/>. Read with <see cref="Utf8JsonReader"/> through
/// <see cref="JsonDocument"/>: no reflection, Native AOT safe.
/// </summary>
/// <param name="Type">A URI reference naming the problem type, or null (RFC 9457 treats that as <c>about:blank</c>).</param>
/// <param name="Title">A short summary of the problem type, or null.</param>
/// <param name="Status">The status code the server generated, or null.</param>
/// <param name="Detail">An explanation specific to this occurrence, or null.</param>
/// <param name="Instance">A URI reference naming this occurrence, or null.</param>
/// <param name="Extensions">The other members, by name.</param>
public sealed record HttpProblemDetails(string? Type, string? Title, int? Status, string? Detail, string? Instance, IReadOnlyDictionary<string, JsonElement> Extensions)
{
    /// <summary>The media type of problem details in JSON.</summary>
    public const string MediaType = "application/problem+json";

    /// <summary>
    /// Reads problem details from <paramref name="content"/> when <paramref name="contentType"/> is
    /// <c>application/problem+json</c> (parameters such as charset are ignored).
    /// </summary>
    /// <param name="contentType">The response's Content-Type, or null.</param>
    /// <param name="content">The response body as text, or null.</param>
    /// <returns>The problem details, or null when the content type differs or the body is not a JSON object.</returns>
    public static HttpProblemDetails? TryParse(string? contentType, string? content)
    {
        if (contentType is null || content is null || !IsProblemJson(contentType))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(content);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            string? type = null, title = null, detail = null, instance = null;
            int? status = null;
            Dictionary<string, JsonElement>? extensions = null;
            foreach (JsonProperty property in root.EnumerateObject())
            {
                JsonElement value = property.Value;
                switch (property.Name)
                {
                    // RFC 9457 §3.1: a member of the wrong type is ignored, as if it were absent.
                    case "type" when value.ValueKind == JsonValueKind.String: type = value.GetString(); break;
                    case "title" when value.ValueKind == JsonValueKind.String: title = value.GetString(); break;
                    case "detail" when value.ValueKind == JsonValueKind.String: detail = value.GetString(); break;
                    case "instance" when value.ValueKind == JsonValueKind.String: instance = value.GetString(); break;
                    case "status" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number): status = number; break;
                    case "type" or "title" or "detail" or "instance" or "status": break;
                    default:
                        (extensions ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[property.Name] = value.Clone();
                        break;
                }
            }
            return new HttpProblemDetails(type, title, status, detail, instance,
                extensions ?? (IReadOnlyDictionary<string, JsonElement>)EmptyExtensions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static readonly Dictionary<string, JsonElement> EmptyExtensions = new(0);

    private static bool IsProblemJson(string contentType)
    {
        ReadOnlySpan<char> media = contentType.AsSpan();
        int semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }
        return media.Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }
}
