using System.Globalization;
using System.Text;
using Nabla.NN;

namespace Nabla.Diagnostics;

/// <summary>The worst disagreement found for one input or parameter by <see cref="GradCheck"/>.</summary>
/// <param name="Name">The input's name (or its position), or the parameter's state_dict name.</param>
/// <param name="Shape">The tensor's shape.</param>
/// <param name="WorstError">The largest error, <c>|analytical - numerical| / max(1, |analytical|, |numerical|)</c>.</param>
/// <param name="WorstIndex">The flat (row-major) index of the element where it occurs.</param>
/// <param name="Analytical">The analytical gradient at that element.</param>
/// <param name="Numerical">The finite-difference gradient at that element.</param>
/// <param name="CheckedElements">How many elements were compared (all, unless the check sampled them).</param>
public sealed record GradCheckEntry(string Name, Shape Shape, double WorstError, long WorstIndex, double Analytical, double Numerical, long CheckedElements = -1)
{
    /// <summary>The worst element as a multi-dimensional index, such as <c>[3, 1]</c>.</summary>
    public string WorstElement()
    {
        int[] dims = Shape.ToArray();
        var index = new long[dims.Length];
        long rem = WorstIndex;
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = rem % dims[d];
            rem /= dims[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}

/// <summary>The result of a gradient check: one entry per input or parameter that requires a gradient.</summary>
public sealed record GradCheckReport(IReadOnlyList<GradCheckEntry> Entries, double Tolerance)
{
    /// <summary>True when every entry's worst error is at or below the tolerance.</summary>
    public bool Passed => Entries.All(e => e.WorstError <= Tolerance);

    /// <summary>The entries whose worst error exceeds the tolerance, worst first.</summary>
    public IReadOnlyList<GradCheckEntry> Failures() => [.. Entries.Where(e => !(e.WorstError <= Tolerance)).OrderByDescending(e => e.WorstError)];

    /// <summary>The entry with the largest error, or null for an empty report.</summary>
    public GradCheckEntry? Worst() => Entries.Count == 0 ? null : Entries.MaxBy(e => double.IsNaN(e.WorstError) ? double.PositiveInfinity : e.WorstError);

    /// <summary>
    /// A table, one line per input: <c>ok</c> or <c>FAIL</c>, the name, shape, worst error, the element where it
    /// occurs and both gradients there, then a one-line verdict.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int nameWidth = Entries.Select(e => e.Name.Length).DefaultIfEmpty(4).Max();
        int shapeWidth = Entries.Select(e => e.Shape.ToString().Length).DefaultIfEmpty(5).Max();
        foreach (var e in Entries)
        {
            string sampled = e.CheckedElements >= 0 && e.CheckedElements < e.Shape.Numel() ? $" ({e.CheckedElements} of {e.Shape.Numel()} elements checked)" : "";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{(e.WorstError <= Tolerance ? "ok  " : "FAIL")}  {e.Name.PadRight(nameWidth)}  {e.Shape.ToString().PadRight(shapeWidth)}  worst error {e.WorstError:0.00e+00} at {e.WorstElement()} (analytical {e.Analytical:G8}, numerical {e.Numerical:G8}){sampled}");
        }
        var failures = Failures();
        if (failures.Count == 0)
            sb.Append(CultureInfo.InvariantCulture, $"passed: every gradient agrees with finite differences within {Tolerance:0.##e+00}");
        else
            sb.Append(CultureInfo.InvariantCulture,
                $"FAILED: {failures.Count} of {Entries.Count} gradients differ from finite differences by more than {Tolerance:0.##e+00}: {string.Join(", ", failures.Select(f => f.Name))}");
        return sb.ToString();
    }
}

/// <summary>Checks analytical gradients against central finite differences in float64.</summary>
/// <remarks>
/// The error of an element is <c>|a - n| / max(1, |a|, |n|)</c>: relative for gradients above 1 in magnitude and
/// absolute below, so tiny gradients do not fail on rounding noise. Central differences in float64 with
/// <c>eps = 1e-6</c> are accurate to about 1e-9 for smooth functions, so the default tolerance of 1e-5 separates
/// rounding from a wrong rule by orders of magnitude. A kink (ReLU at 0, max ties) within <c>eps</c> of an element
/// can fail the check even for a correct rule; move the input slightly.
/// </remarks>
public static class GradCheck
{
    /// <summary>
    /// Compares the gradient of <c>sum(f(inputs) * w)</c>, for a fixed pseudo-random <c>w</c>, with central
    /// differences <c>(s(x + eps) - s(x - eps)) / 2eps</c> for every element of every input that requires a gradient.
    /// </summary>
    /// <param name="function">The function to check; it must be deterministic.</param>
    /// <param name="inputs">Float64 inputs; those that require a gradient are checked.</param>
    /// <param name="names">Optional names for the report (defaults to positions).</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="tolerance">The largest acceptable error (see the remarks of <see cref="GradCheck"/>).</param>
    public static GradCheckReport Check(Func<IReadOnlyList<Tensor>, Tensor> function, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string>? names = null, double eps = 1e-6, double tolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        CheckArguments(eps, tolerance);
        var named = new List<(string Name, Tensor Tensor)>();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].RequiresGrad) continue;
            string name = names?[i] ?? $"input {i}";
            if (inputs[i].DType != DType.Float64)
                throw new ArgumentException($"gradcheck: {name} has dtype {inputs[i].DType.Name()}; finite differences need float64 (use .Double())");
            named.Add((name, inputs[i]));
        }
        Tensor output = function(inputs);
        Tensor weights = Tensor.Rand(output.Shape.ToArray(), DType.Float64, new Generator(12345)) + 0.5;
        Tensor?[] analytical = Autograd.Grad([(output * weights).Sum()], named.Select(n => n.Tensor).ToList(), allowUnused: true);
        double Objective()
        {
            using (Autograd.NoGrad()) return (function(inputs) * weights).Sum().Item();
        }
        return Compare(named, analytical, Objective, eps, tolerance, maxElements: 0, seed: 0);
    }

    /// <summary>
    /// Checks the gradient of a scalar loss with respect to every parameter of <paramref name="model"/> that requires
    /// a gradient; the report names each parameter by its state_dict name (<c>0.weight</c>).
    /// </summary>
    /// <remarks>
    /// The model's parameters must be float64 (build its layers with <c>dtype: DType.Float64</c>), and the loss must be
    /// deterministic: call <see cref="ModuleExtensions.Eval"/> for a model with dropout. A large parameter can be sampled with
    /// <paramref name="maxElementsPerParameter"/> (each checked element costs two evaluations of the loss).
    /// </remarks>
    /// <param name="model">The model whose parameters are checked.</param>
    /// <param name="loss">Computes the scalar loss from the model, e.g. <c>() =&gt; Functional.CrossEntropy(model.Forward(x), y)</c>.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="tolerance">The largest acceptable error.</param>
    /// <param name="maxElementsPerParameter">Check at most this many elements of each parameter, chosen at random (0 = all).</param>
    /// <param name="seed">The seed of the element sample.</param>
    public static GradCheckReport Check(ModuleBase model, Func<Tensor> loss, double eps = 1e-6, double tolerance = 1e-5,
        int maxElementsPerParameter = 0, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        CheckArguments(eps, tolerance);
        if (maxElementsPerParameter < 0)
            throw new ArgumentOutOfRangeException(nameof(maxElementsPerParameter), $"gradcheck: maxElementsPerParameter must be 0 (all) or positive, got {maxElementsPerParameter}");
        var named = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
        if (named.Count == 0) throw new ArgumentException($"gradcheck: {model.GetType().Name} has no parameter that requires a gradient");
        foreach (var (name, p) in named)
            if (p.DType != DType.Float64)
                throw new ArgumentException(
                    $"gradcheck: parameter '{name}' has dtype {p.DType.Name()}; finite differences need float64: build the model with dtype: DType.Float64");
        Tensor l = loss();
        if (l.Numel != 1) throw new ArgumentException($"gradcheck: the loss must be a scalar, got shape {l.Shape}");
        Tensor?[] analytical = Autograd.Grad([l], named.Select(n => n.Parameter).ToList(), allowUnused: true);
        double Objective()
        {
            using (Autograd.NoGrad()) return loss().Item();
        }
        double first = Objective(), second = Objective();
        if (first != second && !(double.IsNaN(first) && double.IsNaN(second)))
            throw new InvalidOperationException(
                $"gradcheck: the loss is not deterministic (two evaluations gave {first:R} and {second:R}); call model.Eval() to switch off dropout, and fix any other randomness");
        return Compare(named, analytical, Objective, eps, tolerance, maxElementsPerParameter, seed);
    }

    private static void CheckArguments(double eps, double tolerance)
    {
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"gradcheck: eps must be a positive number, got {eps}");
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), $"gradcheck: tolerance must be non-negative, got {tolerance}");
    }

    private static GradCheckReport Compare(IReadOnlyList<(string Name, Tensor Tensor)> named, Tensor?[] analytical, Func<double> objective,
        double eps, double tolerance, int maxElements, ulong seed)
    {
        var entries = new List<GradCheckEntry>();
        var generator = new Generator(seed);
        for (int i = 0; i < named.Count; i++)
        {
            var (name, x) = named[i];
            Tensor? a = analytical[i];
            double[] ag = a is null ? new double[x.Numel] : a.ToDoubleArray();
            IEnumerable<long> elements = maxElements > 0 && x.Numel > maxElements ? Sample(x.Numel, maxElements, generator) : Range(x.Numel);
            double worst = -1, wa = 0, wn = 0;
            long worstAt = 0, count = 0;
            foreach (long j in elements)
            {
                double orig = x.GetAsDouble(j);
                x.SetElement(j, orig + eps);
                double plus = objective();
                x.SetElement(j, orig - eps);
                double minus = objective();
                x.SetElement(j, orig);
                double num = (plus - minus) / (2 * eps);
                double err = Math.Abs(ag[j] - num) / Math.Max(1, Math.Max(Math.Abs(ag[j]), Math.Abs(num)));
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                if (err > worst) (worst, worstAt, wa, wn) = (err, j, ag[j], num);
                count++;
            }
            entries.Add(new GradCheckEntry(name, x.Shape, Math.Max(worst, 0), worstAt, wa, wn, count));
        }
        return new GradCheckReport(entries, tolerance);
    }

    private static IEnumerable<long> Range(long n)
    {
        for (long j = 0; j < n; j++) yield return j;
    }

    /// <summary>Distinct random flat indices in increasing order.</summary>
    private static long[] Sample(long n, int k, Generator generator)
    {
        var chosen = new HashSet<long>();
        while (chosen.Count < k) chosen.Add((long)(generator.NextDouble() * n) % n);
        return [.. chosen.Order()];
    }
}
