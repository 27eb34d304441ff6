
namespace Nabla.Tests.Graph;

/// <summary>
/// The engine's fast paths for tiny tensors (Note [Tiny tensors]): in-place sums of its own gradient buffers and the fused
/// accumulation, each compared with a reference computed another way.
/// </summary>
public class EngineTinyTensorTests
{
    [Fact]
    public void FanOut_GradientsSummedInPlace_MatchAnalyticAndLeaveSeenTensorsAlone()
    {
        // u feeds six consumers; v = u + u hands one tensor to both of u's edges (AddBackward returns [g, g]),
        // so the engine's later in-place sums must not write into a tensor a rule or hook has seen.
        var x = Tensor.From([1.0, -2.0, 0.5], requiresGrad: true, dtype: DType.Float64);
        Tensor u = x * 3.0;
        u.RetainGrad();
        Tensor v = u + u;
        Tensor? seenByHook = null;
        v.RegisterHook(g => { seenByHook = g; });
        Tensor w = v + u + u + u * 2.0 + u.Tanh();
        w.Sum().Backward();

        double[] xs = [1.0, -2.0, 0.5];
        double[] du = xs.Select(xi => 2 + 1 + 1 + 2 + (1 - Math.Pow(Math.Tanh(3 * xi), 2))).ToArray();
        Assert.Equal(du, u.Grad!.ToArray<double>(), new ToleranceComparer(1e-12));
        Assert.Equal(du.Select(d => 3 * d).ToArray(), x.Grad!.ToArray<double>(), new ToleranceComparer(1e-12));
        Assert.Equal([1.0, 1.0, 1.0], seenByHook!.ToArray<double>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SharedGradient_HandedToTwoEdges_IsNeverSummedInPlace(bool userGradient)
    {
        // a = u + u: AddBackward hands its incoming gradient (the root's) to both of u's edges, so u's buffer first
        // holds a tensor the hook (and the caller) also hold; the second gradient must make a new sum.
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor u = x * 3.0;
        Tensor a = u + u + u;
        Tensor? seen = null;
        a.RegisterHook(g => { seen = g; });
        Tensor root = Tensor.Scalar(1.0, DType.Float64);
        if (userGradient) a.Backward(root);
        else a.Backward();
        Assert.Equal(1.0, seen!.Item());
        Assert.Equal(1.0, root.Item());
        Assert.Equal(9.0, x.Grad!.Item());
    }

    [Fact]
    public void FanOut_ScalarChain_MatchesFiniteDifferences()
    {
        // micrograd-style: every value a 0-d tensor, many consumers per value.
        var p = Enumerable.Range(0, 5).Select(i => Tensor.Scalar(0.3 * i - 0.5, requiresGrad: true, dtype: DType.Float64)).ToArray();
        Tensor Loss()
        {
            Tensor acc = p[0];
            for (int k = 0; k < 4; k++)
                for (int i = 0; i < p.Length; i++) acc = (acc + p[i] * p[(i + k) % p.Length]).Relu() * 0.5 + p[i];
            return acc;
        }
        Loss().Backward();
        for (int i = 0; i < p.Length; i++)
        {
            double h = 1e-6, x0 = p[i].Item();
            double f(double v)
            {
                using (Autograd.NoGrad()) p[i].Fill(v);
                return Loss().Item();
            }
            double numeric = (f(x0 + h) - f(x0 - h)) / (2 * h);
            using (Autograd.NoGrad()) p[i].Fill(x0);
            Assert.Equal(numeric, p[i].Grad!.Item(), 1e-5);
        }
    }

    [Fact]
    public void FanOut_WithCreateGraph_SecondDerivativeIsRight()
    {
        // f = x^2 + x^2 + x*x*x: the first-order sums are recorded ops (never summed in place).
        var x = Tensor.Scalar(1.5, requiresGrad: true, dtype: DType.Float64);
        Tensor sq = x * x;
        Tensor f = sq + sq + sq * x;
        Tensor df = Autograd.Grad(f, x, createGraph: true);
        Assert.Equal(4 * 1.5 + 3 * 1.5 * 1.5, df.Item(), 1e-12);
        Tensor d2f = Autograd.Grad(df, x);
        Assert.Equal(4 + 6 * 1.5, d2f.Item(), 1e-12);
    }

    public static TheoryData<DType, int> FusedCases => new()
    {
        { DType.Float32, 0 }, { DType.Float64, 0 }, { DType.Float32, 5 }, { DType.Float64, 32 }, { DType.Float64, 33 },
    };

    /// <summary>
    /// A micrograd-style graph (parameters used many times, values with many consumers, mul/add/relu) over tensors of
    /// <paramref name="size"/> elements (0: 0-d), some operands transposed views; returns the parameters' gradients.
    /// </summary>
    private static double[][] FusedGraphGradients(DType dtype, int size, bool anomaly, bool createGraph)
    {
        var gen = new Generator(21);
        int[] shape = size == 0 ? [] : [size];
        Tensor Param() => (Tensor.Rand(shape, DType.Float64, gen) * 2.0 - 1.0).To(dtype).Detach();
        Tensor[] p = Enumerable.Range(0, 6).Select(_ => Param()).ToArray();
        foreach (Tensor t in p) t.RequiresGrad = true;
        // A 2x3 view transposed: not contiguous, so products with it take the general path.
        Tensor m = (Tensor.Rand([3, 2], DType.Float64, gen)).To(dtype).Detach();
        m.RequiresGrad = true;
        for (int step = 0; step < 2; step++) // the second step accumulates into existing leaf gradients
        {
            using IDisposable? mode = anomaly ? Autograd.DetectAnomaly() : null;
            Tensor[] act = [p[0] * p[1], p[2] * 0.5];
            Tensor loss = p[5] * p[5];
            for (int layer = 0; layer < 3; layer++)
            {
                var next = new Tensor[3];
                for (int j = 0; j < 3; j++)
                {
                    Tensor sum = p[(j + layer) % 6];
                    for (int i = 0; i < act.Length; i++) sum = sum + p[(i + j) % 6] * act[i] + act[i] * act[(i + 1) % act.Length];
                    next[j] = j == 2 ? sum : sum.Relu();
                }
                act = next;
            }
            foreach (Tensor a in act) loss = loss + a * p[3];
            Tensor total = size == 0 ? loss : loss.Sum();
            Tensor mt = m.MT * m.MT;                             // non-contiguous operands of a product
            total = total + mt.Sum();
            if (createGraph)
            {
                Tensor[] inputs = [.. p, m];
                Tensor?[] grads = Autograd.Grad([total], inputs, createGraph: true);
                for (int i = 0; i < inputs.Length; i++)
                    using (Autograd.NoGrad())
                        inputs[i].Grad = inputs[i].Grad is null ? grads[i]!.Detach().Clone() : inputs[i].Grad! + grads[i]!.Detach();
            }
            else total.Backward();
        }
        return [.. p.Select(t => t.Grad!.To(DType.Float64).ToArray<double>()), m.Grad!.To(DType.Float64).ToArray<double>()];
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void FusedAccumulation_GradientsAreBitIdenticalToTheGeneralPath(DType dtype, int size)
    {
        // Note [Fused accumulation]: anomaly mode and createGraph both run every rule in full and sum afterwards.
        double[][] fused = FusedGraphGradients(dtype, size, anomaly: false, createGraph: false);
        double[][] general = FusedGraphGradients(dtype, size, anomaly: true, createGraph: false);
        double[][] recorded = FusedGraphGradients(dtype, size, anomaly: false, createGraph: true);
        for (int i = 0; i < fused.Length; i++)
        {
            Assert.True(general[i].SequenceEqual(fused[i]), $"parameter {i}: fused {string.Join(",", fused[i])} vs {string.Join(",", general[i])}");
            Assert.Equal(general[i].Length, recorded[i].Length);
            double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
            for (int k = 0; k < fused[i].Length; k++)
                Assert.True(Math.Abs(general[i][k] - recorded[i][k]) <= tol * (1 + Math.Abs(general[i][k])), $"parameter {i}[{k}]");
        }
    }

    [Fact]
    public void FusedAccumulation_LeafWithHook_StillSeesEveryGradient()
    {
        var w = Tensor.Scalar(0.5, requiresGrad: true, dtype: DType.Float64);
        var x = Tensor.Scalar(3.0, dtype: DType.Float64);
        w.Grad = Tensor.Scalar(10.0, dtype: DType.Float64);                           // an existing gradient: the fused path's destination
        var seen = new List<double>();
        w.RegisterHook(g => { seen.Add(g.Item()); });
        Tensor y = w * x + w * x * x + (w * 2.0) * x;
        y.Backward();
        Assert.Equal(3, seen.Count);
        Assert.Equal(10.0 + 3.0 + 9.0 + 6.0, w.Grad.Item());

        // Without the hook the same sums are fused into the existing gradient.
        var v = Tensor.Scalar(0.5, requiresGrad: true, dtype: DType.Float64);
        v.Grad = Tensor.Scalar(10.0, dtype: DType.Float64);
        Tensor z = v * x + v * x * x + (v * 2.0) * x;
        Tensor before = v.Grad;
        z.Backward();
        Assert.Same(before, v.Grad);                            // accumulated in place
        Assert.Equal(10.0 + 3.0 + 9.0 + 6.0, v.Grad.Item());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
