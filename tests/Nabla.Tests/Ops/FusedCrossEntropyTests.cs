namespace Nabla.Tests.Ops;

/// <summary>
/// The fused cross-entropy kernel (Note [Fused cross entropy]) against the composite path, which class weights of
/// all ones select and which computes the same loss operation by operation (log-softmax, then the pick).
/// </summary>
public class FusedCrossEntropyTests
{
    private static Tensor Targets(ulong seed, int n, int c, long ignoreIndex, bool someIgnored)
    {
        var g = new Generator(seed);
        var t = new long[n];
        for (int i = 0; i < n; i++) t[i] = someIgnored && i % 3 == 1 ? ignoreIndex : (long)(g.NextDouble() * c);
        return Tensor.From(t);
    }

    /// <summary>A leaf of logits times 3, stored [C, N] when <paramref name="transposed"/> (the op then reads its non-contiguous .MT view).</summary>
    private static Tensor Leaf(ulong seed, int n, int c, DType dtype, bool transposed)
    {
        Tensor x = (Tensor.Randn(transposed ? [c, n] : [n, c], dtype, new Generator(seed)) * 3.0).Detach();
        x.RequiresGrad = true;
        return x;
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(7, 3, false)]
    [InlineData(33, 10, true)]
    [InlineData(128, 17, true)]
    public void Fused_LossIsBitIdenticalToTheComposite_GradientAgreesToRounding(int n, int c, bool transposed)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
            foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
                foreach (bool ignored in new[] { false, true })
                {
                    Tensor target = Targets((ulong)(n * 31 + c), n, c, ignoreIndex: 1, ignored);
                    Tensor x1 = Leaf((ulong)n, n, c, dtype, transposed), x2 = Leaf((ulong)n, n, c, dtype, transposed);
                    Tensor in1 = transposed ? x1.MT : x1, in2 = transposed ? x2.MT : x2;
                    Assert.Equal(!transposed || n == 1 || c == 1, in1.IsContiguous);
                    Tensor ones = Tensor.Ones([c], dtype);
                    Tensor fused = Functional.CrossEntropy(in1, target, reduction: reduction, ignoreIndex: ignored ? 1 : -100);
                    Tensor composite = Functional.CrossEntropy(in2, target, ones, reduction, ignoreIndex: ignored ? 1 : -100);
                    // Both report CrossEntropyBackward (Note [Composite ops]); only the first is the fused node.
                    Assert.Equal("CrossEntropyBackward", fused.GradFn!.Name);
                    Assert.IsType<global::Nabla.Ops.CrossEntropyBackward>(fused.GradFn);
                    Assert.Equal("CrossEntropyBackward", composite.GradFn!.Name);
                    Assert.IsNotType<global::Nabla.Ops.CrossEntropyBackward>(composite.GradFn);
                    Assert.Equal(composite.Shape, fused.Shape);
                    Assert.Equal(composite.ToDoubleArray(), fused.ToDoubleArray());

                    Tensor upstream = reduction == Reduction.None ? Tensor.Randn([n], dtype, new Generator(9)) : Tensor.Scalar(1.7, dtype);
                    fused.Backward(upstream);
                    composite.Backward(upstream);
                    // The rule rounds as the composite's chain of separate rules did (Note [Fused cross entropy]); the composite
                    // now takes log-softmax as one op (Note [Fused softmax]) whose rule, g - exp(y)·Σg, rounds differently, so
                    // the gradients agree to a few units of rounding at the scale of the largest gradient (softmax - 1 at the
                    // target cancels, so an entry's own relative error can be far larger).
                    double[] expected = x2.Grad!.ToDoubleArray(), actual = x1.Grad!.ToDoubleArray();
                    double scale = expected.Max(Math.Abs), eps = dtype == DType.Float32 ? 1.2e-7 : 2.3e-16;
                    for (int i = 0; i < expected.Length; i++)
                        Assert.True(Math.Abs(expected[i] - actual[i]) <= 8 * eps * scale,
                            $"{dtype} {reduction} ignored={ignored} [{i}]: {actual[i]} vs {expected[i]}");
                    if (ignored)
                        for (int i = 1; i < n; i += 3)
                            for (int k = 0; k < c; k++) Assert.Equal(0.0, actual[transposed ? k * n + i : i * c + k]);
                }
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void Fused_GradientMatchesFiniteDifferences_AndSecondDerivatives(Reduction reduction)
    {
        Tensor target = Targets(5, 5, 4, ignoreIndex: 2, someIgnored: true);
        Tensor x = FunctionalGradCheck.Param(11, 5, 4);
        Tensor Loss(Tensor[] t) => Functional.CrossEntropy(t[0], target, reduction: reduction, ignoreIndex: 2);
        Assert.Equal("CrossEntropyBackward", Loss([x]).GradFn!.Name);
        FunctionalGradCheck.AssertGradients(Loss, x);
        Tensor rowWeights = FunctionalGradCheck.Randn(12, 5);
        FunctionalGradCheck.AssertHessianVectorProduct(t => reduction == Reduction.None ? (Loss(t) * rowWeights).Sum() : Loss(t), x);
    }

    [Fact]
    public void Fused_DoubleBackward_MatchesTheComposite()
    {
        Tensor target = Targets(3, 6, 5, ignoreIndex: -100, someIgnored: false);
        Tensor x1 = FunctionalGradCheck.Param(4, 6, 5), x2 = FunctionalGradCheck.Param(4, 6, 5);
        Tensor v = FunctionalGradCheck.Randn(8, 6, 5);
        Tensor g1 = Autograd.Grad([Functional.CrossEntropy(x1, target)], [x1], createGraph: true)[0]!;
        Tensor g2 = Autograd.Grad([Functional.CrossEntropy(x2, target, Tensor.Ones([5], DType.Float64))], [x2], createGraph: true)[0]!;
        FunctionalGradCheck.AssertAll(g2.ToDoubleArray(), g1);
        Tensor h1 = Autograd.Grad([(g1 * v).Sum()], [x1])[0]!;
        Tensor h2 = Autograd.Grad([(g2 * v).Sum()], [x2])[0]!;
        FunctionalGradCheck.AssertAll(h2.ToDoubleArray(), h1);
    }

    [Fact]
    public void Fused_ExtremeLogits_AreFiniteAndExact()
    {
        Tensor x = Tensor.From([1000.0, -1000, 0, 0, 1e30, 5], [2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.CrossEntropy(x, Tensor.From([1L, 1L]), reduction: Reduction.None);
        Assert.Equal([2000.0, 0.0], loss.ToDoubleArray()); // lse - x[y]: 1000 - (-1000), and 1e30 - 1e30
        loss.Sum().Backward();
        Assert.Equal([1.0, -1.0, 0.0, 0.0, 0.0, 0.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Fused_BadTarget_IsRefusedWithTheCompositesMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.From([0L, 3L])));
        Assert.Contains("target 3 is out of range for 3 classes", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Tensor.Zeros([2, 3]), Tensor.From([0L])));
        Assert.Contains("target has shape [1] but input [2, 3] expects [2]", ex.Message);
    }
}
