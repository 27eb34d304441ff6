using Nabla.Graph;

namespace Nabla.Tests.Graph;

/// <summary>Autograd.DetectAnomaly: the first NaN or infinity in the forward or backward pass is named.</summary>
public sealed class AnomalyRecordTests
{
    // A rule that turns a finite gradient into NaN: the bug anomaly mode must point at.
    private sealed class NanBackward(Tensor x) : Node("NanBackward", x)
    {
        public override Tensor?[] Backward(Tensor grad) => [grad * double.NaN];
    }

    [Fact]
    public void DetectAnomaly_LogOfNegativeInForward_NamesOpShapesAndCreationSite()
    {
        var x = Tensor.From(new[] { 1.0, -1.0, 2.0 }, requiresGrad: true, dtype: DType.Float64);
        AnomalyException e;
        using (Autograd.DetectAnomaly())
        {
            Tensor y = x * 2;
            e = Assert.Throws<AnomalyException>(() => y.Log());
        }
        Assert.Equal("Log", e.OpName);
        Assert.Equal("LogBackward", e.NodeName);
        Assert.False(e.InBackward);
        Assert.Equal(["[3]"], e.InputShapes);
        Assert.Contains("forward pass: op Log (backward node LogBackward) produced NaN", e.Message);
        Assert.Contains("from finite inputs", e.Message);
        Assert.Contains(nameof(DetectAnomaly_LogOfNegativeInForward_NamesOpShapesAndCreationSite), e.CreationTrace);
        Assert.StartsWith("   at " + typeof(AnomalyRecordTests).FullName, e.CreationTrace);
        Assert.Contains("AnomalyRecordTests.cs:line", e.Message);
    }

    [Fact]
    public void DetectAnomaly_DivisionByZero_ReportsInfinityAndBothShapes()
    {
        var a = Tensor.From(new[] { 1.0, 2.0 }, requiresGrad: true, dtype: DType.Float64);
        var b = Tensor.Zeros([2, 2], DType.Float64);
        using (Autograd.DetectAnomaly())
        {
            var e = Assert.Throws<AnomalyException>(() => a / b);
            Assert.Equal("DivBackward", e.NodeName);
            Assert.Equal(["[2]", "[2, 2]"], e.InputShapes);
            Assert.Contains("infinite value", e.Message);
        }
    }

    [Fact]
    public void DetectAnomaly_NanFromBackwardRule_NamesTheNodeAndInput()
    {
        var x = Tensor.From(new[] { 1.0, 2.0 }, requiresGrad: true, dtype: DType.Float64);
        using (Autograd.DetectAnomaly())
        {
            Tensor h;
            using (Autograd.NoGrad()) h = x * 1;
            h = Autograd.Record(h, new NanBackward(x));
            Tensor loss = (h * 3).Sum();
            var e = Assert.Throws<AnomalyException>(() => loss.Backward());
            Assert.True(e.InBackward);
            Assert.Equal("NanBackward", e.NodeName);
            Assert.Contains("backward pass: NanBackward (the backward of op Nan) returned NaN in the gradient of input 0 (shape [2])", e.Message);
            Assert.Contains(nameof(DetectAnomaly_NanFromBackwardRule_NamesTheNodeAndInput), e.CreationTrace);
        }
    }

    [Fact]
    public void DetectAnomaly_SqrtAtZeroInBackward_IsCaughtInBackwardNotForward()
    {
        // sqrt(0) = 0 is finite, but d sqrt/dx = 1/(2 sqrt(x)) is infinite at 0.
        var x = Tensor.From(new[] { 0.0, 4.0 }, requiresGrad: true, dtype: DType.Float64);
        using (Autograd.DetectAnomaly())
        {
            Tensor y = x.Sqrt().Sum();
            var e = Assert.Throws<AnomalyException>(() => y.Backward());
            Assert.Equal("SqrtBackward", e.NodeName);
            Assert.True(e.InBackward);
        }
    }

    [Fact]
    public void DetectAnomaly_GraphBuiltOutsideMode_BackwardStillCheckedWithoutTrace()
    {
        var x = Tensor.From(new[] { 0.0 }, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Sqrt().Sum();
        using (Autograd.DetectAnomaly())
        {
            var e = Assert.Throws<AnomalyException>(() => y.Backward());
            Assert.Null(e.CreationTrace);
            Assert.Contains("created outside Autograd.DetectAnomaly()", e.Message);
        }
    }

    [Fact]
    public void DetectAnomaly_Off_RecordsNoTraceAndRaisesNothing()
    {
        var x = Tensor.From(new[] { -1.0 }, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Log();
        Assert.True(double.IsNaN(y.Item()));
        Assert.Null(y.GradFn!.CreationTrace);
        Assert.False(Autograd.IsAnomalyEnabled);
        using (Autograd.DetectAnomaly())
        {
            Assert.True(Autograd.IsAnomalyEnabled);
            Assert.NotNull((x * 2).GradFn!.CreationTrace);
        }
        Assert.False(Autograd.IsAnomalyEnabled);
    }

    [Fact]
    public void DetectAnomaly_InputAlreadyNonFinite_SaysTheAnomalyStartedEarlier()
    {
        var x = Tensor.From(new[] { 1.0 }, requiresGrad: true, dtype: DType.Float64);
        var data = Tensor.From(new[] { double.NaN }, dtype: DType.Float64);
        using (Autograd.DetectAnomaly())
        {
            var e = Assert.Throws<AnomalyException>(() => x * data);
            Assert.Contains("input 1 already held non-finite values", e.Message);
        }
    }

    [Fact]
    public void DetectAnomaly_FiniteTraining_RunsNormally()
    {
        var w = Tensor.Randn([3, 2], DType.Float64, new Generator(1), requiresGrad: true);
        using (Autograd.DetectAnomaly())
        {
            Tensor loss = Tensor.Randn([4, 3], DType.Float64, new Generator(2)).MatMul(w).Tanh().Pow(2).Mean();
            loss.Backward();
        }
        Assert.NotNull(w.Grad);
    }

    [Fact]
    public void AnomalyMode_RecordsTwoInputNodes()
    {
        var a = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        using (Autograd.DetectAnomaly())
        {
            Tensor y = a * a;
            Assert.NotNull(y.GradFn!.CreationTrace);
        }
    }
}
