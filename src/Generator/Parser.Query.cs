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

/// <summary>Query values and objects: [Query] options, collections, dictionaries and objects flattened at compile time (forms use them too).</summary>
internal static partial class Parser
{
    /// <summary>How a [Query] attribute writes a value.</summary>
    private sealed record QueryOptions(CollectionFormatKind Collection, string? Format, string Delimiter, string? Prefix, bool TreatAsString = false, bool SerializeNull = false);

    private static QueryOptions ReadQueryOptions(AttributeData? attribute, out bool explicitCollectionFormat)
    {
        explicitCollectionFormat = false;
        if (attribute is null)
        {
            return new QueryOptions(CollectionFormatKind.Multi, null, ".", null);
        }
        CollectionFormatKind collection = CollectionFormatKind.Multi;
        bool treatAsString = false;
        bool serializeNull = false;
        string? format = null;
        string delimiter = ".";
        string? prefix = null;
        ImmutableArray<TypedConstant> args = attribute.ConstructorArguments;
        if (args.Length == 1 && args[0].Type?.TypeKind == TypeKind.Enum && args[0].Value is int c)
        {
            collection = (CollectionFormatKind)c;
            explicitCollectionFormat = true;
        }
        else
        {
            if (args.Length >= 1)
            {
                delimiter = args[0].Value as string ?? ".";
            }
            if (args.Length >= 2)
            {
                prefix = args[1].Value as string;
            }
            if (args.Length >= 3)
            {
                format = args[2].Value as string;
            }
        }
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "CollectionFormat" when named.Value.Value is int n:
                    collection = (CollectionFormatKind)n;
                    explicitCollectionFormat = true;
                    break;
                case "Format":
                    format = named.Value.Value as string;
                    break;
                case "Delimiter":
                    delimiter = named.Value.Value as string ?? ".";
                    break;
                case "Prefix":
                    prefix = named.Value.Value as string;
                    break;
                case "TreatAsString" when named.Value.Value is bool b:
                    treatAsString = b;
                    break;
                case "SerializeNull" when named.Value.Value is bool sendNull:
                    serializeNull = sendNull;
                    break;
            }
        }
        return new QueryOptions(collection, format, delimiter, prefix, treatAsString, serializeNull);
    }

    private const int MaxObjectDepth = 3;

    /// <summary>
    /// The query (or form) shape of a value of <paramref name="type"/> under <paramref name="key"/>, or null with a
    /// reason when it cannot be written.
    /// </summary>
    private static QueryNode? BuildQueryNode(ITypeSymbol type, string key, string member, QueryOptions options, int depth, bool allowValue, out string? problem)
    {
        problem = null;
        bool mayBeNull = !type.IsValueType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
        ValueFormat? format = ReadFormat(type, options.Format);
        if (format is null && options.TreatAsString && type.TypeKind != TypeKind.Error)
        {
            // [Query(TreatAsString = true)]: the object's text, as Refit sends it.
            format = new ValueFormat(FormatKind.Object, null, true, options.Format, ValueType: TypeName(type));
        }
        if (format is not null)
        {
            if (!allowValue)
            {
                problem = "a single value is not a set of fields; pass an object or a dictionary";
                return null;
            }
            return new QueryNode(QueryShape.Value, key, member, format, options.Collection, null, format.MayBeNull, default) { SendNull = options.SerializeNull };
        }
        if (IsDictionary(type, out ITypeSymbol? keyType, out ITypeSymbol? valueType))
        {
            ValueFormat? valueFormat = ReadFormat(valueType!, options.Format);
            if (valueFormat is null)
            {
                problem = $"its values of type '{valueType!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                return null;
            }
            // Keys of any formattable type (an enum by its member names, a number invariantly), as in Refit.
            ValueFormat? keyFormat = null;
            if (keyType!.SpecialType != SpecialType.System_String)
            {
                keyFormat = ReadFormat(keyType);
                if (keyFormat is null)
                {
                    problem = $"its keys of type '{keyType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                    return null;
                }
            }
            return new QueryNode(QueryShape.Dictionary, key.Length == 0 ? key : key + options.Delimiter, member, valueFormat, options.Collection, TypeName(valueType!), mayBeNull, default)
            {
                KeyFormat = keyFormat,
                KeyType = keyFormat is null ? null : TypeName(keyType),
                SendNull = options.SerializeNull,
            };
        }
        if (IsCollection(type, out ITypeSymbol? itemType))
        {
            ValueFormat? itemFormat = ReadFormat(itemType!, options.Format);
            if (itemFormat is null)
            {
                problem = $"its items of type '{itemType!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text";
                return null;
            }
            return new QueryNode(QueryShape.Collection, key, member, itemFormat, options.Collection, TypeName(itemType!), mayBeNull, default) { SendNull = options.SerializeNull };
        }
        if (!IsFlattenable(type))
        {
            problem = null;
            return null;
        }
        if (depth >= MaxObjectDepth)
        {
            problem = $"objects nest deeper than {MaxObjectDepth} levels";
            return null;
        }
        var children = new List<QueryNode>();
        foreach (IPropertySymbol property in ReadableProperties(type))
        {
            AttributeData? propertyQuery = property.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.QueryAttribute);
            QueryOptions childOptions = propertyQuery is null ? options with { Format = null, Collection = CollectionFormatKind.Multi } : ReadQueryOptions(propertyQuery, out _) with { Delimiter = options.Delimiter };
            string childKey = key.Length == 0 ? QueryKey(property) : key + options.Delimiter + QueryKey(property);
            QueryNode? child = BuildQueryNode(property.Type, childKey, Identifier(property.Name), childOptions, depth + 1, allowValue: true, out string? childProblem);
            if (child is null)
            {
                problem = $"its property '{property.Name}' of type '{property.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot become text" + (childProblem is null ? string.Empty : ": " + childProblem);
                return null;
            }
            children.Add(child);
        }
        if (children.Count == 0)
        {
            problem = "it has no public readable properties";
            return null;
        }
        return new QueryNode(QueryShape.Object, key, member, null, options.Collection, null, mayBeNull, EquatableArray.From(children));
    }

    /// <summary>Whether a type may be flattened into its properties: a class, struct or record of the user's, not a framework type.</summary>
    private static bool IsFlattenable(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.SpecialType != SpecialType.None || type.IsRefLikeType)
        {
            return false;
        }
        string ns = Names.Of(type.ContainingNamespace) ?? string.Empty;
        return !(ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", StringComparison.Ordinal) || type.ContainingAssembly?.Name == "TypedHttp");
    }

    /// <summary>
    /// The public readable instance properties of a type and its base types, base types' first, each name once
    /// (the most derived declaration of it).
    /// </summary>
    private static IEnumerable<IPropertySymbol> ReadableProperties(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        var chain = new List<ITypeSymbol>();
        for (ITypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
        {
            chain.Insert(0, t);
        }
        var order = new List<string>();
        var byName = new Dictionary<string, IPropertySymbol>(StringComparer.Ordinal);
        foreach (ITypeSymbol t in chain)
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } property
                    && !property.Name.Contains(".")
                    && property.Name != "EqualityContract")
                {
                    if (!byName.ContainsKey(property.Name))
                    {
                        order.Add(property.Name);
                    }
                    byName[property.Name] = property;
                }
            }
        }
        foreach (string name in order)
        {
            yield return byName[name];
        }
    }

    private static string PropertyWireName(IPropertySymbol property)
    {
        AttributeData? alias = property.GetAttributes().FirstOrDefault(a => Names.Of(a.AttributeClass) == KnownNames.AliasAsAttribute);
        return alias is { ConstructorArguments.Length: 1 } && alias.ConstructorArguments[0].Value is string name ? name : property.Name;
    }

    /// <summary>
    /// The key of a flattened property in a query string or form: its <c>[AliasAs]</c> name, else its
    /// <c>[JsonPropertyName]</c> name (so a model shared with JSON bodies keeps its wire names), else its name.
    /// </summary>
    private static string QueryKey(IPropertySymbol property)
    {
        string? alias = null;
        string? json = null;
        foreach (AttributeData attribute in property.GetAttributes())
        {
            string? value = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            switch (Names.Of(attribute.AttributeClass))
            {
                case KnownNames.AliasAsAttribute:
                    alias ??= value;
                    break;
                case KnownNames.JsonPropertyNameAttribute:
                    json ??= value;
                    break;
            }
        }
        return alias ?? json ?? NameKey(property.Name);
    }

    /// <summary>
    /// The <c>[QueryKeyNaming]</c> of the client being parsed (the interface's, else the assembly's): 0 as declared,
    /// 1 camel case, 2 snake case, 3 kebab case.
    /// </summary>
    [ThreadStatic]
    private static int t_keyNaming;

    /// <summary>The naming a symbol's <c>[QueryKeyNaming]</c> declares, or null.</summary>
    private static int? ReadKeyNaming(ISymbol symbol)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (Names.Of(attribute.AttributeClass) == KnownNames.QueryKeyNamingAttribute && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int naming)
            {
                return naming;
            }
        }
        return null;
    }

    /// <summary>A key made from a property's name under the client's <c>[QueryKeyNaming]</c>.</summary>
    private static string NameKey(string name)
    {
        if (t_keyNaming is not (1 or 2 or 3) || name.Length == 0)
        {
            return name;
        }
        if (t_keyNaming == 1)
        {
            // The leading run of capitals is lowered, but for the last one before a lower-case letter (URLValue: urlValue).
            char[] chars = name.ToCharArray();
            for (int i = 0; i < chars.Length && char.IsUpper(chars[i]); i++)
            {
                if (i > 0 && i + 1 < chars.Length && char.IsLower(chars[i + 1]))
                {
                    break;
                }
                chars[i] = char.ToLowerInvariant(chars[i]);
            }
            return new string(chars);
        }
        char separator = t_keyNaming == 2 ? '_' : '-';
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary && builder.Length > 0 && builder[builder.Length - 1] != separator)
                {
                    builder.Append(separator);
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c == '_' || c == '-' ? separator : c);
            }
        }
        return builder.ToString();
    }

    /// <summary>Whether the type is a dictionary (an <c>IEnumerable</c> of <c>KeyValuePair</c>), with its key and value types.</summary>
    private static bool IsDictionary(ITypeSymbol type, out ITypeSymbol? keyType, out ITypeSymbol? valueType)
    {
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! == KnownNames.IEnumerableOfT
                && candidate.TypeArguments[0] is INamedTypeSymbol { Name: "KeyValuePair" } pair
                && Names.Of(pair.ContainingNamespace) == "System.Collections.Generic")
            {
                keyType = pair.TypeArguments[0];
                valueType = pair.TypeArguments[1];
                return true;
            }
        }
        keyType = null;
        valueType = null;
        return false;
    }

    private static bool IsStringDictionary(ITypeSymbol type) =>
        IsDictionary(type, out ITypeSymbol? keyType, out ITypeSymbol? valueType)
        && keyType!.SpecialType == SpecialType.System_String && valueType!.SpecialType == SpecialType.System_String;

    private static bool IsCollection(ITypeSymbol type, out ITypeSymbol? itemType)
    {
        itemType = null;
        if (type.SpecialType == SpecialType.System_String)
        {
            return false;
        }
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            itemType = array.ElementType;
            return true;
        }
        foreach (INamedTypeSymbol candidate in SelfAndInterfaces(type))
        {
            if (Names.Of(candidate.OriginalDefinition)! == KnownNames.IEnumerableOfT)
            {
                itemType = candidate.TypeArguments[0];
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<INamedTypeSymbol> SelfAndInterfaces(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol named)
        {
            yield return named;
        }
        foreach (INamedTypeSymbol i in type.AllInterfaces)
        {
            yield return i;
        }
    }
}
