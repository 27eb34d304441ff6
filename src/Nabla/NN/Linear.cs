namespace Nabla.NN;

/// <summary>An affine layer <c>y = x·Wᵀ + b</c> with <c>W</c> of shape [out, in] and <c>b</c> of shape [out].</summary>
/// <remarks>Initialised as PyTorch does: W and b from U(-1/sqrt(in), 1/sqrt(in)).</remarks>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: feature counts must be positive, got in_features={inFeatures}, out_features={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype));
        // NOTE: kaiming_uniform(a = sqrt(5)) on [out, in] is exactly U(-1/sqrt(in), 1/sqrt(in)).
        double bound = 1 / Math.Sqrt(inFeatures);
        Init.Uniform(Weight, -bound, bound, generator);
        if (bias) Bias = Init.Uniform(RegisterParameter("bias", Tensor.Zeros([outFeatures], dtype)), -bound, bound, generator);
    }

    /// <summary>The number of input features.</summary>
    public int InFeatures { get; }

    /// <summary>The number of output features.</summary>
    public int OutFeatures { get; }

    private Tensor _weight;

    /// <summary>The weight, [out, in]. Setting it registers the new tensor as the parameter <c>weight</c> (tying: <c>head.Weight = embedding.Weight</c>).</summary>
    public Tensor Weight
    {
        get => _weight;
        set => ReplaceParameter("weight", _weight, value, "[out_features, in_features]");
    }

    /// <summary>The bias, [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        CheckInput(input);
        return Functional.Linear(input, Weight, Bias);
    }

    /// <inheritdoc/>
    protected internal override Module? FuseWith(Module next) => next is Relu ? new LinearRelu(this) : null;

    internal void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear: expected input of shape [..., {InFeatures}], got {input.Shape}");
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")}";
}
