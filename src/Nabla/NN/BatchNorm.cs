namespace Nabla.NN;

/// <summary>
/// Batch normalisation over channel dim 1 with learnable weight and bias and running statistics
/// (<c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>). Training normalises with the batch's
/// mean and biased variance and updates the running statistics with <c>momentum</c> (unbiased variance);
/// evaluation uses the running statistics.
/// </summary>
public abstract class BatchNormBase : Module
{
    private readonly double _eps, _momentum;
    private readonly int _expectedRank;

    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    protected BatchNormBase(int numFeatures, double eps, double momentum, int expectedRank, DType dtype)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: num_features must be positive, got {numFeatures}");
        NumFeatures = numFeatures;
        (_eps, _momentum, _expectedRank) = (eps, momentum, expectedRank);
        Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
        Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
    }

    /// <summary>The number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>The scale per channel.</summary>
    public Tensor Weight { get; }

    /// <summary>The shift per channel.</summary>
    public Tensor Bias { get; }

    /// <summary>The running mean per channel.</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running (unbiased) variance per channel.</summary>
    public Tensor RunningVar { get; }

    /// <summary>How many training batches updated the running statistics.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        if (input.Rank != _expectedRank && !(_expectedRank == 2 && input.Rank == 3))
            throw new ArgumentException($"{GetType().Name}: expected input of rank {_expectedRank}{(_expectedRank == 2 ? " or 3" : "")}, got shape {input.Shape}");
        if (input.Size(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name}: expected {NumFeatures} channels in dim 1, got shape {input.Shape}");
        if (IsTraining)
            using (Autograd.NoGrad()) NumBatchesTracked.AddInPlace(1);
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, _momentum, _eps);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumFeatures}, eps={PyRepr.Float(_eps)}, momentum={PyRepr.Float(_momentum)}, affine=True, track_running_stats=True";
}

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs.</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, DType dtype = DType.Float32)
    : BatchNormBase(numFeatures, eps, momentum, 2, dtype);

/// <summary>Batch normalisation of [N, C, H, W] inputs.</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, DType dtype = DType.Float32)
    : BatchNormBase(numFeatures, eps, momentum, 4, dtype);
