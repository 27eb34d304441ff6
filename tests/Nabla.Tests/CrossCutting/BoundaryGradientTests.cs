using Nabla.Cli;

namespace Nabla.Tests.CrossCutting;

/// <summary>
/// Values and gradients at boundary points (docs/gradients.md, "Gradients at boundary points"): one row per (op, point),
/// each expected value taken from PyTorch 1.13 by hand, checked in float32 and float64. The upstream gradient is ones.
/// </summary>
public class BoundaryGradientTests
{
    private const double Inf = double.PositiveInfinity, NaN = double.NaN;

    /// <summary>A row: the function of its inputs, the input values, and PyTorch's value and gradients (float32 may differ).</summary>
    private sealed record Row(Func<Tensor[], Tensor> F, double[][] Inputs, double[] Value, double[][] Grads)
    {
        public double[]? Value32 { get; init; }

        public double[][]? Grads32 { get; init; }
    }

    private static readonly Dictionary<string, Row> Rows = Build();

    public static TheoryData<string, DType> Cases()
    {
        var data = new TheoryData<string, DType>();
        foreach (string name in Rows.Keys)
        {
            data.Add(name, DType.Float32);
            data.Add(name, DType.Float64);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_AtBoundaryPoint_MatchesPyTorch(string row, DType dtype)
    {
        Row r = Rows[row];
        Tensor[] xs = [.. r.Inputs.Select(v => Tensor.From(v, dtype: DType.Float64).To(dtype).Detach())];
        foreach (Tensor x in xs) x.RequiresGrad = true;
        Tensor y = r.F(xs);
        y.Sum().Backward();
        bool f32 = dtype == DType.Float32;
        AssertSame(f32 && r.Value32 is not null ? r.Value32 : r.Value, y, dtype, $"{row}: value");
        double[][] grads = f32 && r.Grads32 is not null ? r.Grads32 : r.Grads;
        for (int i = 0; i < xs.Length; i++) AssertSame(grads[i], xs[i].Grad!, dtype, $"{row}: gradient of input {i}");
    }

    [Fact]
    public void GradCommand_PowAtXZeroYTwo_PrintsZeroForBothGradients()
    {
        // The report: `nabla grad "x^y" --at x=0,y=2` printed dL/dy = NaN; PyTorch gives 0.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(["grad", "x^y", "--at", "x=0,y=2"], stdout, stderr);
        Assert.Equal(0, code);
        Assert.Equal("value: 0\ndL/dx = 0\ndL/dy = 0\n", stdout.ToString().Replace("\r\n", "\n"));
    }

    /// <summary>
    /// NaN matches NaN, infinities match exactly, finite values within float32 or float64 rounding (absolute for values
    /// near 0: the vectorised exp/log of float32 are within a few ulps, so log(sum(exp(0))) may be 3.6e-7 rather than 0).
    /// </summary>
    private static void AssertSame(double[] expected, Tensor actual, DType dtype, string what)
    {
        double[] got = actual.ToDoubleArray();
        Assert.True(expected.Length == got.Length, $"{what}: expected {expected.Length} elements, got {got.Length}");
        double tol = dtype == DType.Float32 ? 1e-6 : 1e-12;
        for (int i = 0; i < got.Length; i++)
        {
            double e = expected[i], a = got[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : Math.Abs(a - e) <= tol * Math.Max(1, Math.Abs(e));
            Assert.True(ok, $"{what}[{i}]: PyTorch gives {e:R}, Nabla gave {a:R} ({dtype.Name()})");
        }
    }

    private static double[] V(params double[] values) => values;

    private static double[][] G(params double[][] grads) => grads;

    private static Tensor Const(double[] values, int[] shape, Tensor like) => Tensor.From(values, shape, dtype: DType.Float64).To(like.DType);

    private static Dictionary<string, Row> Build()
    {
        var rows = new Dictionary<string, Row>();
        void Add(string name, Func<Tensor[], Tensor> f, double[][] inputs, double[] value, double[][] grads, double[]? value32 = null, double[][]? grads32 = null)
            => rows.Add(name, new Row(f, inputs, value, grads) { Value32 = value32, Grads32 = grads32 });
        void Unary(string name, Func<Tensor, Tensor> f, double[] at, double[] value, double[] grad, double[]? value32 = null, double[]? grad32 = null)
            => Add(name, x => f(x[0]), [at], value, [grad], value32, grad32 is null ? null : [grad32]);

        // pow with a tensor exponent: PyTorch masks d/dx where y = 0 and d/dy where x = 0 and y >= 0
        Func<Tensor[], Tensor> pow = x => x[0].Pow(x[1]);
        Add("pow x=0 y=2", pow, [[0], [2]], V(0), G([0], [0]));
        Add("pow x=0 y=1", pow, [[0], [1]], V(0), G([1], [0]));
        Add("pow x=0 y=0.5", pow, [[0], [0.5]], V(0), G([Inf], [0]));
        Add("pow x=0 y=0", pow, [[0], [0]], V(1), G([0], [0]));
        Add("pow x=0 y=-1", pow, [[0], [-1]], V(Inf), G([-Inf], [-Inf]));
        Add("pow x=2 y=0", pow, [[2], [0]], V(1), G([0], [Math.Log(2)]));
        Add("pow x=-2 y=2", pow, [[-2], [2]], V(4), G([-4], [NaN]));
        Add("pow x=-2 y=0.5", pow, [[-2], [0.5]], V(NaN), G([NaN], [NaN]));
        // pow with a scalar exponent
        Unary("pow scalar x=0 e=0", x => x.Pow(0.0), [0], [1], [0]);
        Unary("pow scalar x=0 e=0.5", x => x.Pow(0.5), [0], [0], [Inf]);
        Unary("pow scalar x=0 e=1", x => x.Pow(1.0), [0], [0], [1]);
        Unary("pow scalar x=0 e=2", x => x.Pow(2.0), [0], [0], [0]);
        Unary("pow scalar x=0 e=3", x => x.Pow(3.0), [0], [0], [0]);
        Unary("pow scalar x=0 e=-1", x => x.Pow(-1.0), [0], [Inf], [-Inf]);
        Unary("pow scalar x=-2 e=0.5", x => x.Pow(0.5), [-2], [NaN], [NaN]);

        Unary("sqrt x=0", x => x.Sqrt(), [0], [0], [Inf]);
        Unary("log x=0", x => x.Log(), [0], [-Inf], [Inf]);
        Unary("log1p x=-1", x => x.Log1p(), [-1], [-Inf], [Inf]);
        Unary("abs x=0", x => x.Abs(), [0], [0], [0]);
        Unary("sign x=0", x => x.Sign(), [0], [0], [0]);
        Unary("relu x=0", x => x.Relu(), [0], [0], [0]);
        Unary("leaky_relu x=0", x => Functional.LeakyRelu(x, 0.01), [0], [0], [0.01], grad32: [0.009999999776482582]);
        Unary("elu x=0", x => Functional.Elu(x, 1.5), [0], [0], [1.5]);
        Unary("clamp at and beyond the bounds", x => x.Clamp(-1, 1), [-1, 1, 2, -2, 0], [-1, 1, 1, -1, 0], [1, 1, 0, 0, 1]);
        Unary("clamp x=NaN", x => x.Clamp(-1, 1), [NaN], [NaN], [0]);

        // ties: elementwise maximum/minimum split evenly; a NaN operand gives both inputs the gradient
        Func<Tensor[], Tensor> maximum = x => x[0].Maximum(x[1]), minimum = x => x[0].Minimum(x[1]);
        Add("maximum tie", maximum, [[1], [1]], V(1), G([0.5], [0.5]));
        Add("minimum tie", minimum, [[1], [1]], V(1), G([0.5], [0.5]));
        Add("maximum x=NaN", maximum, [[NaN], [1]], V(NaN), G([1], [1]));
        Add("maximum y=NaN", maximum, [[1], [NaN]], V(NaN), G([1], [1]));
        Add("minimum x=NaN", minimum, [[NaN], [1]], V(NaN), G([1], [1]));
        // reductions: Max()/Min() are torch.max()/min(), Amax/Amin torch.amax/amin: ties split evenly; Max(dim)/Min(dim) are
        // torch.max/min(dim): the gradient goes to the one index they return (the first extreme, NaN winning)
        Unary("max() ties", x => x.Max(), [1, 3, 3], [3], [0, 0.5, 0.5]);
        Unary("min() ties", x => x.Min(), [1, 1, 3], [1], [0.5, 0.5, 0]);
        Unary("amax(dim) ties", x => x.Amax(0), [1, 3, 3], [3], [0, 0.5, 0.5]);
        Unary("amin(dim) ties", x => x.Reshape(1, 3).Amin(1, keepDim: true), [1, 1, 3], [1], [0.5, 0.5, 0]);
        Unary("max() NaN", x => x.Max(), [1, NaN, 3], [NaN], [0, 1, 0]);
        Unary("amax(dim) NaN", x => x.Amax(0), [1, NaN, 3], [NaN], [NaN, NaN, NaN]);
        double[] six = [1, 2, 3, 4, 5, 6], ones = [1, 1, 1, 1, 1, 1];
        Unary("amax(dim) size-1 dim keepDim", x => x.Reshape(2, 1, 3).Amax(1, keepDim: true), six, six, ones);
        Unary("amax(dim) size-1 dim", x => x.Reshape(2, 1, 3).Amax(1), six, six, ones);
        Unary("amin(dim) size-1 dim keepDim", x => x.Reshape(2, 1, 3).Amin(1, keepDim: true), six, six, ones);
        Unary("amin(dim) size-1 dim", x => x.Reshape(2, 1, 3).Amin(-2), six, six, ones);
        Unary("amax(dim) size-1 dims only", x => x.Reshape(1, 1).Amax(0), [7], [7], [1]);
        Unary("max() 0-d", x => x.Reshape().Max(), [7], [7], [1]);
        Unary("amax(dim) 0-d", x => x.Reshape().Amax(0), [7], [7], [1]);
        Unary("amax(dim) shape [0, 3] over dim 1", x => x.Reshape(0, 3).Amax(1), [], [], []);
        Unary("max(dim) ties", x => x.Max(0).Values, [1, 3, 3], [3], [0, 1, 0]);
        Unary("min(dim) ties", x => x.Reshape(1, 3).Min(1, keepDim: true).Values, [1, 1, 3], [1], [1, 0, 0]);
        Unary("max(dim) NaN", x => x.Max(0).Values, [1, NaN, 3, NaN], [NaN], [0, 1, 0, 0]);
        Unary("min(dim) NaN", x => x.Min(0).Values, [1, NaN, -3], [NaN], [0, 1, 0]);
        Unary("max(dim) 0-d", x => x.Reshape().Max(0).Values, [7], [7], [1]);
        Unary("amin([0, 1]) ties", x => x.Reshape(2, 2).Amin([0, 1]), [2, 1, 1, 1], [1], [0, 1.0 / 3, 1.0 / 3, 1.0 / 3]);
        Unary("norm(inf) ties", x => x.Norm(double.PositiveInfinity), [1, -3, 3], [3], [0, -0.5, 0.5]);
        Unary("norm(2) of zeros", x => x.Norm(), [0, 0], [0], [0, 0]);
        Unary("norm(1) at 0", x => x.Norm(1), [0, -2], [2], [0, -1]);
        Unary("prod one zero", x => x.Prod(), [0, 2, 3], [0], [6, 0, 0]);
        Unary("prod two zeros", x => x.Prod(), [0, 2, 0], [0], [0, 0, 0]);
        Unary("cumprod zeros", x => x.CumProd(0).Sum(), [2, 0, 3, 0, 5], [2], [1, 8, 0, 0, 0]);
        Unary("sort ties stable", x => (x.Sort(0).Values * Const([1, 10, 100], [3], x)).Sum(), [2, 1, 2], [221], [10, 1, 100]);
        Unary("max_pool2d tie", x => Functional.MaxPool2d(x.Reshape(1, 1, 2, 2), [2, 2]), [1, 1, 1, 1], [1], [1, 0, 0, 0]);

        // division by zero, and a divisor whose square underflows (PyTorch computes -g (a/b)/b)
        Func<Tensor[], Tensor> div = x => x[0] / x[1];
        Add("div by 0", div, [[1, 0, -1], [0, 0, 0]], V(Inf, NaN, -Inf), G([Inf, Inf, Inf], [-Inf, NaN, Inf]));
        Add("div by tiny b (b^2 underflows)", div, [[1e-30], [1e-25]], V(1e-5), G([1e25], [-1e20]),
            value32: V(9.999999747378752e-06), grads32: G([9.999999562023526e+24], [-9.999999320799471e+19]));

        // -inf rows
        double[] minusInfRows = [-Inf, -Inf, 0, -Inf];
        Func<Tensor, Tensor> w = x => Const([1, 2, 3, 4], [2, 2], x);
        Unary("logsumexp row of -inf", x => x.Reshape(2, 2).LogSumExp(1), minusInfRows, [-Inf, 0], [NaN, NaN, 1, 0]);
        Unary("logsumexp with +inf", x => x.LogSumExp(0), [Inf, 0], [Inf], [NaN, 0]);
        Unary("softmax (last dim) with -inf", x => x.Reshape(2, 2).Softmax(1) * w(x), minusInfRows, [NaN, NaN, 3, 0], [NaN, NaN, 0, 0]);
        Unary("softmax (dim 0) with -inf", x => x.Reshape(2, 2).MT.Softmax(0).MT * w(x), minusInfRows, [NaN, NaN, 3, 0], [NaN, NaN, 0, 0]);
        Unary("log_softmax (last dim) with -inf", x => x.Reshape(2, 2).LogSoftmax(1) * w(x), minusInfRows, [NaN, NaN, 0, -Inf], [NaN, NaN, -4, 4]);
        Unary("log_softmax (dim 0) with -inf", x => x.Reshape(2, 2).MT.LogSoftmax(0).MT * w(x), minusInfRows, [NaN, NaN, 0, -Inf], [NaN, NaN, -4, 4]);
        Unary("cross_entropy with a -inf logit", x => Functional.CrossEntropy(x.Reshape(1, 2), Tensor.From([0L])), [0, -Inf], [0], [0, 0]);
        Unary("cross_entropy (weighted) with a -inf logit",
            x => Functional.CrossEntropy(x.Reshape(1, 2), Tensor.From([0L]), weight: Tensor.Ones([2], x.DType)), [0, -Inf], [0], [0, 0]);

        // large arguments
        Unary("softplus around the threshold", x => Functional.Softplus(x), [19, 20, 21, 100, 1000],
            [19.000000005602796, 20.000000002061153, 21, 100, 1000], [0.9999999943972036, 0.9999999979388464, 1, 1, 1],
            value32: [19, 20, 21, 100, 1000], grad32: [1, 1, 1, 1, 1]);
        Unary("softplus x=-100", x => Functional.Softplus(x), [-100], [3.720075976020836e-44], [3.720075976020836e-44]);
        Unary("softplus beta=2 at the threshold", x => Functional.Softplus(x, beta: 2), [10, 10.5],
            [10.000000001030577, 10.5], [0.9999999979388464, 1], value32: [10, 10.5], grad32: [1, 1]);
        Unary("sigmoid large", x => x.Sigmoid(), [-1000, -100, 100, 1000], [0, 3.7200759760208356e-44, 1, 1], [0, 3.7200759760208356e-44, 0, 0]);
        Unary("tanh large", x => x.Tanh(), [-1000, 20, 1000], [-1, 1, 1], [0, 0, 0]);
        Unary("exp overflow", x => x.Exp(), [1000, -1000, 88.8], [Inf, 0, 3.6757840844711625e+38], [Inf, 0, 3.6757840844711625e+38],
            value32: [Inf, 0, Inf], grad32: [Inf, 0, Inf]);
        Unary("gelu", x => Functional.Gelu(x), [0, -100, 100, -10], [0, 0, 100, 0], [0.5, 0, 1, -7.694598626706419e-22], grad32: [0.5, 0, 1, 0]);
        Unary("gelu tanh", x => Functional.Gelu(x, GeluApproximation.Tanh), [0, -100, 100], [0, 0, 100], [0.5, 0, 1]);
        Unary("silu", x => Functional.Silu(x), [-1000, 0, 1000], [0, 0, 1000], [0, 0.5, 1]);
        Unary("std of a constant", x => x.Std(), [1, 1, 1], [0], [0, 0, 0]);

        // losses at their kinks and clamps
        Func<Tensor, Tensor> zeros = x => Tensor.ZerosLike(x);
        Unary("l1_loss at 0", x => Functional.L1Loss(x, zeros(x)), [0], [0], [0]);
        Unary("smooth_l1_loss at |d| = beta", x => Functional.SmoothL1Loss(x, zeros(x), Reduction.Sum), [1, -1, 0], [1], [1, -1, 0]);
        Unary("huber_loss at |d| = delta", x => Functional.HuberLoss(x, zeros(x), Reduction.Sum), [1, -1, 0], [1], [1, -1, 0]);
        Unary("binary_cross_entropy p=0,1", x => Functional.BinaryCrossEntropy(x, Const([1, 0], [2], x), reduction: Reduction.Sum), [0, 1],
            [200], [-1e12, 1e12], grad32: [-999999995904.0, 999999995904.0]); // PyTorch: ∓1000000003995.8 in float64 (docs/gradients.md)
        Unary("binary_cross_entropy_with_logits large", x => Functional.BinaryCrossEntropyWithLogits(x, Const([1, 0], [2], x), reduction: Reduction.Sum),
            [-1000, 1000], [2000], [-1, 1]);
        return rows;
    }
}
