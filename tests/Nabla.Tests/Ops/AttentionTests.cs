using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>
/// Scaled dot-product attention (Ops/Attention.cs) against its definition written in plain ops (README 2.6), the mask
/// conventions (bool true takes part, float added, causal top-left aligned), dropout, second derivatives and errors.
/// </summary>
public class AttentionTests
{
    /// <summary>The definition: softmax(q·kᵀ·scale, masked) · v, in separate differentiable ops.</summary>
    private static Tensor Definition(Tensor q, Tensor k, Tensor v, Tensor? mask = null, bool causal = false, double? scale = null, Tensor? dropout = null)
    {
        Tensor scores = q.MatMul(k.MT) * (scale ?? 1 / Math.Sqrt(q.Size(-1)));
        int l = q.Size(-2), s = k.Size(-2);
        if (causal)
        {
            var keep = new bool[l * s];
            for (int i = 0; i < l; i++)
                for (int j = 0; j < s; j++) keep[i * s + j] = j <= i;
            mask = Tensor.From(keep, [l, s]);
        }
        if (mask?.DType == DType.Bool) scores = Tensor.Where(mask, scores, Tensor.Scalar(double.NegativeInfinity, scores.DType));
        else if (mask is not null) scores += mask;
        Tensor p = scores.Softmax(-1);
        return (dropout is null ? p : p * dropout).MatMul(v);
    }

    private static void AssertMatchesDefinition(Func<Tensor[], Tensor> sdpa, Func<Tensor[], Tensor> definition, params Tensor[] inputs)
    {
        Tensor upstream = Randn(99, sdpa(inputs).Shape.ToArray());
        Tensor[] leaves = inputs.Where(t => t.RequiresGrad).ToArray();
        Tensor actual = sdpa(inputs), expected = definition(inputs);
        AssertAll(expected.ToDoubleArray(), actual, rtol: 1e-12, atol: 1e-13);
        Tensor?[] ga = Autograd.Grad([actual], leaves, [upstream]), ge = Autograd.Grad([expected], leaves, [upstream]);
        for (int i = 0; i < leaves.Length; i++) AssertAll(ge[i]!.ToDoubleArray(), ga[i]!, rtol: 1e-11, atol: 1e-12);
    }

