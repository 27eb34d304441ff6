using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.Runtime;

namespace Nabla.Kernels;

// Note [Fused half elementwise]
// A bfloat16 or float16 elementwise op runs its float32 span op on blocks of Block elements: the block is widened into a
// stack buffer, computed and narrowed straight into the result. That is one pass over memory and no float32 copy of an
// operand, where widening whole tensors first costs three passes and two temporaries the size of the data. The values
// are those of the whole-tensor form (Note [Half compute]): widening is exact, the same span op computes each element,
// and it is rounded once. Block is a multiple of the 64-element chunk alignment (Note [Elementwise threads]), so a span
// op sees the same vector alignment and the same tail as on the widened tensor.

/// <summary>Elementwise drivers for 16-bit storage computing in float32 (Note [Fused half elementwise]).</summary>
internal static class ElementwiseHalf
{
    /// <summary>Elements widened at a time: 4 KB of float32 per operand, on the stack.</summary>
    private const int Block = 1024;

    /// <summary>Chunk starts across threads, as in <see cref="Elementwise"/>.</summary>
    private const int Align = 64;

    /// <summary>y[i] = narrow(op(widen(x[i]))) for n elements of bfloat16 or float16 (<typeparamref name="TH"/>).</summary>
    /// <remarks>A <paramref name="threshold"/> of 0 means the op's own (<see cref="IUnaryOp{TSelf, T}.ParallelThreshold"/>).</remarks>
    public static void Unary<TH, TOp>(TH[] x, int offX, TH[] y, int offY, int n, int threshold = 0)
        where TH : unmanaged
        where TOp : IUnaryOp<TOp, float>
    {
        int parts = Chunked.Parts(n, threshold > 0 ? threshold : TOp.ParallelThreshold, ThreadBudget.KernelThreads);
        if (parts <= 1) UnaryRun<TH, TOp>(x.AsSpan(offX, n), y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => UnaryRun<TH, TOp>(x.AsSpan(offX + s, len), y.AsSpan(offY + s, len)));
    }

    /// <summary>
    /// y[i] = narrow(op(widen(a[i·sa]), widen(b[i·sb]))) for n elements, where each stride is 1 (an operand covering the
    /// result) or 0 (one element for all).
    /// </summary>
    public static void Binary<TH, TOp>(TH[] a, int offA, int sa, TH[] b, int offB, int sb, TH[] y, int offY, int n,
        int threshold = Chunked.ElementwiseThreshold)
        where TH : unmanaged
        where TOp : IBinaryOp<TOp, float, float>
    {
        if (sa is not (0 or 1) || sb is not (0 or 1)) throw new ArgumentException($"half elementwise: strides {sa} and {sb}; expected 0 or 1");
        int parts = Chunked.Parts(n, threshold, ThreadBudget.KernelThreads);
        if (parts <= 1) BinaryRun<TH, TOp>(a, offA, sa, b, offB, sb, y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => BinaryRun<TH, TOp>(a, offA + s * sa, sa, b, offB + s * sb, sb, y.AsSpan(offY + s, len)));
    }

    /// <summary>dst = widen(src), exact, split over threads as an elementwise op is (Note [Elementwise threads]).</summary>
    public static void Widen<TH>(TH[] src, int offSrc, float[] dst, int offDst, int n) where TH : unmanaged
    {
        int parts = Chunked.Parts(n, Chunked.ElementwiseThreshold, ThreadBudget.KernelThreads);
        if (parts <= 1) Widen<TH>(src.AsSpan(offSrc, n), dst.AsSpan(offDst, n));
        else Chunked.For(n, Align, parts, (s, len) => Widen<TH>(src.AsSpan(offSrc + s, len), dst.AsSpan(offDst + s, len)));
    }

    /// <summary>dst = round(src) to bfloat16 or float16, split over threads as an elementwise op is.</summary>
    public static void Narrow<TH>(float[] src, int offSrc, TH[] dst, int offDst, int n) where TH : unmanaged
    {
        int parts = Chunked.Parts(n, Chunked.ElementwiseThreshold, ThreadBudget.KernelThreads);
        if (parts <= 1) Narrow<TH>(src.AsSpan(offSrc, n), dst.AsSpan(offDst, n));
        else Chunked.For(n, Align, parts, (s, len) => Narrow<TH>(src.AsSpan(offSrc + s, len), dst.AsSpan(offDst + s, len)));
    }

    /// <summary>y[i] = a[i] + widen(h[i]) for n elements (float32 plus bfloat16 or float16), one pass.</summary>
    public static void AddWidened<TH>(float[] a, int offA, TH[] h, int offH, float[] y, int n) where TH : unmanaged
    {
        int parts = Chunked.Parts(n, Chunked.ElementwiseThreshold, ThreadBudget.KernelThreads);
        if (parts <= 1) AddWidenedRun(a.AsSpan(offA, n), h.AsSpan(offH, n), y.AsSpan(0, n));
        else Chunked.For(n, Align, parts, (s, len) => AddWidenedRun(a.AsSpan(offA + s, len), h.AsSpan(offH + s, len), y.AsSpan(s, len)));
    }

