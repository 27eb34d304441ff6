using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>The sizes of one 2-D convolution: <c>[N, Cin, H, W]</c> images, <c>[Cout, Cin/Groups, KH, KW]</c> filters, window geometry.</summary>
internal readonly record struct ConvShape(int N, int Cin, int Cout, int Groups, Window2d G)
{
    /// <summary>Rows of one group's im2col matrix (and columns of its filter matrix): <c>Cin/Groups · KH · KW</c>.</summary>
    public int K => Cin / Groups * G.KH * G.KW;

    /// <summary>Output channels per group.</summary>
    public int CoutG => Cout / Groups;

    /// <summary>Window positions per image, <c>OH · OW</c>.</summary>
    public int L => G.OH * G.OW;

    public int InImage => Cin * G.H * G.W;

    public int OutImage => Cout * L;

    public int Weights => Cout * K;

    /// <summary>Multiply-adds of one image's product.</summary>
    public long WorkPerImage => (long)Cout * K * L;
}

// Note [Convolution kernels]
// A convolution is one op (ConvolutionBackward in Ops/Conv.cs) whose work items are the images of the batch:
//   forward          y_n = W · unfold(x_n) + b
//   input gradient   dx_n = fold(Wᵀ · dy_n)
//   weight gradient  dW = Σ_n dy_n · unfold(x_n)ᵀ,   bias gradient db = Σ_n Σ_l dy_n
// so the batch's im2col matrix, a per-image weight gradient and the batch's column gradient are never materialised.
// Each thread unfolds one image (or a band of its window rows, so the columns stay within ~0.5 MB and in L2) into a
// per-thread scratch buffer and runs single-threaded GEMMs on it; a 1x1/stride-1/unpadded window uses the image
// itself as its column matrix. Columns are recomputed in backward rather than saved: unfolding an L2-sized band is
// cheap next to its GEMM, saving it would keep the batch's columns in memory. Threads take images (forward, input
// gradient) or accumulation slots (weight gradient) from a shared counter, so a thread slowed by another process on
// its core does not hold up the step.
// Determinism: the weight and bias gradients are summed per slot (a fixed split of the batch into at most MaxSlots
// contiguous ranges that depends on the sizes only) and the slots are added in order, so results do not depend on
// the thread count or on which thread ran which slot. With fewer work items than threads (a batch of one), items run
// in turn and each GEMM splits across the threads.

// Note [Fused convolution + ReLU]
// Functional.Conv2dRelu is relu(conv2d(x)) as one op: each image gets its bias and the ReLU while its output is still
// in cache, so the convolution's output is never written as a tensor of its own (at a large evaluation batch that
// tensor is the process's peak). Its node, ConvolutionReluBackward, keeps the output and first applies ReLU's rule
// g·[y > 0] with the mask kernel ReluBackward uses. The ReLU is the primitive Tensor.Relu uses, so values and
// gradients are bit for bit those of the two ops, NaN included; under createGraph the mask is a recorded op, so second
// derivatives are unchanged. Module.Fuse() chooses it for a Conv2d followed by a Relu (Note [Fusion]).

/// <summary>Forward and backward of a 2-D convolution over raw contiguous storage. See Note [Convolution kernels].</summary>
internal static class Conv2dKernels
{
    /// <summary>Target elements of one scratch column band (a band holds at least one window row).</summary>
    private const int BandElements = 1 << 17;

    /// <summary>Most accumulation slots for the weight gradient (see Note [Convolution kernels]).</summary>
    private const int MaxSlots = 8;

    /// <summary>Most elements all slots' weight-gradient accumulators may take together.</summary>
    private const int SlotElements = 1 << 21;

    /// <summary>Window rows per column band.</summary>
    private static int BandRows(in ConvShape s)
    {
        long perRow = (long)s.Cin * s.G.KH * s.G.KW * s.G.OW;
        return (int)Math.Clamp(BandElements / Math.Max(perRow, 1), 1, s.G.OH);
    }

