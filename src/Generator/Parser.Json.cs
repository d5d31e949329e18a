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

/// <summary>JSON: which types go through System.Text.Json type information, and their names as a JsonSerializerContext declares them (for THTTP022).</summary>
internal static partial class Parser
{
    /// <summary>A type's name as a [JsonSerializable(typeof(…))] declares it: fully qualified, no nullable reference annotations.</summary>
    internal static string JsonTypeName(ITypeSymbol type) =>
        type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(PlainTypeFormat);

    /// <summary>Whether a type can go through System.Text.Json type information (as a body or a result).</summary>
    private static bool IsJsonType(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return t_openGeneric;
        }
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Error or TypeKind.Delegate or TypeKind.Dynamic)
        {
            return false;
        }
        if (type.IsRefLikeType || type.SpecialType == SpecialType.System_Void)
        {
            return false;
        }
        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
        {
            return false;
        }
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            string name = Names.Of(t.OriginalDefinition)!;
            if (name is KnownNames.Stream or KnownNames.Task or KnownNames.TaskOfT or KnownNames.ValueTask or KnownNames.ValueTaskOfT or KnownNames.ApiResponse
                || t.ContainingAssembly?.Name == "TypedHttp")
            {
                return false;
            }
        }
        return true;
    }
}
