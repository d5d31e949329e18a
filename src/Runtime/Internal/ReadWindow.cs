using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>
/// The bytes of a body not parsed yet, for the readers that yield items as they arrive (<see cref="JsonArrayItems"/>,
/// <see cref="JsonLines"/>): one pooled buffer, grown only for an item longer than itself. A body held by a memory
/// stream is used in place, whole, with nothing rented.
/// </summary>
internal sealed class ReadWindow : IDisposable
{
    private const int InitialSize = 16 * 1024;

    private readonly Stream _body;
    private readonly bool _rented;
    private byte[] _buffer;

    public ReadWindow(Stream body)
    {
        _body = body;
        if (body is MemoryStream memory && memory.TryGetBuffer(out ArraySegment<byte> segment))
        {
            _buffer = segment.Array!;
            Start = segment.Offset + (int)memory.Position;
            End = segment.Offset + Math.Max((int)memory.Position, (int)memory.Length);
            memory.Position = memory.Length;
            Final = true;
        }
        else
        {
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
            _rented = true;
        }
    }

    /// <summary>Where the bytes not parsed yet begin in <see cref="Buffer"/>.</summary>
    public int Start { get; private set; }

    /// <summary>Where the bytes read so far end in <see cref="Buffer"/>.</summary>
    public int End { get; private set; }

    /// <summary>Whether the body has ended: what is pending is all there is.</summary>
    public bool Final { get; private set; }

    /// <summary>The bytes read and not parsed yet.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(Start, End - Start);

    /// <summary>The buffer itself, for slices relative to <see cref="Start"/>.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Marks <paramref name="count"/> pending bytes as parsed.</summary>
    public void Consume(int count) => Start += count;

    /// <summary>
    /// Moves the pending bytes to the front, doubles the buffer when they fill it, and reads once more from the body;
    /// <see cref="Final"/> is set when the body has ended.
    /// </summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (Start > 0)
        {
            System.Buffer.BlockCopy(_buffer, Start, _buffer, 0, End - Start);
            End -= Start;
            Start = 0;
        }
        if (End == _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            System.Buffer.BlockCopy(_buffer, 0, bigger, 0, End);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        int read = await _body.ReadAsync(_buffer.AsMemory(End), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            Final = true;
        }
        End += read;
    }

    public void Dispose()
    {
        if (_rented)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
