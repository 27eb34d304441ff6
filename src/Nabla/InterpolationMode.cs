namespace Nabla;

/// <summary>How <see cref="Functional.Interpolate"/> and <see cref="NN.Upsample"/> compute an output pixel, as PyTorch's <c>mode</c> argument.</summary>
public enum InterpolationMode
{
    /// <summary>Copy the source pixel <c>src = min(floor(dst*scale), in - 1)</c> along each dim (PyTorch's <c>"nearest"</c>).</summary>
    Nearest,

    /// <summary>Weigh the four source pixels around the sampling point by their distance (PyTorch's <c>"bilinear"</c>).</summary>
    Bilinear,
}
