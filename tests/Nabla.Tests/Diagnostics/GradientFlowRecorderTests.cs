using Nabla.Diagnostics;
using Nabla.NN;
using Nabla.Optim;
using Xunit.Abstractions;

namespace Nabla.Tests.Diagnostics;

/// <summary>
/// The gradient-flow lesson: a deep sigmoid MLP's gradients vanish, the same network with ReLU and He initialisation
/// keeps them, and an exploding set-up is tamed by ClipGradNorm.
/// </summary>
public sealed class GradientFlowRecorderTests(ITestOutputHelper output)
{
    private const int Depth = 10, Width = 32, Features = 16, Classes = 4;

    internal static Sequential DeepMlp(string activation, bool he, double gain = 1, ulong seed = 1)
    {
        var g = new Generator(seed);
        var model = new Sequential();
        for (int i = 0; i < Depth; i++)
        {
            int inputs = i == 0 ? Features : Width, outputs = i == Depth - 1 ? Classes : Width;
            var linear = new Linear(inputs, outputs, generator: g);
            if (he)
            {
                Init.KaimingNormal(linear.Weight, nonlinearity: Nonlinearity.Relu, generator: g);
                if (gain != 1) using (Autograd.NoGrad()) linear.Weight.MulInPlace(gain);
                Init.Zeros(linear.Bias!);
            }
            model.Add(linear);
            if (i < Depth - 1) model.Add(activation == "relu" ? new Relu() : new Sigmoid());
        }
        return model;
    }

    internal static (Tensor X, Tensor Y) Data()
    {
        var g = new Generator(5);
        Tensor x = Tensor.Randn([64, Features], generator: g);
        Tensor y = x.Narrow(1, 0, Classes).ArgMax(1);
        return (x, y);
    }

    private static List<double> Train(Module model, GradientFlowRecorder flow, int steps, double lr, double? clip = null, bool regression = false)
    {
        var (x, y) = Data();
        Tensor target = x.Narrow(1, 0, Classes) * 3;
        var optimizer = new Sgd(model.Parameters(), lr);
        var losses = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            Tensor loss = regression ? Functional.MseLoss(model.Forward(x), target) : Functional.CrossEntropy(model.Forward(x), y);
            losses.Add(loss.Item());
            loss.Backward();
            if (clip is { } maxNorm) GradClip.ClipGradNorm(model.Parameters(), maxNorm);
            optimizer.Step();
            flow.RecordStep();
        }
        return losses;
    }

    [Fact]
    public void Report_DeepSigmoidMlp_SaysGradientsVanish()
    {
        Sequential model = DeepMlp("sigmoid", he: false);
        using var flow = new GradientFlowRecorder(model);
        Train(model, flow, 10, 0.1);
        GradientFlowReport report = flow.Report();
        output.WriteLine(report.ToString());
        Assert.True(report.IsVanishing, report.ToString());
        Assert.False(report.IsExploding);
        Assert.Contains("vanishing gradients: the first layer (0)", report.ToString());
        Assert.Equal(Depth, report.Layers.Count);
        Assert.True(report.Layers[0].MeanAbsGrad < 1e-4 * report.Layers[^1].MeanAbsGrad);
    }

    [Fact]
    public void Report_DeepReluMlpWithHeInit_IsHealthy()
    {
        Sequential model = DeepMlp("relu", he: true);
        using var flow = new GradientFlowRecorder(model);
        Train(model, flow, 10, 0.01);
        GradientFlowReport report = flow.Report();
        output.WriteLine(report.ToString());
        Assert.True(report.IsHealthy, report.ToString());
        Assert.StartsWith("healthy", report.Verdicts[0]);
        double ratio = report.Layers[0].MeanAbsGrad / report.Layers[^1].MeanAbsGrad;
        Assert.InRange(ratio, 1e-2, 1e2);
    }

    [Fact]
    public void Report_LearningRateTooHigh_ExplodesAndClipGradNormTamesIt()
    {
        Sequential wild = DeepMlp("relu", he: true, gain: 2);
        using var wildFlow = new GradientFlowRecorder(wild);
        List<double> wildLosses = Train(wild, wildFlow, 20, 0.01, regression: true);
        GradientFlowReport exploding = wildFlow.Report();
        output.WriteLine(string.Join(" ", wildLosses));
        output.WriteLine(exploding.ToString());
        Assert.True(exploding.IsExploding, exploding.ToString());
        Assert.Contains("exploding gradients: the gradient norm became non-finite at step", exploding.ToString());
        Assert.False(exploding.IsVanishing, exploding.ToString());

        Sequential tamed = DeepMlp("relu", he: true, gain: 2);
        using var tamedFlow = new GradientFlowRecorder(tamed);
        List<double> tamedLosses = Train(tamed, tamedFlow, 20, 0.01, clip: 1.0, regression: true);
        GradientFlowReport report = tamedFlow.Report();
        output.WriteLine(string.Join(" ", tamedLosses));
        output.WriteLine(report.ToString());
        Assert.False(report.IsExploding, report.ToString());
        Assert.All(tamedLosses, l => Assert.True(double.IsFinite(l)));
        Assert.True(tamedLosses[^1] < 0.6 * tamedLosses[0], string.Join(" ", tamedLosses));
    }

    [Fact]
    public void Recorder_CollectsEveryLayerAndStep_WithChartAndCsv()
    {
        Sequential model = DeepMlp("relu", he: true);
        using var flow = new GradientFlowRecorder(model);
        Train(model, flow, 3, 0.01);
        Assert.Equal(["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"], flow.Layers);
        Assert.Equal(3, flow.Steps);
        Assert.Equal(30, flow.Records.Count);
        LayerGradientStats first = flow.Records[0];
        Assert.True(first.GradNorm > 0 && first.MeanAbsGrad > 0 && first.MaxAbsGrad >= first.MeanAbsGrad);
        Assert.InRange(first.ZeroFraction, 0.2, 0.8);   // ReLU after layer 0: about half the units are off per sample
        Assert.InRange(first.UpdateRatio, 1e-6, 1e-1);
        Assert.Equal(0, flow.Records[9].ZeroFraction);  // the last layer's output gradient comes from the loss

        var svg = System.Xml.Linq.XDocument.Parse(flow.ToSvg());
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.Contains("Gradient norm per layer", texts);
        Assert.Contains("0 Linear", texts);
        Assert.Contains("18 Linear", texts);
        var csv = new StringWriter();
        flow.WriteCsv(csv);
        string[] lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(31, lines.Length);
        Assert.StartsWith("step,layer,grad_norm", lines[0]);
        Assert.StartsWith("0,0,", lines[1]);
    }

    [Fact]
    public void Recorder_Dispose_RemovesTheHooks()
    {
        Sequential model = DeepMlp("relu", he: true);
        var flow = new GradientFlowRecorder(model);
        flow.Dispose();
        Train(model, flow, 1, 0.01);
        Assert.True(double.IsNaN(flow.Records[0].ZeroFraction));
    }

    [Fact]
    public void Report_NoStepRecorded_SaysToCallRecordStep()
    {
        using var flow = new GradientFlowRecorder(new Linear(2, 2));
        var e = Assert.Throws<InvalidOperationException>(() => flow.Report());
        Assert.Contains("RecordStep()", e.Message);
    }
}
