using System.Globalization;

namespace Nabla.Tests.Tensors;

/// <summary>
/// The bfloat16 struct (src/Nabla/BFloat16.cs): every bit pattern round-trips through float32, and rounding from float32
/// and float64 matches a reference that finds the two neighbouring bfloat16 values by search and picks the nearer in
/// exact double arithmetic, ties to even (Note [BFloat16 rounding]).
/// </summary>
public class BFloat16Tests
{
    private const ushort Infinity = 0x7F80;

    [Fact]
    public void Widen_EveryBitPattern_RoundTripsThroughFloat()
    {
        for (int b = 0; b <= ushort.MaxValue; b++)
        {
            BFloat16 h = BFloat16.FromBits((ushort)b);
            float f = h;
            Assert.Equal((uint)b << 16, BitConverter.SingleToUInt32Bits(f));
            ushort back = ((BFloat16)f).ToBits();
            if (BFloat16.IsNaN(h))
            {
                Assert.True(BFloat16.IsNaN(BFloat16.FromBits(back)), $"NaN {b:X4} came back as {back:X4}");
                Assert.Equal(b | 0x0040, back); // quiet, sign and payload kept
            }
            else
            {
                Assert.Equal(b, back);
                Assert.Equal(b, ((BFloat16)(double)f).ToBits());
            }
        }
    }

    [Fact]
    public void FromFloat_EveryBFloat16NeighbourhoodIncludingTies_MatchesReference()
    {
        ushort[] lows = [0x0000, 0x0001, 0x3FFF, 0x7FFF, 0x8000, 0x8001, 0xC000, 0xFFFF];
        for (uint m = 0; m < Infinity; m++)
        {
            foreach (uint sign in (uint[])[0, 0x8000_0000])
            {
                foreach (ushort low in lows)
                {
                    float f = BitConverter.UInt32BitsToSingle(sign | m << 16 | low);
                    ushort expected = Reference(f);
                    ushort actual = ((BFloat16)f).ToBits();
                    if (actual != expected) Assert.Fail($"{f:R} (bits {BitConverter.SingleToUInt32Bits(f):X8}): expected {expected:X4}, got {actual:X4}");
                }
            }
        }
    }

    [Fact]
    public void FromDouble_JustAboveAndBelowTies_RoundsOnceLikeTheReference()
    {
        var rng = new Random(17);
        for (int i = 0; i < 200_000; i++)
        {
            ushort a = (ushort)rng.Next(0, Infinity - 1);
            double lo = BFloat16.FromBits(a), hi = BFloat16.FromBits((ushort)(a + 1));
            double mid = (lo + hi) / 2;
            // Offsets far below float32's half ulp: a rounding to float32 first would land on the tie and round to even.
            double offset = (hi - lo) * Math.ScaleB(1, -rng.Next(20, 45));
            foreach (double d in (double[])[mid, mid + offset, mid - offset, -(mid + offset), rng.NextDouble() * 1e3 - 500])
            {
                ushort expected = Reference(d), actual = ((BFloat16)d).ToBits();
                if (actual != expected) Assert.Fail($"{d:R}: expected {expected:X4}, got {actual:X4}");
            }
        }
        Assert.Equal(0x3F81, ((BFloat16)(1 + 1.0 / 256 + Math.ScaleB(1, -30))).ToBits()); // float32 alone would give 0x3F80
    }

