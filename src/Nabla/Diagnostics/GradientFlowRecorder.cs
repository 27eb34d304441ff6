using System.Globalization;
using Nabla.NN;

namespace Nabla.Diagnostics;

/// <summary>
/// Records, per layer and per optimizer step, how gradients flow through a model: the gradient norm, mean and max
/// |g| of each layer's weight, the fraction of exact zeros in the gradient of its output (dead ReLUs), and the
/// update-to-weight ratio. <see cref="Report"/> turns the records into plain verdicts.
/// </summary>
/// <remarks>
/// <para>A layer is a module with parameters of its own (<c>Linear</c>, <c>Conv2d</c>, <c>BatchNorm1d</c>...); its
/// weight is the parameter named <c>weight</c> (or its first parameter). A forward hook on every layer registers a
/// tensor hook on the layer's output, which sees the gradient of the output during backward; the parameter
/// gradients and the update are read by <see cref="RecordStep"/>, called once after each <c>optimizer.Step()</c>.</para>
/// <code>
/// using var flow = new GradientFlowRecorder(model);
/// foreach (var (x, y) in loader)
/// {
///     optimizer.ZeroGrad();
///     Functional.CrossEntropy(model.Forward(x), y).Backward();
///     optimizer.Step();
///     flow.RecordStep();
/// }
/// Console.WriteLine(flow.Report());
/// File.WriteAllText("gradient-flow.svg", flow.ToSvg());
/// </code>
/// <para>Each step costs a pass over every weight, its gradient and a saved copy of it (for the update ratio).
/// Dispose to remove the hooks.</para>
/// </remarks>
public sealed class GradientFlowRecorder : IDisposable
{
    private readonly List<Layer> _layers = [];
    private readonly List<LayerGradientStats> _records = [];
    private readonly List<IDisposable> _hooks = [];
    private int _step;

    private sealed class Layer(string name, string type, Tensor weight, Tensor previous)
    {
        public string Name { get; } = name;
        public string Type { get; } = type;
        public Tensor Weight { get; } = weight;
        public Tensor Previous { get; } = previous;
        public double ZeroSum;
        public int ZeroCount;
        public bool[]? Alive;
    }

