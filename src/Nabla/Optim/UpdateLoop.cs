using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nabla.Kernels;

namespace Nabla.Optim;

/// <summary>
/// One optimizer's element-wise update, written once as a method generic over the lane type (<see cref="ILanes{TSelf, T}"/>).
/// Each lane is an independent parameter element, so the same code serves full vectors and the zero-padded tail.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The state buffers <see cref="Apply"/> reads and writes: bit k for buffer k (s0, s1, s2). The driver checks them
    /// against the buffers it is given once per call; a buffer whose bit is clear is never touched (its ref may be null).
    /// </summary>
    int Buffers { get; }

    /// <summary>
    /// Updates the <c>TLanes.Count</c> parameter elements <c>p[i..]</c> from the gradient <c>g[i..]</c> and the state buffers
    /// it uses (see <see cref="Buffers"/>): loads them, applies the formula, stores the parameter and the buffers back.
    /// </summary>
    void Apply<TLanes>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nuint i) where TLanes : struct, ILanes<TLanes, T>;
}

// Note [Fused optimizer updates]
// An optimizer step is one pass over the contiguous spans of a parameter, its gradient and its state buffers: no
// temporaries, no allocation. The rule (IUpdateRule) follows PyTorch's single-tensor formula operation by operation
// (add(x, alpha) is a + alpha*x, addcmul is a + (v*t1)*t2, addcdiv is a + (v*t1)/t2), with no fused multiply-add, so
// each element is rounded exactly as the scalar formula would round it. Hyper-parameters and derived scalars
// (1 - beta, lr / bias correction) are computed in double, as Python does, then converted once to the element type.
// Each rule is one generic method, Apply<TLanes>, over a lane type (ILanes in Lanes.cs; ISimdVector cannot serve, as
// Vector512 does not expose it publicly), instantiated for the widest accelerated width: Lanes512, else Lanes256, else
// LanesVector (Vector<T>), else LanesScalar (software Vector<T> is slower than scalar code). The wrappers are
// single-field structs the JIT keeps in registers, one instruction per operator. The rule loads and stores the buffers
// its Buffers mask names (checked once per call), so the loop is a bare index loop over refs; the tail shorter than a
// vector runs through the same rule in zero-padded stack buffers, so each optimizer has one formula. Thread chunks
// start on multiples of the lane count and lanes are independent, so any thread count gives the same result.
// Figures: docs/benchmarks.md, "Note [Fused optimizer updates]".

/// <summary>Runs an <see cref="IUpdateRule{T}"/> over whole spans. See Note [Fused optimizer updates].</summary>
internal static class UpdateLoop
{
    /// <summary>The number of lanes the update runs with: the widest hardware-accelerated vector.</summary>
    public static int LaneCount<T>() where T : unmanaged, IFloatingPointIeee754<T>
        => Vector512.IsHardwareAccelerated ? Lanes512<T>.Count
        : Vector256.IsHardwareAccelerated ? Lanes256<T>.Count
        : Vector.IsHardwareAccelerated ? LanesVector<T>.Count
        : LanesScalar<T>.Count;

