using System;

namespace TypedHttp;

/// <summary>
/// Limits that keep a decompressed response body from exhausting memory or time, a guard against "zip bombs" (T-7).
/// Exceeding one fails the body read with <see cref="HttpError.DecompressionLimitExceeded"/> in
/// <see cref="HttpPhase.ReceiveBody"/>. Used by <see cref="HttpSessionOptions.DecompressionLimits"/> when
/// <see cref="HttpSessionOptions.AutomaticDecompression"/> is on.
/// </summary>
public readonly struct DecompressionLimits : IEquatable<DecompressionLimits>
{
    /// <summary>The default cap on decoded bytes per body: 64 MiB.</summary>
    public const long DefaultMaxDecodedBytes = 64L * 1024 * 1024;

    /// <summary>The default cap on decoded bytes per encoded byte: 200 (JSON and text compress 5–20 times; runs of zeros over 1000).</summary>
    public const int DefaultMaxRatio = 200;

    /// <summary>The ratio is checked only once this many bytes (1 MiB) were decoded, so small, very compressible bodies pass.</summary>
    public const long RatioGraceBytes = 1024 * 1024;

    /// <summary>Creates limits.</summary>
    /// <param name="maxDecodedBytes">The most decoded bytes a body may have (at least 1); <see cref="long.MaxValue"/> for no limit.</param>
    /// <param name="maxRatio">The most decoded bytes per encoded byte once <see cref="RatioGraceBytes"/> were decoded; 0 for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDecodedBytes"/> is below 1 or <paramref name="maxRatio"/> is negative.</exception>
    public DecompressionLimits(long maxDecodedBytes, int maxRatio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDecodedBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRatio);
        MaxDecodedBytes = maxDecodedBytes;
        MaxRatio = maxRatio;
    }

    /// <summary>The defaults: 64 MiB and 200:1.</summary>
    public static DecompressionLimits Default => new(DefaultMaxDecodedBytes, DefaultMaxRatio);

    /// <summary>The most decoded bytes per body (0 only in the unusable <c>default</c> value, which options refuse).</summary>
    public long MaxDecodedBytes { get; }

    /// <summary>The most decoded bytes per encoded byte (0: unchecked).</summary>
    public int MaxRatio { get; }

    /// <summary>Whether both limits are equal.</summary>
    /// <param name="other">The other limits.</param>
    public bool Equals(DecompressionLimits other) => MaxDecodedBytes == other.MaxDecodedBytes && MaxRatio == other.MaxRatio;

    /// <summary>Whether <paramref name="obj"/> is equal limits.</summary>
    /// <param name="obj">The other object.</param>
    public override bool Equals(object? obj) => obj is DecompressionLimits other && Equals(other);

    /// <summary>A hash of both limits.</summary>
    public override int GetHashCode() => HashCode.Combine(MaxDecodedBytes, MaxRatio);

    /// <summary>Whether two limits are equal.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(DecompressionLimits left, DecompressionLimits right) => left.Equals(right);

    /// <summary>Whether two limits differ.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(DecompressionLimits left, DecompressionLimits right) => !left.Equals(right);

    /// <summary>The limits for a person.</summary>
    public override string ToString() => $"at most {MaxDecodedBytes} decoded bytes, ratio {(MaxRatio == 0 ? "unchecked" : MaxRatio + ":1")}";
}
