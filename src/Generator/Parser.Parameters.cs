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

/// <summary>Parameters and their binding (hole, query, header, body, part, token, URL), and how a value becomes text.</summary>
internal static partial class Parser
{
    private static ParameterSpec? ParseParameter(IParameterSymbol parameter, MethodState state, CancellationToken cancellationToken)
    {
        string memberName = state.MemberName;
        List<DiagnosticInfo> diagnostics = state.Diagnostics;
        string name = Identifier(parameter.Name);
        string type = TypeName(parameter.Type);
        // The location and the type as users read it serve diagnostics and JSON uses only: made when first asked for.
        LocationInfo? location = null;
        bool located = false;
        string? shortType = null;
        if (parameter.RefKind != RefKind.None)
        {
            string modifier = parameter.RefKind switch
            {
                RefKind.Ref => "ref",
                RefKind.Out => "out",
                RefKind.In => "in",
                _ => "ref readonly",
            };
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ByRefParameter, Location(), Args(parameter.Name, memberName, modifier)));
            return null;
        }

        if (Names.Of(parameter.Type)! == KnownNames.CancellationToken
            || (parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableToken && Names.Of(nullableToken.TypeArguments[0]) == KnownNames.CancellationToken))
        {
            if (state.CancellationTokenName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleCancellationTokens, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            state.CancellationTokenName = name;
            return new ParameterSpec(name, type, ParameterRole.CancellationToken, null, null, BodyKind.None);
        }

        AttributeData? bodyAttribute = null;
        AttributeData? queryAttribute = null;
        string? headerName = null;
        string? alias = null;
        string? authorizeScheme = null;
        bool isHeaderCollection = false;
        bool isUrl = false;
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            switch (Names.Of(attribute.AttributeClass))
            {
                case KnownNames.BodyAttribute:
                    bodyAttribute = attribute;
                    break;
                case KnownNames.QueryAttribute:
                    queryAttribute = attribute;
                    break;
                case KnownNames.HeaderAttribute:
                    headerName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? string.Empty : string.Empty;
                    break;
                case KnownNames.AliasAsAttribute:
                    alias = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                    break;
                case KnownNames.AuthorizeAttribute:
                    authorizeScheme = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string ?? "Bearer" : "Bearer";
                    break;
                case KnownNames.HeaderCollectionAttribute:
                    isHeaderCollection = true;
                    break;
                case KnownNames.UrlAttribute:
                    isUrl = true;
                    break;
                case KnownNames.PropertyAttribute:
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, Location(), Args(
                        $"Parameter '{parameter.Name}'", memberName, Printable(state.Path), "[Property] (a request option)",
                        "a TypedHttp request carries no options bag; send the value as a header ([Header(\"X-Name\")]) or use it where the call is made")));
                    return null;
            }
        }
        if (HttpClientType(parameter.Type) is { } httpClientType)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.RefitFeatureWithoutEquivalent, Location(), Args(
                $"Parameter '{parameter.Name}'", memberName, Printable(state.Path), httpClientType,
                "TypedHttp's engine does not send System.Net.Http content; declare it [Body] Stream or [Body] byte[] (and its type as [Header(\"Content-Type\")])")));
            return null;
        }

        string wireName = alias ?? parameter.Name;
        bool fillsHole = state.Holes.Contains(wireName);
        List<string>? propertyHoles = null;
        foreach (string hole in state.PropertyHoles)
        {
            int dot = hole.IndexOf('.');
            if (dot == wireName.Length && string.Compare(hole, 0, wireName, 0, dot, StringComparison.OrdinalIgnoreCase) == 0)
            {
                (propertyHoles ??= new List<string>()).Add(hole);
            }
        }
        if (fillsHole)
        {
            // A hole whose parameter has an error of its own is not reported again as a hole without a parameter.
            state.ClaimedHoles.Add(wireName);
        }
        if (propertyHoles is not null)
        {
            foreach (string hole in propertyHoles)
            {
                state.ClaimedHoles.Add(hole);
            }
        }
        bool inHole = fillsHole || propertyHoles is not null;
        // [Query(Format = "0.0")] on a parameter that fills a hole formats the hole's value, as in Refit (whose URL
        // parameter formatter reads the format of the parameter's [Query]); it binds nothing of its own.
        string? holeFormat = null;
        if (fillsHole && propertyHoles is null && queryAttribute is not null)
        {
            holeFormat = ReadQueryOptions(queryAttribute, out _).Format;
            queryAttribute = null;
        }
        // A [Header] parameter whose name is a hole's fills the hole too, as in Refit (holes match parameters by name
        // whatever their attributes).
        bool headerFillsHole = headerName is not null && fillsHole && propertyHoles is null;
        int bindingCount = (inHole && !headerFillsHole ? 1 : 0) + (bodyAttribute is not null ? 1 : 0) + (headerName is not null ? 1 : 0) + (queryAttribute is not null ? 1 : 0)
            + (isHeaderCollection ? 1 : 0) + (authorizeScheme is not null ? 1 : 0) + (isUrl ? 1 : 0);
        if (bindingCount > 1)
        {
            var bindings = new List<string>(bindingCount);
            if (inHole && !headerFillsHole)
            {
                bindings.Add($"the route hole '{{{(fillsHole ? wireName : propertyHoles![0])}}}'");
            }
            if (bodyAttribute is not null)
            {
                bindings.Add("[Body]");
            }
            if (headerName is not null)
            {
                bindings.Add($"[Header(\"{headerName}\")]");
            }
            if (queryAttribute is not null)
            {
                bindings.Add("[Query]");
            }
            if (isHeaderCollection)
            {
                bindings.Add("[HeaderCollection]");
            }
            if (authorizeScheme is not null)
            {
                bindings.Add("[Authorize]");
            }
            if (isUrl)
            {
                bindings.Add("[Url]");
            }
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, bindings[0], bindings[1])));
            return null;
        }

        if (isUrl)
        {
            string typeName = parameter.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? string.Empty : parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
            if (parameter.Type.SpecialType != SpecialType.System_String && typeName != KnownNames.Uri)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UrlParameterMisuse, Location(), Args(parameter.Name, memberName, $"has type '{ShortType()}'; declare it string or Uri")));
                return null;
            }
            if (state.UrlName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UrlParameterMisuse, Location(), Args(parameter.Name, memberName, $"'{state.UrlName}' is [Url] already; a request goes to one URL, so keep one")));
                return null;
            }
            state.UrlName = parameter.Name;
            return new ParameterSpec(name, type, ParameterRole.Url, parameter.Name, null, BodyKind.None);
        }

        if (isHeaderCollection)
        {
            if (!IsStringDictionary(parameter.Type))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.HeaderCollectionType, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.HeaderCollection, null, null, BodyKind.None);
        }

        if (authorizeScheme is not null)
        {
            if (parameter.Type.SpecialType != SpecialType.System_String)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.AuthorizeNotString, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            if (!HttpTokens.IsToken(authorizeScheme))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidHeaderParameterName, Location(), Args(authorizeScheme, parameter.Name, memberName)));
                return null;
            }
            return new ParameterSpec(name, type, ParameterRole.Authorize, authorizeScheme, null, BodyKind.None);
        }

        if (bodyAttribute is not null)
        {
            if (state.IsWebSocket)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.WebSocketWithBody, Location(), Args(memberName, $"parameter '{parameter.Name}' is [Body]")));
                return null;
            }
            if (state.IsMultipart)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipartWithBody, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            if (state.BodyName is not null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.MultipleBodies, Location(), Args(memberName, parameter.Name)));
                return null;
            }
            state.BodyName = name;
            int method = bodyAttribute.ConstructorArguments.Length == 1 && bodyAttribute.ConstructorArguments[0].Value is int m ? m : 0;
            if (method == 2 && parameter.Type.SpecialType == SpecialType.System_String)
            {
                // A string form body is sent escaped as one field, as in Refit (Uri.EscapeDataString).
                return new ParameterSpec(name, type, ParameterRole.Body, null, null, BodyKind.FormString);
            }
            if (method == 2)
            {
                // UrlEncoded: a dictionary or an object flattened into form fields.
                QueryNode? form = BuildQueryNode(parameter.Type, string.Empty, name, new QueryOptions(CollectionFormatKind.Multi, null, ".", null), 0, allowValue: false, out string? problem);
                if (form is null)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType() + " (as a form: " + problem + ")")));
                    return null;
                }
                return new ParameterSpec(name, type, ParameterRole.Body, null, null, BodyKind.Form, form);
            }
            BodyKind kind = method == 0 && parameter.Type.SpecialType == SpecialType.System_String
                ? BodyKind.String
                : method == 0 && IsByteArray(parameter.Type)
                    ? BodyKind.Bytes
                    : method == 0 && IsStream(parameter.Type)
                        ? BodyKind.Stream
                        : BodyKind.Json;
            if (kind == BodyKind.Json && !IsJsonType(parameter.Type))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            string? jsonType = null;
            if (kind == BodyKind.Json)
            {
                jsonType = JsonTypeName(parameter.Type);
                state.JsonUses.Add(new JsonUse(jsonType, ShortType(), memberName, Location()));
            }
            return new ParameterSpec(name, type, ParameterRole.Body, null, null, kind, JsonType: jsonType);
        }

        if (propertyHoles is not null)
        {
            return ParseRouteObject(parameter, name, type, wireName, fillsHole, propertyHoles, state, Location());
        }

        if (headerName is not null || fillsHole)
        {
            ValueFormat? format = ReadFormat(parameter.Type, headerName is null ? holeFormat : null);
            if (format is null)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnformattableParameter, Location(), Args(parameter.Name, memberName, ShortType())));
                return null;
            }
            if (headerName is not null)
            {
                if (!HttpTokens.IsToken(headerName))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidHeaderParameterName, Location(), Args(headerName, parameter.Name, memberName)));
                    return null;
                }
                if (headerFillsHole)
                {
                    if (state.HoleOwners.TryGetValue(wireName, out string? holeOwner))
                    {
                        diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, $"the route hole '{{{wireName}}}'", $"the same hole as parameter '{holeOwner}'")));
                        return null;
                    }
                    state.HoleOwners[wireName] = name;
                    state.ParameterFormats[name] = format;
                }
                return new ParameterSpec(name, type, ParameterRole.Header, headerName, format, BodyKind.None);
            }
            if (state.HoleOwners.TryGetValue(wireName, out string? owner))
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.ParameterBoundTwice, Location(), Args(parameter.Name, memberName, $"the route hole '{{{wireName}}}'", $"the same hole as parameter '{owner}'")));
                return null;
            }
            state.HoleOwners[wireName] = name;
            return new ParameterSpec(name, type, ParameterRole.Route, wireName, format, BodyKind.None);
        }

        if (state.IsMultipart && queryAttribute is null)
        {
            return ParsePart(parameter, name, type, wireName, ShortType(), state, Location());
        }

        // The query: a value, a collection, a dictionary or an object flattened at compile time.
        QueryOptions options = ReadQueryOptions(queryAttribute, out bool explicitCollectionFormat);
        bool implicitObject = queryAttribute is null && ReadFormat(parameter.Type) is null;
        if (implicitObject && state.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedBodyParameter, Location(), Args(parameter.Name, memberName, ShortType(), state.HttpMethod)));
            return null;
        }
        bool isValueOrCollection = options.TreatAsString || ReadFormat(parameter.Type) is not null || (!IsDictionary(parameter.Type, out _, out _) && IsCollection(parameter.Type, out _));
        string key = isValueOrCollection ? wireName : options.Prefix ?? string.Empty;
        QueryNode? node = BuildQueryNode(parameter.Type, key, name, options, 0, allowValue: true, out string? queryProblem);
        if (node is null)
        {
            diagnostics.Add(new DiagnosticInfo(
                implicitObject ? Diagnostics.UnformattableParameter : Diagnostics.UnformattableParameter,
                Location(),
                Args(parameter.Name, memberName, ShortType() + (queryProblem is null ? string.Empty : " (" + queryProblem + ")"))));
            return null;
        }
        if (explicitCollectionFormat && node.Shape != QueryShape.Collection)
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.CollectionFormatOnNonCollection, Location(), Args(parameter.Name, memberName, options.Collection.ToString(), ShortType())));
        }
        return new ParameterSpec(name, type, ParameterRole.Query, wireName, node.Shape == QueryShape.Value ? node.Format : null, BodyKind.None, node);

        LocationInfo? Location()
        {
            if (!located)
            {
                location = LocationInfo.From(parameter.Locations.FirstOrDefault());
                located = true;
            }
            return location;
        }

        string ShortType() => shortType ??= parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
    }

    /// <summary>Whether the type is <c>System.IFormattable</c>, checked without formatting names (this runs per parameter on every keystroke).</summary>
    private static bool IsSystemIFormattable(ITypeSymbol type) =>
        type.Name == "IFormattable"
        && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>The built-in numeric types, all of which are formattable.</summary>
    private static bool IsNumericSpecialType(SpecialType type) => type is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;

    private static ValueFormat? ReadFormat(ITypeSymbol type, string? formatString = null)
    {
        if (type.TypeKind == TypeKind.TypeParameter && t_openGeneric)
        {
            // What the type argument makes of it is decided when each construction is parsed.
            return new ValueFormat(FormatKind.Object, null, true, formatString, ValueType: TypeName(type));
        }
        bool nullableValue = false;
        ITypeSymbol underlying = type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            underlying = nullable.TypeArguments[0];
            nullableValue = true;
        }

        switch (underlying.SpecialType)
        {
            case SpecialType.System_String:
                return new ValueFormat(FormatKind.Direct, null, true, ValueType: TypeName(type));
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
                return new ValueFormat(FormatKind.Direct, null, nullableValue, ValueType: TypeName(type));
            case SpecialType.System_DateTime when formatString is null:
                return new ValueFormat(FormatKind.Direct, null, nullableValue, ValueType: TypeName(type));
        }
        string display = Names.Of(underlying)!;
        if (display == KnownNames.Uri)
        {
            // Not IFormattable: sent as Uri.ToString().
            return new ValueFormat(FormatKind.Object, null, true, ValueType: TypeName(type));
        }
        if (display == KnownNames.DateTimeOffset && formatString is null)
        {
            return new ValueFormat(FormatKind.Direct, null, nullableValue, ValueType: TypeName(type));
        }
        if (underlying.TypeKind == TypeKind.Enum && formatString is null)
        {
            return new ValueFormat(FormatKind.Enum, underlying.ToDisplayString(PlainTypeFormat), nullableValue, null, ReadEnumMembers(underlying), ValueType: TypeName(type));
        }
        bool formattable = IsNumericSpecialType(underlying.SpecialType) || IsSystemIFormattable(underlying) || underlying.AllInterfaces.Any(IsSystemIFormattable);
        if (!formattable || underlying.TypeKind == TypeKind.TypeParameter)
        {
            return null;
        }
        return underlying.IsValueType
            ? new ValueFormat(FormatKind.Value, underlying.ToDisplayString(PlainTypeFormat), nullableValue, formatString, ValueType: TypeName(type))
            : new ValueFormat(FormatKind.Object, null, true, formatString, ValueType: TypeName(type));
    }

    /// <summary>
    /// An enum's members, one per value (the first declared), each with the text it is sent as: its
    /// [JsonStringEnumMemberName] or [EnumMember(Value)] alias, else its name. The emitter turns them into a switch.
    /// </summary>
    private static EquatableArray<EnumMemberSpec> ReadEnumMembers(ITypeSymbol enumType)
    {
        var members = new List<EnumMemberSpec>();
        var seen = new HashSet<object>();
        foreach (ISymbol member in enumType.GetMembers())
        {
            if (member is not IFieldSymbol { HasConstantValue: true, ConstantValue: { } value } field || !seen.Add(value))
            {
                continue;
            }
            string wire = field.Name;
            foreach (AttributeData attribute in field.GetAttributes())
            {
                string? attributeName = Names.Of(attribute.AttributeClass);
                if (attributeName == KnownNames.JsonStringEnumMemberNameAttribute && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string jsonName)
                {
                    wire = jsonName;
                    break;
                }
                if (attributeName == KnownNames.EnumMemberAttribute)
                {
                    foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                    {
                        if (named.Key == "Value" && named.Value.Value is string enumMemberValue)
                        {
                            wire = enumMemberValue;
                        }
                    }
                }
            }
            members.Add(new EnumMemberSpec(Identifier(field.Name), wire));
        }
        return EquatableArray.From(members);
    }
}
