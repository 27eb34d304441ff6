using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Note [Nearest interpolation rule]
// Nearest interpolation has one rule here, the reference README's src = min(floor(dst*scale), in - 1), which is what
// PyTorch 1.13 computes for ordinary NCHW input (more than one channel). PyTorch also has an older rule that copies a
// dim of unchanged size and halves the index of a doubled one (nearest_idx, float32 scale); it takes it for
// single-channel input (which counts as channels-last contiguous) and in the backward pass of every input. The two
// rules differ only when a scale factor is given whose output size is the input size or twice it without the factor
// being 1 or 2 (H = 5, scale_factor 1.1), and then PyTorch's gradient is not the adjoint of its forward. We keep the
// README's rule in forward and backward, so the gradient is always the adjoint of the values.

/// <summary>A resampling of <c>[H, W]</c> planes: nearest or bilinear, and the source positions and weights of each axis.</summary>
internal sealed record ResamplePlan(bool Nearest, ResampleAxis H, ResampleAxis W);

/// <summary>
/// One axis of a resampling from <see cref="In"/> to <see cref="Out"/> positions: output position <c>o</c> reads source <c>I0[o]</c> with
/// weight <c>1 - L1[o]</c> and source <c>I1[o]</c> with weight <c>L1[o]</c> (nearest: <c>I1 = I0</c>, <c>L1 = 0</c>).
/// </summary>
internal sealed class ResampleAxis
{
    private ResampleAxis(int inSize, int outSize)
    {
        (In, Out) = (inSize, outSize);
        (I0, I1, L1) = (new int[outSize], new int[outSize], new double[outSize]);
    }

    private ResampleAxis Done()
    {
        bool identity = In == Out;
        for (int o = 0; identity && o < Out; o++) identity = I0[o] == o && L1[o] == 0;
        IsIdentity = identity;
        return this;
    }

    public int In { get; }

    public int Out { get; }

    public int[] I0 { get; }

    public int[] I1 { get; }

    public double[] L1 { get; }

    /// <summary>True when output position <c>o</c> is source position <c>o</c>.</summary>
    public bool IsIdentity { get; private set; }

    /// <summary>
    /// The nearest rule: <c>min(floor(o*scale), in - 1)</c> with <c>scale = 1/scaleFactor</c> when one was given, else <c>in/out</c>, rounded as
    /// PyTorch rounds it (see the note inside).
    /// </summary>
    public static ResampleAxis Nearest(int inSize, int outSize, double? scaleFactor, bool singlePrecision)
    {
        var a = new ResampleAxis(inSize, outSize);
        // NOTE: PyTorch 1.13's kernel for NCHW input (HelperInterpNearest) computes scale and o*scale in the op's math type
        // (float32 for float32 input, float64 for float64) and floors the product after rounding it to float32 (floorf).
        // Following it picks the same source where o*scale is within rounding of an integer: 2 -> 98 rows, o = 49 gives
        // 0.99999999999999989 in float64, which floorf reads as 1.
        double scale = scaleFactor is > 0 ? 1.0 / scaleFactor.Value : (double)inSize / outSize;
        float scale32 = singlePrecision ? (scaleFactor is > 0 ? (float)(1.0 / scaleFactor.Value) : (float)inSize / outSize) : 0;
        for (int o = 0; o < outSize; o++)
        {
            float src = singlePrecision ? o * scale32 : (float)(o * scale);
            int i = Math.Min((int)MathF.Floor(src), inSize - 1);
            a.I0[o] = a.I1[o] = i;
        }
        return a.Done();
    }

    /// <summary>
    /// PyTorch's linear rule: the identity for equal sizes; else <c>src = o*scale</c> with <c>scale = (in-1)/(out-1)</c> (0 for one output) when
    /// <paramref name="alignCorners"/>, else <c>src = max((o + 0.5)*scale - 0.5, 0)</c> with <c>scale = 1/scaleFactor</c> when one was given,
    /// else <c>in/out</c>; <c>I0 = floor(src)</c>, <c>I1 = min(I0 + 1, in - 1)</c>, <c>L1 = src - I0</c>.
    /// </summary>
    public static ResampleAxis Linear(int inSize, int outSize, double? scaleFactor, bool alignCorners)
    {
        var a = new ResampleAxis(inSize, outSize);
        double scale = alignCorners
            ? (outSize > 1 ? (inSize - 1) / (double)(outSize - 1) : 0)
            : scaleFactor is > 0 ? 1.0 / scaleFactor.Value : inSize / (double)outSize;
        for (int o = 0; o < outSize; o++)
        {
            if (outSize == inSize)
            {
                a.I0[o] = a.I1[o] = o;
                continue;
            }
            double src = alignCorners ? scale * o : Math.Max(scale * (o + 0.5) - 0.5, 0);
            int i0 = Math.Min((int)src, inSize - 1);
            a.I0[o] = i0;
            a.I1[o] = i0 < inSize - 1 ? i0 + 1 : i0;
            a.L1[o] = src - i0;
        }
        return a.Done();
    }

    /// <summary>The weights <c>1 - L1</c> and <c>L1</c> in the element type.</summary>
    public (T[] L0, T[] L1) Weights<T>() where T : INumber<T>
    {
        var l0 = new T[Out];
        var l1 = new T[Out];
        for (int o = 0; o < Out; o++)
        {
            l0[o] = T.CreateChecked(1 - L1[o]);
            l1[o] = T.CreateChecked(L1[o]);
        }
        return (l0, l1);
    }
}

