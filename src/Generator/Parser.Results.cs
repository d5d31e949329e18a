using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary>Return types: how a method's response is read.</summary>
internal static partial class Parser
{
    /// <summary>How a method returns and what it reads.</summary>
    private sealed record ReturnShape(ResponseKind Kind, bool IsValueTask, string? ResultType, ITypeSymbol? JsonType);

    private static ReturnShape? ReadReturnType(ITypeSymbol returnType)
    {
        if (returnType is not INamedTypeSymbol named)
        {
            return null;
        }
        string definition = Names.Of(named.OriginalDefinition)!;
        bool valueTask;
        switch (definition)
        {
            case KnownNames.Task:
                return new ReturnShape(ResponseKind.None, false, null, null);
            case KnownNames.ValueTask:
                return new ReturnShape(ResponseKind.None, true, null, null);
            case KnownNames.IAsyncEnumerableOfT:
                ITypeSymbol item = named.TypeArguments[0];
                return IsJsonType(item) ? new ReturnShape(ResponseKind.AsyncEnumerable, false, TypeName(item), item) : null;
            case KnownNames.TaskOfT:
                valueTask = false;
                break;
            case KnownNames.ValueTaskOfT:
                valueTask = true;
                break;
            default:
                return null;
        }

        ITypeSymbol result = named.TypeArguments[0];
        string resultType = TypeName(result);
        if (result.SpecialType == SpecialType.System_String)
        {
            return new ReturnShape(ResponseKind.String, valueTask, resultType, null);
        }
        if (IsByteArray(result))
        {
            return new ReturnShape(ResponseKind.Bytes, valueTask, null, null);
        }
        string resultDefinition = Names.Of(result.OriginalDefinition)!;
        if (resultDefinition == KnownNames.Stream)
        {
            return new ReturnShape(ResponseKind.Stream, valueTask, null, null);
        }
        if (resultDefinition == KnownNames.TypedHttpResponse)
        {
            return new ReturnShape(ResponseKind.Response, valueTask, null, null);
        }
        if (resultDefinition == KnownNames.IApiResponse)
        {
            return new ReturnShape(ResponseKind.IApiResponse, valueTask, null, null);
        }
        if (result is INamedTypeSymbol resultNamed && resultDefinition is KnownNames.ApiResponse or KnownNames.IApiResponseOfT)
        {
            bool isInterface = resultDefinition == KnownNames.IApiResponseOfT;
            ITypeSymbol content = resultNamed.TypeArguments[0];
            string contentType = TypeName(content);
            if (content.SpecialType == SpecialType.System_String)
            {
                return new ReturnShape(isInterface ? ResponseKind.IApiResponseString : ResponseKind.ApiResponseString, valueTask, contentType, null);
            }
            if (Names.Of(content.OriginalDefinition) == KnownNames.Stream)
            {
                return new ReturnShape(isInterface ? ResponseKind.IApiResponseStream : ResponseKind.ApiResponseStream, valueTask, null, null);
            }
            return IsJsonType(content) ? new ReturnShape(isInterface ? ResponseKind.IApiResponseJson : ResponseKind.ApiResponseJson, valueTask, contentType, content) : null;
        }
        return IsJsonType(result) ? new ReturnShape(ResponseKind.Json, valueTask, resultType, result) : null;
    }

    /// <summary>
    /// <c>HttpResponseMessage</c> or <c>HttpContent</c> (or a type derived from one) when <paramref name="type"/> is
    /// one, or a <c>Task</c>, <c>ValueTask</c> or <c>ApiResponse</c> of one; else null.
    /// </summary>
    private static string? HttpClientType(ITypeSymbol type)
    {
        for (int depth = 0; depth < 3; depth++)
        {
            // Built-in types (int, string, …) and other value types are neither, and are most parameters.
            if (type.SpecialType != SpecialType.None || (type.IsValueType && type is not INamedTypeSymbol { TypeArguments.Length: 1 }))
            {
                return null;
            }
            if (InheritsFrom(type, KnownNames.HttpResponseMessage))
            {
                return "HttpResponseMessage";
            }
            if (InheritsFrom(type, KnownNames.HttpContent))
            {
                return "HttpContent";
            }
            if (type is not INamedTypeSymbol { TypeArguments.Length: 1 } named)
            {
                return null;
            }
            type = named.TypeArguments[0];
        }
        return null;
    }
}
