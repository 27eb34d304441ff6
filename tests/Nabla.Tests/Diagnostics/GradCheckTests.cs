using Nabla.Diagnostics;
using Nabla.Graph;
using Nabla.NN;

namespace Nabla.Tests.Diagnostics;

/// <summary>GradCheck on functions, custom ops and whole modules, including a planted wrong backward rule.</summary>
public sealed class GradCheckTests
{
    // d(x^3)/dx = 3x^2
    private sealed class CubeBackward : Node
    {
        public CubeBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor grad) => [grad * 3 * Saved(0) * Saved(0)];
    }

    private static Tensor Cube(Tensor x)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = x * x * x;
        return Autograd.Record(y, new CubeBackward(x));
    }

    // The planted bug: d(x*s)/ds is x, but this rule returns 2x. The gradient for x (s) is right.
    private sealed class WrongScaleBackward(Tensor x, Tensor scale) : Node(x, scale)
    {
        public override Tensor?[] Backward(Tensor grad) => [grad * scale, grad * x * 2];
    }

    private static Tensor WrongScale(Tensor x, Tensor scale)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = x * scale;
        return Autograd.Record(y, new WrongScaleBackward(x, scale));
    }

    /// <summary>A layer that uses the custom op with the planted bug.</summary>
    private sealed class BrokenScale : Module
    {
        public BrokenScale(int features) => Scale = RegisterParameter("scale", Tensor.Randn([features], DType.Float64, new Generator(3)));

        public Tensor Scale { get; }

        protected override Tensor OnForward(Tensor input) => WrongScale(input, Scale);
    }

    private static Sequential SmallMlp(Module middle) => new(
        new Linear(3, 4, dtype: DType.Float64, generator: new Generator(1)), middle, new Tanh(),
        new Linear(4, 2, dtype: DType.Float64, generator: new Generator(2)));

    private static (Tensor X, Tensor Y) Batch()
        => (Tensor.Randn([5, 3], DType.Float64, new Generator(7)), Tensor.From(new long[] { 0, 1, 1, 0, 1 }));

    [Fact]
    public void Record_CorrectCustomOp_PassesGradCheck()
    {
        var x = Tensor.From(new[] { 0.5, -1.5, 2.0 }, requiresGrad: true, dtype: DType.Float64);
        GradCheckReport report = GradCheck.Check(t => Cube(t[0]), [x]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal("CubeBackward", Cube(x).GradFn!.Name);
    }

    [Fact]
    public void Check_FunctionWithPlantedWrongRule_FailsAndNamesTheInput()
    {
        var x = Tensor.From(new[] { 0.5, -1.5, 2.0 }, requiresGrad: true, dtype: DType.Float64);
        var s = Tensor.From(new[] { 1.0, 2.0, -1.0 }, requiresGrad: true, dtype: DType.Float64);
        GradCheckReport report = GradCheck.Check(t => WrongScale(t[0], t[1]), [x, s], names: ["x", "scale"]);
        Assert.False(report.Passed);
        Assert.Equal(["scale"], report.Failures().Select(f => f.Name));
        Assert.Contains("FAIL  scale", report.ToString());
        Assert.Contains("ok    x", report.ToString());
    }

    [Fact]
    public void Check_ModuleWithPlantedWrongRule_FailsAndNamesTheParameter()
    {
        Sequential model = SmallMlp(new BrokenScale(4));
        var (x, y) = Batch();
        GradCheckReport report = GradCheck.Check(model, () => Functional.CrossEntropy(model.Forward(x), y));
        Assert.False(report.Passed);
        GradCheckEntry failure = Assert.Single(report.Failures());
        Assert.Equal("1.scale", failure.Name);
        Assert.Equal(new Shape(4), failure.Shape);
        Assert.True(failure.WorstError > 1e-3, report.ToString());
        Assert.Equal(2 * failure.Numerical, failure.Analytical, 1e-6);
        Assert.Equal(["0.weight", "0.bias", "1.scale", "3.weight", "3.bias"], report.Entries.Select(e => e.Name));
        Assert.Contains("FAILED: 1 of 5 gradients", report.ToString());
        Assert.Contains("1.scale", report.ToString().Split('\n')[^1]);
    }

    [Fact]
    public void Check_CorrectModule_PassesWithSmallErrors()
    {
        var model = new Sequential(
            new Linear(3, 6, dtype: DType.Float64, generator: new Generator(1)), new Tanh(),
            new Linear(6, 6, dtype: DType.Float64, generator: new Generator(2)), new Gelu(),
            new Linear(6, 2, dtype: DType.Float64, generator: new Generator(3)));
        var (x, y) = Batch();
        GradCheckReport report = GradCheck.Check(model, () => Functional.CrossEntropy(model.Forward(x), y));
        Assert.True(report.Passed, report.ToString());
        Assert.All(report.Entries, e => Assert.True(e.WorstError < 1e-7, e.ToString()));
        Assert.StartsWith("passed", report.ToString().Split('\n')[^1]);
    }

    [Fact]
    public void Check_ToleranceAdjustable_TightToleranceFailsLooseOnePasses()
    {
        var x = Tensor.From(new[] { 0.3, 0.7 }, requiresGrad: true, dtype: DType.Float64);
        // A large step makes the central difference visibly inexact (error ~ eps^2 * f''' / 6).
        Assert.False(GradCheck.Check(t => t[0].Exp() * 3, [x], eps: 1e-2, tolerance: 1e-8).Passed);
        Assert.True(GradCheck.Check(t => t[0].Exp() * 3, [x], eps: 1e-2, tolerance: 1e-3).Passed);
    }

    [Fact]
    public void Check_ModuleSampled_ChecksAtMostTheGivenNumberOfElements()
    {
        var model = new Sequential(new Linear(8, 8, dtype: DType.Float64, generator: new Generator(1)));
        var x = Tensor.Randn([4, 8], DType.Float64, new Generator(2));
        GradCheckReport report = GradCheck.Check(model, () => model.Forward(x).Pow(2).Mean(), maxElementsPerParameter: 5);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal([5L, 5L], report.Entries.Select(e => e.CheckedElements));
        Assert.Contains("(5 of 64 elements checked)", report.ToString());
    }

    [Fact]
    public void Check_Float32Module_ErrorNamesParameterAndFix()
    {
        var model = new Sequential(new Linear(2, 2));
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check(model, () => model.Forward(Tensor.Ones([1, 2])).Sum()));
        Assert.Contains("'0.weight' has dtype float32", e.Message);
        Assert.Contains("DType.Float64", e.Message);
    }

    [Fact]
    public void Check_ModuleWithDropoutInTrainingMode_ReportsNondeterminism()
    {
        var model = new Sequential(new Linear(4, 4, dtype: DType.Float64), new Dropout(0.5, new Generator(1)));
        var x = Tensor.Randn([8, 4], DType.Float64, new Generator(2));
        var e = Assert.Throws<InvalidOperationException>(() => GradCheck.Check(model, () => model.Forward(x).Sum()));
        Assert.Contains("not deterministic", e.Message);
        Assert.Contains("Eval()", e.Message);
    }

    [Fact]
    public void Record_ResultAlreadyRecorded_ErrorSaysComputeUnderNoGrad()
    {
        var x = Tensor.From(new[] { 1.0 }, requiresGrad: true, dtype: DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Autograd.Record(x * x, new CubeBackward(x)));
        Assert.Contains("already produced by MulBackward", e.Message);
        Assert.Contains("NoGrad", e.Message);
    }

    [Fact]
    public void Record_NodeAttachedTwice_IsRefused()
    {
        var x = Tensor.From(new[] { 1.0 }, requiresGrad: true, dtype: DType.Float64);
        var node = new CubeBackward(x);
        Tensor a, b;
        using (Autograd.NoGrad()) { a = x * 1; b = x * 2; }
        Autograd.Record(a, node);
        var e = Assert.Throws<ArgumentException>(() => Autograd.Record(b, node));
        Assert.Contains("already attached", e.Message);
    }

    [Fact]
    public void Record_NoInputRequiresGrad_LeavesResultUnrecorded()
    {
        var x = Tensor.From(new[] { 2.0 }, dtype: DType.Float64);
        Tensor y = Autograd.Record(x * 1, new CubeBackward(x));
        Assert.True(y.IsLeaf);
        Assert.False(y.RequiresGrad);
    }
}