/// <summary>
/// Nearest and bilinear resampling of one <c>[H, W]</c> plane to <c>[OH, OW]</c> and their adjoints (which accumulate into a plane the
/// caller zeroes). Bilinear runs separably, along W into a <c>[H, OW]</c> scratch and then along H with whole-row vector operations:
/// <c>out = l0h*(l0w*x00 + l1w*x01) + l1h*(l0w*x10 + l1w*x11)</c>.
/// </summary>
internal static class Resample
{
    public static void NearestForward<T>(ReadOnlySpan<T> plane, ResampleAxis h, ResampleAxis w, Span<T> output) where T : INumber<T>
    {
        for (int oh = 0; oh < h.Out; oh++)
        {
            ReadOnlySpan<T> row = plane.Slice(h.I0[oh] * w.In, w.In);
            Span<T> outRow = output.Slice(oh * w.Out, w.Out);
            if (w.IsIdentity) row.CopyTo(outRow);
            else for (int ow = 0; ow < outRow.Length; ow++) outRow[ow] = row[w.I0[ow]];
        }
    }

    public static void NearestAdjoint<T>(ReadOnlySpan<T> grad, ResampleAxis h, ResampleAxis w, Span<T> plane) where T : unmanaged, INumber<T>
    {
        for (int oh = 0; oh < h.Out; oh++)
        {
            Span<T> row = plane.Slice(h.I0[oh] * w.In, w.In);
            ReadOnlySpan<T> gRow = grad.Slice(oh * w.Out, w.Out);
            if (w.IsIdentity) TensorPrimitives.Add(row, gRow, row);
            else for (int ow = 0; ow < gRow.Length; ow++) row[w.I0[ow]] += gRow[ow];
        }
    }

    /// <summary>Bilinear resampling of <paramref name="plane"/>; <paramref name="scratch"/> holds <c>H*OW</c> elements (unused when W is the identity).</summary>
    public static void LinearForward<T>(ReadOnlySpan<T> plane, ResampleAxis h, ResampleAxis w, in LinearWeights<T> wt, Span<T> scratch, Span<T> output)
        where T : unmanaged, INumber<T>
    {
        ReadOnlySpan<T> rows = plane;
        if (!w.IsIdentity)
        {
            for (int r = 0; r < h.In; r++)
            {
                ReadOnlySpan<T> row = plane.Slice(r * w.In, w.In);
                Span<T> t = scratch.Slice(r * w.Out, w.Out);
                for (int ow = 0; ow < t.Length; ow++) t[ow] = wt.W0[ow] * row[w.I0[ow]] + wt.W1[ow] * row[w.I1[ow]];
            }
            rows = scratch;
        }
        for (int oh = 0; oh < h.Out; oh++)
        {
            Span<T> outRow = output.Slice(oh * w.Out, w.Out);
            ReadOnlySpan<T> top = rows.Slice(h.I0[oh] * w.Out, w.Out);
            if (h.IsIdentity)
            {
                top.CopyTo(outRow);
                continue;
            }
            TensorPrimitives.Multiply(top, wt.H0[oh], outRow);
            TensorPrimitives.MultiplyAdd(rows.Slice(h.I1[oh] * w.Out, w.Out), wt.H1[oh], outRow, outRow);
        }
    }

    /// <summary>The adjoint of <see cref="LinearForward{T}"/>: accumulates into <paramref name="plane"/>; <paramref name="scratch"/> as there.</summary>
    public static void LinearAdjoint<T>(ReadOnlySpan<T> grad, ResampleAxis h, ResampleAxis w, in LinearWeights<T> wt, Span<T> scratch, Span<T> plane)
        where T : unmanaged, INumber<T>
    {
        Span<T> rows = w.IsIdentity ? plane : scratch;
        if (!w.IsIdentity) rows.Clear();
        for (int oh = 0; oh < h.Out; oh++)
        {
            ReadOnlySpan<T> gRow = grad.Slice(oh * w.Out, w.Out);
            Span<T> top = rows.Slice(h.I0[oh] * w.Out, w.Out);
            if (h.IsIdentity)
            {
                TensorPrimitives.Add(top, gRow, top);
                continue;
            }
            TensorPrimitives.MultiplyAdd(gRow, wt.H0[oh], top, top);
            Span<T> bottom = rows.Slice(h.I1[oh] * w.Out, w.Out);
            TensorPrimitives.MultiplyAdd(gRow, wt.H1[oh], bottom, bottom);
        }
        if (w.IsIdentity) return;
        for (int r = 0; r < h.In; r++)
        {
            Span<T> row = plane.Slice(r * w.In, w.In);
            ReadOnlySpan<T> t = rows.Slice(r * w.Out, w.Out);
            for (int ow = 0; ow < t.Length; ow++)
            {
                row[w.I0[ow]] += wt.W0[ow] * t[ow];
                row[w.I1[ow]] += wt.W1[ow] * t[ow];
            }
        }
    }
}

/// <summary>The bilinear weights of both axes in the element type (<c>1 - L1</c> and <c>L1</c> of each <see cref="ResampleAxis"/>).</summary>
internal readonly struct LinearWeights<T> where T : INumber<T>
{
    public LinearWeights(ResampleAxis h, ResampleAxis w)
    {
        (H0, H1) = h.Weights<T>();
        (W0, W1) = w.Weights<T>();
    }

    public T[] H0 { get; }

    public T[] H1 { get; }

    public T[] W0 { get; }

    public T[] W1 { get; }
}