    /// <summary>Threads for <paramref name="items"/> independent items of <paramref name="workPerItem"/> multiply-adds each.</summary>
    private static int Threads(int items, long workPerItem, int maxThreads)
    {
        int threads = maxThreads <= 0 ? ThreadBudget.KernelThreads : Math.Min(maxThreads, ThreadBudget.KernelThreads);
        return threads <= 1 || items < threads || workPerItem * items < Batches.ParallelThreshold ? 1 : threads;
    }

    /// <summary>Runs <c>body(item, gemmThreads)</c> for every item: in parallel with one-thread GEMMs, or in turn with GEMMs that may split.</summary>
    private static void ForEach(int items, long workPerItem, int maxThreads, Action<int, int> body)
    {
        int threads = Threads(items, workPerItem, maxThreads);
        if (threads == 1)
        {
            // Fewer items than threads (or too little work): each GEMM decides for itself whether to split.
            int gemmThreads = workPerItem * items < Batches.ParallelThreshold ? 1 : maxThreads;
            for (int i = 0; i < items; i++) body(i, gemmThreads);
            return;
        }
        int[] next = [-1];
        GemmThreads.For(threads, _ =>
        {
            for (int i = Interlocked.Increment(ref next[0]); i < items; i = Interlocked.Increment(ref next[0]))
                body(i, 1);
        });
    }

    /// <summary><c>y = conv2d(x, w) + b</c> for contiguous <c>x[xo..]</c>, <c>w[wo..]</c>, <c>b[bo..]</c> (b may be null) into contiguous <paramref name="y"/>.</summary>
    /// <remarks><paramref name="maxThreads"/> bounds the threads (0: <see cref="ThreadBudget.Max"/>); results do not depend on it.</remarks>
    public static void Forward<T>(T[] x, int xo, T[] w, int wo, T[]? b, int bo, T[] y, ConvShape s, int maxThreads = 0, bool relu = false)
        where T : unmanaged, INumber<T>
    {
        if (s.N == 0) return;
        int bandRows = BandRows(s);
        ForEach(s.N, s.WorkPerImage, maxThreads, (n, gemmThreads) =>
        {
            ReadOnlySpan<T> image = x.AsSpan(xo + n * s.InImage, s.InImage);
            Span<T> outImage = y.AsSpan(n * s.OutImage, s.OutImage);
            Span<T> scratch = s.G.IsPointwise ? default : Scratch<T>.Columns(s.Cin * s.G.KH * s.G.KW * bandRows * s.G.OW);
            for (int oh0 = 0; oh0 < s.G.OH; oh0 += bandRows)
            {
                int oh1 = Math.Min(s.G.OH, oh0 + bandRows), lb = (oh1 - oh0) * s.G.OW;
                ReadOnlySpan<T> cols = Columns(image, s, oh0, oh1, scratch, out int ldCols);
                for (int gi = 0; gi < s.Groups; gi++)
                {
                    ReadOnlySpan<T> wg = w.AsSpan(wo + gi * s.CoutG * s.K, s.CoutG * s.K), cg = cols[(gi * s.K * ldCols)..];
                    Span<T> yg = outImage[(gi * s.CoutG * s.L + oh0 * s.G.OW)..];
                    Gemm.Multiply(false, false, s.CoutG, lb, s.K, T.One, wg, s.K, cg, ldCols, T.Zero, yg, s.L, gemmThreads);
                }
            }
            if (b is not null)
                for (int o = 0; o < s.Cout; o++) AddScalar(outImage.Slice(o * s.L, s.L), b[bo + o]);
            // NOTE: the same primitive as Tensor.Relu's vector path, on the image while it is still in cache (Note [Fused convolution + ReLU]).
            if (relu) TensorPrimitives.Max(outImage, T.Zero, outImage);
        });
    }

