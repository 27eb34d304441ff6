namespace Nabla.Diagnostics;

/// <summary>The gradient statistics of one layer at one optimizer step, collected by <see cref="GradientFlowRecorder"/>.</summary>
/// <param name="Step">The step (0-based, in the order of <see cref="GradientFlowRecorder.RecordStep"/> calls).</param>
/// <param name="Layer">The layer's module name (<c>0</c>, <c>features.3</c>).</param>
/// <param name="GradNorm">The L2 norm of the gradient of the layer's weight.</param>
/// <param name="MeanAbsGrad">The mean of |g| over the weight's elements (comparable between layers of different sizes).</param>
/// <param name="MaxAbsGrad">The largest |g|.</param>
/// <param name="ZeroFraction">
/// The fraction of exact zeros in the gradient of the layer's output (for a layer followed by ReLU, the fraction of
/// inactive units per sample); NaN when the output gradient was not seen.
/// </param>
/// <param name="DeadFraction">The fraction of output units (dimension 1) whose gradient was exactly zero for every sample of the step.</param>
/// <param name="UpdateRatio"><c>||W_after - W_before|| / ||W_before||</c> for this step's optimizer update (about 1e-3 is typical).</param>
public sealed record LayerGradientStats(int Step, string Layer, double GradNorm, double MeanAbsGrad, double MaxAbsGrad,
    double ZeroFraction, double DeadFraction, double UpdateRatio);
