namespace Nabla;

public static partial class Functional
{
    /// <summary>
    /// Dropout: in training, zeroes each element with probability <paramref name="p"/> and scales the others by
    /// <c>1/(1 - p)</c>; otherwise (or with <c>p = 0</c>) returns <paramref name="input"/> itself.
    /// </summary>
    /// <remarks>
    /// <paramref name="p"/> lies in [0, 1]; <c>p = 1</c> gives zeros (and zero gradients), as in PyTorch. The mask is drawn
    /// from <paramref name="generator"/> (the default generator when null) in the input's dtype. One node,
    /// <c>DropoutBackward</c>: the gradient is the same mask and scale applied to the upstream gradient.
    /// </remarks>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutProbability("dropout", p);
        if (!training || p == 0) return input;
        Tensor.CheckFloat(input, "dropout");
        Tensor scaledMask = p == 1
            ? Tensor.ZerosLike(input)
            : Tensor.Rand(input.Shape.ToArray(), input.DType, generator).Ge(p).To(input.DType) * (1.0 / (1 - p));
        return Ops.Composite.Run("DropoutBackward", input, x => x * scaledMask);
    }

    /// <summary>Refuses a drop probability outside [0, 1], naming the op.</summary>
    internal static void CheckDropoutProbability(string op, double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{op}: probability p must be in [0, 1], got {p}");
    }
}
