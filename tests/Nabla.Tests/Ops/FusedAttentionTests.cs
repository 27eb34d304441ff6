using Nabla.Runtime;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>
/// The fused causal kernel of scaled dot-product attention (Ops/FusedAttention.cs): the same values and gradients as the
/// unfused composite (reached with an explicit top-left tril bool mask), over block boundaries, L != S, broadcast and
/// strided operands; finite differences; second derivatives; its node and what it keeps in memory.
/// </summary>
public class FusedAttentionTests
{
    private static Tensor Tril(int l, int s)
    {
        var keep = new bool[l * s];
        for (int i = 0; i < l; i++)
            for (int j = 0; j <= Math.Min(i, s - 1); j++) keep[i * s + j] = true;
        return Tensor.From(keep, [l, s]);
    }

    private static void AssertFusedMatchesComposite(Tensor q, Tensor k, Tensor v, double? scale = null)
    {
        int l = q.Size(-2), s = k.Size(-2);
        Tensor fused = Functional.ScaledDotProductAttention(q, k, v, isCausal: true, scale: scale);
        Tensor composite = Functional.ScaledDotProductAttention(q, k, v, Tril(l, s), scale: scale);
        Assert.Equal("ScaledDotProductFlashAttentionBackward", fused.GradFn!.Name);
        Assert.Equal("ScaledDotProductAttentionBackward", composite.GradFn!.Name);
        Assert.Equal(composite.Shape.ToArray(), fused.Shape.ToArray());
        AssertAll(composite.ToDoubleArray(), fused, rtol: 1e-12, atol: 1e-13);
        Tensor upstream = Randn(99, fused.Shape.ToArray());
        Tensor[] leaves = [q, k, v];
        Tensor?[] gf = Autograd.Grad([fused], leaves, [upstream]), gc = Autograd.Grad([composite], leaves, [upstream]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(leaves[i].Shape.ToArray(), gf[i]!.Shape.ToArray());
            AssertAll(gc[i]!.ToDoubleArray(), gf[i]!, rtol: 1e-11, atol: 1e-12);
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1)]
    [InlineData(2, 3, 5, 5, 4, 3)]
    [InlineData(2, 2, 3, 7, 4, 2)]      // L < S: the last keys are never seen
    [InlineData(1, 2, 7, 3, 4, 5)]      // L > S: late rows see every key
    [InlineData(1, 2, 64, 64, 8, 8)]    // exactly one block
    [InlineData(2, 1, 130, 130, 5, 3)]  // two full blocks and a partial one
    [InlineData(1, 1, 150, 70, 3, 4)]   // blocks past the last key
    [InlineData(1, 1, 70, 150, 3, 4)]
    public void Sdpa_CausalFused_MatchesComposite(int b, int h, int l, int s, int e, int ev)
        => AssertFusedMatchesComposite(Param(1, b, h, l, e), Param(2, b, h, s, e), Param(3, b, h, s, ev));

    [Fact]
    public void Sdpa_CausalFusedUnbatched_MatchesComposite()
        => AssertFusedMatchesComposite(Param(4, 6, 3), Param(5, 6, 3), Param(6, 6, 2), scale: 0.3);

    [Fact]
    public void Sdpa_CausalFusedBroadcastKeyValue_MatchesCompositeAndSumsGradients()
        => AssertFusedMatchesComposite(Param(7, 2, 3, 5, 4), Param(8, 1, 3, 5, 4), Param(9, 5, 2));

    [Fact]
    public void Sdpa_CausalFusedHeadSplitViews_MatchesComposite()
    {
        // GPT's layout: [B, T, 3, H, D] sliced and transposed to [B, H, T, D] (rows unit-stride, row stride 3·H·D).
        Tensor qkv = Param(10, 2, 9, 3, 2, 4);
        Tensor Head(int i) => qkv.Select(2, i).Transpose(1, 2);
        Tensor fused = Functional.ScaledDotProductAttention(Head(0), Head(1), Head(2), isCausal: true);
        Tensor composite = Functional.ScaledDotProductAttention(Head(0), Head(1), Head(2), Tril(9, 9));
        AssertAll(composite.ToDoubleArray(), fused, rtol: 1e-12, atol: 1e-13);
        Tensor upstream = Randn(11, 2, 2, 9, 4);
        AssertAll(Autograd.Grad([composite], [qkv], [upstream])[0]!.ToDoubleArray(), Autograd.Grad([fused], [qkv], [upstream])[0]!, rtol: 1e-11, atol: 1e-12);
    }

