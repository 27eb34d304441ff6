namespace Nabla.Diagnostics;

/// <summary>One layer's gradient flow summarised over a run (medians over the recorded steps).</summary>
/// <param name="Layer">The module name.</param>
/// <param name="Type">The module type, such as <c>Linear</c>.</param>
/// <param name="GradNorm">The median gradient norm.</param>
/// <param name="MeanAbsGrad">The median of the mean |g|.</param>
/// <param name="MaxAbsGrad">The largest |g| seen.</param>
/// <param name="ZeroFraction">The mean fraction of exact zeros in the output gradient (NaN if never seen).</param>
/// <param name="DeadFraction">The mean fraction of dead units over the last tenth of the steps.</param>
/// <param name="UpdateRatio">The median update-to-weight ratio.</param>
public sealed record LayerFlowSummary(string Layer, string Type, double GradNorm, double MeanAbsGrad, double MaxAbsGrad,
    double ZeroFraction, double DeadFraction, double UpdateRatio);
