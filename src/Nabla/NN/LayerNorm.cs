namespace Nabla.NN;

/// <summary>Layer normalisation over the trailing <c>normalizedShape</c> dims, with learnable weight (ones) and bias (zeros).</summary>
public sealed class LayerNorm : Module
{
    private readonly int[] _shape;
    private readonly double _eps;

    /// <summary>Creates the layer; <paramref name="bias"/> false keeps the learnable scale without the shift (PyTorch 2.1's <c>bias=False</c>, nanoGPT's <c>LayerNorm(ndim, bias)</c>).</summary>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        _shape = (int[])normalizedShape.Clone();
        _eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(_shape, dtype));
            if (bias) Bias = RegisterParameter("bias", Tensor.Zeros(_shape, dtype));
        }
    }

    /// <summary>Creates the layer over the last dim of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, double eps = 1e-5, DType dtype = DType.Float32) : this([features], eps, true, dtype: dtype) { }

    /// <summary>The scale, or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>The shift, or null without affine parameters or with <c>bias: false</c>.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.LayerNorm(input, _shape, Weight, Bias, _eps);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{PyRepr.Tuple(_shape)}, eps={PyRepr.Float(_eps)}, elementwise_affine={PyRepr.Bool(Weight is not null)}";
}
