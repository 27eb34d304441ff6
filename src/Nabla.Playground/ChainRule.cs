namespace Nabla.Playground;

/// <summary>One node of a chain-rule graph: its forward value and the gradient of the loss with respect to it.</summary>
/// <param name="Id">The node's index; inputs refer to it.</param>
/// <param name="Name">The short name drawn in the node (<c>w</c>, <c>p</c>, <c>L</c>).</param>
/// <param name="Label">What it computes (<c>p = w·x</c>).</param>
/// <param name="Value">The forward value.</param>
/// <param name="Grad">∂L/∂node, from Nabla's backward pass.</param>
/// <param name="Inputs">The ids of the nodes it was computed from (empty for w, x, y).</param>
/// <param name="Column">Its depth in the graph (inputs at 0), for layout.</param>
/// <param name="Row">Its place within the column, for layout.</param>
public sealed record ChainNode(int Id, string Name, string Label, double Value, double Grad, IReadOnlyList<int> Inputs, int Column, int Row);

/// <summary>
/// The chain-rule view: a small scalar loss of a weight w, an input x and a target y, evaluated and differentiated by
/// Nabla's autograd (float64), and gradient descent on w.
/// </summary>
/// <remarks>Not thread-safe: <see cref="PlaygroundSession"/> serialises every call under its lock.</remarks>
public sealed class ChainRule
{
    private const int HistoryCap = 500;
    private readonly List<double> _lossHistory = [];
    private readonly List<double> _wHistory = [];

