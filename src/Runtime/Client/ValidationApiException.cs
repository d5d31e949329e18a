using System;
using System.Collections.Generic;
using System.Text.Json;

namespace TypedHttp;

/// <summary>
/// An error response whose body is RFC 9457 problem details with an <c>errors</c> object (ASP.NET Core's validation
/// problem), as Refit's <c>ValidationApiException</c>: <c>ex.Content.Errors["Name"]</c> lists the messages of a field.
/// </summary>
public sealed class ValidationApiException : ApiException
{
    internal ValidationApiException(string method, Uri uri, int statusCode, string reasonPhrase, HttpHeaderCollection headers, string? content, HttpProblemDetails problem, JsonElement errors)
        : base(method, uri, statusCode, reasonPhrase, headers, content, problem)
    {
        var byField = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (JsonProperty field in errors.EnumerateObject())
        {
            var messages = new List<string>();
            if (field.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement message in field.Value.EnumerateArray())
                {
                    if (message.ValueKind == JsonValueKind.String)
                    {
                        messages.Add(message.GetString()!);
                    }
                }
            }
            else if (field.Value.ValueKind == JsonValueKind.String)
            {
                messages.Add(field.Value.GetString()!);
            }
            byField[field.Name] = messages.ToArray();
        }
        Content = new ValidationProblemDetails(problem.Type, problem.Title, problem.Status, problem.Detail, problem.Instance, byField);
    }

    /// <summary>The problem details with their errors by field (the body's text stays in <see cref="ApiException.Content"/>).</summary>
    public new ValidationProblemDetails Content { get; }
}

/// <summary>Validation problem details: the RFC 9457 members and the messages of each field that failed.</summary>
/// <param name="Type">A URI reference naming the problem type, or null.</param>
/// <param name="Title">A short summary, or null.</param>
/// <param name="Status">The status code the server generated, or null.</param>
/// <param name="Detail">An explanation of this occurrence, or null.</param>
/// <param name="Instance">A URI reference naming this occurrence, or null.</param>
/// <param name="Errors">The messages of each field, by field name.</param>
public sealed record ValidationProblemDetails(string? Type, string? Title, int? Status, string? Detail, string? Instance, IReadOnlyDictionary<string, string[]> Errors);
