namespace Nabla;

// Note [Trailing underscore]
// PyTorch marks an in-place op with a trailing underscore (add_, addcmul_, requires_grad_), and code ported from an
// optimizer reads p.Add_(g, alpha: -lr) the way it read p.add_(g, alpha=-lr). The underscore keeps that one mark; the
// older AddInPlace/MulInPlace names stay. Each op computes its result out of place without recording, then writes it
// back through Assign, so the version counter is bumped (Note [Version counter]) and a result of another dtype or shape
// is refused instead of truncated.
#pragma warning disable CA1707 // See Note [Trailing underscore]

public sealed partial class Tensor
{
    /// <summary>In place: <c>this += alpha*other</c> (<paramref name="other"/> broadcast to this shape), PyTorch's <c>add_</c>; returns this.</summary>
    public Tensor Add_(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        return alpha == 1 ? AddInPlace(other) : InPlace("add_", (a, b) => a + b * alpha, other);
    }

    /// <summary>In place: <c>this += value</c>; returns this.</summary>
    public Tensor Add_(double value) => AddInPlace(value);

    /// <summary>In place: <c>this -= alpha*other</c>, PyTorch's <c>sub_</c>; returns this.</summary>
    public Tensor Sub_(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        return alpha == 1 ? SubInPlace(other) : InPlace("sub_", (a, b) => a - b * alpha, other);
    }

    /// <summary>In place: <c>this *= other</c> (broadcast to this shape); returns this.</summary>
    public Tensor Mul_(Tensor other) => MulInPlace(other);

    /// <summary>In place: <c>this *= value</c>; returns this.</summary>
    public Tensor Mul_(double value) => MulInPlace(value);

    /// <summary>In place: <c>this /= other</c> (broadcast to this shape); returns this. An integer tensor refuses (true division gives floats).</summary>
    public Tensor Div_(Tensor other) => DivInPlace(other);

    /// <summary>In place: <c>this /= value</c>; returns this.</summary>
    public Tensor Div_(double value) => DivInPlace(ScalarOperand(value));

    /// <summary>In place: <c>this += value*tensor1*tensor2</c>, PyTorch's <c>addcmul_</c> (Adam's second moment); returns this.</summary>
    /// <remarks>Computed as <c>this + (value*tensor1)*tensor2</c>, PyTorch's order; both tensors broadcast to this shape.</remarks>
    public Tensor AddCMul_(Tensor tensor1, Tensor tensor2, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(tensor1);
        ArgumentNullException.ThrowIfNull(tensor2);
        return InPlace("addcmul_", (a, t) => a + t * value * tensor2.Detach(), tensor1);
    }

    /// <summary>In place: <c>this += value*tensor1/tensor2</c>, PyTorch's <c>addcdiv_</c> (Adam's step); returns this.</summary>
    /// <remarks>Computed as <c>this + (value*tensor1)/tensor2</c>, PyTorch's order; both tensors broadcast to this shape.</remarks>
    public Tensor AddCDiv_(Tensor tensor1, Tensor tensor2, double value = 1)
    {
        ArgumentNullException.ThrowIfNull(tensor1);
        ArgumentNullException.ThrowIfNull(tensor2);
        return InPlace("addcdiv_", (a, t) => a + t * value / tensor2.Detach(), tensor1);
    }

    /// <summary>In place: <c>this = this + weight*(end - this)</c>, PyTorch's <c>lerp_</c> (an exponential moving average); returns this.</summary>
    public Tensor Lerp_(Tensor end, double weight) => InPlace("lerp_", (a, b) => a.Lerp(b, weight), end);

    /// <summary>In place: <c>this = this + weight*(end - this)</c> with a tensor weight; returns this.</summary>
    public Tensor Lerp_(Tensor end, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return InPlace("lerp_", (a, b) => a.Lerp(b, weight.Detach()), end);
    }

    /// <summary>In place: sets every element to zero (PyTorch's <c>zero_</c>); returns this.</summary>
    public Tensor Zero_() => Zero();

    /// <summary>Sets <see cref="RequiresGrad"/> (on a leaf) and returns this tensor, so that creation chains: <c>Tensor.Randn([3]).RequiresGrad_()</c>.</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }
}
#pragma warning restore CA1707
