namespace TypedHttp.Http2.Hpack;

/// <summary>How a literal field is represented (RFC 7541 §6.2).</summary>
internal enum HpackIndexing
{
    /// <summary>Literal with incremental indexing (§6.2.1): both ends add the field to the dynamic table.</summary>
    Incremental,

    /// <summary>Literal without indexing (§6.2.2): the dynamic table is left alone.</summary>
    WithoutIndexing,

    /// <summary>
    /// Literal never indexed (§6.2.3): as <see cref="WithoutIndexing"/>, and intermediaries must keep it literal.
    /// For sensitive values (credentials, cookies), which compression must not expose (§7.1).
    /// </summary>
    NeverIndexed,
}
