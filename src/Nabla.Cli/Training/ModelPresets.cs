using Nabla.NN;

namespace Nabla.Cli.Training;

/// <summary>
/// The named models of <c>nabla train --model</c>. Each is a <see cref="Sequential"/> in a fixed layer order, so its
/// state_dict names are PyTorch's (<c>0.weight</c>, <c>3.bias</c>, ...) and weights move to and from PyTorch.
/// </summary>
public static class ModelPresets
{
    /// <summary>The preset names with a one-line description.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mlp"] = "Linear(in,512) ReLU Linear(512,256) ReLU Linear(256,classes) on flattened inputs",
        ["cnn"] = "Conv2d(1,32,3) ReLU MaxPool2d(2) Conv2d(32,64,3) ReLU MaxPool2d(2) Flatten Linear(1600,128) ReLU Linear(128,10), 28x28 images",
        ["cnn-bn"] = "two conv+batch-norm blocks with pooling, dropout and a batch-normed hidden layer, 28x28 images (the >= 0.93 Fashion-MNIST recipe)",
    };

    /// <summary>Whether the preset takes images [N, 1, H, W] (true) or flat vectors [N, D] (false).</summary>
    public static bool TakesImages(string preset) => preset is "cnn" or "cnn-bn";

    /// <summary>Builds a preset for <paramref name="inputs"/> input features (flat size) and <paramref name="classes"/> classes.</summary>
    /// <param name="preset">The preset name.</param>
    /// <param name="inputs">Input features (flat size).</param>
    /// <param name="classes">Output classes.</param>
    /// <param name="generator">The initialisation generator.</param>
    /// <param name="dtype">The parameters' dtype (float64 for gradient checking).</param>
    public static Sequential Build(string preset, int inputs, int classes, Generator generator, DType dtype = DType.Float32) => preset switch
    {
        "mlp" => new Sequential(
            new Linear(inputs, 512, dtype: dtype, generator: generator), new Relu(),
            new Linear(512, 256, dtype: dtype, generator: generator), new Relu(),
            new Linear(256, classes, dtype: dtype, generator: generator)),
        "cnn" => RequireImages(preset, inputs, new Sequential(
            new Conv2d(1, 32, 3, dtype: dtype, generator: generator), new Relu(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, dtype: dtype, generator: generator), new Relu(), new MaxPool2d(2),
            new Flatten(), new Linear(1600, 128, dtype: dtype, generator: generator), new Relu(), new Linear(128, classes, dtype: dtype, generator: generator))),
        "cnn-bn" => RequireImages(preset, inputs, new Sequential(
            new Conv2d(1, 32, 3, padding: 1, dtype: dtype, generator: generator), new BatchNorm2d(32, dtype: dtype), new Relu(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1, dtype: dtype, generator: generator), new BatchNorm2d(64, dtype: dtype), new Relu(), new MaxPool2d(2),
            new Flatten(), new Dropout(0.25, generator),
            new Linear(64 * 7 * 7, 128, dtype: dtype, generator: generator), new BatchNorm1d(128, dtype: dtype), new Relu(), new Dropout(0.25, generator),
            new Linear(128, classes, dtype: dtype, generator: generator))),
        _ => throw new ArgumentException($"unknown model '{preset}'; expected one of: {string.Join(", ", Descriptions.Keys)}"),
    };

    /// <summary>
    /// The size of <see cref="Build"/>'s model before it is built (see Note [Memory estimate]): parameter elements,
    /// and the elements one sample's forward pass produces. Counted in double, so no class count can overflow it.
    /// </summary>
    public static ModelSize Size(string preset, int inputs, int classes)
    {
        double c = classes;
        return preset switch
        {
            // Linear(in,512) ReLU Linear(512,256) ReLU Linear(256,classes).
            "mlp" => new((inputs + 1.0) * 512 + 513 * 256 + 257 * c, 2 * 512 + 2 * 256 + c),
            // conv 1->32 (26x26), ReLU, pool (13x13), conv 32->64 (11x11), ReLU, pool (5x5), Linear(1600,128), ReLU, Linear(128,c).
            "cnn" => new(32 * 10 + 64 * 289 + 1601 * 128 + 129 * c,
                2 * 32 * 26 * 26 + 32 * 13 * 13 + 2 * 64 * 11 * 11 + 64 * 5 * 5 + 2 * 128 + c),
            // conv (28x28), batch norm, ReLU, pool (14x14) twice, dropout, Linear(3136,128), batch norm, ReLU, dropout, Linear(128,c).
            "cnn-bn" => new(32 * 10 + 2 * 32 + 64 * 289 + 2 * 64 + 3137 * 128 + 2 * 128 + 129 * c,
                3 * 32 * 28 * 28 + 32 * 14 * 14 + 3 * 64 * 14 * 14 + 2 * 64 * 7 * 7 + 4 * 128 + c),
            _ => throw new ArgumentException($"unknown model '{preset}'; expected one of: {string.Join(", ", Descriptions.Keys)}"),
        };
    }

    /// <summary>The size of <see cref="FromLayers"/>'s MLP before it is built: weights and biases, and per sample each layer's output and activation.</summary>
    public static ModelSize SizeOfLayers(IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        double parameters = 0, activations = 0;
        for (int i = 0; i + 1 < sizes.Count; i++)
        {
            parameters += ((double)sizes[i] + 1) * sizes[i + 1];
            activations += (i + 2 < sizes.Count ? 2.0 : 1.0) * sizes[i + 1];
        }
        return new(parameters, activations);
    }

    private static Sequential RequireImages(string preset, int inputs, Sequential model) =>
        inputs == 28 * 28 ? model : throw new ArgumentException($"model '{preset}' needs 28x28 images (784 inputs), but the dataset has {inputs} features; use --model mlp");

    /// <summary>
    /// An MLP from explicit layer sizes (<c>--layers 784,512,256,10</c>), an activation and an initialiser.
    /// </summary>
    public static Sequential FromLayers(IReadOnlyList<int> sizes, string activation, string init, Generator generator, DType dtype = DType.Float32)
    {
        if (sizes.Count < 2) throw new ArgumentException("--layers needs at least an input and an output size, e.g. 784,256,10");
        var model = new Sequential();
        for (int i = 0; i + 1 < sizes.Count; i++)
        {
            var linear = new Linear(sizes[i], sizes[i + 1], dtype: dtype, generator: generator);
            Initialise(linear, init, activation, generator);
            model.Add(linear);
            if (i + 2 < sizes.Count) model.Add(Activation(activation));
        }
        return model;
    }

    /// <summary>The activation module for a name used on the command line.</summary>
    public static Module Activation(string name) => name switch
    {
        "relu" => new Relu(),
        "tanh" => new Tanh(),
        "sigmoid" => new Sigmoid(),
        "gelu" => new Gelu(),
        "silu" or "swish" => new Silu(),
        "leaky-relu" or "leaky_relu" => new LeakyRelu(),
        "elu" => new Elu(),
        _ => throw new ArgumentException($"unknown activation '{name}'; expected relu, tanh, sigmoid, gelu, silu, leaky-relu or elu"),
    };

    private static void Initialise(Linear layer, string init, string activation, Generator generator)
    {
        Nonlinearity nl = activation switch
        {
            "relu" => Nonlinearity.Relu,
            "tanh" => Nonlinearity.Tanh,
            "sigmoid" => Nonlinearity.Sigmoid,
            "leaky-relu" or "leaky_relu" => Nonlinearity.LeakyRelu,
            _ => Nonlinearity.Linear,
        };
        switch (init)
        {
            case "he" or "kaiming":
                Init.KaimingNormal(layer.Weight, nonlinearity: nl == Nonlinearity.LeakyRelu ? Nonlinearity.LeakyRelu : Nonlinearity.Relu, generator: generator);
                break;
            case "xavier" or "glorot":
                Init.XavierUniform(layer.Weight, Init.CalculateGain(nl), generator);
                break;
            case "uniform" or "default":
                break; // PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)), already applied.
            default:
                throw new ArgumentException($"unknown initialiser '{init}'; expected he, xavier or uniform");
        }
        if (layer.Bias is not null && init is "he" or "kaiming" or "xavier" or "glorot") Init.Zeros(layer.Bias);
    }
}