    /// <summary>Attaches to every layer of <paramref name="model"/> (modules with parameters of their own).</summary>
    public GradientFlowRecorder(ModuleBase model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (name, module) in model.NamedModules())
        {
            var own = module.NamedParameters().Where(p => !p.Name.Contains('.', StringComparison.Ordinal)).ToList();
            if (own.Count == 0) continue;
            Tensor weight = own.FirstOrDefault(p => p.Name == "weight").Parameter ?? own[0].Parameter;
            Tensor previous;
            using (Autograd.NoGrad()) previous = weight.Detach().Clone();
            string type = ModuleNames.DotNet(module.GetType());
            var layer = new Layer(name.Length == 0 ? type : name, type, weight, previous);
            _layers.Add(layer);
            // A module with several outputs is watched through its first tensor output.
            _hooks.Add(module.RegisterForwardHook((_, _, output) =>
            {
                if (TensorTree.Flatten(output).FirstOrDefault() is { RequiresGrad: true } first) first.RegisterHook(g => ObserveOutputGradient(layer, g));
            }));
        }
        if (_layers.Count == 0) throw new ArgumentException($"gradient flow: {ModuleNames.DotNet(model.GetType())} has no parameters to watch");
    }

    /// <summary>The layer names, first layer first.</summary>
    public IReadOnlyList<string> Layers => _layers.Select(l => l.Name).ToArray();

    /// <summary>Every record so far, step by step and within a step layer by layer.</summary>
    public IReadOnlyList<LayerGradientStats> Records => _records;

    /// <summary>The number of recorded steps.</summary>
    public int Steps => _step;

    private static void ObserveOutputGradient(Layer layer, Tensor g)
    {
        if (!g.DType.IsFloatingPoint() || g.Numel == 0) return;
        double[] v = g.ToDoubleArray();
        int units = g.Rank >= 2 ? g.Size(1) : v.Length;
        int inner = g.Rank >= 2 ? (int)(g.Numel / g.Size(0) / units) : 1;
        var alive = layer.Alive is { } a && a.Length == units ? a : layer.Alive = new bool[units];
        long zeros = 0;
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] == 0) zeros++;
            else alive[i / inner % units] = true;
        }
        layer.ZeroSum += (double)zeros / v.Length;
        layer.ZeroCount++;
    }

    /// <summary>
    /// Records this step's statistics: call it once after <c>optimizer.Step()</c>, while the gradients of the step are
    /// still in <see cref="Tensor.Grad"/>.
    /// </summary>
    public void RecordStep()
    {
        foreach (Layer layer in _layers)
        {
            var (norm, meanAbs, maxAbs) = GradStats(layer.Weight.Grad);
            double update = UpdateRatio(layer.Weight, layer.Previous);
            double zero = layer.ZeroCount == 0 ? double.NaN : layer.ZeroSum / layer.ZeroCount;
            double dead = layer.Alive is { } alive ? (double)alive.Count(a => !a) / alive.Length : double.NaN;
            _records.Add(new LayerGradientStats(_step, layer.Name, norm, meanAbs, maxAbs, zero, dead, update));
            layer.ZeroSum = 0;
            layer.ZeroCount = 0;
            layer.Alive = null;
        }
        _step++;
    }

    private static (double Norm, double MeanAbs, double MaxAbs) GradStats(Tensor? grad)
    {
        if (grad is null || grad.Numel == 0) return (0, 0, 0);
        double sumSq = 0, sumAbs = 0, max = 0;
        foreach (double x in grad.ToDoubleArray())
        {
            double a = Math.Abs(x);
            sumSq += a * a;
            sumAbs += a;
            max = double.IsNaN(a) ? a : Math.Max(max, a);
        }
        return (Math.Sqrt(sumSq), sumAbs / grad.Numel, max);
    }

    private static double UpdateRatio(Tensor weight, Tensor previous)
    {
        double[] now = weight.ToDoubleArray(), before = previous.ToDoubleArray();
        double diff = 0, norm = 0;
        for (int i = 0; i < now.Length; i++)
        {
            double d = now[i] - before[i];
            diff += d * d;
            norm += before[i] * before[i];
        }
        using (Autograd.NoGrad()) previous.CopyFrom(weight);
        return norm == 0 ? (diff == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(diff / norm);
    }

    /// <summary>
    /// Summarises the records into verdicts.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><b>vanishing</b>: the median mean |g| of the first layer is below <paramref name="vanishingRatio"/> times
    /// the last layer's.</item>
    /// <item><b>exploding</b>: a gradient norm turned NaN or infinite; or the total norm of the last tenth of the steps
    /// is above <paramref name="explodingGrowth"/> times that of the first tenth; or the first layer's mean |g| is above
    /// <c>1 / vanishingRatio</c> times the last layer's (growing backwards through depth).</item>
    /// <item><b>dead units</b>: a layer where more than <paramref name="deadFraction"/> of the output units had a zero
    /// gradient for every sample, averaged over the last tenth of the steps.</item>
    /// </list>
    /// <para>When gradients turned non-finite, the layer summaries cover only the steps before that.</para>
    /// </remarks>
    /// <param name="vanishingRatio">How far below the last layer the first layer's gradients may fall (default three orders of magnitude).</param>
    /// <param name="explodingGrowth">How much the total gradient norm may grow over training.</param>
    /// <param name="deadFraction">The fraction of dead units that makes a layer's units count as dead.</param>
    public GradientFlowReport Report(double vanishingRatio = 1e-3, double explodingGrowth = 1e2, double deadFraction = 0.5)
    {
        if (_step == 0) throw new InvalidOperationException("gradient flow: no step recorded; call RecordStep() after each optimizer.Step()");
        var totals = Enumerable.Range(0, _step).Select(s => Math.Sqrt(_records.Where(r => r.Step == s).Sum(r => r.GradNorm * r.GradNorm))).ToList();
        int firstBad = totals.FindIndex(t => !double.IsFinite(t));
        // NOTE: once a gradient is non-finite every later statistic is noise, so layers are summarised up to that step.
        int usable = firstBad >= 0 ? Math.Max(1, firstBad) : _step;
        int window = Math.Max(1, usable / 10);
        var summaries = new List<LayerFlowSummary>();
        foreach (Layer layer in _layers)
        {
            var rows = _records.Where(r => r.Layer == layer.Name && r.Step < usable).ToList();
            var last = rows.Skip(rows.Count - window).ToList();
            summaries.Add(new LayerFlowSummary(layer.Name, layer.Type,
                Median(rows.Select(r => r.GradNorm)), Median(rows.Select(r => r.MeanAbsGrad)), rows.Max(r => r.MaxAbsGrad),
                Mean(rows.Select(r => r.ZeroFraction)), Mean(last.Select(r => r.DeadFraction)), Median(rows.Select(r => r.UpdateRatio))));
        }
        var verdicts = new List<string>();
        LayerFlowSummary first = summaries[0], lastLayer = summaries[^1];
        double depthRatio = first.MeanAbsGrad / lastLayer.MeanAbsGrad;
        bool vanishing = summaries.Count > 1 && (depthRatio < vanishingRatio || (first.MeanAbsGrad == 0 && lastLayer.MeanAbsGrad > 0));
        if (vanishing)
            verdicts.Add(Invariant($"vanishing gradients: the first layer ({first.Layer}) gets a mean |grad| of {first.MeanAbsGrad:0.0e+00}, {depthRatio:0.0e+00} times the last layer's ({lastLayer.Layer}, {lastLayer.MeanAbsGrad:0.0e+00}), so the early layers barely learn; try ReLU with He initialisation, normalisation layers or residual connections"));

        window = Math.Max(1, _step / 10);
        double startNorm = Median(totals.Take(window)), endNorm = totals.Skip(_step - window).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        bool exploding = false;
        if (firstBad >= 0)
        {
            exploding = true;
            verdicts.Add(Invariant($"exploding gradients: the gradient norm became non-finite at step {firstBad} (after {totals.Take(firstBad).Where(double.IsFinite).DefaultIfEmpty(0).Max():0.0e+00}); clip it with GradClip.ClipGradNorm, lower the learning rate or fix the initialisation"));
        }
        else if (_step >= 2 * window && endNorm > explodingGrowth * startNorm)
        {
            exploding = true;
            verdicts.Add(Invariant($"exploding gradients: the total gradient norm grew from {startNorm:0.0e+00} to {endNorm:0.0e+00} ({endNorm / startNorm:0.0e+00} times); clip it with GradClip.ClipGradNorm or lower the learning rate"));
        }
        else if (summaries.Count > 1 && depthRatio > 1 / vanishingRatio)
        {
            exploding = true;
            verdicts.Add(Invariant($"exploding gradients: the first layer ({first.Layer}) gets a mean |grad| {depthRatio:0.0e+00} times the last layer's; gradients grow backwards through the layers, so check the initialisation scale"));
        }

        var dead = summaries.Where(s => s.DeadFraction > deadFraction).ToList();
        foreach (var d in dead)
            verdicts.Add(Invariant($"dead units: in layer {d.Layer} ({d.Type}) {d.DeadFraction:0%} of the units got a zero gradient for every sample of a batch, so they no longer learn; try a lower learning rate, LeakyRelu, or He initialisation"));
        if (verdicts.Count == 0)
            verdicts.Add(Invariant($"healthy: gradients reach the first layer ({first.Layer}: mean |grad| {first.MeanAbsGrad:0.0e+00}, {depthRatio:0.0e+00} times the last layer's), stay finite and bounded, and no layer has mostly dead units"));
        return new GradientFlowReport(summaries, _step, vanishing, exploding, dead.Count > 0, verdicts);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToList();
        return v.Count == 0 ? double.NaN : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToList();
        return v.Count == 0 ? double.NaN : v.Average();
    }

    /// <summary>
    /// The records as a chart: per-layer gradient norms over the steps (log scale), the update-to-weight ratio
    /// (log scale) and the fraction of zero output gradients, as three stacked panels.
    /// </summary>
    public string ToSvg()
    {
        var norms = new LineChart { Title = "Gradient norm per layer", XLabel = "step", YLabel = "||grad W|| (log scale)", LogY = true };
        var updates = new LineChart { Title = "Update / weight ratio per layer", XLabel = "step", YLabel = "||dW|| / ||W|| (log scale)", LogY = true };
        var zeros = new LineChart { Title = "Exact zeros in the output gradient", XLabel = "step", YLabel = "fraction" };
        foreach (Layer layer in _layers)
        {
            var rows = _records.Where(r => r.Layer == layer.Name).ToList();
            double[] steps = rows.Select(r => (double)r.Step).ToArray();
            string label = $"{layer.Name} {layer.Type}";
            norms.Series.Add(new ChartSeries(label, steps, rows.Select(r => r.GradNorm).ToArray()));
            updates.Series.Add(new ChartSeries(label, steps, rows.Select(r => r.UpdateRatio).ToArray()));
            if (rows.Any(r => !double.IsNaN(r.ZeroFraction)))
                zeros.Series.Add(new ChartSeries(label, steps, rows.Select(r => r.ZeroFraction).ToArray()));
        }
        return LineChart.RenderPanels(zeros.Series.Count > 0 ? [norms, updates, zeros] : [norms, updates]);
    }

    /// <summary>Writes the records as CSV: <c>step,layer,grad_norm,mean_abs_grad,max_abs_grad,zero_fraction,dead_fraction,update_ratio</c>.</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine("step,layer,grad_norm,mean_abs_grad,max_abs_grad,zero_fraction,dead_fraction,update_ratio");
        foreach (var r in _records)
            writer.WriteLine(string.Join(",", r.Step.ToString(CultureInfo.InvariantCulture), r.Layer,
                G(r.GradNorm), G(r.MeanAbsGrad), G(r.MaxAbsGrad), G(r.ZeroFraction), G(r.DeadFraction), G(r.UpdateRatio)));

        static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>Removes the forward hooks.</summary>
    public void Dispose()
    {
        foreach (var h in _hooks) h.Dispose();
        _hooks.Clear();
    }
}
