using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>The bulk 16-bit conversions (src/Nabla/Kernels/HalfConvert.cs) equal the scalar conversions bit for bit, at every length.</summary>
public class HalfConvertTests
{
    public static TheoryData<int> Lengths => [0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void NarrowBFloat16_AnyLength_EqualsScalarRounding(int n)
    {
        float[] src = Values(n, 3);
        var dst = new BFloat16[n + 1];
        dst[n] = BFloat16.FromBits(0x1234); // past the end: untouched
        HalfConvert.Narrow(src, dst.AsSpan(0, n));
        for (int i = 0; i < n; i++) Assert.Equal(((BFloat16)src[i]).ToBits(), dst[i].ToBits());
        Assert.Equal(0x1234, dst[n].ToBits());
    }

    [Fact]
    public void NarrowBFloat16_TiesNaNsAndOverflowOfEveryExponent_EqualScalarRounding()
    {
        var src = new List<float>();
        for (uint m = 0; m < 0x10000; m += 3)
            foreach (uint low in (uint[])[0x0000, 0x7FFF, 0x8000, 0x8001, 0xFFFF])
                src.Add(BitConverter.UInt32BitsToSingle(m << 16 | low));
        var dst = new BFloat16[src.Count];
        HalfConvert.Narrow(src.ToArray(), dst);
        for (int i = 0; i < src.Count; i++)
            if (((BFloat16)src[i]).ToBits() != dst[i].ToBits())
                Assert.Fail($"bits {BitConverter.SingleToUInt32Bits(src[i]):X8}: scalar {((BFloat16)src[i]).ToBits():X4}, vector {dst[i].ToBits():X4}");
    }

    [Fact]
    public void WidenBFloat16_EveryBitPattern_IsTheShift()
    {
        var src = new BFloat16[0x10000];
        for (int b = 0; b < src.Length; b++) src[b] = BFloat16.FromBits((ushort)b);
        var dst = new float[src.Length];
        HalfConvert.Widen(src, dst);
        for (int b = 0; b < src.Length; b++) Assert.Equal((uint)b << 16, BitConverter.SingleToUInt32Bits(dst[b]));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Float16_AnyLength_EqualsScalarConversions(int n)
    {
        float[] src = Values(n, 5);
        var half = new Half[n];
        HalfConvert.Narrow(src, half);
        var back = new float[n];
        HalfConvert.Widen(half, back);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)src[i]), BitConverter.HalfToUInt16Bits(half[i]));
            Assert.Equal((float)half[i], back[i]);
        }
    }

    [Fact]
    public void Narrow_ShortDestination_Throws() =>
        Assert.Throws<ArgumentException>(() => HalfConvert.Narrow(new float[4], new BFloat16[3]));

    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -0f, 1e-40f, 65520f, 1 + 1f / 256];
        for (int i = 0; i < n; i++) v[i] = i % 5 == 4 ? specials[i / 5 % specials.Length] : (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 8)));
        return v;
    }
}
