using Nabla.NN;

namespace Nabla.Playground;

/// <summary>The JSON state of a session, as <c>GET /api/sessions/{id}</c> returns it and the stream sends it.</summary>
public sealed record SessionState(string Id, long Version, NetworkState Network, ChainState Chain)
{
    /// <summary>Takes the state of <paramref name="session"/>; call under its lock. Points are included when <paramref name="includePoints"/>.</summary>
    public static SessionState Of(PlaygroundSession session, bool includePoints)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new SessionState(session.Id, session.Version, NetworkState.Of(session, includePoints), ChainState.Of(session.Chain));
    }
}

/// <summary>One linear layer: weights [out][in] and their gradients, biases and theirs, and the layer's gradient norm.</summary>
public sealed record LayerState(int Inputs, int Outputs, float[][] Weights, float[][] WeightGrads, float[] Biases, float[] BiasGrads, double GradientNorm);

/// <summary>The decision surface: a resolution² grid over extent (row 0 at the top), predicted class and confidence (0-100) per cell.</summary>
public sealed record SurfaceState(int Resolution, double[] Extent, int[] Classes, byte[] Confidence);

/// <summary>The data points as [x1, x2, class] triples.</summary>
public sealed record PointsState(float[][] Train, float[][] Test);

/// <summary>The network view's state.</summary>
public sealed record NetworkState(
    NetworkConfig Config, int Classes, int Epoch, long Steps, bool Playing, string? Message,
    double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy,
    IReadOnlyList<double> TrainHistory, IReadOnlyList<double> TestHistory,
    IReadOnlyList<LayerState> Layers, SurfaceState Surface, long DataVersion, PointsState? Points)
{
    /// <summary>Takes the network state of <paramref name="session"/>; call under its lock.</summary>
    public static NetworkState Of(PlaygroundSession session, bool includePoints)
    {
        ArgumentNullException.ThrowIfNull(session);
        NetworkTrainer t = session.Network;
        var layers = new List<LayerState>();
        for (int i = 0; i < t.Linears.Count; i++)
        {
            Linear l = t.Linears[i];
            layers.Add(new LayerState(l.InFeatures, l.OutFeatures,
                Rows(l.Weight.ToArray<float>(), l.OutFeatures, l.InFeatures),
                Rows(l.Weight.Grad?.ToArray<float>() ?? new float[l.OutFeatures * l.InFeatures], l.OutFeatures, l.InFeatures),
                l.Bias?.ToArray<float>() ?? new float[l.OutFeatures],
                l.Bias?.Grad?.ToArray<float>() ?? new float[l.OutFeatures],
                t.GradientNorms[i]));
        }
        var (cls, conf) = t.Surface();
        var confidence = new byte[conf.Length];
        for (int i = 0; i < conf.Length; i++) confidence[i] = (byte)Math.Clamp(Math.Round(conf[i] * 100), 0, 100);
        PointsState? points = includePoints ? new PointsState(Triples(t.Points.TrainX, t.Points.TrainY), Triples(t.Points.TestX, t.Points.TestY)) : null;
        return new NetworkState(t.Config, t.Points.Classes, t.Epoch, t.Steps, session.Playing, session.Message,
            t.TrainLoss, t.TestLoss, t.TrainAccuracy, t.TestAccuracy, [.. t.TrainHistory], [.. t.TestHistory],
            layers, new SurfaceState(NetworkTrainer.SurfaceResolution, t.Points.Extent, cls, confidence), session.DataVersion, points);
    }

    private static float[][] Rows(float[] data, int rows, int cols)
    {
        var r = new float[rows][];
        for (int i = 0; i < rows; i++) r[i] = data[(i * cols)..((i + 1) * cols)];
        return r;
    }

    private static float[][] Triples(float[] x, long[] y)
    {
        var r = new float[y.Length][];
        for (int i = 0; i < y.Length; i++) r[i] = [x[2 * i], x[2 * i + 1], y[i]];
        return r;
    }
}

/// <summary>The chain-rule view's state: values, the graph with gradients, the order of the backward pass, the landscape.</summary>
public sealed record ChainState(
    string Expression, string Formula, IReadOnlyDictionary<string, string> Expressions,
    double W, double X, double Y, double LearningRate, double Loss, double GradW, double NextW, double LossAfterStep, int Steps,
    IReadOnlyList<double> LossHistory, IReadOnlyList<double> WHistory,
    IReadOnlyList<ChainNode> Nodes, IReadOnlyList<int> BackwardOrder, double[] LandscapeW, double[] LandscapeLoss)
{
    /// <summary>Takes the state of <paramref name="chain"/>; call under the session lock.</summary>
    public static ChainState Of(ChainRule chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        IReadOnlyList<ChainNode> nodes = chain.Graph();
        double grad = nodes[0].Grad;
        double loss = nodes[^1].Value;
        double next = chain.WAfterStep(grad);
        // The landscape spans [-4, 4] and always shows w and the next w with a margin.
        double lo = Math.Min(-4, Math.Min(chain.W, next) - 0.5), hi = Math.Max(4, Math.Max(chain.W, next) + 0.5);
        const int samples = 121;
        var ws = new double[samples];
        for (int i = 0; i < samples; i++) ws[i] = lo + (hi - lo) * i / (samples - 1);
        // The backward pass visits the loss first and the leaves last: reverse construction (topological) order.
        var order = Enumerable.Range(0, nodes.Count).Reverse().ToArray();
        return new ChainState(chain.Expression, ChainRule.Expressions[chain.Expression], ChainRule.Expressions,
            chain.W, chain.X, chain.Y, chain.LearningRate, loss, grad, next, chain.Loss(next), chain.Steps,
            [.. chain.LossHistory], [.. chain.WHistory], nodes, order, ws, chain.Landscape(ws));
    }
}
