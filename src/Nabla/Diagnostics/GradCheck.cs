using System.Globalization;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>The worst disagreement found for one input by <see cref="GradCheck"/>.</summary>
/// <param name="Name">The input's name (or its position).</param>
/// <param name="Shape">The input's shape.</param>
/// <param name="WorstError">The largest error, <c>|analytical - numerical| / max(1, |analytical|, |numerical|)</c>.</param>
/// <param name="WorstIndex">The flat (row-major) index of the element where it occurs.</param>
/// <param name="Analytical">The analytical gradient at that element.</param>
/// <param name="Numerical">The finite-difference gradient at that element.</param>
public sealed record GradCheckEntry(string Name, Shape Shape, double WorstError, long WorstIndex, double Analytical, double Numerical);

/// <summary>The result of a gradient check: one entry per input that requires a gradient.</summary>
public sealed record GradCheckReport(IReadOnlyList<GradCheckEntry> Entries, double Tolerance)
{
    /// <summary>True when every entry's worst error is at or below the tolerance.</summary>
    public bool Passed => Entries.All(e => e.WorstError <= Tolerance);

    /// <summary>A table of inputs, worst errors and where they occur.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var e in Entries)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{(e.WorstError <= Tolerance ? "ok  " : "FAIL")} {e.Name} {e.Shape}: worst error {e.WorstError:E2} at element {e.WorstIndex} (analytical {e.Analytical:G10}, numerical {e.Numerical:G10})");
        return sb.ToString();
    }
}

/// <summary>Checks analytical gradients against central finite differences in float64.</summary>
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
    /// <param name="tolerance">The largest acceptable error.</param>
    public static GradCheckReport Check(Func<IReadOnlyList<Tensor>, Tensor> function, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string>? names = null, double eps = 1e-6, double tolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].RequiresGrad && inputs[i].DType != DType.Float64)
                throw new ArgumentException(
                    $"gradcheck: input {names?[i] ?? i.ToString(CultureInfo.InvariantCulture)} has dtype {inputs[i].DType.Name()}; finite differences need float64 (use .Double())");
        Tensor output = function(inputs);
        Tensor weights = Tensor.Rand(output.Shape.ToArray(), DType.Float64, new Generator(12345)) + 0.5;
        var checkedInputs = inputs.Where(t => t.RequiresGrad).ToList();
        Tensor?[] analytical = Autograd.Grad([(output * weights).Sum()], checkedInputs, allowUnused: true);

        double Objective()
        {
            using (Autograd.NoGrad()) return (function(inputs) * weights).Sum().Item();
        }

        var entries = new List<GradCheckEntry>();
        int k = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            Tensor x = inputs[i];
            if (!x.RequiresGrad) continue;
            Tensor? a = analytical[k++];
            double[] ag = a is null ? new double[x.Numel] : a.ToDoubleArray();
            double worst = 0, wa = 0, wn = 0;
            long worstAt = 0;
            for (long j = 0; j < x.Numel; j++)
            {
                double orig = x.GetAsDouble(j);
                x.SetElement(j, orig + eps);
                double plus = Objective();
                x.SetElement(j, orig - eps);
                double minus = Objective();
                x.SetElement(j, orig);
                double num = (plus - minus) / (2 * eps);
                double err = Math.Abs(ag[j] - num) / Math.Max(1, Math.Max(Math.Abs(ag[j]), Math.Abs(num)));
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                if (err > worst || j == 0) (worst, worstAt, wa, wn) = (err, j, ag[j], num);
            }
            entries.Add(new GradCheckEntry(names?[i] ?? $"input {i}", x.Shape, worst, worstAt, wa, wn));
        }
        return new GradCheckReport(entries, tolerance);
    }
}