    /// <summary>
    /// Gradients of <see cref="Forward{T}"/> for output gradient <paramref name="gy"/> (contiguous from <paramref name="gyo"/>):
    /// <paramref name="dx"/> (needs <paramref name="w"/>), <paramref name="dw"/> (needs <paramref name="x"/>) and <paramref name="db"/>,
    /// each computed only when its array is given. Outputs are contiguous and fully overwritten.
    /// </summary>
    /// <remarks><paramref name="maxThreads"/> as for <see cref="Forward{T}"/>.</remarks>
    public static void Backward<T>(T[]? x, int xo, T[]? w, int wo, T[] gy, int gyo, T[]? dx, T[]? dw, T[]? db, ConvShape s, int maxThreads = 0)
        where T : unmanaged, INumber<T>
    {
        if (s.N == 0)
        {
            dw?.AsSpan(0, s.Weights).Clear();
            db?.AsSpan(0, s.Cout).Clear();
            return;
        }
        bool reduce = dw is not null || db is not null;
        // Weight and bias gradients accumulate per slot (a fixed range of images); without them every image is an item.
        int slots = reduce ? Slots(s) : s.N;
        T[]? slotW = dw is not null && slots > 1 ? Scratch<T>.TakeSlots((slots - 1) * s.Weights) : null;
        T[]? slotB = db is not null ? new T[slots * s.Cout] : null;
        int bandRows = BandRows(s);
        long workPerImage = s.WorkPerImage * ((dx is null ? 0 : 1) + (dw is null ? 0 : 1));
        ForEach(slots, workPerImage * s.N / slots, maxThreads, (slot, gemmThreads) =>
        {
            int n0 = (int)((long)slot * s.N / slots), n1 = (int)((long)(slot + 1) * s.N / slots);
            Span<T> accW = dw is null ? default : slot == 0 ? dw.AsSpan(0, s.Weights) : slotW.AsSpan((slot - 1) * s.Weights, s.Weights);
            int bandLength = s.Cin * s.G.KH * s.G.KW * bandRows * s.G.OW;
            Span<T> cols = dw is null || s.G.IsPointwise ? default : Scratch<T>.Columns(bandLength);
            Span<T> dcols = dx is null || s.G.IsPointwise ? default : Scratch<T>.ColumnGradients(bandLength);
            for (int n = n0; n < n1; n++)
            {
                ReadOnlySpan<T> g = gy.AsSpan(gyo + n * s.OutImage, s.OutImage);
                if (slotB is not null)
                    for (int o = 0; o < s.Cout; o++) slotB[slot * s.Cout + o] += SumRow(g.Slice(o * s.L, s.L));
                Span<T> dxImage = dx is null ? default : dx.AsSpan(n * s.InImage, s.InImage);
                if (dx is not null && !s.G.IsPointwise) dxImage.Clear();
                for (int oh0 = 0; oh0 < s.G.OH; oh0 += bandRows)
                {
                    int oh1 = Math.Min(s.G.OH, oh0 + bandRows), lb = (oh1 - oh0) * s.G.OW, at = oh0 * s.G.OW;
                    if (dw is not null)
                    {
                        // dW_g += dy_g[:, band] · cols_gᵀ
                        ReadOnlySpan<T> c = Columns<T>(x!.AsSpan(xo + n * s.InImage, s.InImage), s, oh0, oh1, cols, out int ldc);
                        T beta = n == n0 && oh0 == 0 ? T.Zero : T.One;
                        for (int gi = 0; gi < s.Groups; gi++)
                        {
                            ReadOnlySpan<T> gg = g[(gi * s.CoutG * s.L + at)..], cg = c[(gi * s.K * ldc)..];
                            Span<T> acc = accW.Slice(gi * s.CoutG * s.K, s.CoutG * s.K);
                            Gemm.Multiply(false, true, s.CoutG, s.K, lb, T.One, gg, s.L, cg, ldc, beta, acc, s.K, gemmThreads);
                        }
                    }
                    if (dx is not null)
                    {
                        // dcols_g = W_gᵀ · dy_g[:, band]; the pointwise window writes it straight into dx.
                        bool direct = s.G.IsPointwise;
                        Span<T> target = direct ? dxImage[at..] : dcols;
                        int ldt = direct ? s.L : lb;
                        for (int gi = 0; gi < s.Groups; gi++)
                        {
                            ReadOnlySpan<T> wg = w!.AsSpan(wo + gi * s.CoutG * s.K, s.CoutG * s.K), gg = g[(gi * s.CoutG * s.L + at)..];
                            Span<T> tg = target[(gi * s.K * ldt)..];
                            Gemm.Multiply(true, false, s.K, lb, s.CoutG, T.One, wg, s.K, gg, s.L, T.Zero, tg, ldt, gemmThreads);
                        }
                        if (!direct) Im2Col.Fold<T>(dcols, s.Cin, s.G, oh0, oh1, dxImage);
                    }
                }
            }
        });
        if (dw is not null)
        {
            Span<T> total = dw.AsSpan(0, s.Weights);
            for (int slot = 1; slot < slots; slot++)
                TensorPrimitives.Add(total, slotW.AsSpan((slot - 1) * s.Weights, s.Weights), total);
            if (slotW is not null) Scratch<T>.ReturnSlots(slotW);
        }
        if (db is not null)
        {
            Span<T> total = db.AsSpan(0, s.Cout);
            slotB.AsSpan(0, s.Cout).CopyTo(total);
            for (int slot = 1; slot < slots; slot++) TensorPrimitives.Add(total, slotB.AsSpan(slot * s.Cout, s.Cout), total);
        }
    }

