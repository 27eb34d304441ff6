namespace Nabla.NN;

/// <summary>Rearranges <c>[*, C·r·r, H, W]</c> into <c>[*, C, H·r, W·r]</c>, like <c>torch.nn.PixelShuffle</c> (see <see cref="Functional.PixelShuffle"/>).</summary>
public sealed class PixelShuffle : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="upscaleFactor">The factor <c>r</c> (positive).</param>
    public PixelShuffle(int upscaleFactor)
    {
        if (upscaleFactor <= 0) throw new ArgumentOutOfRangeException(nameof(upscaleFactor), $"PixelShuffle: upscale_factor must be positive, got {upscaleFactor}");
        UpscaleFactor = upscaleFactor;
    }

    /// <summary>The factor <c>r</c> by which height and width grow.</summary>
    public int UpscaleFactor { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.PixelShuffle(input, UpscaleFactor);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"upscale_factor={UpscaleFactor}";
}