    /// <summary>
    /// Runs <paramref name="rule"/> over contiguous tensors, in <paramref name="threads"/> chunks when they have at least
    /// <paramref name="threshold"/> elements (see Note [Elementwise threads]); chunks start on whole vectors, so the result
    /// is the same for any thread count.
    /// </summary>
    public static void Run<T, TRule>(in TRule rule, Tensor p, Tensor g, Tensor? s0, Tensor? s1, Tensor? s2, int threads,
        int threshold = Chunked.UpdateThreshold)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        if (Vector512.IsHardwareAccelerated) Run<T, TRule, Lanes512<T>>(rule, p, g, s0, s1, s2, threads, threshold);
        else if (Vector256.IsHardwareAccelerated) Run<T, TRule, Lanes256<T>>(rule, p, g, s0, s1, s2, threads, threshold);
        else if (Vector.IsHardwareAccelerated) Run<T, TRule, LanesVector<T>>(rule, p, g, s0, s1, s2, threads, threshold);
        else Run<T, TRule, LanesScalar<T>>(rule, p, g, s0, s1, s2, threads, threshold);
    }

    /// <summary>Runs <paramref name="rule"/> over spans on the calling thread (all of one length; unused buffers empty).</summary>
    public static void Run<T, TRule>(in TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
    {
        int n = p.Length;
        int used = rule.Buffers;
        if (g.Length != n || !Fits(s0.Length, n, used, 0) || !Fits(s1.Length, n, used, 1) || !Fits(s2.Length, n, used, 2))
            throw new InvalidOperationException("internal: optimizer update spans do not match the rule's buffers");
        ref T rp = ref MemoryMarshal.GetReference(p);
        ref T rg = ref MemoryMarshal.GetReference(g);
        ref T r0 = ref MemoryMarshal.GetReference(s0);
        ref T r1 = ref MemoryMarshal.GetReference(s1);
        ref T r2 = ref MemoryMarshal.GetReference(s2);
        if (Vector512.IsHardwareAccelerated) Run<T, TRule, Lanes512<T>>(rule, ref rp, ref rg, ref r0, ref r1, ref r2, n);
        else if (Vector256.IsHardwareAccelerated) Run<T, TRule, Lanes256<T>>(rule, ref rp, ref rg, ref r0, ref r1, ref r2, n);
        else if (Vector.IsHardwareAccelerated) Run<T, TRule, LanesVector<T>>(rule, ref rp, ref rg, ref r0, ref r1, ref r2, n);
        else Run<T, TRule, LanesScalar<T>>(rule, ref rp, ref rg, ref r0, ref r1, ref r2, n);
    }

    private static bool Fits(int length, int n, int used, int buffer) => (used & (1 << buffer)) != 0 ? length == n : length == 0;

    private static void Run<T, TRule, TLanes>(in TRule rule, Tensor p, Tensor g, Tensor? s0, Tensor? s1, Tensor? s2, int threads, int threshold)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TLanes : struct, ILanes<TLanes, T>
    {
        int n = (int)p.Numel;
        int used = rule.Buffers;
        if (g.Numel != n || !Fits(s0, n, used, 0) || !Fits(s1, n, used, 1) || !Fits(s2, n, used, 2))
            throw new InvalidOperationException("internal: optimizer update tensors do not match the rule's buffers");
        // NOTE: the explicit thread count is not capped by ThreadBudget.Max (callers pass it): with more chunks than
        // free helpers, Chunked.For runs the rest on the calling thread, and tests get the split they ask for.
        if (n < threshold || threads <= 1)
        {
            RunChunk<T, TRule, TLanes>(rule, p, g, s0, s1, s2, 0, n);
            return;
        }
        RunChunks<T, TRule, TLanes>(rule, p, g, s0, s1, s2, n, threads);
    }

    /// <summary>The split path, apart so that the one-thread path does not allocate the closure.</summary>
    private static void RunChunks<T, TRule, TLanes>(TRule rule, Tensor p, Tensor g, Tensor? s0, Tensor? s1, Tensor? s2, int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TLanes : struct, ILanes<TLanes, T>
        => Chunked.For(n, TLanes.Count, threads, (start, length) => RunChunk<T, TRule, TLanes>(rule, p, g, s0, s1, s2, start, length));

    private static bool Fits(Tensor? buffer, int n, int used, int index) => (used & (1 << index)) != 0 ? buffer is not null && buffer.Numel == n : buffer is null;

    /// <summary>Elements <c>[start, start + length)</c>; chunk starts are multiples of the lane count.</summary>
    private static void RunChunk<T, TRule, TLanes>(in TRule rule, Tensor p, Tensor g, Tensor? s0, Tensor? s1, Tensor? s2, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TLanes : struct, ILanes<TLanes, T>
    {
        Run<T, TRule, TLanes>(rule, ref At<T>(p, start), ref At<T>(g, start), ref At<T>(s0, start), ref At<T>(s1, start), ref At<T>(s2, start), length);
    }

    /// <summary>A ref to element <paramref name="start"/> of a contiguous buffer, or a null ref when there is no buffer.</summary>
    private static ref T At<T>(Tensor? buffer, int start)
        => ref buffer is null ? ref Unsafe.NullRef<T>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(buffer.Span<T>()), start);

    /// <summary>The loop: whole vectors in place, then the tail through the same rule in zero-padded stack buffers.</summary>
    /// <remarks>
    /// Never inlined: compiled on its own, it has the whole inlining budget for the rule and its lane operations. Inlined
    /// into the chunk delegate (which dynamic PGO inlines into Chunked.For), the budget ran out and the JIT called the
    /// lane operators out of line, each passing 64-byte vectors through memory (see docs/benchmarks.md for the figures,
    /// under the heading of Note [Fused optimizer updates]).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run<T, TRule, TLanes>(in TRule rule, ref T p, ref T g, ref T s0, ref T s1, ref T s2, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TLanes : struct, ILanes<TLanes, T>
    {
        nuint w = (nuint)TLanes.Count;
        nuint end = (nuint)n;
        nuint i = 0;
        if (end >= w)
        {
            // A local copy: the stores through the refs cannot alias it, so its fields stay in registers.
            TRule r = rule;
            for (; i <= end - w; i += w)
                r.Apply<TLanes>(ref p, ref g, ref s0, ref s1, ref s2, i);
        }
        if (i < end) Tail<T, TRule, TLanes>(rule, ref p, ref g, ref s0, ref s1, ref s2, (int)i, (int)(end - i));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tail<T, TRule, TLanes>(in TRule rule, ref T p, ref T g, ref T s0, ref T s1, ref T s2, int start, int rest)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, IUpdateRule<T>
        where TLanes : struct, ILanes<TLanes, T>
    {
        int w = TLanes.Count;
        int used = rule.Buffers;
        Span<T> tp = stackalloc T[w];
        Span<T> tg = stackalloc T[w];
        Span<T> t0 = stackalloc T[w];
        Span<T> t1 = stackalloc T[w];
        Span<T> t2 = stackalloc T[w];
        Tail(ref p, start, rest).CopyTo(tp);
        Tail(ref g, start, rest).CopyTo(tg);
        if ((used & 1) != 0) Tail(ref s0, start, rest).CopyTo(t0);
        if ((used & 2) != 0) Tail(ref s1, start, rest).CopyTo(t1);
        if ((used & 4) != 0) Tail(ref s2, start, rest).CopyTo(t2);
        rule.Apply<TLanes>(ref MemoryMarshal.GetReference(tp), ref MemoryMarshal.GetReference(tg),
            ref MemoryMarshal.GetReference(t0), ref MemoryMarshal.GetReference(t1), ref MemoryMarshal.GetReference(t2), 0);
        tp[..rest].CopyTo(Tail(ref p, start, rest));
        if ((used & 1) != 0) t0[..rest].CopyTo(Tail(ref s0, start, rest));
        if ((used & 2) != 0) t1[..rest].CopyTo(Tail(ref s1, start, rest));
        if ((used & 4) != 0) t2[..rest].CopyTo(Tail(ref s2, start, rest));
    }

    private static Span<T> Tail<T>(ref T buffer, int start, int rest) => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref buffer, start), rest);

    /// <summary><paramref name="value"/> converted to <typeparamref name="T"/> (hyper-parameters are computed in double).</summary>
    public static T Scalar<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);
}
