using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedHttp.Generator.Model;

namespace TypedHttp.Generator;

/// <summary><c>[WebSocket]</c> methods: the attribute's arguments and the return types that open a WebSocket.</summary>
internal static partial class Parser
{
    /// <summary>What a <c>[WebSocket]</c> method returns: a plain WebSocket, or a channel with its message types.</summary>
    private sealed record WebSocketReturn(ResponseKind Kind, bool IsValueTask, ITypeSymbol? SendType, ITypeSymbol? ReceiveType);

    /// <summary>
    /// <c>Task&lt;WebSocket&gt;</c>, <c>Task&lt;WebSocketChannel&lt;TSend, TReceive&gt;&gt;</c> or the ValueTask of either;
    /// null with <paramref name="problem"/> (a clause of THTTP043, or empty) otherwise.
    /// </summary>
    private static WebSocketReturn? ReadWebSocketReturnType(ITypeSymbol returnType, out string problem)
    {
        problem = string.Empty;
        if (returnType is not INamedTypeSymbol { TypeArguments.Length: 1 } named
            || Names.Of(named.OriginalDefinition) is not (KnownNames.TaskOfT or KnownNames.ValueTaskOfT))
        {
            return null;
        }
        bool valueTask = Names.Of(named.OriginalDefinition) == KnownNames.ValueTaskOfT;
        ITypeSymbol result = named.TypeArguments[0];
        string definition = Names.Of(result.OriginalDefinition)!;
        if (definition == KnownNames.WebSocket)
        {
            return new WebSocketReturn(ResponseKind.WebSocket, valueTask, null, null);
        }
        if (definition != KnownNames.WebSocketChannel || result is not INamedTypeSymbol { TypeArguments.Length: 2 } channel)
        {
            return null;
        }
        foreach (ITypeSymbol message in channel.TypeArguments)
        {
            if (!IsJsonType(message))
            {
                problem = $", whose message type '{message.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' cannot be JSON";
                return null;
            }
        }
        return new WebSocketReturn(ResponseKind.WebSocketChannel, valueTask, channel.TypeArguments[0], channel.TypeArguments[1]);
    }

    /// <summary>
    /// Reads <c>SubProtocols</c> (tokens, none twice) and <c>MaxMessageBytes</c> (not negative; only for a channel) of
    /// <c>[WebSocket]</c>, reporting THTTP045 at the offending argument.
    /// </summary>
    private static bool TryReadWebSocketArguments(
        AttributeData attribute,
        bool isChannel,
        string memberName,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out EquatableArray<string> subProtocols,
        out int maxMessageBytes)
    {
        subProtocols = default;
        maxMessageBytes = 0;
        bool valid = true;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "SubProtocols" && argument.Value.Kind == TypedConstantKind.Array && !argument.Value.IsNull)
            {
                var protocols = new List<string>(argument.Value.Values.Length);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (TypedConstant item in argument.Value.Values)
                {
                    string? protocol = item.Value as string;
                    string? problem = protocol is null || protocol.Length == 0 || !HttpTokens.IsToken(protocol)
                        ? $"offers the subprotocol \"{Printable(protocol ?? "null")}\", which is not a token (RFC 6455 §4.1: letters, digits and !#$%&'*+-.^_`|~); fix it"
                        : !seen.Add(protocol)
                            ? $"offers the subprotocol \"{protocol}\" twice; offer each once"
                            : null;
                    if (problem is not null)
                    {
                        diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidWebSocketAttribute, NamedArgumentLocation(attribute, argument.Key, cancellationToken), Args(memberName, problem)));
                        valid = false;
                        break;
                    }
                    protocols.Add(protocol!);
                }
                subProtocols = EquatableArray.From(protocols);
            }
            else if (argument.Key == "MaxMessageBytes" && argument.Value.Value is int max)
            {
                string? problem = max < 0
                    ? $"sets MaxMessageBytes = {max}; give a positive number of bytes, or leave it out for TypedHttpClientOptions.MaxWebSocketMessageBytes"
                    : max > 0 && !isChannel
                        ? "sets MaxMessageBytes, which only a WebSocketChannel<TSend, TReceive> reads; remove it, or return a channel"
                        : null;
                if (problem is not null)
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InvalidWebSocketAttribute, NamedArgumentLocation(attribute, argument.Key, cancellationToken), Args(memberName, problem)));
                    valid = false;
                }
                maxMessageBytes = max;
            }
        }
        return valid;
    }

    /// <summary>Where the named argument <paramref name="name"/> of an attribute is written, else the attribute.</summary>
    private static LocationInfo? NamedArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } list })
        {
            foreach (AttributeArgumentSyntax argument in list.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                {
                    return LocationInfo.From(argument);
                }
            }
        }
        return AttributeLocation(attribute, cancellationToken);
    }
}
