using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>Pooling over one <c>H x W</c> plane at a time, with the windows of a <see cref="Window2d"/>.</summary>
internal static class Pool2d
{
    /// <summary>
    /// For each window, its maximum into <paramref name="output"/> and, unless <paramref name="indices"/> is empty, the
    /// flat index <c>h*W + w</c> of that maximum (padding never wins; the first maximum wins ties; NaN wins, so it
    /// propagates as in PyTorch).
    /// </summary>
    public static void MaxForward<T>(ReadOnlySpan<T> plane, in Window2d g, Span<T> output, Span<int> indices) where T : struct, IFloatingPointIeee754<T>
    {
        bool withIndices = !indices.IsEmpty;
        if (g is { KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, DH: 1, DW: 1 } && 2 * g.OH <= g.H && 2 * g.OW <= g.W)
        {
            // The common 2x2/2 window without branches on the data (maxima of ReLU outputs are unpredictable, and a
            // mispredicted branch per tap cost more than everything else): the first maximum of each row pair, then the
            // lower one only if strictly larger, which is the row-major first maximum. A window holding a NaN (its
            // sum is NaN) goes through the general rule instead.
            for (int oh = 0; oh < g.OH; oh++)
            {
                int top = 2 * oh * g.W;
                ReadOnlySpan<T> r0 = plane.Slice(top, g.W), r1 = plane.Slice(top + g.W, g.W);
                Span<T> outRow = output.Slice(oh * g.OW, g.OW);
                int done = typeof(T) == typeof(float)
                    ? MaxRow2x2(MemoryMarshal.Cast<T, float>(r0), MemoryMarshal.Cast<T, float>(r1), top, g.W, MemoryMarshal.Cast<T, float>(outRow),
                        withIndices ? indices.Slice(oh * g.OW, g.OW) : default)
                    : 0;
                for (int ow = done; ow < outRow.Length; ow++)
                {
                    int at = 2 * ow;
                    T a = r0[at], b = r0[at + 1], c = r1[at], d = r1[at + 1];
                    int index;
                    if (T.IsNaN(a + b + c + d))
                    {
                        index = MaxWindow(plane, g, oh, ow);
                    }
                    else
                    {
                        int kUp = b > a ? 1 : 0, kDown = d > c ? 1 : 0;
                        int down = r1[at + kDown] > r0[at + kUp] ? 1 : 0;
                        index = top + down * g.W + at + kUp + ((kDown - kUp) & -down);
                    }
                    outRow[ow] = plane[index];
                    if (withIndices) indices[oh * g.OW + ow] = index;
                }
            }
            return;
        }
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                int best = MaxWindow(plane, g, oh, ow);
                output[oh * g.OW + ow] = best < 0 ? T.NegativeInfinity : plane[best];
                if (withIndices) indices[oh * g.OW + ow] = best;
            }
    }

    private static readonly Vector512<int> s_evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
    private static readonly Vector512<int> s_odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// One row of 2x2/2 windows in float32, eight at a time: each row pair of 16 values is split into its even and odd
    /// columns, and the same first-maximum rule as the scalar loop runs lane-wise (the last group of eight may overlap
    /// the one before and rewrites equal values). Returns how many leading outputs it wrote (all, or 0 when the row is
    /// narrower than eight windows or vectors are not accelerated); a group holding a NaN is left to the scalar loop,
    /// which then starts there.
    /// </summary>
    private static int MaxRow2x2(ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, int top, int w, Span<float> output, Span<int> indices)
    {
        int ow = output.Length;
        if (ow < 8) return ow >= 4 ? MaxRow2x2By4(r0, r1, top, w, output, indices) : 0;
        if (!Vector512.IsHardwareAccelerated) return 0;
        bool withIndices = !indices.IsEmpty;
        Vector256<int> lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14), rowStep = Vector256.Create(w);
        ref float a0 = ref MemoryMarshal.GetReference(r0);
        ref float a1 = ref MemoryMarshal.GetReference(r1);
        for (int o = 0; ; o += 8)
        {
            if (o > ow - 8) o = ow - 8;
            Vector512<float> up = Vector512.LoadUnsafe(ref a0, (nuint)(2 * o)), down = Vector512.LoadUnsafe(ref a1, (nuint)(2 * o));
            Vector256<float> a = Vector512.Shuffle(up, s_evens).GetLower(), b = Vector512.Shuffle(up, s_odds).GetLower();
            Vector256<float> c = Vector512.Shuffle(down, s_evens).GetLower(), d = Vector512.Shuffle(down, s_odds).GetLower();
            if (Vector256.IsNaN(a + b + c + d) != Vector256<float>.Zero) return o;
            Vector256<float> right0 = Vector256.GreaterThan(b, a), right1 = Vector256.GreaterThan(d, c);
            Vector256<float> h0 = Vector256.ConditionalSelect(right0, b, a), h1 = Vector256.ConditionalSelect(right1, d, c);
            Vector256<float> lower = Vector256.GreaterThan(h1, h0);
            Vector256.ConditionalSelect(lower, h1, h0).CopyTo(output.Slice(o, 8));
            if (withIndices)
            {
                // right is all ones (-1) when the maximum sits in the odd column
                Vector256<int> right = Vector256.ConditionalSelect(lower.AsInt32(), right1.AsInt32(), right0.AsInt32());
                (Vector256.Create(top + 2 * o) + lanes + (lower.AsInt32() & rowStep) - right).CopyTo(indices.Slice(o, 8));
            }
            if (o == ow - 8) return ow;
        }
    }

    private static readonly Vector256<int> s_evens4 = Vector256.Create(0, 2, 4, 6, 0, 0, 0, 0);
    private static readonly Vector256<int> s_odds4 = Vector256.Create(1, 3, 5, 7, 0, 0, 0, 0);

    /// <summary>As <see cref="MaxRow2x2"/> four windows at a time, for rows of 4 to 7 windows.</summary>
    private static int MaxRow2x2By4(ReadOnlySpan<float> r0, ReadOnlySpan<float> r1, int top, int w, Span<float> output, Span<int> indices)
    {
        int ow = output.Length;
        if (!Vector256.IsHardwareAccelerated) return 0;
        bool withIndices = !indices.IsEmpty;
        Vector128<int> lanes = Vector128.Create(0, 2, 4, 6), rowStep = Vector128.Create(w);
        ref float a0 = ref MemoryMarshal.GetReference(r0);
        ref float a1 = ref MemoryMarshal.GetReference(r1);
        for (int o = 0; ; o += 4)
        {
            if (o > ow - 4) o = ow - 4;
            Vector256<float> up = Vector256.LoadUnsafe(ref a0, (nuint)(2 * o)), down = Vector256.LoadUnsafe(ref a1, (nuint)(2 * o));
            Vector128<float> a = Vector256.Shuffle(up, s_evens4).GetLower(), b = Vector256.Shuffle(up, s_odds4).GetLower();
            Vector128<float> c = Vector256.Shuffle(down, s_evens4).GetLower(), d = Vector256.Shuffle(down, s_odds4).GetLower();
            if (Vector128.IsNaN(a + b + c + d) != Vector128<float>.Zero) return o;
            Vector128<float> right0 = Vector128.GreaterThan(b, a), right1 = Vector128.GreaterThan(d, c);
            Vector128<float> h0 = Vector128.ConditionalSelect(right0, b, a), h1 = Vector128.ConditionalSelect(right1, d, c);
            Vector128<float> lower = Vector128.GreaterThan(h1, h0);
            Vector128.ConditionalSelect(lower, h1, h0).CopyTo(output.Slice(o, 4));
            if (withIndices)
            {
                Vector128<int> right = Vector128.ConditionalSelect(lower.AsInt32(), right1.AsInt32(), right0.AsInt32());
                (Vector128.Create(top + 2 * o) + lanes + (lower.AsInt32() & rowStep) - right).CopyTo(indices.Slice(o, 4));
            }
            if (o == ow - 4) return ow;
        }
    }

    /// <summary>The flat index of the maximum of window <c>(oh, ow)</c> under the rules of <see cref="MaxForward{T}"/>, or -1 if it covers only padding.</summary>
    private static int MaxWindow<T>(ReadOnlySpan<T> plane, in Window2d g, int oh, int ow) where T : IFloatingPointIeee754<T>
    {
        int best = -1;
        T bestValue = T.NegativeInfinity;
        for (int i = 0, ih = oh * g.SH - g.PH; i < g.KH; i++, ih += g.DH)
        {
            if ((uint)ih >= (uint)g.H) continue;
            for (int j = 0, iw = ow * g.SW - g.PW; j < g.KW; j++, iw += g.DW)
            {
                if ((uint)iw >= (uint)g.W) continue;
                int at = ih * g.W + iw;
                T v = plane[at];
                if (best < 0 || Takes(v, bestValue))
                {
                    best = at;
                    bestValue = v;
                    if (T.IsNaN(v)) return best;
                }
            }
        }
        return best;
    }

    /// <summary>Whether <paramref name="v"/> replaces the running maximum: larger, or the first NaN (a NaN maximum is never replaced).</summary>
    private static bool Takes<T>(T v, T best) where T : IFloatingPointIeee754<T> => !T.IsNaN(best) && (v > best || T.IsNaN(v));

    /// <summary>
    /// The adjoint of <see cref="MaxForward{T}"/>: <paramref name="plane"/> (fully overwritten) gets each output gradient added at
    /// its window's maximum. Rows are zeroed just before the first window that reaches them, so the plane is written in one pass.
    /// </summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> grad, ReadOnlySpan<int> indices, in Window2d g, Span<T> plane) where T : INumber<T>
    {
        int cleared = 0;
        for (int oh = 0; oh < g.OH; oh++)
        {
            int top = Math.Min(g.H, oh * g.SH - g.PH + (g.KH - 1) * g.DH + 1);
            if (top > cleared)
            {
                plane.Slice(cleared * g.W, (top - cleared) * g.W).Clear();
                cleared = top;
            }
            for (int o = oh * g.OW, end = o + g.OW; o < end; o++)
            {
                int at = indices[o];
                if (at >= 0) plane[at] += grad[o];
            }
        }
        plane[(cleared * g.W)..].Clear();
    }

    /// <summary>
    /// The window of output <c>(oh, ow)</c> clipped to the plane, and PyTorch's divisor: the window size clipped
    /// to the padded plane when <paramref name="countIncludePad"/>, else the clipped window's element count.
    /// </summary>
    public static (int H0, int H1, int W0, int W1, int Divisor) AvgWindow(in Window2d g, int oh, int ow, bool countIncludePad)
    {
        int hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
        int he = Math.Min(hs + g.KH, g.H + g.PH), we = Math.Min(ws + g.KW, g.W + g.PW);
        int poolSize = (he - hs) * (we - ws);
        hs = Math.Max(hs, 0);
        ws = Math.Max(ws, 0);
        he = Math.Min(he, g.H);
        we = Math.Min(we, g.W);
        return (hs, he, ws, we, countIncludePad ? poolSize : (he - hs) * (we - ws));
    }

    public static void AvgForward<T>(ReadOnlySpan<T> plane, in Window2d g, bool countIncludePad, Span<T> output) where T : INumber<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                var (h0, h1, w0, w1, divisor) = AvgWindow(g, oh, ow, countIncludePad);
                T sum = T.Zero;
                for (int h = h0; h < h1; h++)
                {
                    ReadOnlySpan<T> row = plane.Slice(h * g.W, g.W);
                    for (int w = w0; w < w1; w++) sum += row[w];
                }
                output[oh * g.OW + ow] = sum / T.CreateTruncating(divisor);
            }
    }

    /// <summary>The adjoint of <see cref="AvgForward{T}"/>: spreads <c>output / divisor</c> over each window, accumulating into <paramref name="plane"/>.</summary>
    public static void AvgAdjoint<T>(ReadOnlySpan<T> output, in Window2d g, bool countIncludePad, Span<T> plane) where T : INumber<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                var (h0, h1, w0, w1, divisor) = AvgWindow(g, oh, ow, countIncludePad);
                T share = output[oh * g.OW + ow] / T.CreateTruncating(divisor);
                for (int h = h0; h < h1; h++)
                {
                    Span<T> row = plane.Slice(h * g.W, g.W);
                    for (int w = w0; w < w1; w++) row[w] += share;
                }
            }
    }
}

