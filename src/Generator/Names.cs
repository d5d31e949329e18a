using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace TypedHttp.Generator;

/// <summary>
/// Display names of symbols, formatted once per symbol instance. The parser compares names on every keystroke for
/// every attribute, parameter and base type; a compilation hands out the same symbol instance for a type each time
/// (TypedHttp.GetAttribute on 500 methods is one symbol), so this saves most of that formatting. The table holds no
/// symbol alive.
/// </summary>
internal static class Names
{
    private static readonly ConditionalWeakTable<ISymbol, string> s_display = new();

    /// <summary>The symbol's default display string (<see cref="ISymbol.ToDisplayString"/>), or null for no symbol.</summary>
    public static string? Of(ISymbol? symbol) =>
        symbol is null ? null : s_display.GetValue(symbol, static s => s.ToDisplayString());
}
