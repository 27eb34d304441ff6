using System.Globalization;
using System.Runtime.CompilerServices;

namespace Nabla;

// Note [BFloat16 rounding]
// bfloat16 is the upper 16 bits of an IEEE float32: the same sign and 8-bit exponent, 7 stored mantissa bits. Widening
// is therefore exact (a 16-bit shift). Narrowing rounds to nearest, ties to even, by adding 0x7FFF plus the lowest kept
// bit to the float's bits and truncating: the carry propagates into the exponent exactly when the value rounds up to the
// next binade, and finite values above the largest bfloat16 (3.3895e38) round to infinity, as IEEE requires. A NaN keeps
// its sign and upper payload bits and is made quiet (bit 6 of the result set), so no payload truncates to infinity.
// From a double, the value is first rounded to float32 with round-to-odd (the odd neighbour when inexact), which makes
// the second rounding exact: float32 keeps 16 more bits than bfloat16, more than the two a double rounding needs.
// Kernels/HalfConvert.cs vectorises the same arithmetic.

/// <summary>
/// A 16-bit brain floating-point number (bfloat16): float32's sign and 8-bit exponent with a 7-bit mantissa, so it spans
/// float32's range with about three significant decimal digits. <c>torch.bfloat16</c> in PyTorch.
/// </summary>
/// <remarks>
/// Conversion from <see cref="float"/> and <see cref="double"/> is explicit (it rounds to nearest, ties to even; NaN stays
/// a quiet NaN, overflow gives infinity), to <see cref="float"/> and <see cref="double"/> implicit (exact), as for
/// <see cref="Half"/>. Equality and ordering are those of the float32 value: <c>==</c> is IEEE (NaN equals nothing, -0 equals
/// +0), while <see cref="Equals(BFloat16)"/> and <see cref="CompareTo(BFloat16)"/> treat every NaN as equal and smallest, as
/// <see cref="float"/>'s do, so that sorting and dictionaries work.
/// </remarks>
public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>, IComparable, IFormattable
{
    private readonly ushort _bits;

    private BFloat16(ushort bits) => _bits = bits;

    /// <summary>The bfloat16 whose bit pattern is <paramref name="bits"/>.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>The bit pattern of this value (sign, 8 exponent bits, 7 mantissa bits).</summary>
    public ushort ToBits() => _bits;

    /// <summary>Positive zero.</summary>
    public static BFloat16 Zero => new(0);

    /// <summary>One.</summary>
    public static BFloat16 One => new(0x3F80);

    /// <summary>The largest finite value, about 3.3895e38.</summary>
    public static BFloat16 MaxValue => new(0x7F7F);

    /// <summary>The most negative finite value, about -3.3895e38.</summary>
    public static BFloat16 MinValue => new(0xFF7F);

    /// <summary>The smallest positive value (a subnormal, 2^-133).</summary>
    public static BFloat16 Epsilon => new(0x0001);

    /// <summary>Positive infinity.</summary>
    public static BFloat16 PositiveInfinity => new(0x7F80);

    /// <summary>Negative infinity.</summary>
    public static BFloat16 NegativeInfinity => new(0xFF80);

    /// <summary>A quiet NaN.</summary>
    public static BFloat16 NaN => new(0x7FC0);

    /// <summary>True when <paramref name="value"/> is a NaN.</summary>
    public static bool IsNaN(BFloat16 value) => (value._bits & 0x7FFF) > 0x7F80;

    /// <summary>True when <paramref name="value"/> is positive or negative infinity.</summary>
    public static bool IsInfinity(BFloat16 value) => (value._bits & 0x7FFF) == 0x7F80;

    /// <summary>True when <paramref name="value"/> is neither infinite nor NaN.</summary>
    public static bool IsFinite(BFloat16 value) => (value._bits & 0x7FFF) < 0x7F80;

    /// <summary>The bfloat16 nearest to <paramref name="value"/> (ties to even; see Note [BFloat16 rounding]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static explicit operator BFloat16(float value) => new(Round(BitConverter.SingleToUInt32Bits(value)));

    /// <summary>The bfloat16 nearest to <paramref name="value"/>, rounded once (ties to even; see Note [BFloat16 rounding]).</summary>
    public static explicit operator BFloat16(double value)
    {
        float f = (float)value;
        uint bits = BitConverter.SingleToUInt32Bits(f);
        // Round to odd: when float32 rounded, take the odd one of the two float32 neighbours of the value.
        if (!double.IsNaN(value) && (double)f != value && (bits & 1) == 0)
            bits = Math.Abs((double)f) > Math.Abs(value) ? bits - 1 : bits + 1;
        return new(Round(bits));
    }

    /// <summary>The value as a float32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value._bits << 16);

    /// <summary>The value as a float64 (exact).</summary>
    public static implicit operator double(BFloat16 value) => (float)value;

    /// <summary>The bfloat16 bits of float32 bits <paramref name="bits"/>, rounded to nearest even (Note [BFloat16 rounding]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort Round(uint bits)
    {
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((bits >> 16) | 0x0040);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>IEEE equality of the values: false when either is NaN, true for -0 and +0.</summary>
    public static bool operator ==(BFloat16 left, BFloat16 right) => (float)left == (float)right;

    /// <summary>IEEE inequality of the values: true when either is NaN.</summary>
    public static bool operator !=(BFloat16 left, BFloat16 right) => (float)left != (float)right;

    /// <summary>IEEE less-than of the values.</summary>
    public static bool operator <(BFloat16 left, BFloat16 right) => (float)left < (float)right;

    /// <summary>IEEE greater-than of the values.</summary>
    public static bool operator >(BFloat16 left, BFloat16 right) => (float)left > (float)right;

    /// <summary>IEEE less-than-or-equal of the values.</summary>
    public static bool operator <=(BFloat16 left, BFloat16 right) => (float)left <= (float)right;

    /// <summary>IEEE greater-than-or-equal of the values.</summary>
    public static bool operator >=(BFloat16 left, BFloat16 right) => (float)left >= (float)right;

    /// <summary>Equality as <see cref="float.Equals(float)"/>: every NaN equals every NaN, and -0 equals +0.</summary>
    public bool Equals(BFloat16 other) => ((float)this).Equals((float)other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => ((float)this).GetHashCode();

    /// <summary>Orders as <see cref="float.CompareTo(float)"/>: NaN first, then the values in increasing order.</summary>
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        BFloat16 other => CompareTo(other),
        _ => throw new ArgumentException($"BFloat16.CompareTo: expected a BFloat16, got {obj.GetType().Name}", nameof(obj)),
    };

    /// <summary>The shortest decimal text (invariant culture) that converts back to this value, as for <see cref="float"/>.</summary>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    /// <summary>
    /// The value formatted as the float32 it widens to with <paramref name="format"/>; a null or empty format gives the
    /// shortest text that converts back to this bfloat16 (<c>0.1</c> for the bfloat16 nearest 0.1, not its float32 digits).
    /// </summary>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        float value = this;
        if (!string.IsNullOrEmpty(format) || !float.IsFinite(value)) return value.ToString(format, formatProvider);
        for (int digits = 1; digits < 9; digits++)
        {
            string text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), formatProvider);
            if (((BFloat16)float.Parse(text, NumberStyles.Float, formatProvider))._bits == _bits) return text;
        }
        return value.ToString(formatProvider);
    }
}
