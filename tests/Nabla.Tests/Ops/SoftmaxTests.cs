using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>
/// Softmax and log-softmax along the last dim as one op (Note [Fused softmax]): outputs bit for bit those of the
/// composite they replace, gradients equal to the composite's and to finite differences, second derivatives, edge
/// values, the saved output's version check, and other dims still on the composite.
/// </summary>
public class SoftmaxTests
{
    // The composite the fused op replaces, written with public ops (the library's code before the fusion).
    private static Tensor Composite(Tensor x, bool log)
    {
        Tensor m;
        using (Autograd.NoGrad())
        {
            if (x.Numel == 0) return x * 1.0; // the library's composite returned an empty result of the same shape
            m = x.Amax(-1, keepDim: true);
            m = Tensor.Where(m.Abs().Lt(double.PositiveInfinity), m, Tensor.ZerosLike(m));
        }
        Tensor shifted = x - m;
        if (log) return shifted - shifted.Exp().Sum(-1, keepDim: true).Log();
        Tensor e = shifted.Exp();
        return e / e.Sum(-1, keepDim: true);
    }

    public static TheoryData<int[], bool, bool> Shapes()
    {
        var data = new TheoryData<int[], bool, bool>();
        foreach (int[] shape in new[] { new[] { 1, 1 }, [7], [3, 10], [2, 3, 17], [128, 1000], [4, 0] })
            foreach (bool log in new[] { false, true })
                foreach (bool f64 in new[] { false, true })
                    data.Add(shape, log, f64);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_IsBitIdenticalToTheComposite_AndBackwardAgrees(int[] shape, bool log, bool f64)
    {
        DType dtype = f64 ? DType.Float64 : DType.Float32;
        Tensor x = (Tensor.Randn(shape, dtype, new Generator(3)) * 4.0).Detach();
        x.RequiresGrad = true;
        Tensor fused = log ? x.LogSoftmax(-1) : x.Softmax(-1);
        Assert.Equal(log ? "LogSoftmaxBackward" : "SoftmaxBackward", fused.GradFn!.Name);
        Tensor xc = x.Detach();
        xc.RequiresGrad = true;
        Tensor reference = Composite(xc, log);
        Assert.Equal(reference.ToDoubleArray(), fused.ToDoubleArray());

        if (x.Numel == 0) return;
        Tensor g = Tensor.Randn(shape, dtype, new Generator(4));
        fused.Backward(g);
        reference.Backward(g);
        double[] a = x.Grad!.ToDoubleArray(), b = xc.Grad!.ToDoubleArray();
        double tol = f64 ? 1e-13 : 2e-5;
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= tol * (1 + Math.Abs(b[i])), $"grad[{i}]: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void ExtremeAndNonFiniteRows_MatchTheComposite()
    {
        double inf = double.PositiveInfinity;
        double[] values =
        [
            1000, -1000, 0, 3,           // huge spread
            -inf, 2, -inf, 1,            // -inf entries
            -inf, -inf, -inf, -inf,      // all -inf: NaN, as in PyTorch
            double.NaN, 1, 2, 3,         // NaN
            inf, 0, 1, 2,                // +inf
        ];
        foreach (bool log in new[] { false, true })
            foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
            {
                Tensor x = Tensor.From(values, [5, 4], dtype: DType.Float64).To(dtype);
                double[] fused = (log ? x.LogSoftmax(1) : x.Softmax(1)).ToDoubleArray();
                double[] reference = Composite(x, log).ToDoubleArray();
                Assert.Equal(reference, fused);
            }
    }

    [Fact]
    public void Gradients_MatchFiniteDifferences()
    {
        AssertGradients(t => t[0].Softmax(-1), Param(21, 3, 6));
        AssertGradients(t => t[0].LogSoftmax(2), Param(22, 2, 3, 5));
        AssertGradients(t => t[0].LogSoftmax(0), Param(23, 9));
    }

    [Fact]
    public void SecondDerivatives_MatchFiniteDifferences()
    {
        AssertHessianVectorProduct(t => (t[0].Softmax(-1) * t[0]).Sum(), Param(31, 3, 5));
        AssertHessianVectorProduct(t => (t[0].LogSoftmax(-1) * t[0].Tanh()).Sum(), Param(32, 2, 4));
    }

    [Fact]
    public void ModifyingTheOutputInPlace_IsReportedAtBackward()
    {
        Tensor x = Tensor.Randn([2, 3], generator: new Generator(5), requiresGrad: true);
        Tensor y = x.Softmax(-1);
        Tensor z = y * 2.0;
        using (Autograd.NoGrad()) y.AddInPlace(Tensor.OnesLike(y));
        var e = Assert.Throws<InvalidOperationException>(() => z.Sum().Backward());
        Assert.Contains("SoftmaxBackward", e.Message);
    }

    [Fact]
    public void OtherDims_StayOnTheComposite()
    {
        Tensor x = Tensor.Randn([3, 4], generator: new Generator(6), requiresGrad: true);
        // Both report SoftmaxBackward (Note [Composite ops]); only the last dim takes the fused node.
        Assert.IsType<global::Nabla.Ops.CompositeBackward>(x.Softmax(0).GradFn);
        Assert.IsType<global::Nabla.Ops.SoftmaxBackward>(x.Softmax(1).GradFn);
        Assert.Equal("SoftmaxBackward", x.Softmax(0).GradFn!.Name);
        Assert.Equal("SoftmaxBackward", x.Softmax(1).GradFn!.Name);
        double[] columns = x.Softmax(0).Sum(0).ToDoubleArray();
        foreach (double s in columns) Assert.Equal(1.0, s, 6);
    }
}
