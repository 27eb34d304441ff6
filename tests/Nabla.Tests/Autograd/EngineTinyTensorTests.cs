using Nabla.Graph;

namespace Nabla.Tests.Graph;

/// <summary>
/// The fast paths for tiny tensors (Note [Tiny tensors]): the one-loop binary kernel for small results, the scalar
/// operand cases, and the engine's in-place sums of its own gradient buffers. Each is compared with a reference
/// computed another way.
/// </summary>
public class EngineTinyTensorTests
{
    public static TheoryData<DType> FloatAndIntTypes => new() { DType.Float32, DType.Float64, DType.Int64 };

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Ref)[] Ops =
    [
        ("add", (a, b) => a + b, (x, y) => x + y),
        ("sub", (a, b) => a - b, (x, y) => x - y),
        ("mul", (a, b) => a * b, (x, y) => x * y),
        ("maximum", (a, b) => a.Maximum(b), Math.Max),
    ];

    private static Tensor Random(int[] shape, DType dtype, Generator gen) => dtype == DType.Int64
        ? Tensor.RandInt(-9, 10, shape, gen)
        : (Tensor.Rand(shape, DType.Float64, gen) * 4.0 - 2.0).To(dtype);

    /// <summary>Reference: both operands expanded to the result shape and copied (the general strided path), then one loop in double.</summary>
    private static double[] Reference(Tensor a, Tensor b, Func<double, double, double> op, DType dtype)
    {
        int[] shape = Tensor.BroadcastShapes(a.Dims, b.Dims, "test");
        double[] x = a.ExpandTo(shape).Contiguous().To(DType.Float64).ToArray<double>();
        double[] y = b.ExpandTo(shape).Contiguous().To(DType.Float64).ToArray<double>();
        var r = new double[x.Length];
        // For float32, double arithmetic rounded once to float equals float arithmetic for + - * and max.
        for (int i = 0; i < r.Length; i++) r[i] = dtype == DType.Float32 ? (float)op(x[i], y[i]) : op(x[i], y[i]);
        return r;
    }

    private static void Check(Tensor a, Tensor b, DType dtype, string what)
    {
        foreach (var (name, op, reference) in Ops)
        {
            Tensor got = op(a, b);
            double[] expected = Reference(a, b, reference, dtype);
            Assert.Equal(Tensor.BroadcastShapes(a.Dims, b.Dims, "test"), got.Dims);
            Assert.True(expected.SequenceEqual(got.To(DType.Float64).ToArray<double>()), $"{name} {what}: {a.Shape} and {b.Shape}");
        }
    }

    [Theory]
    [MemberData(nameof(FloatAndIntTypes))]
    public void BinaryOps_OnSmallAndJustLargerTensors_MatchTheGeneralPath(DType dtype)
    {
        var gen = new Generator(11);
        var rng = new Random(5);
        for (int trial = 0; trial < 60; trial++)
        {
            // Sizes include odd ones and 0-d, and every fourth trial straddles the one-loop limit (Tensor.SmallLoop).
            int rank = rng.Next(0, 3);
            int[] shape = trial % 4 != 3 ? Enumerable.Range(0, rank).Select(_ => rng.Next(1, 8)).ToArray()
                : rank == 1 ? [Tensor.SmallLoop - 1 + rng.Next(0, 3)]
                : rank == 2 ? [rng.Next(40, 52), rng.Next(40, 52)]
                : [];
            Tensor a = Random(shape, dtype, gen), b = Random(shape, dtype, gen);
            Check(a, b, dtype, "same shape");
            Tensor s = Random([], dtype, gen), one = Random([1], dtype, gen), oneOne = Random([1, 1], dtype, gen);
            Check(a, s, dtype, "0-d right");
            Check(s, a, dtype, "0-d left");
            Check(one, a, dtype, "[1] left");
            Check(a, oneOne, dtype, "[1, 1] right");
            if (rank == 2)
            {
                // Non-contiguous operands: a transposed view, and a column broadcast against a row.
                Tensor t = Random([shape[1], shape[0]], dtype, gen).Transpose(0, 1);
                Assert.False(t.IsContiguous && shape[0] > 1 && shape[1] > 1);
                Check(t, b, dtype, "transposed left");
                Check(b, t, dtype, "transposed right");
                Check(Random([shape[0], 1], dtype, gen), Random([1, shape[1]], dtype, gen), dtype, "outer broadcast");
                // A one-element view into the middle of a larger storage (offset, strides of the parent).
                Tensor mid = Random([3, 3], dtype, gen).Narrow(0, 1, 1).Narrow(1, 2, 1);
                Check(mid, a, dtype, "offset one-element view");
            }
        }
    }

    [Fact]
    public void BinaryOps_ResultSharesNoStorageWithOperands()
    {
        var a = Tensor.Scalar(2.0);
        var b = Tensor.Scalar(3.0);
        Tensor y = a + b;
        a.AddInPlace(Tensor.Scalar(1.0));
        Assert.Equal(5.0, y.Item());
        Assert.Empty(y.Dims);
    }

    [Fact]
    public void FanOut_GradientsSummedInPlace_MatchAnalyticAndLeaveSeenTensorsAlone()
    {
        // u feeds six consumers; v = u + u hands one tensor to both of u's edges (AddBackward returns [g, g]),
        // so the engine's later in-place sums must not write into a tensor a rule or hook has seen.
        var x = Tensor.From([1.0, -2.0, 0.5], requiresGrad: true);
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
        var x = Tensor.Scalar(2.0, requiresGrad: true);
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
        var p = Enumerable.Range(0, 5).Select(i => Tensor.Scalar(0.3 * i - 0.5, requiresGrad: true)).ToArray();
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
        var x = Tensor.Scalar(1.5, requiresGrad: true);
        Tensor sq = x * x;
        Tensor f = sq + sq + sq * x;
        Tensor df = Autograd.Grad(f, x, createGraph: true);
        Assert.Equal(4 * 1.5 + 3 * 1.5 * 1.5, df.Item(), 1e-12);
        Tensor d2f = Autograd.Grad(df, x);
        Assert.Equal(4 + 6 * 1.5, d2f.Item(), 1e-12);
    }

    [Fact]
    public void CustomNode_WithParamsArray_StillRecordsEveryInput()
    {
        var a = Tensor.Scalar(2.0, requiresGrad: true);
        var b = Tensor.Scalar(5.0, requiresGrad: true);
        var c = Tensor.Scalar(7.0);
        Tensor y;
        using (Autograd.NoGrad()) y = a * b + c;
        y = Autograd.Record(y, new ThreeInputs(a, b, c));
        y.Backward();
        Assert.Equal(5.0, a.Grad!.Item());
        Assert.Equal(2.0, b.Grad!.Item());
        Assert.Equal(3, y.GradFn!.NextFunctions().Count);
        Assert.Null(c.Grad);
    }

    [Fact]
    public void AnomalyMode_RecordsTwoInputNodes()
    {
        var a = Tensor.Scalar(2.0, requiresGrad: true);
        using (Autograd.DetectAnomaly())
        {
            Tensor y = a * a;
            Assert.NotNull(y.GradFn!.CreationTrace);
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void FreshTensor_StorageMadeLater_StillSharesTheVersionWithViewsAndSavedCopies(DType dtype)
    {
        // Note [Tensor layout]: a fresh result has no Storage until a view, Detach or in-place bump needs one; its
        // version is 0 until then, and every way of reaching the same elements afterwards sees the same counter.
        var w = Tensor.Scalar(1.5, requiresGrad: true).To(dtype);
        Tensor t = Tensor.Scalar(2.0, dtype) * 3.0;      // fresh, no Storage yet
        Tensor y = w * t;                                // MulBackward saves t at version 0
        Assert.Equal(0, t.Version);
        using (Autograd.NoGrad()) t.AddInPlace(Tensor.Scalar(1.0, dtype)); // first bump makes the Storage
        Assert.Equal(1, t.Version);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("MulBackward", ex.Message);

        Tensor u = Tensor.Ones([3], dtype) * 2.0;        // fresh again
        Tensor view = u.Unsqueeze(0);                    // the view makes the Storage, at version 0
        Tensor detached = u.Detach();
        Assert.Equal(0, view.Version);
        using (Autograd.NoGrad()) view.MulInPlace(3.0);
        Assert.Equal([1, 1, 1], new[] { u.Version, view.Version, detached.Version });
        Assert.Equal([6.0, 6.0, 6.0], u.To(DType.Float64).ToArray<double>());
        using (Autograd.NoGrad()) detached.AddInPlace(1.0);
        Assert.Equal([2, 2, 2], new[] { u.Version, view.Version, detached.Version });
        Assert.Equal([7.0, 7.0, 7.0], view.To(DType.Float64).ToArray<double>());
    }

    [Fact]
    public void GradHooksAndRetainGrad_InTheSideObject_BehaveAsBefore()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true);
        Assert.Null(x.Grad);
        x.Grad = null;                                   // clearing a gradient that was never set
        Assert.Null(x.Grad);
        int leafHookCalls = 0;
        x.RegisterHook(g => { leafHookCalls++; return g * 2.0; });
        Tensor u = x * 4.0;                              // one gradient reaches x (one hook call)
        u.RetainGrad();
        Assert.True(u.RetainsGrad);
        Assert.False(x.RetainsGrad);
        (u * 5.0).Backward();
        Assert.Equal(5.0, u.Grad!.Item());
        Assert.Equal(2 * 4.0 * 5.0, x.Grad!.Item());     // the leaf hook doubled d/dx = 4·5
        Assert.Equal(1, leafHookCalls);
        x.Grad = null;
        Assert.Null(x.Grad);
    }

    [Fact]
    public void InlineEdges_MixedDTypesAndArities_ReportInputsAndGradients()
    {
        // Nodes of one and two inputs keep their edges inline, three or more in an array; the edge's dtype comes
        // from its target (a leaf, or the node that produced the input).
        var a = Tensor.Scalar(2.0f, requiresGrad: true);
        var b = Tensor.From([1.0, 2.0, 3.0], [3], requiresGrad: true);
        Tensor s = a.Relu();                                        // one input
        Tensor p = (s.To(DType.Float64) * b);                       // two inputs, one from a node
        Tensor c = Tensor.Cat([p, b, p * 2.0], 0);                  // three inputs: the array
        Assert.Single(s.GradFn!.NextFunctions());
        Assert.Equal(2, p.GradFn!.NextFunctions().Count);
        Assert.Equal(3, c.GradFn!.NextFunctions().Count);
        Assert.Equal(new Shape?[] { new Shape(3), new Shape(3), new Shape(3) }, c.GradFn.InputShapes());
        c.Sum().Backward();
        Assert.Equal(DType.Float32, a.Grad!.DType);
        Assert.Equal(3 * 6.0, a.Grad.Item(), 1e-6);                 // d/da Σ(3·a·b) = 3·Σb
        Assert.Equal([3 * 2.0 + 1, 3 * 2.0 + 1, 3 * 2.0 + 1], b.Grad!.ToArray<double>());
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
        var w = Tensor.Scalar(0.5, requiresGrad: true);
        var x = Tensor.Scalar(3.0);
        w.Grad = Tensor.Scalar(10.0);                           // an existing gradient: the fused path's destination
        var seen = new List<double>();
        w.RegisterHook(g => { seen.Add(g.Item()); });
        Tensor y = w * x + w * x * x + (w * 2.0) * x;
        y.Backward();
        Assert.Equal(3, seen.Count);
        Assert.Equal(10.0 + 3.0 + 9.0 + 6.0, w.Grad.Item());

        // Without the hook the same sums are fused into the existing gradient.
        var v = Tensor.Scalar(0.5, requiresGrad: true);
        v.Grad = Tensor.Scalar(10.0);
        Tensor z = v * x + v * x * x + (v * 2.0) * x;
        Tensor before = v.Grad;
        z.Backward();
        Assert.Same(before, v.Grad);                            // accumulated in place
        Assert.Equal(10.0 + 3.0 + 9.0 + 6.0, v.Grad.Item());
    }

    private sealed class ThreeInputs : Node
    {
        private readonly Tensor _a, _b;

        public ThreeInputs(Tensor a, Tensor b, Tensor c) : base("ThreeInputsBackward", new[] { a, b, c }) => (_a, _b) = (a, b);

        public override Tensor?[] Backward(Tensor grad) => [grad * _b, grad * _a, null];
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