// Note [Max-pool indices]
// A recorded max pool keeps one int per output, the flat plane index of its window's maximum, for backward
// (half the size of PyTorch's int64 indices; the 2x2 pools of the cnn preset keep 2.8 MB per step). They are not
// tensors, so BufferPool does not see them; instead the backward node returns its buffer here when the graph
// releases it (Node.ReleaseSaved), and the next forward pass takes it back. A graph dropped without backward
// leaves its buffer to the GC, which is only slower. Under NoGrad no indices are made.

/// <summary>
/// Recycled <c>int[]</c> buffers for max-pooling indices (see Note [Max-pool indices]), which live from a forward pass to its backward pass: the
/// backward node returns its buffer when the graph releases it, so a training step reuses the same few buffers
/// instead of faulting in fresh memory every step (see Note [Buffer reuse] for why that matters). Small buffers and
/// anything beyond <see cref="CapBytes"/> are left to the GC.
/// </summary>
internal static class IndexBuffers
{
    private const int MinLength = 4096;
    private const int PerLength = 4;
    private const long CapBytes = 64L << 20;

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<int, Stack<int[]>> s_free = [];
    private static long s_pooledBytes;

    public static int[] Rent(int length)
    {
        if (length >= MinLength)
            lock (s_lock)
                if (s_free.TryGetValue(length, out Stack<int[]>? stack) && stack.TryPop(out int[]? array))
                {
                    s_pooledBytes -= 4L * length;
                    return array;
                }
        return GC.AllocateUninitializedArray<int>(length);
    }

    public static void Return(int[] array)
    {
        if (array.Length < MinLength) return;
        lock (s_lock)
        {
            if (s_pooledBytes + 4L * array.Length > CapBytes) return;
            if (!s_free.TryGetValue(array.Length, out Stack<int[]>? stack)) s_free[array.Length] = stack = new Stack<int[]>();
            if (stack.Count >= PerLength) return;
            stack.Push(array);
            s_pooledBytes += 4L * array.Length;
        }
    }
}