    [Fact]
    public void FromFloat_SpecialValues_KeepTheirMeaning()
    {
        Assert.Equal(Infinity, ((BFloat16)float.PositiveInfinity).ToBits());
        Assert.Equal(0xFF80, ((BFloat16)float.NegativeInfinity).ToBits());
        Assert.Equal(Infinity, ((BFloat16)float.MaxValue).ToBits());
        Assert.Equal(Infinity, ((BFloat16)1e300).ToBits());
        Assert.Equal(0x7F7F, ((BFloat16)3.39e38f).ToBits());
        Assert.Equal(0x8000, ((BFloat16)(-0f)).ToBits());
        Assert.Equal(0x8000, ((BFloat16)(-1e-300)).ToBits());
        Assert.True(BFloat16.IsNaN((BFloat16)float.NaN));
        Assert.True(BFloat16.IsNaN((BFloat16)double.NaN));
        // A signalling NaN whose payload lies only in the dropped bits must not become infinity.
        Assert.True(BFloat16.IsNaN((BFloat16)BitConverter.UInt32BitsToSingle(0x7F80_0001)));
        Assert.True(BFloat16.IsInfinity(BFloat16.NegativeInfinity) && !BFloat16.IsFinite(BFloat16.NaN) && BFloat16.IsFinite(BFloat16.MaxValue));
        Assert.Equal(3.3895313892515355e38, (double)BFloat16.MaxValue);
        Assert.Equal(Math.ScaleB(1, -133), (double)BFloat16.Epsilon);
    }

    [Fact]
    public void EqualityAndOrder_FollowFloat()
    {
        Assert.True(BFloat16.Zero == BFloat16.FromBits(0x8000));
        Assert.False(BFloat16.NaN == BFloat16.NaN);
        Assert.True(BFloat16.NaN != BFloat16.NaN);
        Assert.True(BFloat16.NaN.Equals(BFloat16.FromBits(0xFFC1)));
        Assert.True(BFloat16.One > BFloat16.Zero && BFloat16.One >= BFloat16.One && BFloat16.NegativeInfinity < BFloat16.MinValue);
        BFloat16[] sorted = [BFloat16.One, BFloat16.NaN, BFloat16.NegativeInfinity, (BFloat16)0.5f];
        Array.Sort(sorted);
        Assert.Equal([BFloat16.NaN, BFloat16.NegativeInfinity, (BFloat16)0.5f, BFloat16.One], sorted);
        Assert.Equal(BFloat16.One.GetHashCode(), ((BFloat16)1.0).GetHashCode());
        Assert.Throws<ArgumentException>(() => BFloat16.One.CompareTo((object)1f));
        Assert.Equal(1, BFloat16.One.CompareTo(null));
    }

    [Fact]
    public void ToString_ShortestTextThatRoundTrips()
    {
        Assert.Equal("0.1", ((BFloat16)0.1f).ToString());
        Assert.Equal("-2.5", ((BFloat16)(-2.5f)).ToString());
        Assert.Equal("3.39E+38", BFloat16.MaxValue.ToString());
        Assert.Equal("NaN", BFloat16.NaN.ToString());
        Assert.Equal("-Infinity", BFloat16.NegativeInfinity.ToString());
        Assert.Equal("0.100097656", ((BFloat16)0.1f).ToString("R", CultureInfo.InvariantCulture));
        for (int b = 0; b < Infinity; b += 7)
        {
            BFloat16 h = BFloat16.FromBits((ushort)b);
            Assert.Equal(h.ToBits(), ((BFloat16)float.Parse(h.ToString(), CultureInfo.InvariantCulture)).ToBits());
        }
    }

    /// <summary>
    /// Round to nearest, ties to even, found independently of the implementation: a binary search for the largest finite
    /// bfloat16 magnitude at most |x|, then the nearer of it and the next (2^128 stands for infinity), in exact arithmetic.
    /// </summary>
    private static ushort Reference(double x)
    {
        ushort sign = (ushort)(double.IsNegative(x) ? 0x8000 : 0);
        double a = Math.Abs(x);
        int lo = 0, hi = Infinity - 1; // magnitudes 0 .. 0x7F7F are finite and increase with their bits
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if ((double)BFloat16.FromBits((ushort)mid) <= a) lo = mid;
            else hi = mid - 1;
        }
        double below = BFloat16.FromBits((ushort)lo);
        double above = lo + 1 == Infinity ? Math.ScaleB(1, 128) : BFloat16.FromBits((ushort)(lo + 1));
        double dBelow = a - below, dAbove = above - a;
        int chosen = dBelow < dAbove ? lo : dAbove < dBelow ? lo + 1 : (lo % 2 == 0 ? lo : lo + 1);
        return (ushort)(sign | chosen);
    }
}
