using System;
using System.Buffers;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp.Internal;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Clear() => _written = 0;

    /// <summary>
    /// Appends what <paramref name="source"/> yields until it ends, growing the buffer while it holds less than
    /// <paramref name="limit"/> bytes. Returns true when the source ended, false when the buffer is full at the limit
    /// (the rest is still to be read). A source that fails (a body cut short) throws its own exception.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadToEndAsync(Stream source, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_written == _buffer.Length)
            {
                if (_written >= limit)
                {
                    return false;
                }
                Ensure(Math.Max(_buffer.Length, 4096));
            }
            int read = await source.ReadAsync(_buffer.AsMemory(_written), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return true;
            }
            _written += read;
        }
    }

    /// <summary>The written bytes as a new array, exactly as long.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }
        int newSize = Math.Max(_buffer.Length * 2, _written + sizeHint);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        byte[] b = _buffer;
        _buffer = Array.Empty<byte>();
        _written = 0;
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
