using System.Globalization;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>Plain verdicts on a run's gradient flow: vanishing, exploding, dead units, or healthy.</summary>
/// <param name="Layers">One summary per layer, first layer first.</param>
/// <param name="Steps">The number of recorded steps.</param>
/// <param name="IsVanishing">The first layer's gradients are orders of magnitude below the last layer's.</param>
/// <param name="IsExploding">Gradient norms turned non-finite or grew without bound (over training or backwards through depth).</param>
/// <param name="HasDeadUnits">Some layer has many units whose gradient is always zero (dead ReLUs).</param>
/// <param name="Verdicts">One sentence per finding, each with the numbers behind it and what to try.</param>
public sealed record GradientFlowReport(IReadOnlyList<LayerFlowSummary> Layers, int Steps, bool IsVanishing, bool IsExploding,
    bool HasDeadUnits, IReadOnlyList<string> Verdicts)
{
    /// <summary>True when no problem was found.</summary>
    public bool IsHealthy => !IsVanishing && !IsExploding && !HasDeadUnits;

    /// <summary>A table of the layers followed by the verdicts.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"gradient flow over {Steps} steps (medians per layer):");
        string[] header = ["layer", "type", "grad norm", "mean |g|", "max |g|", "zero grads", "dead units", "update/weight"];
        var rows = new List<string[]> { header };
        foreach (var l in Layers)
            rows.Add([l.Layer, l.Type, E(l.GradNorm), E(l.MeanAbsGrad), E(l.MaxAbsGrad), P(l.ZeroFraction), P(l.DeadFraction), E(l.UpdateRatio)]);
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
            sb.AppendLine("  " + string.Join("  ", r.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        foreach (string v in Verdicts) sb.AppendLine(v);
        return sb.ToString().TrimEnd();
    }

    private static string E(double v) => double.IsNaN(v) ? "-" : v.ToString("0.00e+00", CultureInfo.InvariantCulture);

    private static string P(double v) => double.IsNaN(v) ? "-" : v.ToString("0.0%", CultureInfo.InvariantCulture);
}
