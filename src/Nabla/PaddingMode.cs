namespace Nabla;

/// <summary>How <see cref="Functional.Pad"/> fills the border it adds, as <c>mode</c> of <c>torch.nn.functional.pad</c>.</summary>
public enum PaddingMode
{
    /// <summary>A constant value (<c>'constant'</c>); negative pads crop.</summary>
    Constant,

    /// <summary>The mirror image without repeating the edge element (<c>'reflect'</c>): <c>c b | a b c d | c b</c>.</summary>
    Reflect,

    /// <summary>The edge element repeated (<c>'replicate'</c>): <c>a a | a b c d | d d</c>.</summary>
    Replicate,
}
