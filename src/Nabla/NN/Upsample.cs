namespace Nabla.NN;

/// <summary>
/// Resizes <c>[N, C, H, W]</c> images to a fixed size or by a scale factor, by nearest or bilinear interpolation (PyTorch's <c>nn.Upsample</c>);
/// the module form of <see cref="Functional.Interpolate"/>, whose remarks give the exact coordinate rules.
/// </summary>
public sealed class Upsample : Module
{
    private readonly int[]? _size;
    private readonly double[]? _scaleFactor;
    private readonly InterpolationMode _mode;
    private readonly bool? _alignCorners;

    /// <summary>Creates the layer; exactly one of <paramref name="size"/> and <paramref name="scaleFactor"/> is given (one value means both dims).</summary>
    /// <param name="size">The output size <c>[OH, OW]</c>, or null.</param>
    /// <param name="scaleFactor">Multipliers <c>[sh, sw]</c>, or null.</param>
    /// <param name="mode">Nearest (the default) or bilinear.</param>
    /// <param name="alignCorners">Bilinear only (null means false); must be null for nearest.</param>
    public Upsample(int[]? size = null, double[]? scaleFactor = null, InterpolationMode mode = InterpolationMode.Nearest, bool? alignCorners = null)
    {
        Functional.CheckInterpolateArguments(size, scaleFactor, mode, alignCorners);
        (_size, _scaleFactor, _mode, _alignCorners) = ((int[]?)size?.Clone(), (double[]?)scaleFactor?.Clone(), mode, alignCorners);
    }

    /// <summary>Creates a layer that scales both dims by <paramref name="scaleFactor"/>.</summary>
    public Upsample(double scaleFactor, InterpolationMode mode = InterpolationMode.Nearest, bool? alignCorners = null)
        : this(null, [scaleFactor], mode, alignCorners) { }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Interpolate(input, _size, _scaleFactor, _mode, _alignCorners);

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        string what = _scaleFactor is { } s
            ? "scale_factor=" + (s.Length == 1 ? PyRepr.Float(s[0]) : PyRepr.Tuple(s))
            : "size=" + (_size!.Length == 1 ? _size[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : PyRepr.Tuple(_size));
        return $"{what}, mode={(_mode == InterpolationMode.Nearest ? "nearest" : "bilinear")}";
    }
}
