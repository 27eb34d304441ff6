using System.Numerics;
using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// One optimizer's element-wise update, written once over <see cref="Vector{T}"/> lanes. Each lane is an
/// independent parameter element, so the same code serves full vectors and the zero-padded tail.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates parameter lanes <paramref name="p"/> from gradient lanes <paramref name="g"/> and up to three state buffers.</summary>
    void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2);
}

// Note [Fused optimizer updates]
// An optimizer step is one pass over the contiguous spans of a parameter, its gradient and its state
// buffers: no temporaries, no allocation. The rule (IUpdateRule) follows PyTorch's single-tensor formula
// operation by operation (add(x, alpha) is a + alpha*x, addcmul is a + (v*t1)*t2, addcdiv is a + (v*t1)/t2),
// with no fused multiply-add, so each element is rounded exactly as the scalar formula would round it.
// Hyper-parameters and derived scalars (1 - beta, lr / bias correction) are computed in double, as Python
// does, then converted once to the element type. The tail shorter than a vector is copied into zero-padded
// stack buffers and run through the same rule, so there is one formula per optimizer, not two.

/// <summary>Runs an <see cref="IUpdateRule{T}"/> over whole spans. See Note [Fused optimizer updates].</summary>
internal static class UpdateLoop
{
    /// <summary>
    /// Runs <paramref name="rule"/> over contiguous tensors, in one chunk per thread when they are large (see Note
    /// [Elementwise threads]); chunks start on whole vectors, so the result is the same for any thread count.
    /// </summary>
    public static void Run<T, TRule>(in TRule rule, Tensor p, Tensor g, Tensor? s0, Tensor? s1, Tensor? s2, int threads,
        int threshold = Chunked.UpdateThreshold)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        int n = (int)p.Numel;
        int parts = Chunked.Parts(n, threshold, threads);
        if (parts <= 1)
        {
            Run(rule, p.Span<T>(), g.Span<T>(), Optional<T>(s0), Optional<T>(s1), Optional<T>(s2));
            return;
        }
        TRule copy = rule;
        Chunked.For(n, Vector<T>.Count, parts, (start, length) => Run(copy, p.Span<T>().Slice(start, length), g.Span<T>().Slice(start, length),
            Part<T>(s0, start, length), Part<T>(s1, start, length), Part<T>(s2, start, length)));
    }

    private static Span<T> Part<T>(Tensor? buffer, int start, int length) => buffer is null ? default : buffer.Span<T>().Slice(start, length);

    /// <summary>The span of a contiguous buffer, or an empty span when the buffer is not used.</summary>
    public static Span<T> Optional<T>(Tensor? buffer) => buffer is null ? default : buffer.Span<T>();

    public static void Run<T, TRule>(in TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        int n = p.Length;
        if (g.Length != n || (!s0.IsEmpty && s0.Length != n) || (!s1.IsEmpty && s1.Length != n) || (!s2.IsEmpty && s2.Length != n))
            throw new InvalidOperationException("internal: optimizer update spans of different lengths");
        int w = Vector<T>.Count;
        int i = 0;
        for (; i <= n - w; i += w)
            Chunk(rule, p.Slice(i, w), g.Slice(i, w), Part(s0, i, w), Part(s1, i, w), Part(s2, i, w));
        int rest = n - i;
        if (rest == 0) return;

        Span<T> tp = stackalloc T[w];
        Span<T> tg = stackalloc T[w];
        Span<T> t0 = stackalloc T[w];
        Span<T> t1 = stackalloc T[w];
        Span<T> t2 = stackalloc T[w];
        p[i..].CopyTo(tp);
        g[i..].CopyTo(tg);
        if (!s0.IsEmpty) s0[i..].CopyTo(t0);
        if (!s1.IsEmpty) s1[i..].CopyTo(t1);
        if (!s2.IsEmpty) s2[i..].CopyTo(t2);
        Chunk(rule, tp, tg, s0.IsEmpty ? default : t0, s1.IsEmpty ? default : t1, s2.IsEmpty ? default : t2);
        tp[..rest].CopyTo(p[i..]);
        if (!s0.IsEmpty) t0[..rest].CopyTo(s0[i..]);
        if (!s1.IsEmpty) t1[..rest].CopyTo(s1[i..]);
        if (!s2.IsEmpty) t2[..rest].CopyTo(s2[i..]);
    }

    private static Span<T> Part<T>(Span<T> s, int start, int length) => s.IsEmpty ? default : s.Slice(start, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk<T, TRule>(in TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        var vp = new Vector<T>(p);
        var v0 = s0.IsEmpty ? Vector<T>.Zero : new Vector<T>(s0);
        var v1 = s1.IsEmpty ? Vector<T>.Zero : new Vector<T>(s1);
        var v2 = s2.IsEmpty ? Vector<T>.Zero : new Vector<T>(s2);
        rule.Apply(ref vp, new Vector<T>(g), ref v0, ref v1, ref v2);
        vp.CopyTo(p);
        if (!s0.IsEmpty) v0.CopyTo(s0);
        if (!s1.IsEmpty) v1.CopyTo(s1);
        if (!s2.IsEmpty) v2.CopyTo(s2);
    }

    /// <summary>A lane vector holding <paramref name="value"/> converted to <typeparamref name="T"/>.</summary>
    public static Vector<T> Splat<T>(double value) where T : unmanaged, IFloatingPointIeee754<T>
        => new(T.CreateTruncating(value));
}
