using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// 16-bit elementwise ops computed block by block (Note [Fused half elementwise]) give the values of widening the whole
/// tensor, running the float32 op and rounding once: bit for bit, at every length (block edges, threads) and layout.
/// </summary>
public class ElementwiseHalfTests
{
    // 1 and 7: one short block; 1023-1025: the block edge; 70,001: split over threads (above the elementwise threshold).
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (int n in (int[])[1, 7, 1023, 1024, 1025, 70_001])
            foreach (DType d in (DType[])[DType.BFloat16, DType.Float16])
                data.Add(n, (int)d);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unary_BlockByBlock_EqualsWholeTensorWidenedComputedAndRoundedOnce(int n, int dtypeCode)
    {
        var dtype = (DType)dtypeCode;
        Tensor x = Tensor.Randn([n], DType.Float32, new Generator((ulong)n)).To(dtype);
        foreach (Func<Tensor, Tensor> op in (Func<Tensor, Tensor>[])[t => t.Exp(), t => t.Tanh(), t => Functional.Gelu(t), t => t.Sqrt()])
        {
            Tensor got = op(x);
            Assert.Equal(dtype, got.DType);
            Assert.Equal(Bits(op(x.To(DType.Float32)).To(dtype)), Bits(got));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Binary_FullAndOneElementOperands_EqualWholeTensorWidenedComputedAndRoundedOnce(int n, int dtypeCode)
    {
        var dtype = (DType)dtypeCode;
        Tensor a = Tensor.Randn([n], DType.Float32, new Generator(1)).To(dtype);
        Tensor b = Tensor.Randn([n], DType.Float32, new Generator(2)).To(dtype);
        Tensor s = Tensor.Full([1], 0.3, dtype);
        foreach (var (x, y) in ((Tensor, Tensor)[])[(a, b), (a, s), (s, b)])
            foreach (Func<Tensor, Tensor, Tensor> op in (Func<Tensor, Tensor, Tensor>[])[(p, q) => p + q, (p, q) => p * q, (p, q) => p / q])
            {
                Tensor got = op(x, y);
                Assert.Equal(dtype, got.DType);
                Assert.Equal(Bits(op(x.To(DType.Float32), y.To(DType.Float32)).To(dtype)), Bits(got));
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeluBackward_16Bit_EqualsFloat32GradientRoundedOnce(int n, int dtypeCode)
    {
        var dtype = (DType)dtypeCode;
        Tensor x = Tensor.Randn([n], DType.Float32, new Generator(3)).To(dtype).Detach();
        x.RequiresGrad = true;
        Tensor g = Tensor.Randn([n], DType.Float32, new Generator(4)).To(dtype);
        Functional.Gelu(x).Backward(g);
        Tensor x32 = x.Detach().To(DType.Float32);
        x32.RequiresGrad = true;
        Functional.Gelu(x32).Backward(g.To(DType.Float32));
        Assert.Equal(dtype, x.Grad!.DType);
        Assert.Equal(Bits(x32.Grad!.To(dtype)), Bits(x.Grad));
    }

    [Theory]
    [InlineData((int)DType.BFloat16)]
    [InlineData((int)DType.Float16)]
    public void PieceGradients_16Bit_AddedIntoTheirBlock_EqualThePlainSum(int dtypeCode)
    {
        // Four pieces of a 16-bit tensor, all used: from the third piece on they add into their block of the sum
        // (Note [Piece gradients]); every element is one piece's gradient, so the result is exact either way.
        var dtype = (DType)dtypeCode;
        Tensor x = Tensor.Randn([8, 12], DType.Float32, new Generator(5)).To(dtype).Detach();
        x.RequiresGrad = true;
        Tensor[] pieces = x.Split(3, dim: 1);
        Tensor loss = pieces[0].Sum() * 1.0;
        for (int i = 1; i < pieces.Length; i++) loss = loss + (pieces[i] * (i + 1.0)).Sum();
        loss.Backward();
        double[] grad = x.Grad!.ToDoubleArray();
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 12; c++) Assert.Equal(c / 3 + 1.0, grad[r * 12 + c]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MixedAdd_Float32And16Bit_EqualsThePromotedSumWithGradientsInEachDtype(int n, int dtypeCode)
    {
        // Tensor.MixedAdd: one pass instead of a promoting cast, the same sum and the same gradients.
        var dtype = (DType)dtypeCode;
        Tensor w = Tensor.Randn([n], DType.Float32, new Generator(7)).Detach(), h = Tensor.Randn([n], DType.Float32, new Generator(8)).To(dtype).Detach();
        w.RequiresGrad = true;
        h.RequiresGrad = true;
        Tensor g = Tensor.Randn([n], DType.Float32, new Generator(9));
        foreach (bool halfFirst in (bool[])[false, true])
        {
            Tensor y = halfFirst ? h + w : w + h;
            Assert.Equal(DType.Float32, y.DType);
            Assert.Equal("AddBackward", y.GradFn!.Name);
            Assert.Equal((w.Detach() + h.Detach().To(DType.Float32)).ToArray<float>(), y.ToArray<float>());
            w.Grad = null;
            h.Grad = null;
            y.Backward(g);
            Assert.Equal(g.ToArray<float>(), w.Grad!.ToArray<float>());
            Assert.Equal(dtype, h.Grad!.DType);
            Assert.Equal(Bits(g.To(dtype)), Bits(h.Grad));
        }
    }

    [Fact]
    public void HalfAddMove_RunRepeatAndOne_RoundTheFloat32SumOnce()
    {
        BFloat16[] dst = [(BFloat16)1f, (BFloat16)2f, (BFloat16)3f];
        BFloat16[] src = [(BFloat16)0.00390625f, (BFloat16)0.5f, (BFloat16)(-3f)];
        HalfAddMove<BFloat16>.Run(src, dst);
        Assert.Equal([1f, 2.5f, 0f], dst.Select(v => (float)v)); // 1 + 2^-8 rounds to even: 1
        HalfAddMove<BFloat16>.Repeat((BFloat16)0.5f, dst);
        Assert.Equal([1.5f, 3f, 0.5f], dst.Select(v => (float)v));
        HalfAddMove<BFloat16>.One((BFloat16)1f, ref dst[0]);
        Assert.Equal(2.5f, (float)dst[0]);
    }

    [Fact]
    public void Binary_StrideOtherThanZeroOrOne_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            ElementwiseHalf.Binary<BFloat16, AddOp<float>>(new BFloat16[4], 0, 2, new BFloat16[4], 0, 1, new BFloat16[2], 0, 2));
        Assert.Contains("strides 2 and 1", ex.Message);
    }

    private static ushort[] Bits(Tensor t) =>
        t.DType == DType.BFloat16 ? t.ContiguousData().Span<BFloat16>().ToArray().Select(v => v.ToBits()).ToArray()
        : t.ContiguousData().Span<Half>().ToArray().Select(v => BitConverter.HalfToUInt16Bits(v)).ToArray();
}
