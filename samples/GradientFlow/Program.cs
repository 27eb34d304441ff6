// The gradient-flow lesson, reproduced: a 10-layer sigmoid MLP's gradients vanish, the same network with ReLU and He
// initialisation keeps them flowing, and an exploding set-up (weights twice He's scale, plain SGD on a regression) is
// tamed by GradClip.ClipGradNorm. Each run prints the recorder's report and writes its chart; the last step draws the
// graph of a small model's loss and checks its gradients.
//
//   dotnet run --project samples/GradientFlow -c Release -- [output directory, default gradient-flow-sample]

using Nabla;
using Nabla.Diagnostics;
using Nabla.NN;
using Nabla.Optim;

string outDir = args.Length > 0 ? args[0] : "gradient-flow-sample";
Directory.CreateDirectory(outDir);

const int Depth = 10, Width = 32, Features = 16, Classes = 4;
var data = new Generator(5);
Tensor x = Tensor.Randn([64, Features], generator: data);
Tensor labels = x.Narrow(1, 0, Classes).ArgMax(1);
Tensor targets = x.Narrow(1, 0, Classes) * 3;

Run("sigmoid", "10-layer sigmoid MLP, PyTorch's default initialisation", Mlp("sigmoid", gain: 0), lr: 0.1, regression: false, clip: null);
Run("relu-he", "the same network with ReLU and He initialisation", Mlp("relu", gain: 1), lr: 0.01, regression: false, clip: null);
Run("exploding", "ReLU, weights at twice He's scale, SGD on a regression", Mlp("relu", gain: 2), lr: 0.01, regression: true, clip: null);
Run("clipped", "the exploding set-up with GradClip.ClipGradNorm(maxNorm: 1)", Mlp("relu", gain: 2), lr: 0.01, regression: true, clip: 1.0);

// The graph of a small model's loss, with its layers grouped, and a gradient check of the same model in float64.
var small = new Sequential(new Linear(Features, 8, dtype: DType.Float64, generator: new Generator(1)), new Tanh(),
    new Linear(8, Classes, dtype: DType.Float64, generator: new Generator(2)));
Tensor x64 = x.Narrow(0, 0, 4).Double(), y4 = labels.Narrow(0, 0, 4);
var graph = ComputationGraph.FromModel(small, () => Functional.CrossEntropy(small.Forward(x64), y4));
graph.Output.Backward();
File.WriteAllText(Path.Combine(outDir, "graph.svg"), graph.ToSvg());
File.WriteAllText(Path.Combine(outDir, "graph.dot"), graph.ToDot());
Console.WriteLine("== gradient check of a 16-8-4 tanh MLP");
Console.WriteLine(GradCheck.Check(small, () => Functional.CrossEntropy(small.Forward(x64), y4)));
Console.WriteLine($"wrote {outDir}/{{sigmoid,relu-he,exploding,clipped}}.svg, graph.svg and graph.dot");

// gain 0 keeps PyTorch's default U(-1/sqrt(in), 1/sqrt(in)); otherwise He (Kaiming normal) scaled by gain.
static Sequential Mlp(string activation, double gain)
{
    var g = new Generator(1);
    var model = new Sequential();
    for (int i = 0; i < Depth; i++)
    {
        var linear = new Linear(i == 0 ? Features : Width, i == Depth - 1 ? Classes : Width, generator: g);
        if (gain > 0)
        {
            Init.KaimingNormal(linear.Weight, nonlinearity: Nonlinearity.Relu, generator: g);
            using (Autograd.NoGrad()) linear.Weight.MulInPlace(gain);
            Init.Zeros(linear.Bias!);
        }
        model.Add(linear);
        if (i < Depth - 1) model.Add(activation == "relu" ? new Relu() : new Sigmoid());
    }
    return model;
}

void Run(string name, string title, Sequential model, double lr, bool regression, double? clip)
{
    var optimizer = new Sgd(model.Parameters(), lr);
    using var flow = new GradientFlowRecorder(model);
    double first = double.NaN, last = double.NaN;
    for (int step = 0; step < 30; step++)
    {
        optimizer.ZeroGrad();
        Tensor output = model.Forward(x);
        Tensor loss = regression ? Functional.MseLoss(output, targets) : Functional.CrossEntropy(output, labels);
        last = loss.Item();
        if (step == 0) first = last;
        loss.Backward();
        if (clip is { } maxNorm) GradClip.ClipGradNorm(model.Parameters(), maxNorm);
        optimizer.Step();
        flow.RecordStep();
    }
    Console.WriteLine($"== {name}: {title}; loss {first:G4} -> {last:G4}");
    Console.WriteLine(flow.Report());
    Console.WriteLine();
    File.WriteAllText(Path.Combine(outDir, name + ".svg"), flow.ToSvg());
}
