namespace Nabla.Ops;

// Note [Half compute]
// bfloat16 and float16 tensors store 16 bits per element, but no op computes in 16 bits: every op widens its 16-bit
// inputs to float32, computes exactly as it does in float32, and rounds its floating-point result once to the 16-bit
// dtype, as PyTorch's CPU kernels do. It happens in two places, and apart from the two kernels named below no op has
// code of its own for it:
// * At the kernel boundary (Dispatch.cs: BinaryKernel, CompareKernel, UnaryKernel, which every elementwise op and every
//   op composed of them goes through): the operands are widened, the float32 kernel runs, its result is narrowed.
//   Nothing is recorded there; the op records its node as usual, and its backward rule, written in tensor ops, runs the
//   same way on the 16-bit gradient.
// * At the entry of an op with a kernel of its own (softmax, layer norm, matmul, convolution, pooling, losses, ...):
//   HalfCompute.Run converts its 16-bit inputs with the differentiable To(float32), runs the op, and converts the result
//   back with To. The chain rule then gives each input its gradient in its own dtype (ToCopyBackward converts it back),
//   and the pair is recorded as one node under the float32 op's name (Note [Composite ops]), so graphs read as in float32.
// Two kernels read 16-bit storage themselves and widen a block at a time, with the same float32 arithmetic and one
// rounding: the widening GEMM (Note [Widening GEMM]) and fused causal attention, which so keeps its 16-bit operands for
// backward instead of float32 copies (Note [Half fused attention]).
// Ops that only move elements (views, copies, cat, indexing) run on the 16-bit data directly. A kernel that is reached
// with a dtype it does not dispatch fails with an error naming the dtype (Tensor.Data), never reads the bits as another
// type; OpInfoHalfTests runs every op of the OpInfo table on both 16-bit dtypes, forward and backward, against float32.
internal static class HalfCompute
{
    /// <summary>True when an input is bfloat16 or float16, so the op must run through <see cref="Run(Tensor?[], Func{Tensor?[], Tensor})"/>.</summary>
    public static bool Applies(Tensor? a, Tensor? b = null, Tensor? c = null) =>
        a is { DType: DType.BFloat16 or DType.Float16 } || b is { DType: DType.BFloat16 or DType.Float16 } || c is { DType: DType.BFloat16 or DType.Float16 };

    /// <summary>True when any of <paramref name="inputs"/> is bfloat16 or float16.</summary>
    public static bool Applies(IEnumerable<Tensor?> inputs)
    {
        foreach (Tensor? t in inputs)
            if (t is { } x && x.DType.IsHalf()) return true;
        return false;
    }

    /// <summary>
    /// The dtype a floating-point result of <paramref name="inputs"/> is stored in: the 16-bit dtype when every
    /// floating-point input has it, otherwise the widest (bfloat16 with float16 gives float32, as in PyTorch).
    /// </summary>
    public static DType ResultDType(IEnumerable<Tensor?> inputs)
    {
        DType? result = null;
        foreach (Tensor? t in inputs)
        {
            if (t is null || !t.DType.IsFloatingPoint()) continue;
            result = result is { } r ? Tensor.PromoteFloat(r, t.DType, null) : t.DType;
        }
        return result ?? DType.Float32;
    }

    /// <summary><paramref name="f"/> run in float32 on <paramref name="inputs"/>, its floating-point result stored in <see cref="ResultDType"/> (Note [Half compute]).</summary>
    public static Tensor Run(Tensor?[] inputs, Func<Tensor?[], Tensor> f)
    {
        DType store = ResultDType(inputs);
        DType compute = store.IsHalf() ? DType.Float32 : store;
        // The op's own float32 computation is not autocast again (Note [Autocast policy]).
        using IDisposable exact = Autocast.Disable();
        if (!Autograd.ShouldRecord(inputs)) return Narrow(f(Widen(inputs, compute)), store);
        Tensor?[] aliases = Composite.Aliases(inputs);
        Tensor wide = f(Widen(aliases, compute));
        Tensor inner = Narrow(wide, store);
        return Composite.Attach(wide.GradFn?.Name ?? "ToCopyBackward", inputs, aliases, inner);
    }

    /// <summary><paramref name="f"/> of one input, run in float32 (see <see cref="Run(Tensor?[], Func{Tensor?[], Tensor})"/>).</summary>
    public static Tensor Run(Tensor x, Func<Tensor, Tensor> f) => Run([x], a => f(a[0]!));

    /// <summary><paramref name="f"/> of two inputs, run in float32.</summary>
    public static Tensor Run(Tensor x, Tensor? y, Func<Tensor, Tensor?, Tensor> f) => Run([x, y], a => f(a[0]!, a[1]));

    /// <summary><paramref name="f"/> of three inputs, run in float32.</summary>
    public static Tensor Run(Tensor x, Tensor? y, Tensor? z, Func<Tensor, Tensor?, Tensor?, Tensor> f) => Run([x, y, z], a => f(a[0]!, a[1], a[2]));

    private static Tensor?[] Widen(Tensor?[] inputs, DType compute)
    {
        var wide = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) wide[i] = inputs[i] is { } t && t.DType.IsHalf() ? t.To(compute) : inputs[i];
        return wide;
    }

    private static Tensor Narrow(Tensor y, DType store) => y.DType == DType.Float32 && store != DType.Float32 ? y.To(store) : y;
}