    private static void AddWidenedRun<TH>(ReadOnlySpan<float> a, ReadOnlySpan<TH> h, Span<float> y) where TH : unmanaged
    {
        Span<float> w = stackalloc float[Block];
        for (int at = 0; at < y.Length; at += Block)
        {
            int len = Math.Min(Block, y.Length - at);
            Widen(h.Slice(at, len), w[..len]);
            System.Numerics.Tensors.TensorPrimitives.Add(a.Slice(at, len), w[..len], y.Slice(at, len));
        }
    }

    private static void UnaryRun<TH, TOp>(ReadOnlySpan<TH> x, Span<TH> y)
        where TH : unmanaged
        where TOp : IUnaryOp<TOp, float>
    {
        Span<float> buffer = stackalloc float[Block];
        for (int at = 0; at < x.Length; at += Block)
        {
            int len = Math.Min(Block, x.Length - at);
            Span<float> w = buffer[..len];
            Widen(x.Slice(at, len), w);
            TOp.Invoke(w, w);
            Narrow(w, y.Slice(at, len));
        }
    }

    private static void BinaryRun<TH, TOp>(TH[] a, int offA, int sa, TH[] b, int offB, int sb, Span<TH> y)
        where TH : unmanaged
        where TOp : IBinaryOp<TOp, float, float>
    {
        if (y.IsEmpty) return;
        Span<float> wa = stackalloc float[Block], wb = stackalloc float[Block];
        float one = 0;
        if (sa == 0) one = WidenOne(a[offA]);
        else if (sb == 0) one = WidenOne(b[offB]);
        if (sa == 0 && sb == 0)
        {
            Span<float> r = [0];
            TOp.Invoke([one], [WidenOne(b[offB])], r);
            Narrow(r, y[..1]);
            for (int i = 1; i < y.Length; i++) y[i] = y[0];
            return;
        }
        for (int at = 0; at < y.Length; at += Block)
        {
            int len = Math.Min(Block, y.Length - at);
            Span<float> r = wa[..len];
            if (sa == 1 && sb == 1)
            {
                Widen(a.AsSpan(offA + at, len), r);
                Widen(b.AsSpan(offB + at, len), wb[..len]);
                TOp.Invoke(r, wb[..len], r);
            }
            else if (sa == 1)
            {
                Widen(a.AsSpan(offA + at, len), r);
                TOp.Invoke(r, one, r);
            }
            else
            {
                Widen(b.AsSpan(offB + at, len), r);
                TOp.Invoke(one, r, r);
            }
            Narrow(r, y.Slice(at, len));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float WidenOne<TH>(TH v) where TH : unmanaged =>
        typeof(TH) == typeof(BFloat16) ? (float)Unsafe.As<TH, BFloat16>(ref v) : (float)Unsafe.As<TH, Half>(ref v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Widen<TH>(ReadOnlySpan<TH> s, Span<float> d) where TH : unmanaged
    {
        if (typeof(TH) == typeof(BFloat16)) HalfConvert.Widen(MemoryMarshal.Cast<TH, BFloat16>(s), d);
        else if (typeof(TH) == typeof(Half)) HalfConvert.Widen(MemoryMarshal.Cast<TH, Half>(s), d);
        else throw new ArgumentException($"half elementwise: element type {typeof(TH).Name}; expected BFloat16 or Half");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Narrow<TH>(ReadOnlySpan<float> s, Span<TH> d) where TH : unmanaged
    {
        if (typeof(TH) == typeof(BFloat16)) HalfConvert.Narrow(s, MemoryMarshal.Cast<TH, BFloat16>(d));
        else if (typeof(TH) == typeof(Half)) HalfConvert.Narrow(s, MemoryMarshal.Cast<TH, Half>(d));
        else throw new ArgumentException($"half elementwise: element type {typeof(TH).Name}; expected BFloat16 or Half");
    }
}

/// <summary>Accumulates 16-bit values: <c>dst = round(dst + src)</c>, the sum in float32 rounded once (Note [Half compute]).</summary>
internal readonly struct HalfAddMove<TH> : IMoveOp<TH> where TH : unmanaged
{
    private const int Block = 256;

    public static void Run(ReadOnlySpan<TH> src, Span<TH> dst)
    {
        Span<float> a = stackalloc float[Block], b = stackalloc float[Block];
        for (int at = 0; at < dst.Length; at += Block)
        {
            int len = Math.Min(Block, dst.Length - at);
            ElementwiseHalf.Widen(dst.Slice(at, len), a[..len]);
            ElementwiseHalf.Widen(src.Slice(at, len), b[..len]);
            System.Numerics.Tensors.TensorPrimitives.Add(a[..len], b[..len], a[..len]);
            ElementwiseHalf.Narrow(a[..len], dst.Slice(at, len));
        }
    }

    public static void Repeat(TH value, Span<TH> dst)
    {
        Span<float> a = stackalloc float[Block];
        float v = ElementwiseHalf.WidenOne(value);
        for (int at = 0; at < dst.Length; at += Block)
        {
            int len = Math.Min(Block, dst.Length - at);
            ElementwiseHalf.Widen(dst.Slice(at, len), a[..len]);
            System.Numerics.Tensors.TensorPrimitives.Add(a[..len], v, a[..len]);
            ElementwiseHalf.Narrow(a[..len], dst.Slice(at, len));
        }
    }

    public static void One(TH src, ref TH dst)
    {
        Span<float> r = [ElementwiseHalf.WidenOne(dst) + ElementwiseHalf.WidenOne(src)];
        ElementwiseHalf.Narrow(r, new Span<TH>(ref dst));
    }
}
