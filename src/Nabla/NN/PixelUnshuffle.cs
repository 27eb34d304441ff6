namespace Nabla.NN;

/// <summary>Rearranges <c>[*, C, H·r, W·r]</c> into <c>[*, C·r·r, H, W]</c>, like <c>torch.nn.PixelUnshuffle</c> (see <see cref="Functional.PixelUnshuffle"/>).</summary>
public sealed class PixelUnshuffle : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="downscaleFactor">The factor <c>r</c> (positive).</param>
    public PixelUnshuffle(int downscaleFactor)
    {
        if (downscaleFactor <= 0) throw new ArgumentOutOfRangeException(nameof(downscaleFactor), $"PixelUnshuffle: downscale_factor must be positive, got {downscaleFactor}");
        DownscaleFactor = downscaleFactor;
    }

    /// <summary>The factor <c>r</c> by which height and width shrink.</summary>
    public int DownscaleFactor { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.PixelUnshuffle(input, DownscaleFactor);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"downscale_factor={DownscaleFactor}";
}
