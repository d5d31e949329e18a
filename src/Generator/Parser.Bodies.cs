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

/// <summary>Bodies: multipart parts, byte arrays, streams and boundaries.</summary>
internal static partial class Parser
{
    /// <summary>A part of a <c>[Multipart]</c> body.</summary>
    private static ParameterSpec? ParsePart(IParameterSymbol parameter, string name, string type, string wireName, string shortType, MethodState state, LocationInfo? location)
    {
        ITypeSymbol t = parameter.Type;
        ValueFormat? format = ReadFormat(t);
        if (format is not null)
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, format, BodyKind.None, Part: PartKind.Text);
        }
        if (IsByteArray(t))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Bytes);
        }
        if (IsStream(t))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Stream);
        }
        if (InheritsFrom(t, KnownNames.FileInfo))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.File);
        }
        if (InheritsFrom(t, KnownNames.MultipartItem))
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Item);
        }
        if (FilePartItemKind(t) is PartKind itemPart)
        {
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Collection, ItemPart: itemPart);
        }
        if (IsJsonType(t))
        {
            string jsonType = JsonTypeName(t);
            state.JsonUses.Add(new JsonUse(jsonType, shortType, state.MemberName, location));
            return new ParameterSpec(name, type, ParameterRole.Part, wireName, null, BodyKind.None, Part: PartKind.Json, JsonType: jsonType);
        }
        state.Diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, location, Args(parameter.Name, state.MemberName, shortType + " (as a multipart part)")));
        return null;
    }

    /// <summary>
    /// For a collection of file parts (<c>IEnumerable&lt;StreamPart&gt;</c> and the other <c>MultipartItem</c>s,
    /// <c>FileInfo</c>, <c>byte[]</c>, <c>Stream</c>), how each item is written; null for any other type.
    /// </summary>
    private static PartKind? FilePartItemKind(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || IsByteArray(type))
        {
            return null;
        }
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! != KnownNames.IEnumerableOfT)
            {
                continue;
            }
            ITypeSymbol item = candidate.TypeArguments[0];
            if (InheritsFrom(item, KnownNames.MultipartItem))
            {
                return PartKind.Item;
            }
            if (InheritsFrom(item, KnownNames.FileInfo))
            {
                return PartKind.File;
            }
            if (IsByteArray(item))
            {
                return PartKind.Bytes;
            }
            if (IsStream(item))
            {
                return PartKind.Stream;
            }
        }
        return null;
    }

    private static bool IsByteArray(ITypeSymbol type) => type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte };

    private static bool IsStream(ITypeSymbol type) => InheritsFrom(type, KnownNames.Stream);

    private static bool InheritsFrom(ITypeSymbol type, string baseName)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (Names.Of(t)! == baseName)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>RFC 2046: 1 to 70 characters of bchars, not ending in a space.</summary>
    private static bool IsValidBoundary(string boundary)
    {
        if (boundary.Length is 0 or > 70 || boundary[boundary.Length - 1] == ' ')
        {
            return false;
        }
        foreach (char c in boundary)
        {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "'()+_,-./:=? ".IndexOf(c) >= 0;
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
