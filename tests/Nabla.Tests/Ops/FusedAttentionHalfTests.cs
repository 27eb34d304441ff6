using Nabla.Diagnostics;

namespace Nabla.Tests.Ops;

/// <summary>
/// The fused causal attention kernel on bfloat16 and float16 operands (Note [Half fused attention]): the output equals
/// the float32 kernel's on the widened operands rounded once, bit for bit; the gradients equal the float32 kernel's
/// rounded once, dv bit for bit and dq, dk within what reading the rounded output in the row term D_i changes; the graph
/// keeps the 16-bit operands and output, not float32 copies.
/// </summary>
public class FusedAttentionHalfTests
{
    public static TheoryData<DType, int, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<DType, int, int, int, int, int, int>();
        foreach (DType dtype in new[] { DType.BFloat16, DType.Float16 })
        {
            data.Add(dtype, 1, 1, 1, 1, 1, 1);
            data.Add(dtype, 2, 3, 5, 5, 4, 3);
            data.Add(dtype, 2, 2, 3, 7, 4, 2);     // L < S
            data.Add(dtype, 1, 2, 7, 3, 4, 5);     // L > S
            data.Add(dtype, 2, 1, 130, 130, 8, 6); // two full blocks and a partial one
            data.Add(dtype, 1, 1, 150, 70, 3, 4);  // blocks past the last key
        }
        return data;
    }

    private static Tensor Leaf(DType dtype, ulong seed, params int[] shape)
    {
        Tensor t = Tensor.Randn(shape, DType.Float32, new Generator(seed)).To(dtype);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Float32 leaves holding exactly the values of <paramref name="half"/>.</summary>
    private static Tensor[] Widened(Tensor[] half) => [.. half.Select(t =>
    {
        Tensor w = t.Detach().To(DType.Float32);
        w.RequiresGrad = true;
        return w;
    })];

    private static void AssertFusedHalfMatchesFloat32(Func<Tensor[], Tensor> attention, Tensor[] half, ulong upstreamSeed)
    {
        DType dtype = half[0].DType;
        Tensor[] wide = Widened(half);
        Tensor y = attention(half), y32 = attention(wide);
        Assert.Equal("ScaledDotProductFlashAttentionBackward", y.GradFn!.Name);
        Assert.Equal(dtype, y.DType);
        Assert.Equal(y32.To(dtype).ToDoubleArray(), y.ToDoubleArray());

        Tensor upstream = Tensor.Randn(y.Shape.ToArray(), DType.Float32, new Generator(upstreamSeed)).To(dtype);
        Tensor?[] g = Autograd.Grad([y], half, [upstream]);
        Tensor?[] g32 = Autograd.Grad([y32], wide, [upstream.To(DType.Float32)]);
        for (int i = 0; i < half.Length; i++)
        {
            Assert.Equal(dtype, g[i]!.DType);
            Assert.Equal(half[i].Shape, g[i]!.Shape);
        }
        // dv = Pᵀ·dO does not read the output: the float32 kernel's value, rounded once.
        Assert.Equal(g32[2]!.To(dtype).ToDoubleArray(), g[2]!.ToDoubleArray());
        // dq and dk read D_i = dO_i·O_i with O rounded to 16 bits: one rounding of O (unit roundoff u) moves D_i by at
        // most u·Σ|dO_i||O_i|, and dS = P∘(dP - D)·scale passes that on with weights P; two units of the 16-bit last
        // place of the largest gradient cover it with the final rounding on these inputs.
        double ulp = dtype == DType.BFloat16 ? Math.Pow(2, -7) : Math.Pow(2, -10);
        for (int i = 0; i < 2; i++)
        {
            double[] want = g32[i]!.ToDoubleArray(), got = g[i]!.ToDoubleArray();
            double scale = want.Select(Math.Abs).Max();
            for (int j = 0; j < want.Length; j++)
                Assert.True(Math.Abs(got[j] - want[j]) <= 2 * ulp * scale,
                    $"gradient {i}[{j}]: {got[j]:R}, float32 kernel {want[j]:R} (largest {scale:R}, {dtype.Name()})");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sdpa_CausalFusedHalf_MatchesFloat32KernelRoundedOnce(DType dtype, int b, int h, int l, int s, int e, int ev)
        => AssertFusedHalfMatchesFloat32(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true),
            [Leaf(dtype, 1, b, h, l, e), Leaf(dtype, 2, b, h, s, e), Leaf(dtype, 3, b, h, s, ev)], 4);

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Sdpa_CausalFusedHalfBroadcastAndTransposedKey_MatchesFloat32Kernel(DType dtype)
    {
        // A key stored transposed (copied before the kernel reads it) and a value broadcast over the batch.
        AssertFusedHalfMatchesFloat32(x => Functional.ScaledDotProductAttention(x[0], x[1].MT, x[2], isCausal: true, scale: 0.4),
            [Leaf(dtype, 5, 2, 3, 9, 4), Leaf(dtype, 6, 1, 3, 4, 9), Leaf(dtype, 7, 9, 2)], 8);
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Sdpa_CausalFusedHalfHeadSplit_KeepsSixteenBitOperandsOnly(DType dtype)
    {
        // GPT's layout: q, k, v are head-split views [B, H, T, D] of one [B, T, 3, H, D] projection. The graph keeps that
        // array, the 16-bit output and a float32 log-sum-exp per row; float32 copies would be 4·(3 + 1)·B·T·H·D bytes.
        const int batch = 2, t = 70, heads = 2, d = 8;
        Tensor qkv = Leaf(dtype, 9, batch, t, 3, heads, d);
        Tensor Head(Tensor x, int i) => x.Select(2, i).Transpose(1, 2);
        Tensor y = Functional.ScaledDotProductAttention(Head(qkv, 0), Head(qkv, 1), Head(qkv, 2), isCausal: true);
        long elements = (long)batch * t * heads * d, rows = (long)batch * heads * t;
        Assert.Equal(2 * 3 * elements + 2 * elements + 4 * rows, GraphMemory.SavedBytes(y));

        Tensor wide = qkv.Detach().To(DType.Float32);
        wide.RequiresGrad = true;
        Tensor y32 = Functional.ScaledDotProductAttention(Head(wide, 0), Head(wide, 1), Head(wide, 2), isCausal: true);
        Assert.Equal(y32.To(dtype).ToDoubleArray(), y.ToDoubleArray());
        Tensor upstream = Tensor.Randn(y.Shape.ToArray(), DType.Float32, new Generator(10)).To(dtype);
        Tensor g = Autograd.Grad([y], [qkv], [upstream])[0]!, g32 = Autograd.Grad([y32], [wide], [upstream.To(DType.Float32)])[0]!;
        Assert.Equal(dtype, g.DType);
        // The value slice (index 2 of dim 2) does not read the output: bit for bit.
        Assert.Equal(g32.Select(2, 2).To(dtype).ToDoubleArray(), g.Select(2, 2).ToDoubleArray());
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Sdpa_CausalFusedHalf_CreateGraphMatchesFirstOrderAndHasSecondOrder(DType dtype)
    {
        Tensor[] x = [Leaf(dtype, 11, 1, 2, 5, 4), Leaf(dtype, 12, 1, 2, 5, 4), Leaf(dtype, 13, 1, 2, 5, 3)];
        Tensor y = Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true);
        Tensor upstream = Tensor.Randn(y.Shape.ToArray(), DType.Float32, new Generator(14)).To(dtype);
        Tensor?[] plain = Autograd.Grad([y], x, [upstream], retainGraph: true);
        Tensor?[] graphed = Autograd.Grad([y], x, [upstream], createGraph: true);
        double ulp = dtype == DType.BFloat16 ? Math.Pow(2, -7) : Math.Pow(2, -10);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(dtype, graphed[i]!.DType);
            Assert.True(graphed[i]!.RequiresGrad, $"gradient {i} under createGraph has no graph");
            double[] want = plain[i]!.ToDoubleArray(), got = graphed[i]!.ToDoubleArray();
            double scale = want.Select(Math.Abs).Max();
            for (int j = 0; j < want.Length; j++)
                Assert.True(Math.Abs(got[j] - want[j]) <= 2 * ulp * scale, $"gradient {i}[{j}]: createGraph {got[j]:R}, first order {want[j]:R}");
        }
        // The second derivative reaches every input in its dtype.
        Tensor dq = graphed[0]!.To(DType.Float32);
        Tensor?[] second = Autograd.Grad([(dq * dq).Sum()], x, allowUnused: true);
        Assert.All(second, s => Assert.Equal(dtype, s!.DType));
        Assert.All(second, s => Assert.All(s!.ToDoubleArray(), v => Assert.True(double.IsFinite(v))));
    }
}
