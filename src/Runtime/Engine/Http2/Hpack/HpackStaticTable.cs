using System;
using System.Text;

namespace TypedHttp.Http2.Hpack;

/// <summary>The static table of RFC 7541 Appendix A: indices 1 to 61, shared by every connection.</summary>
internal static class HpackStaticTable
{
    /// <summary>The number of entries (the dynamic table starts at index <c>Count + 1</c>, RFC 7541 §2.3.3).</summary>
    public const int Count = 61;

    private static readonly (string Name, string Value)[] s_text =
    [
        (":authority", ""),
        (":method", "GET"),
        (":method", "POST"),
        (":path", "/"),
        (":path", "/index.html"),
        (":scheme", "http"),
        (":scheme", "https"),
        (":status", "200"),
        (":status", "204"),
        (":status", "206"),
        (":status", "304"),
        (":status", "400"),
        (":status", "404"),
        (":status", "500"),
        ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"),
        ("accept-language", ""),
        ("accept-ranges", ""),
        ("accept", ""),
        ("access-control-allow-origin", ""),
        ("age", ""),
        ("allow", ""),
        ("authorization", ""),
        ("cache-control", ""),
        ("content-disposition", ""),
        ("content-encoding", ""),
        ("content-language", ""),
        ("content-length", ""),
        ("content-location", ""),
        ("content-range", ""),
        ("content-type", ""),
        ("cookie", ""),
        ("date", ""),
        ("etag", ""),
        ("expect", ""),
        ("expires", ""),
        ("from", ""),
        ("host", ""),
        ("if-match", ""),
        ("if-modified-since", ""),
        ("if-none-match", ""),
        ("if-range", ""),
        ("if-unmodified-since", ""),
        ("last-modified", ""),
        ("link", ""),
        ("location", ""),
        ("max-forwards", ""),
        ("proxy-authenticate", ""),
        ("proxy-authorization", ""),
        ("range", ""),
        ("referer", ""),
        ("refresh", ""),
        ("retry-after", ""),
        ("server", ""),
        ("set-cookie", ""),
        ("strict-transport-security", ""),
        ("transfer-encoding", ""),
        ("user-agent", ""),
        ("vary", ""),
        ("via", ""),
        ("www-authenticate", ""),
    ];

    private static readonly byte[][] s_names = Encode(names: true);
    private static readonly byte[][] s_values = Encode(names: false);

    /// <summary>The name of entry <paramref name="index"/> (1-based).</summary>
    /// <param name="index">1 to <see cref="Count"/>.</param>
    public static ReadOnlySpan<byte> Name(int index) => s_names[index - 1];

    /// <summary>The value of entry <paramref name="index"/> (1-based); empty for name-only entries.</summary>
    /// <param name="index">1 to <see cref="Count"/>.</param>
    public static ReadOnlySpan<byte> Value(int index) => s_values[index - 1];

    /// <summary>
    /// Looks a field up: returns the index of an entry with the same name and value (<paramref name="fullMatch"/>
    /// true), else of the first entry with the same name, else 0.
    /// </summary>
    /// <param name="name">The lower-case field name.</param>
    /// <param name="value">The field value.</param>
    /// <param name="fullMatch">True when the entry's value matches too.</param>
    public static int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out bool fullMatch)
    {
        int nameIndex = 0;
        for (int i = 0; i < s_names.Length; i++)
        {
            if (name.SequenceEqual(s_names[i]))
            {
                if (nameIndex == 0)
                {
                    nameIndex = i + 1;
                }
                if (value.SequenceEqual(s_values[i]))
                {
                    fullMatch = true;
                    return i + 1;
                }
            }
            else if (nameIndex != 0)
            {
                break; // entries with one name are adjacent
            }
        }
        fullMatch = false;
        return nameIndex;
    }

    private static byte[][] Encode(bool names)
    {
        byte[][] result = new byte[s_text.Length][];
        for (int i = 0; i < s_text.Length; i++)
        {
            result[i] = Encoding.ASCII.GetBytes(names ? s_text[i].Name : s_text[i].Value);
        }
        return result;
    }
}