    [Theory]
    [InlineData((int)DType.Float32), InlineData((int)DType.Float64), InlineData((int)DType.BFloat16), InlineData((int)DType.Float16)]
    public void Sdpa_CausalFusedHeadSplitViews_OutputAndGradientsLaidOutLikeTheInputs(int dtypeCode)
    {
        // Note [Attention outputs laid out like their inputs]: merging the heads and taking dQ back are views, and the
        // values are those of contiguous inputs bit for bit.
        var dtype = (DType)dtypeCode;
        Tensor qkv = Randn(15, 2, 9, 3 * 8).To(dtype).Detach();
        qkv.RequiresGrad = true;
        Tensor[] parts = qkv.Split(8, dim: 2);
        Tensor[] heads = [.. parts.Select(p => p.Reshape(2, 9, 2, 4).Transpose(1, 2))];
        Tensor y = Functional.ScaledDotProductAttention(heads[0], heads[1], heads[2], isCausal: true);
        Assert.True(y.Transpose(1, 2).IsContiguous);
        Tensor[] plain = [.. heads.Select(h => h.Detach().Contiguous())];
        foreach (Tensor t in plain) t.RequiresGrad = true;
        Tensor yPlain = Functional.ScaledDotProductAttention(plain[0], plain[1], plain[2], isCausal: true);
        Assert.Equal(yPlain.ToDoubleArray(), y.ToDoubleArray());
        Tensor upstream = Randn(16, 2, 2, 9, 4).To(dtype);
        Tensor[] grads = [.. Autograd.Grad([y], [heads[0], heads[1], heads[2]], [upstream]).Select(g => g!)];
        Tensor[] gradsPlain = [.. Autograd.Grad([yPlain], plain, [upstream]).Select(g => g!)];
        for (int i = 0; i < 3; i++)
        {
            Assert.True(grads[i].Transpose(1, 2).IsContiguous, $"gradient {i} is not laid out like its input");
            Assert.Equal(gradsPlain[i].ToDoubleArray(), grads[i].ToDoubleArray());
        }
    }

    [Fact]
    public void Sdpa_CausalFusedTransposedKey_MatchesComposite()
    {
        // A key whose rows are not unit-stride is copied before the kernel reads it.
        Tensor kt = Param(12, 1, 2, 4, 6);
        Tensor q = Param(13, 1, 2, 6, 4), v = Param(14, 1, 2, 6, 3);
        Tensor fused = Functional.ScaledDotProductAttention(q, kt.MT, v, isCausal: true);
        Tensor composite = Functional.ScaledDotProductAttention(q, kt.MT, v, Tril(6, 6));
        AssertAll(composite.ToDoubleArray(), fused, rtol: 1e-12, atol: 1e-13);
        Tensor upstream = Randn(15, 1, 2, 6, 3);
        AssertAll(Autograd.Grad([composite], [kt], [upstream])[0]!.ToDoubleArray(), Autograd.Grad([fused], [kt], [upstream])[0]!, rtol: 1e-11, atol: 1e-12);
    }

    [Fact]
    public void Sdpa_CausalFused_GradientsMatchFiniteDifferences()
    {
        AssertGradients(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true), Param(16, 2, 4, 3), Param(17, 2, 6, 3), Param(18, 2, 6, 2));
        AssertGradients(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true, scale: 0.8), Param(19, 67, 2), Param(20, 66, 2), Param(21, 66, 1));
    }

    [Fact]
    public void Sdpa_CausalFused_SecondDerivativeMatchesFiniteDifference()
        => AssertHessianVectorProduct(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true).Tanh().Sum(),
            Param(22, 2, 4, 3), Param(23, 2, 5, 3), Param(24, 2, 5, 2));

    [Fact]
    public void Sdpa_CausalFusedFloat32_MatchesFloat64()
    {
        Tensor q = Randn(25, 2, 2, 70, 8), k = Randn(26, 2, 2, 70, 8), v = Randn(27, 2, 2, 70, 8);
        Tensor[] leaves32 = [q.Float(), k.Float(), v.Float()];
        foreach (Tensor t in leaves32) t.RequiresGrad = true;
        Tensor y64 = Functional.ScaledDotProductAttention(q, k, v, Tril(70, 70));
        Tensor y32 = Functional.ScaledDotProductAttention(leaves32[0], leaves32[1], leaves32[2], isCausal: true);
        Assert.Equal(DType.Float32, y32.DType);
        AssertAll(y64.ToDoubleArray(), y32, rtol: 1e-4, atol: 1e-5);
        y32.Sum().Backward();
        Assert.All(leaves32, t => AssertFinite(t.Grad!));
    }

    [Fact]
    public void Sdpa_CausalFusedSavedOutputModifiedInPlace_IsReported()
    {
        Tensor y = Functional.ScaledDotProductAttention(Param(28, 1, 3, 2), Param(29, 1, 3, 2), Param(30, 1, 3, 2), isCausal: true);
        using (Autograd.NoGrad()) y.AddInPlace(1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("ScaledDotProductFlashAttentionBackward", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sdpa_CausalFusedForwardBackward_AllocatesLessThanOneScoreTensor()
    {
        // Note [Fused causal attention]: neither pass holds the [B, H, L, S] weights (here 2 MiB); the composite does.
        const int l = 256;
        Tensor q = Param(31, 2, 2, l, 4), k = Param(32, 2, 2, l, 4), v = Param(33, 2, 2, l, 4);
        long scores = 2L * 2 * l * l * sizeof(double);
        long Allocated(Func<Tensor> attention)
        {
            using var _ = ThreadBudget.Limit(1);
            attention().Sum().Backward();  // warm up the pools and the JIT
            long before = GC.GetAllocatedBytesForCurrentThread();
            attention().Sum().Backward();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long fused = Allocated(() => Functional.ScaledDotProductAttention(q, k, v, isCausal: true));
        long composite = Allocated(() => Functional.ScaledDotProductAttention(q, k, v, Tril(l, l)));
        Assert.True(fused < scores / 2, $"fused attention allocated {fused} bytes; one score tensor is {scores}");
        Assert.True(composite > scores, $"the composite allocated {composite} bytes, expected more than one score tensor ({scores})");
    }
}
