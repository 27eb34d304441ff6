using System.Globalization;
using System.Text.Json.Serialization;

namespace Nabla.Playground;

/// <summary>
/// What the network view trains: the dataset, the network and the optimizer. Every field has a default, so a
/// request names only what it changes (<c>{"dataset": "xor", "hiddenLayers": [8, 8]}</c>).
/// </summary>
public sealed record NetworkConfig
{
    /// <summary>The names accepted by <see cref="Dataset"/>; <c>csv</c> is the last uploaded file.</summary>
    public static IReadOnlyList<string> Datasets { get; } = ["circle", "xor", "gaussian", "spiral", "moons", "csv"];

    /// <summary>The names accepted by <see cref="Activation"/>.</summary>
    public static IReadOnlyList<string> Activations { get; } = ["tanh", "relu", "sigmoid", "leaky-relu"];

    /// <summary>The names accepted by <see cref="Init"/>.</summary>
    public static IReadOnlyList<string> Inits { get; } = ["xavier", "he", "uniform"];

    /// <summary>The names accepted by <see cref="Regularization"/>.</summary>
    public static IReadOnlyList<string> Regularizations { get; } = ["none", "l1", "l2"];

    /// <summary>The names accepted by <see cref="Loss"/>.</summary>
    public static IReadOnlyList<string> Losses { get; } = ["cross-entropy", "mse"];

    /// <summary>The names accepted by <see cref="Optimizer"/>.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["sgd", "momentum", "adam", "rmsprop"];

    /// <summary>circle, xor, gaussian, spiral, moons, or csv (the uploaded file).</summary>
    public string Dataset { get; init; } = "circle";

    /// <summary>Points generated, train and test together.</summary>
    public int Points { get; init; } = 300;

    /// <summary>Standard deviation of the Gaussian noise on each coordinate (on the angle, in radians, for spiral).</summary>
    public double Noise { get; init; } = 0.1;

    /// <summary>The share of points used for training, in [0.1, 0.9]; the rest is the test set.</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>Neurons per hidden layer, input side first; empty for a linear classifier.</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [4, 4];

    /// <summary>tanh, relu, sigmoid or leaky-relu, after every hidden layer.</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>xavier (Glorot uniform), he (Kaiming uniform) or uniform (U(-0.5, 0.5)) for the weights; biases start at 0.</summary>
    public string Init { get; init; } = "xavier";

    /// <summary>none, l1 (rate · Σ|w|) or l2 (rate · Σw²) over the weights (not the biases), added to the loss.</summary>
    public string Regularization { get; init; } = "none";

    /// <summary>The regularisation rate, in [0, 1].</summary>
    public double RegularizationRate { get; init; }

    /// <summary>cross-entropy (softmax over the classes) or mse (squared error between softmax and one-hot).</summary>
    public string Loss { get; init; } = "cross-entropy";

    /// <summary>sgd, momentum (SGD with momentum 0.9), adam or rmsprop.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The learning rate, in (0, 10].</summary>
    public double LearningRate { get; init; } = 0.03;

    /// <summary>Points per gradient step, at least 1 (capped at the training-set size).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>Seeds the data, the initial weights and the shuffling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every field against <paramref name="limits"/>; a <see cref="PlaygroundException"/> (400) names the first bad one.</summary>
    public void Validate(PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        OneOf(Dataset, Datasets, "dataset");
        OneOf(Activation, Activations, "activation");
        OneOf(Init, Inits, "init");
        OneOf(Regularization, Regularizations, "regularization");
        OneOf(Loss, Losses, "loss");
        OneOf(Optimizer, Optimizers, "optimizer");
        if (Points < 10 || Points > limits.MaxPoints)
            throw new PlaygroundException($"points must be from 10 to {limits.MaxPoints}, got {Points}");
        if (!(Noise >= 0 && Noise <= 1))
            throw new PlaygroundException($"noise must be from 0 to 1, got {Text(Noise)}");
        if (!(TrainFraction >= 0.1 && TrainFraction <= 0.9))
            throw new PlaygroundException($"trainFraction must be from 0.1 to 0.9, got {Text(TrainFraction)}");
        if (HiddenLayers is null)
            throw new PlaygroundException("hiddenLayers must be a list of neuron counts, e.g. [4, 4]");
        if (HiddenLayers.Count > limits.MaxHiddenLayers)
            throw new PlaygroundException($"at most {limits.MaxHiddenLayers} hidden layers, got {HiddenLayers.Count}");
        for (int i = 0; i < HiddenLayers.Count; i++)
            if (HiddenLayers[i] < 1 || HiddenLayers[i] > limits.MaxNeurons)
                throw new PlaygroundException($"hidden layer {i + 1} must have from 1 to {limits.MaxNeurons} neurons, got {HiddenLayers[i]}");
        if (!(RegularizationRate >= 0 && RegularizationRate <= 1))
            throw new PlaygroundException($"regularizationRate must be from 0 to 1, got {Text(RegularizationRate)}");
        if (!(LearningRate > 0 && LearningRate <= 10))
            throw new PlaygroundException($"learningRate must be a positive number up to 10, got {Text(LearningRate)}");
        if (BatchSize < 1 || BatchSize > limits.MaxPoints)
            throw new PlaygroundException($"batchSize must be from 1 to {limits.MaxPoints}, got {BatchSize}");
    }

    /// <summary>The configuration as a JSON-friendly string for logs and model metadata.</summary>
    public string Describe() =>
        $"dataset={Dataset} points={Points} noise={Text(Noise)} train={Text(TrainFraction)} hidden=[{string.Join(",", HiddenLayers)}] " +
        $"activation={Activation} init={Init} regularization={Regularization}({Text(RegularizationRate)}) loss={Loss} " +
        $"optimizer={Optimizer} lr={Text(LearningRate)} batch={BatchSize} seed={Seed}";

    [JsonIgnore]
    internal bool NeedsUpload => Dataset == "csv";

    private static void OneOf(string? value, IReadOnlyList<string> allowed, string field)
    {
        if (value is null || !allowed.Contains(value, StringComparer.Ordinal))
            throw new PlaygroundException($"{field} must be one of {string.Join(", ", allowed)}; got '{value}'");
    }

    private static string Text(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
