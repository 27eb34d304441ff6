namespace Nabla;

// Losses of probabilistic models, composed of differentiable ops (so twice differentiable). Where a formula has a
// point at which one branch is not finite (ln 0 where a target is 0), the input of that branch is replaced by a safe
// value there before Where selects, so no NaN reaches the gradient of the other branch.

public static partial class Functional
{
    /// <summary>Kullback-Leibler divergence loss, as <c>F.kl_div</c>: <paramref name="input"/> holds log-probabilities.</summary>
    /// <remarks>
    /// Per element, <c>target·(ln target - input)</c>, exactly 0 where <c>target == 0</c>; with <paramref name="logTarget"/>
    /// the target holds log-probabilities too and the loss is <c>exp(target)·(target - input)</c>. Shapes must be equal.
    /// <see cref="Reduction.Mean"/> divides the sum by the number of elements, <see cref="Reduction.BatchMean"/> by the
    /// batch size <c>input.shape[0]</c> (the KL divergence per sample; a 0-d input is its own batch).
    /// </remarks>
    public static Tensor KLDiv(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
    {
        if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
        const string op = "kl_div";
        CheckLossPair(op, input, target);
        return Ops.Composite.Run("KlDivBackward", input, target, (input, target) =>
        {
            Tensor loss;
            if (logTarget) loss = target!.Exp() * (target - input);
            else
            {
                Tensor zero = target!.Eq(0.0);
                Tensor safe = Tensor.Where(zero, Tensor.Scalar(1.0, target.DType), target);
                loss = Tensor.Where(zero, Tensor.Scalar(0.0, target.DType), target * safe.Log()) - target * input;
            }
            if (reduction != Reduction.BatchMean) return Reduce(loss, reduction, op);
            return input.Rank == 0 ? loss.Sum() : loss.Sum() / (double)input.Dims[0];
        });
    }

    /// <summary>Negative log-likelihood of a Gaussian with predicted mean <paramref name="input"/> and variance <paramref name="var"/>, as <c>F.gaussian_nll_loss</c>.</summary>
    /// <remarks>
    /// Per element <c>0.5·(ln v + (input - target)²/v)</c>, plus <c>0.5·ln(2π)</c> when <paramref name="full"/>, where
    /// <c>v = max(var, eps)</c> and the clamp is invisible to autograd (the gradient is <c>d loss/d v</c> at the clamped
    /// value, also where <c>var &lt; eps</c>; Note [Clamps invisible to autograd]). <paramref name="target"/> has the
    /// input's shape; <paramref name="var"/> has it too, or it with the last dim 1, or it without the last dim (then a
    /// last dim of 1 is added), and broadcasts. Every var must be non-negative. Mean and sum reduce over all elements.
    /// </remarks>
    public static Tensor GaussianNllLoss(Tensor input, Tensor target, Tensor var, bool full = false, double eps = 1e-6,
        Reduction reduction = Reduction.Mean)
    {
        if (Autocast.IsEnabled) (input, target, var) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!, Autocast.Float32Optional(var)!); // Note [Autocast policy]
        const string op = "gaussian_nll_loss";
        CheckLossPair(op, input, target);
        ArgumentNullException.ThrowIfNull(var);
        if (var.DType != input.DType)
            throw new ArgumentException($"{op}: var has dtype {var.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
        if (!var.Shape.Equals(input.Shape))
        {
            bool shorter = input.Rank >= 1 && var.Dims.AsSpan().SequenceEqual(input.Dims.AsSpan(0, input.Rank - 1));
            bool lastIsOne = input.Rank >= 1 && var.Rank == input.Rank && var.Dims[^1] == 1
                && var.Dims.AsSpan(0, var.Rank - 1).SequenceEqual(input.Dims.AsSpan(0, input.Rank - 1));
            if (shorter) var = var.Unsqueeze(-1);
            else if (!lastIsOne)
                throw new ArgumentException(
                    $"{op}: var has shape {var.Shape} but input has shape {input.Shape}; expected {input.Shape}, the same with the last dim 1, or it without the last dim");
        }
        if (!(eps >= 0)) throw new ArgumentException($"{op}: eps must be non-negative, got {eps}");
        if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum)) throw UnknownReduction(op, reduction);
        if (Array.Exists(var.ToDoubleArray(), x => x < 0))
            throw new ArgumentException($"{op}: var (shape {var.Shape}) has negative entries; variances must be non-negative");
        return Ops.Composite.Run("GaussianNllLossBackward", [input, target, var], a =>
        {
            Tensor v = ClampMinInvisible(a[2]!, eps);
            Tensor d = a[0]! - a[1]!;
            Tensor loss = (v.Log() + d * d / v) * 0.5;
            if (full) loss += 0.5 * Math.Log(2 * Math.PI);
            return Reduce(loss, reduction, op);
        });
    }

    /// <summary>Negative log-likelihood of a Poisson distribution, as <c>F.poisson_nll_loss</c>.</summary>
    /// <remarks>
    /// With <paramref name="logInput"/> (the default) the input is the log-rate and the loss is <c>exp(input) - target·input</c>;
    /// otherwise the input is the rate and the loss is <c>input - target·ln(input + eps)</c>. With <paramref name="full"/> the
    /// Stirling approximation of <c>ln(target!)</c>, <c>target·ln target - target + 0.5·ln(2π·target)</c>, is added where
    /// <c>target &gt; 1</c> (0 elsewhere). Shapes must be equal.
    /// </remarks>
    public static Tensor PoissonNllLoss(Tensor input, Tensor target, bool logInput = true, bool full = false, double eps = 1e-8,
        Reduction reduction = Reduction.Mean)
    {
        if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
        const string op = "poisson_nll_loss";
        CheckLossPair(op, input, target);
        return Ops.Composite.Run("PoissonNllLossBackward", input, target, (input, t) =>
        {
            Tensor target = t!;
            Tensor loss = logInput ? input.Exp() - target * input : input - target * (input + eps).Log();
            if (full)
            {
                Tensor counted = target.Gt(1.0);
                Tensor safe = Tensor.Where(counted, target, Tensor.Scalar(2.0, target.DType));
                Tensor stirling = safe * safe.Log() - safe + (safe * (2 * Math.PI)).Log() * 0.5;
                loss += Tensor.Where(counted, stirling, Tensor.Scalar(0.0, target.DType));
            }
            return Reduce(loss, reduction, op);
        });
    }
}
