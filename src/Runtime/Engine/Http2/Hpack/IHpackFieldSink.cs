using System;

namespace TypedHttp.Http2.Hpack;

/// <summary>Receives the fields <see cref="HpackDecoder"/> decodes, in block order.</summary>
internal interface IHpackFieldSink
{
    /// <summary>One decoded field. The spans are valid only during the call.</summary>
    /// <param name="name">The field name octets.</param>
    /// <param name="value">The field value octets.</param>
    void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
