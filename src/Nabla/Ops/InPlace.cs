using Nabla.Kernels;

namespace Nabla;

// Note [Version counter]
// Every in-place op bumps the version of the storage it writes (views share it). A backward node
// records the version of each tensor it saves; before the rule runs the engine compares them, so a
// saved tensor modified in between is reported instead of silently giving a wrong gradient.
// In-place ops are not themselves recorded: on a tensor that requires a gradient they are refused
// unless grad recording is off (Autograd.NoGrad), which is how optimizers update parameters.

public sealed partial class Tensor
{
    private void CheckInPlace(string op)
    {
        if (RequiresGrad && Autograd.IsGradEnabled)
            throw new InvalidOperationException(
                $"{op}: cannot modify in place a tensor of shape {Shape} that requires a gradient while gradients are recorded; " +
                "wrap the update in 'using (Autograd.NoGrad())' or use the out-of-place op");
    }

    /// <summary>Writes <paramref name="result"/> (already broadcast to this shape) into this tensor's elements.</summary>
    private Tensor Assign(Tensor result, string op)
    {
        if (!result.Dims.AsSpan().SequenceEqual(Dims))
            throw new ArgumentException($"{op}: the result of shape {result.Shape} does not fit the tensor's shape {Shape}; the other operand must broadcast to it");
        if (result.DType != DType)
            throw new ArgumentException(
                $"{op}: the result has dtype {result.DType.Name()}, which cannot be written into this {DType.Name()} tensor in place (as in PyTorch, nothing is truncated); use the out-of-place op, or convert the tensor with .To(DType.{result.DType}) first");
        Tensor src = result.ContiguousData();
        switch (DType)
        {
            case DType.Float32: Strided.Scatter<float>(src.Span<float>(), Data<float>(), Offset, Dims, StrideArray); break;
            case DType.Float64: Strided.Scatter<double>(src.Span<double>(), Data<double>(), Offset, Dims, StrideArray); break;
            case DType.Int64: Strided.Scatter<long>(src.Span<long>(), Data<long>(), Offset, Dims, StrideArray); break;
            case DType.Bool: Strided.Scatter<bool>(src.Span<bool>(), Data<bool>(), Offset, Dims, StrideArray); break;
            case DType.BFloat16: Strided.Scatter<BFloat16>(src.Span<BFloat16>(), Data<BFloat16>(), Offset, Dims, StrideArray); break;
            case DType.Float16: Strided.Scatter<Half>(src.Span<Half>(), Data<Half>(), Offset, Dims, StrideArray); break;
            default: throw DTypeExtensions.Unknown(DType);
        }
        Storage.Version++;
        return this;
    }

    private Tensor InPlace(string op, Func<Tensor, Tensor, Tensor> f, Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace(op);
        Tensor result;
        using (Autograd.NoGrad()) result = f(Detach(), other.Detach());
        if (IsContiguous && result.SharesStorage(this)) { Storage.Version++; return this; }
        return Assign(result, op);
    }

    /// <summary>In place: this += other (broadcast to this shape).</summary>
    public Tensor AddInPlace(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace("add_");
        return TryAddIntoRaw(other) ? this : InPlace("add_", static (a, b) => a + b, other);
    }

    /// <summary>In place: this -= other.</summary>
    public Tensor SubInPlace(Tensor other) => InPlace("sub_", static (a, b) => a - b, other);

    /// <summary>In place: this *= other.</summary>
    public Tensor MulInPlace(Tensor other) => InPlace("mul_", static (a, b) => a * b, other);

    /// <summary>In place: this /= other.</summary>
    public Tensor DivInPlace(Tensor other) => InPlace("div_", static (a, b) => a / b, other);

    /// <summary>In place: this += value. An integer tensor refuses a double value (the result would be float32: Note [Type promotion]).</summary>
    public Tensor AddInPlace(double value) => AddInPlace(ScalarOperand(value));

    /// <summary>In place: this *= value. An integer tensor refuses a double value.</summary>
    public Tensor MulInPlace(double value) => MulInPlace(ScalarOperand(value));

    /// <summary>In place: this += value.</summary>
    public Tensor AddInPlace(long value) => AddInPlace(ScalarOperand(value));

    /// <summary>In place: this *= value.</summary>
    public Tensor MulInPlace(long value) => MulInPlace(ScalarOperand(value));

    /// <summary>In place: copies <paramref name="source"/> (broadcast to this shape) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckInPlace("copy_");
        return Assign(source.Detach().To(DType).ExpandTo(BroadcastShapes(Dims, source.Dims, "copy_")), "copy_");
    }

    /// <summary>In place: sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill(double value)
    {
        CheckInPlace("fill_");
        return Assign(Full(Dims, value, DType), "fill_");
    }

    /// <summary>In place: sets every element to zero.</summary>
    public Tensor Zero() => Fill(0);
}
