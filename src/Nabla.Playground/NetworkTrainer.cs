using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Playground;

/// <summary>
/// The network view's model and its training: an MLP from <see cref="NetworkConfig"/>, trained epoch by epoch on a
/// <see cref="PointSet"/>, with train/test loss history, per-layer gradient norms and the decision surface.
/// </summary>
/// <remarks>Not thread-safe: <see cref="PlaygroundSession"/> serialises every call under its lock.</remarks>
public sealed class NetworkTrainer
{
    /// <summary>The side of the decision-surface grid.</summary>
    public const int SurfaceResolution = 48;

    private const int HistoryCap = 1000;

    private readonly List<Linear> _linears = [];
    private readonly List<double> _trainHistory = [];
    private readonly List<double> _testHistory = [];
    private readonly Generator _shuffle;
    private readonly Tensor _trainX, _trainY, _testX, _testY;
    private readonly double[] _gradNorms;

    /// <summary>Builds the model for <paramref name="config"/> on <paramref name="points"/>.</summary>
    public NetworkTrainer(NetworkConfig config, PointSet points)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(points);
        Config = config;
        Points = points;
        var g = new Generator(config.Seed);
        _shuffle = new Generator(config.Seed + 1);
        Model = BuildModel(config, points.Classes, g, _linears);
        Optimizer = BuildOptimizer(config, Model.Parameters());
        _trainX = Tensor.From(points.TrainX, [points.TrainY.Length, 2]);
        _trainY = Tensor.From(points.TrainY);
        _testX = Tensor.From(points.TestX, [points.TestY.Length, 2]);
        _testY = Tensor.From(points.TestY);
        _gradNorms = new double[_linears.Count];
        (TrainLoss, TrainAccuracy) = Evaluate(_trainX, _trainY);
        (TestLoss, TestAccuracy) = Evaluate(_testX, _testY);
        Append(_trainHistory, TrainLoss);
        Append(_testHistory, TestLoss);
    }

    /// <summary>The configuration it was built from.</summary>
    public NetworkConfig Config { get; }

    /// <summary>The data.</summary>
    public PointSet Points { get; }

    /// <summary>The model: <c>Linear, activation, ..., Linear</c>, so its state_dict names are <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...</summary>
    public Sequential Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The linear layers, input side first.</summary>
    public IReadOnlyList<Linear> Linears => _linears;

    /// <summary>Epochs trained.</summary>
    public int Epoch { get; private set; }

    /// <summary>Gradient steps (batches) taken.</summary>
    public long Steps { get; private set; }

    /// <summary>The data loss on the training set (without regularisation) after the last epoch.</summary>
    public double TrainLoss { get; private set; }

    /// <summary>The data loss on the test set after the last epoch.</summary>
    public double TestLoss { get; private set; }

    /// <summary>The share of training points classified correctly.</summary>
    public double TrainAccuracy { get; private set; }

    /// <summary>The share of test points classified correctly.</summary>
    public double TestAccuracy { get; private set; }

    /// <summary>Train loss per epoch, the first entry being before training (the last <c>1000</c> kept).</summary>
    public IReadOnlyList<double> TrainHistory => _trainHistory;

    /// <summary>Test loss per epoch.</summary>
    public IReadOnlyList<double> TestHistory => _testHistory;

    /// <summary>The L2 norm of each linear layer's parameter gradient (weight and bias) on the last batch.</summary>
    public IReadOnlyList<double> GradientNorms => _gradNorms;

    /// <summary>Whether the last epoch produced a loss that is not finite (the learning rate is too high).</summary>
    public bool Diverged => !double.IsFinite(TrainLoss);

    /// <summary>Runs one epoch: the training set in a fresh random order, one optimizer step per batch, then evaluates.</summary>
    public void TrainEpoch()
    {
        int n = Points.TrainY.Length;
        int batch = Math.Min(Config.BatchSize, n);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        _shuffle.Shuffle(order.AsSpan());
        var rows = Tensor.From(Array.ConvertAll(order, i => (long)i));
        Model.Train();
        for (int start = 0; start < n; start += batch)
        {
            int size = Math.Min(batch, n - start);
            Tensor idx = rows.Narrow(0, start, size);
            Tensor x = _trainX.IndexSelect(0, idx);
            Tensor y = _trainY.IndexSelect(0, idx);
            Optimizer.ZeroGrad();
            Tensor loss = DataLoss(Model.Forward(x), y);
            Tensor? penalty = Penalty();
            if (penalty is not null) loss = loss + penalty;
            loss.Backward();
            RecordGradientNorms();
            Optimizer.Step();
            Steps++;
        }
        Epoch++;
        (TrainLoss, TrainAccuracy) = Evaluate(_trainX, _trainY);
        (TestLoss, TestAccuracy) = Evaluate(_testX, _testY);
        Append(_trainHistory, TrainLoss);
        Append(_testHistory, TestLoss);
    }

    /// <summary>
    /// The decision surface on a <see cref="SurfaceResolution"/>² grid over <see cref="PointSet.Extent"/>, row by row from
    /// the top (largest y): the predicted class and its softmax probability per cell.
    /// </summary>
    public (int[] Classes, float[] Confidence) Surface()
    {
        int r = SurfaceResolution;
        double[] e = Points.Extent;
        var grid = new float[2 * r * r];
        for (int row = 0; row < r; row++)
            for (int col = 0; col < r; col++)
            {
                int k = row * r + col;
                grid[2 * k] = (float)(e[0] + (col + 0.5) / r * (e[1] - e[0]));
                grid[2 * k + 1] = (float)(e[3] - (row + 0.5) / r * (e[3] - e[2]));
            }
        using (Autograd.NoGrad())
        {
            Model.Eval();
            Tensor p = Model.Forward(Tensor.From(grid, [r * r, 2])).Softmax(-1);
            float[] probs = p.ToArray<float>();
            int c = Points.Classes;
            var cls = new int[r * r];
            var conf = new float[r * r];
            for (int k = 0; k < r * r; k++)
            {
                int best = 0;
                for (int j = 1; j < c; j++) if (probs[k * c + j] > probs[k * c + best]) best = j;
                cls[k] = best;
                conf[k] = float.IsFinite(probs[k * c + best]) ? probs[k * c + best] : 0;
            }
            return (cls, conf);
        }
    }

    private Tensor DataLoss(Tensor logits, Tensor labels)
    {
        if (Config.Loss == "mse")
        {
            var oneHot = new float[labels.Size(0) * Points.Classes];
            long[] y = labels.ToArray<long>();
            for (int i = 0; i < y.Length; i++) oneHot[i * Points.Classes + y[i]] = 1;
            return Functional.MseLoss(logits.Softmax(-1), Tensor.From(oneHot, [y.Length, Points.Classes]));
        }
        return Functional.CrossEntropy(logits, labels);
    }

    private Tensor? Penalty()
    {
        if (Config.Regularization == "none" || Config.RegularizationRate == 0) return null;
        Tensor? sum = null;
        foreach (Linear l in _linears)
        {
            Tensor term = Config.Regularization == "l1" ? l.Weight.Abs().Sum() : l.Weight.Pow(2).Sum();
            sum = sum is null ? term : sum + term;
        }
        return sum! * Config.RegularizationRate;
    }

    private void RecordGradientNorms()
    {
        for (int i = 0; i < _linears.Count; i++)
        {
            double s = 0;
            foreach (Tensor p in _linears[i].Parameters())
                if (p.Grad is { } g)
                    foreach (float v in g.ToArray<float>()) s += (double)v * v;
            _gradNorms[i] = Math.Sqrt(s);
        }
    }

    private (double Loss, double Accuracy) Evaluate(Tensor x, Tensor y)
    {
        if (y.Size(0) == 0) return (0, 0);
        using (Autograd.NoGrad())
        {
            Model.Eval();
            Tensor logits = Model.Forward(x);
            double loss = DataLoss(logits, y).Item();
            long[] predicted = logits.ArgMax(1).ToArray<long>();
            long[] truth = y.ToArray<long>();
            int correct = 0;
            for (int i = 0; i < truth.Length; i++) if (predicted[i] == truth[i]) correct++;
            Model.Train();
            return (loss, (double)correct / truth.Length);
        }
    }

    private static void Append(List<double> history, double value)
    {
        if (history.Count == HistoryCap) history.RemoveAt(0);
        history.Add(value);
    }

    /// <summary>The MLP for a configuration: Linear and activation per hidden layer, then a Linear to the classes.</summary>
    public static Sequential BuildModel(NetworkConfig config, int classes, Generator generator, List<Linear>? linears = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var model = new Sequential();
        int inputs = 2;
        for (int i = 0; i <= config.HiddenLayers.Count; i++)
        {
            int width = i < config.HiddenLayers.Count ? config.HiddenLayers[i] : classes;
            var layer = new Linear(inputs, width, generator: generator);
            Initialise(layer, config, generator);
            model.Add(layer);
            linears?.Add(layer);
            if (i < config.HiddenLayers.Count) model.Add(Activation(config.Activation));
            inputs = width;
        }
        return model;
    }

    /// <summary>The activation module for a configuration name.</summary>
    public static Module Activation(string name) => name switch
    {
        "tanh" => new Tanh(),
        "relu" => new Relu(),
        "sigmoid" => new Sigmoid(),
        "leaky-relu" => new LeakyRelu(),
        _ => throw new PlaygroundException($"activation must be one of {string.Join(", ", NetworkConfig.Activations)}; got '{name}'"),
    };

    /// <summary>The Nabla class name of an activation, for generated code.</summary>
    public static string ActivationClass(string name) => name switch
    {
        "tanh" => "Tanh",
        "relu" => "Relu",
        "sigmoid" => "Sigmoid",
        _ => "LeakyRelu",
    };

    private static void Initialise(Linear layer, NetworkConfig config, Generator g)
    {
        Nonlinearity nl = config.Activation switch
        {
            "relu" => Nonlinearity.Relu,
            "leaky-relu" => Nonlinearity.LeakyRelu,
            "sigmoid" => Nonlinearity.Sigmoid,
            _ => Nonlinearity.Tanh,
        };
        using (Autograd.NoGrad())
        {
            switch (config.Init)
            {
                case "he": Init.KaimingUniform(layer.Weight, generator: g); break;
                case "uniform": Init.Uniform(layer.Weight, -0.5, 0.5, g); break;
                default: Init.XavierUniform(layer.Weight, Init.CalculateGain(nl), g); break;
            }
            if (layer.Bias is not null) Init.Zeros(layer.Bias);
        }
    }

    private static Optimizer BuildOptimizer(NetworkConfig config, IEnumerable<Tensor> parameters) => config.Optimizer switch
    {
        "sgd" => new Sgd(parameters, config.LearningRate),
        "momentum" => new Sgd(parameters, config.LearningRate, momentum: 0.9),
        "rmsprop" => new RmsProp(parameters, config.LearningRate),
        _ => new Adam(parameters, config.LearningRate),
    };
}