    [Fact]
    public void Sdpa_NoMask_MatchesDefinition()
        => AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2]), x => Definition(x[0], x[1], x[2]),
            Param(1, 2, 3, 4, 5), Param(2, 2, 3, 6, 5), Param(3, 2, 3, 6, 2));

    [Theory]
    [InlineData(3, 5)]
    [InlineData(5, 3)]
    [InlineData(4, 4)]
    public void Sdpa_Causal_MatchesTopLeftAlignedDefinition(int l, int s)
        => AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true),
            x => Definition(x[0], x[1], x[2], causal: true), Param(4, 2, 2, l, 3), Param(5, 2, 2, s, 3), Param(6, 2, 2, s, 4));

    [Fact]
    public void Sdpa_Causal_FirstQuerySeesOnlyTheFirstKey()
    {
        Tensor q = Randn(7, 1, 1, 3, 2), k = Randn(8, 1, 1, 5, 2), v = Randn(9, 1, 1, 5, 2);
        Tensor y = Functional.ScaledDotProductAttention(q, k, v, isCausal: true);
        AssertAll(v.Narrow(2, 0, 1).ToDoubleArray(), y.Narrow(2, 0, 1), rtol: 0, atol: 0);
    }

    [Fact]
    public void Sdpa_BoolMask_TrueMeansTakesPart()
    {
        // Each query keeps exactly one key, so its output is that key's value row.
        Tensor q = Randn(10, 1, 1, 3, 2), k = Randn(11, 1, 1, 3, 2), v = Randn(12, 1, 1, 3, 2);
        Tensor mask = Tensor.From([false, false, true, true, false, false, false, true, false], [3, 3]);
        Tensor y = Functional.ScaledDotProductAttention(q, k, v, mask);
        double[] vv = v.ToDoubleArray();
        AssertAll([vv[4], vv[5], vv[0], vv[1], vv[2], vv[3]], y, rtol: 0, atol: 0);
    }

    [Fact]
    public void Sdpa_BoolMaskPerBatch_MatchesDefinition()
    {
        Tensor mask = Tensor.From([true, true, false, true, false, true, true, true, false, false, true, true], [2, 1, 2, 3]);
        AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], mask), x => Definition(x[0], x[1], x[2], mask),
            Param(13, 2, 3, 2, 4), Param(14, 2, 3, 3, 4), Param(15, 2, 3, 3, 2));
    }

    [Fact]
    public void Sdpa_FloatMask_IsAddedAndGetsAGradient()
        => AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], x[3]), x => Definition(x[0], x[1], x[2], x[3]),
            Param(16, 2, 1, 3, 4), Param(17, 2, 1, 5, 4), Param(18, 2, 1, 5, 2), Param(19, 3, 5));

    [Fact]
    public void Sdpa_StridedMaskAndBroadcastKeys_MatchDefinition()
    {
        Tensor mask = Randn(20, 4, 3).MT;
        AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], mask, scale: 0.3),
            x => Definition(x[0], x[1], x[2], mask, scale: 0.3), Param(21, 2, 2, 3, 2), Param(22, 2, 1, 4, 2), Param(23, 1, 4, 3));
    }

    [Fact]
    public void Sdpa_ValueBatchLargerThanScores_MatchesDefinition()
        => AssertMatchesDefinition(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true),
            x => Definition(x[0], x[1], x[2], causal: true), Param(71, 1, 3, 2), Param(72, 1, 4, 2), Param(73, 2, 4, 3));

    [Fact]
    public void Sdpa_RowsSplitAcrossThreads_MatchDefinition()
    {
        // 4 heads x 128 queries x 128 keys: above the transcendental threshold, so the row pass runs in chunks.
        Tensor q = Randn(24, 1, 4, 128, 8), k = Randn(25, 1, 4, 128, 8), v = Randn(26, 1, 4, 128, 8);
        AssertAll(Definition(q, k, v, causal: true).ToDoubleArray(), Functional.ScaledDotProductAttention(q, k, v, isCausal: true), rtol: 1e-12, atol: 1e-13);
    }

    [Fact]
    public void Sdpa_Dropout_DropsWeightsDrawnFromTheGenerator()
    {
        Tensor q = Randn(27, 1, 2, 3, 4), k = Randn(28, 1, 2, 5, 4), v = Randn(29, 1, 2, 5, 3);
        Tensor y = Functional.ScaledDotProductAttention(q, k, v, dropoutP: 0.4, generator: new Generator(30));
        Tensor keep = Tensor.Rand([1, 2, 3, 5], DType.Float64, new Generator(30)).Ge(0.4).To(DType.Float64) * (1 / 0.6);
        AssertAll(Definition(q, k, v, dropout: keep).ToDoubleArray(), y, rtol: 1e-13, atol: 1e-14);
        AssertAll(new double[18], Functional.ScaledDotProductAttention(q, k, v, dropoutP: 1), rtol: 0, atol: 0);
    }

    [Fact]
    public void Sdpa_DropoutGradient_MatchesFiniteDifference()
        => AssertGradients(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], dropoutP: 0.3, isCausal: true, generator: new Generator(31)),
            Param(32, 1, 2, 3, 2), Param(33, 1, 2, 4, 2), Param(34, 1, 2, 4, 3));

    [Fact]
    public void Sdpa_SecondDerivative_MatchesFiniteDifference()
    {
        Tensor mask = Tensor.From([true, false, true, true, true, false], [2, 3]);
        AssertHessianVectorProduct(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], mask).Tanh().Sum(),
            Param(35, 1, 2, 2, 3), Param(36, 1, 2, 3, 3), Param(37, 1, 2, 3, 2));
        AssertHessianVectorProduct(x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], x[3], dropoutP: 0.5, generator: new Generator(38)).Tanh().Sum(),
            Param(39, 2, 2, 3), Param(40, 2, 4, 3), Param(41, 2, 4, 2), Param(42, 2, 4));
    }

    [Fact]
    public void Sdpa_MaskModifiedInPlaceBeforeBackward_IsReported()
    {
        Tensor mask = Randn(74, 2, 3);
        Tensor y = Functional.ScaledDotProductAttention(Param(75, 1, 2, 2), Randn(76, 1, 3, 2), Randn(77, 1, 3, 2), mask);
        mask.AddInPlace(1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        AssertMessage(ex, "ScaledDotProductAttentionBackward", "in-place");
    }

    [Fact]
    public void Sdpa_GradFn_IsOneScaledDotProductAttentionNode()
        => Assert.Equal("ScaledDotProductAttentionBackward",
            Functional.ScaledDotProductAttention(Param(43, 1, 2, 3), Randn(44, 1, 4, 3), Randn(45, 1, 4, 2)).GradFn!.Name);

    [Fact]
    public void Sdpa_Float32_MatchesFloat64()
    {
        Tensor q = Randn(46, 2, 2, 3, 4), k = Randn(47, 2, 2, 5, 4), v = Randn(48, 2, 2, 5, 3);
        Tensor mask = Randn(49, 3, 5);
        Tensor y32 = Functional.ScaledDotProductAttention(q.Float(), k.Float(), v.Float(), mask.Float());
        Assert.Equal(DType.Float32, y32.DType);
        AssertAll(Functional.ScaledDotProductAttention(q, k, v, mask).ToDoubleArray(), y32, rtol: 1e-4, atol: 1e-5);
    }

    [Fact]
    public void Sdpa_FullyMaskedRow_IsNaNAsInPyTorch()
    {
        Tensor mask = Tensor.From([true, true, false, false], [2, 2]);
        double[] y = Functional.ScaledDotProductAttention(Randn(50, 1, 2, 2), Randn(51, 1, 2, 2), Randn(52, 1, 2, 2), mask).ToDoubleArray();
        Assert.All(y[..2], x => Assert.True(double.IsFinite(x)));
        Assert.All(y[2..], x => Assert.True(double.IsNaN(x)));
    }

    [Fact]
    public void Sdpa_NoKeys_GivesZeros()
    {
        Tensor y = Functional.ScaledDotProductAttention(Randn(53, 1, 3, 2), Tensor.Zeros([1, 0, 2], DType.Float64), Tensor.Zeros([1, 0, 4], DType.Float64));
        Assert.Equal([1, 3, 4], y.Shape.ToArray());
        AssertAll(new double[12], y, rtol: 0, atol: 0);
    }

    [Fact]
    public void Sdpa_MaskAndIsCausal_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Functional.ScaledDotProductAttention(Randn(54, 1, 2, 2), Randn(55, 1, 2, 2), Randn(56, 1, 2, 2), Tensor.Ones([2, 2], DType.Bool), isCausal: true));
        AssertMessage(ex, "scaled_dot_product_attention", "attn_mask", "is_causal", "not both");
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.Float32)]
    public void Sdpa_MaskOfWrongDType_ErrorNamesBothConventions(DType dtype)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Functional.ScaledDotProductAttention(Randn(57, 1, 2, 2), Randn(58, 1, 2, 2), Randn(59, 1, 2, 2), Tensor.Zeros([2, 2], dtype)));
        AssertMessage(ex, "scaled_dot_product_attention", "attn_mask", dtype.Name(), "bool", "float64");
    }

    [Fact]
    public void Sdpa_MaskNotBroadcastable_ErrorNamesShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Functional.ScaledDotProductAttention(Randn(60, 1, 3, 2), Randn(61, 1, 4, 2), Randn(62, 1, 4, 2), Tensor.Ones([4, 3], DType.Bool)));
        AssertMessage(ex, "scaled_dot_product_attention", "[4, 3]", "[1, 3, 4]", "L = 3", "S = 4");
    }

    [Fact]
    public void Sdpa_QueryAndKeyWidthsDiffer_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Randn(63, 1, 3, 2), Randn(64, 1, 4, 5), Randn(65, 1, 4, 2)));
        AssertMessage(ex, "scaled_dot_product_attention", "[1, 3, 2]", "[1, 4, 5]", "last dim E");
    }

    [Fact]
    public void Sdpa_KeyAndValueLengthsDiffer_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Randn(66, 1, 3, 2), Randn(67, 1, 4, 2), Randn(68, 1, 5, 2)));
        AssertMessage(ex, "scaled_dot_product_attention", "[1, 4, 2]", "[1, 5, 2]", "keys S");
    }

    [Fact]
    public void Sdpa_BadArguments_Throw()
    {
        Tensor q = Randn(69, 1, 2, 2);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q.Float(), q)), "scaled_dot_product_attention", "float32");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(Randn(70, 2), q, q)), "scaled_dot_product_attention", "query", "[2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, q, dropoutP: 1.5)), "dropout_p", "1.5");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ScaledDotProductAttention(q, q, q, scale: double.NaN)), "scale", "NaN");
    }
}