    /// <summary>The expressions by name, each with its formula.</summary>
    public static IReadOnlyDictionary<string, string> Expressions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["squared"] = "L = (w·x − y)²",
        ["sigmoid"] = "L = (σ(w·x) − y)²",
        ["relu"] = "L = (relu(w·x) − y)²",
        ["logistic"] = "L = log(1 + e^(−y·w·x))",
    };

    /// <summary>The lesson's worked examples, which the page offers as one-click presets.</summary>
    public static IReadOnlyList<ChainPreset> Presets { get; } =
    [
        new("(2·3 − 10)²", "the first worked example: w = 2, x = 3, y = 10", "squared", 2, 3, 10),
        new("(0.55·2 − 2)²", "a prediction of 1.1 for the target y = 2.0: w = 0.55, x = 2", "squared", 0.55, 2, 2),
    ];

    /// <summary>The smallest value of w, x and y .</summary>
    public const double MinInput = -10;

    /// <summary>The largest value of w, x and y.</summary>
    public const double MaxInput = 10;

    /// <summary>The expression's name, a key of <see cref="Expressions"/>.</summary>
    public string Expression { get; private set; } = "squared";

    /// <summary>The weight.</summary>
    public double W { get; private set; } = 2;

    /// <summary>The input.</summary>
    public double X { get; private set; } = 1.5;

    /// <summary>The target.</summary>
    public double Y { get; private set; } = 1;

    /// <summary>The learning rate η.</summary>
    public double LearningRate { get; private set; } = 0.1;

    /// <summary>Steps taken since the last reset.</summary>
    public int Steps { get; private set; }

    /// <summary>The loss before each step and the current one.</summary>
    public IReadOnlyList<double> LossHistory => _lossHistory;

    /// <summary>w before each step and the current one.</summary>
    public IReadOnlyList<double> WHistory => _wHistory;

    /// <summary>Starts a fresh history at the current values.</summary>
    public ChainRule() => Restart();

    /// <summary>Changes any of the expression and the values; null leaves one as it is. Changing anything but w or η restarts the history.</summary>
    public void Update(string? expression, double? w, double? x, double? y, double? learningRate)
    {
        if (expression is not null && !Expressions.ContainsKey(expression))
            throw new PlaygroundException($"expression must be one of {string.Join(", ", Expressions.Keys)}; got '{expression}'");
        Check(w, "w", MinInput, MaxInput);
        Check(x, "x", MinInput, MaxInput);
        Check(y, "y", MinInput, MaxInput);
        if (learningRate is { } lr && !(lr > 0 && lr <= 10))
            throw new PlaygroundException(FormattableString.Invariant($"learningRate must be a positive number up to 10, got {lr}"));
        bool restart = (expression is not null && expression != Expression) || (x is not null && x != X) || (y is not null && y != Y) || (w is not null && w != W);
        Expression = expression ?? Expression;
        W = w ?? W;
        X = x ?? X;
        Y = y ?? Y;
        LearningRate = learningRate ?? LearningRate;
        if (restart) Restart();
    }

    /// <summary>w after one gradient-descent step with gradient <paramref name="gradW"/>: w − η·gradW, kept within [<see cref="MinInput"/>, <see cref="MaxInput"/>].</summary>
    public double WAfterStep(double gradW) => Math.Clamp(W - LearningRate * gradW, MinInput, MaxInput);

    /// <summary>One gradient-descent step: w ← w − η·∂L/∂w (w stays within [-10, 10]).</summary>
    public void Step()
    {
        W = WAfterStep(Graph()[0].Grad);
        Steps++;
        Append(_wHistory, W);
        Append(_lossHistory, Loss(W));
    }

    /// <summary>Clears the history (w keeps its value).</summary>
    public void Restart()
    {
        Steps = 0;
        _lossHistory.Clear();
        _wHistory.Clear();
        _lossHistory.Add(Loss(W));
        _wHistory.Add(W);
    }

    /// <summary>The graph at the current values: w, x, y, then each operation, the loss last; values and gradients from Nabla.</summary>
    public IReadOnlyList<ChainNode> Graph()
    {
        var builder = new Builder(record: true);
        Tensor w = builder.Leaf("w", W), x = builder.Leaf("x", X), y = builder.Leaf("y", Y);
        Tensor loss = Build(Expression, builder, w, x, y);
        loss.Backward();
        return builder.Nodes();
    }

    /// <summary>L at weight <paramref name="w"/> with the current x and y.</summary>
    public double Loss(double w)
    {
        using (Autograd.NoGrad())
        {
            var b = new Builder(record: false);
            return Build(Expression, b, Constant(w), Constant(X), Constant(Y)).Item();
        }
    }

    /// <summary>L at many weights at once (one vectorised Nabla evaluation), for the 1-D loss landscape.</summary>
    public double[] Landscape(double[] ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        using (Autograd.NoGrad())
        {
            var b = new Builder(record: false);
            Tensor l = Build(Expression, b, Tensor.From(ws, dtype: DType.Float64), Constant(X), Constant(Y));
            return l.ToArray<double>();
        }
    }

    // Note [Stable logistic loss]
    // log(1 + e^q) is built as max(q, 0) + log(1 + e^(−|q|)): exp never sees a positive argument, so the loss and its
    // gradient stay finite for every q the inputs allow (|q| = |y·w·x| up to 1,000, a little more on the landscape),
    // where e^q overflows float64 from q ≈ 710. At q = 0 the two kinks cancel out exactly: max gives q half the
    // gradient on a tie and |q| has derivative 0 there, so dL/dq = 1/2 = σ(0), the true derivative.
    /// <summary>A float64 constant: the chain-rule page computes in float64, so its numbers are exact to print.</summary>
    private static Tensor Constant(double value) => Tensor.Scalar(value, DType.Float64);

    private static Tensor Build(string expression, Builder b, Tensor w, Tensor x, Tensor y)
    {
        Tensor p = b.Op("p", "p = w·x", w * x, w, x);
        switch (expression)
        {
            case "sigmoid":
            {
                Tensor s = b.Op("s", "s = σ(p)", p.Sigmoid(), p);
                Tensor r = b.Op("r", "r = s − y", s - y, s, y);
                return b.Op("L", "L = r²", r.Pow(2), r);
            }
            case "relu":
            {
                Tensor a = b.Op("a", "a = relu(p)", p.Relu(), p);
                Tensor r = b.Op("r", "r = a − y", a - y, a, y);
                return b.Op("L", "L = r²", r.Pow(2), r);
            }
            case "logistic":
            {
                // See Note [Stable logistic loss].
                Tensor q = b.Op("q", "q = −y·p", y.Neg() * p, y, p);
                Tensor m = b.Op("m", "m = max(q, 0)", q.Maximum(Constant(0)), q);
                Tensor a = b.Op("a", "a = |q|", q.Abs(), q);
                Tensor e = b.Op("e", "e = exp(−a)", a.Neg().Exp(), a);
                Tensor l = b.Op("l", "l = log(1 + e)", e.Log1p(), e);
                return b.Op("L", "L = m + l", m + l, m, l);
            }
            default:
            {
                Tensor r = b.Op("r", "r = p − y", p - y, p, y);
                return b.Op("L", "L = r²", r.Pow(2), r);
            }
        }
    }

    private static void Check(double? v, string name, double min, double max)
    {
        if (v is { } d && !(d >= min && d <= max))
            throw new PlaygroundException(FormattableString.Invariant($"{name} must be from {min} to {max}, got {d}"));
    }

    private static void Append(List<double> history, double value)
    {
        if (history.Count == HistoryCap) history.RemoveAt(0);
        history.Add(value);
    }

    /// <summary>Builds the expression from tensors and, when recording, remembers each node for the graph.</summary>
    private sealed class Builder(bool record)
    {
        private readonly List<(string Name, string Label, Tensor T, int[] Inputs)> _nodes = [];
        private readonly Dictionary<Tensor, int> _ids = new(ReferenceEqualityComparer.Instance);

        public Tensor Leaf(string name, double value)
        {
            Tensor t = Tensor.Scalar(value, requiresGrad: true, dtype: DType.Float64);
            _ids[t] = _nodes.Count;
            _nodes.Add((name, name, t, []));
            return t;
        }

        public Tensor Op(string name, string label, Tensor result, params Tensor[] inputs)
        {
            if (!record) return result;
            result.RetainGrad();
            _ids[result] = _nodes.Count;
            _nodes.Add((name, label, result, Array.ConvertAll(inputs, i => _ids[i])));
            return result;
        }

        public List<ChainNode> Nodes()
        {
            var column = new int[_nodes.Count];
            for (int i = 0; i < _nodes.Count; i++)
                column[i] = _nodes[i].Inputs.Length == 0 ? 0 : _nodes[i].Inputs.Max(j => column[j]) + 1;
            // A leaf sits in the column just before its first consumer, so its edge is short (y next to r).
            for (int i = 0; i < _nodes.Count; i++)
                if (_nodes[i].Inputs.Length == 0)
                {
                    int first = int.MaxValue;
                    for (int k = 0; k < _nodes.Count; k++)
                        if (_nodes[k].Inputs.Contains(i)) first = Math.Min(first, column[k]);
                    if (first != int.MaxValue) column[i] = first - 1;
                }
            var rowsUsed = new Dictionary<int, int>();
            var result = new List<ChainNode>(_nodes.Count);
            for (int i = 0; i < _nodes.Count; i++)
            {
                var (name, label, t, inputs) = _nodes[i];
                int row = rowsUsed.GetValueOrDefault(column[i]);
                rowsUsed[column[i]] = row + 1;
                double grad = t.Grad is { } g ? g.Item() : 0;
                result.Add(new ChainNode(i, name, label, t.Item(), grad, inputs, column[i], row));
            }
            return result;
        }
    }
}