    // NOTE: a plain vector loop: TensorPrimitives.Add(row, scalar, row) over the 4,096 output rows of the cnn preset's
    // first layer cost more than the layer's products (docs/benchmarks.md); this loop runs at memory speed.
    internal static void AddScalar<T>(Span<T> row, T value) where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref T r = ref MemoryMarshal.GetReference(row);
            Vector512<T> v = Vector512.Create(value);
            for (; i + Vector512<T>.Count <= row.Length; i += Vector512<T>.Count)
                (Vector512.LoadUnsafe(ref r, (nuint)i) + v).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < row.Length; i++) row[i] += value;
    }

    private static T SumRow<T>(ReadOnlySpan<T> row) where T : unmanaged, INumber<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated)
        {
            ref T r = ref MemoryMarshal.GetReference(row);
            Vector512<T> acc = Vector512<T>.Zero;
            for (; i + Vector512<T>.Count <= row.Length; i += Vector512<T>.Count) acc += Vector512.LoadUnsafe(ref r, (nuint)i);
            sum = Vector512.Sum(acc);
        }
        for (; i < row.Length; i++) sum += row[i];
        return sum;
    }

    /// <summary>Accumulation slots for the weight gradient: a function of the sizes only (never of the thread count).</summary>
    internal static int Slots(in ConvShape s)
    {
        int slots = Math.Min(s.N, MaxSlots);
        while (slots > 1 && (long)slots * s.Weights > SlotElements) slots--;
        return Math.Max(slots, 1);
    }

    /// <summary>The column matrix of window rows <c>[oh0, oh1)</c> and its row stride: the image itself for a pointwise window, else unfolded into <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<T> Columns<T>(ReadOnlySpan<T> image, in ConvShape s, int oh0, int oh1, Span<T> scratch, out int ld)
        where T : unmanaged, INumber<T>
    {
        if (s.G.IsPointwise)
        {
            ld = s.L;
            return image[(oh0 * s.G.OW)..];
        }
        Im2Col.Unfold(image, s.Cin, s.G, oh0, oh1, scratch);
        ld = (oh1 - oh0) * s.G.OW;
        return scratch;
    }

    /// <summary>
    /// Per-thread column buffers, grown on demand and kept for the thread's life (at most about
    /// <see cref="BandElements"/> elements each unless one window row needs more), and the weight-gradient slots
    /// of the last backward pass, reused by the next.
    /// </summary>
    private static class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? t_columns;
        [ThreadStatic] private static T[]? t_columnGradients;
        private static T[]? s_slots;

        public static Span<T> Columns(int length) => Grow(ref t_columns, length);

        public static Span<T> ColumnGradients(int length) => Grow(ref t_columnGradients, length);

        private static Span<T> Grow(ref T[]? buffer, int length)
        {
            if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<T>(length);
            return buffer.AsSpan(0, length);
        }

        /// <summary>A buffer of at least <paramref name="length"/> elements for the slots (contents undefined).</summary>
        public static T[] TakeSlots(int length)
        {
            T[]? cached = Interlocked.Exchange(ref s_slots, null);
            return cached is not null && cached.Length >= length ? cached : GC.AllocateUninitializedArray<T>(length);
        }

        public static void ReturnSlots(T[] buffer) => Interlocked.Exchange(ref s_slots, buffer);
    }
}
