namespace Nabla;

// Note [Autocast policy]
// Inside Autocast.Enable(dtype) on a thread, ops cast their floating-point inputs by the policy below, with the
// differentiable To, so gradients flow back through the casts and arrive in each input's own dtype: a float32
// parameter used by a bfloat16 matmul gets a float32 gradient (master weights stay float32).
// * Lower precision (inputs cast to the autocast dtype): matmul, linear, bmm and the convolutions (conv1d, conv2d,
//   their transposes), the GEMM-bound ops whose operand bytes 16 bits halve (Note [Widening GEMM]).
// * Float32 (16-bit inputs cast up): softmax, log_softmax, layer, batch and group norm, every loss, and the reductions
//   sum, mean, prod, norm, var, std, logsumexp, whose accumulation or range needs float32.
// * Everything else runs in the widest dtype of its inputs (bfloat16 with float32 is float32, Note [Type promotion]).
// The lower list and the float32 losses and prod are PyTorch 1.13's CPU policy; PyTorch 1.13 on the CPU leaves softmax,
// the norms and sum/mean in bfloat16 (and refuses layer_norm of a bfloat16 input with float32 weights), where this
// follows its CUDA policy and the issue's: they run in float32 (docs/scale.md §2 has the table).
// Backward is never autocast: the engine runs rules with autocast off, so each rule computes in the dtypes its forward
// saw. Each op names its category with one call at its entry (Lower or Float32), as PyTorch registers each op in its
// autocast dispatch key; nothing else changes with the scope.

// Note [Autocast weight cache]
// Within the outermost Enable scope on a thread, a float32 leaf that requires grad (a parameter) cast to the autocast
// dtype is cast once: later lower-precision uses in the scope get the same cast tensor, as PyTorch's autocast cache
// does. Its ToCopyBackward node then receives the sum of the uses' gradients, so a weight used k times converts its
// gradient once instead of k times. The entry is keyed by the tensor's identity and holds the dtype, the grad mode and
// the version it was cast under: a different dtype, a cast made under no_grad (no graph) or an in-place update
// (an optimizer step inside the scope) casts again rather than reuse a stale or graph-less copy. The cache is dropped
// when the outermost Enable scope ends, so it never outlives a forward pass it was not asked to span.

/// <summary>
/// Automatic mixed precision, as PyTorch's <c>torch.autocast("cpu", dtype=torch.bfloat16)</c>: inside a scope, GEMM-bound
/// ops run in a 16-bit dtype while precision-sensitive ops run in float32 (Note [Autocast policy]).
/// </summary>
/// <example><code>using (Autocast.Enable(DType.BFloat16)) { loss = Functional.CrossEntropy(model.Forward(x), y); }
/// loss.Backward();</code></example>
public static class Autocast
{
    [ThreadStatic] private static DType? t_dtype;
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static bool t_cacheEnabled;
    [ThreadStatic] private static Dictionary<Tensor, CachedCast>? t_cache;

    private readonly record struct CachedCast(DType DType, bool Grad, int Version, Tensor Cast);

    /// <summary>True inside an <see cref="Enable"/> scope on the current thread.</summary>
    public static bool IsEnabled => t_dtype is not null;

    /// <summary>The dtype GEMM-bound ops run in on the current thread, or null outside an autocast scope.</summary>
    public static DType? CurrentDType => t_dtype;

    /// <summary>Turns autocast on for the current thread until the returned scope is disposed (scopes nest).</summary>
    /// <param name="dtype">The lower-precision dtype: <see cref="DType.BFloat16"/> (the default, as on PyTorch's CPU) or <see cref="DType.Float16"/>.</param>
    /// <param name="cacheEnabled">Cast each float32 parameter once per outermost scope and reuse the cast (PyTorch's
    /// <c>cache_enabled</c>, Note [Autocast weight cache]); false casts at every use.</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a 16-bit floating-point dtype.</exception>
    public static IDisposable Enable(DType dtype = DType.BFloat16, bool cacheEnabled = true)
    {
        if (!dtype.IsHalf())
            throw new ArgumentException($"autocast: dtype must be bfloat16 or float16, got {dtype.Name()}", nameof(dtype));
        (DType? savedDType, bool savedCache) = (t_dtype, t_cacheEnabled);
        (t_dtype, t_cacheEnabled) = (dtype, cacheEnabled);
        t_depth++;
        return new Scope(() =>
        {
            (t_dtype, t_cacheEnabled) = (savedDType, savedCache);
            if (--t_depth == 0) t_cache = null; // Note [Autocast weight cache]: dropped with the outermost scope
        });
    }

    /// <summary>Turns autocast off for the current thread until disposed (PyTorch's <c>autocast(enabled=False)</c>).</summary>
    public static IDisposable Disable()
    {
        DType? saved = t_dtype;
        t_dtype = null;
        return new Scope(() => t_dtype = saved);
    }

    /// <summary>The autocast settings of the current thread, to run later code as it ran (<see cref="Restore"/>).</summary>
    internal readonly record struct Settings(DType? DType, bool CacheEnabled);

    /// <summary>The current thread's autocast settings.</summary>
    internal static Settings Capture() => new(t_dtype, t_cacheEnabled);

    /// <summary>
    /// Runs under <paramref name="settings"/> until disposed, with a weight cache of its own that starts empty, as an
    /// outermost <see cref="Enable"/> scope would (a checkpoint's recomputation, Note [Checkpoint frames]); the thread's
    /// settings and cache are put back on disposal.
    /// </summary>
    internal static IDisposable Restore(Settings settings)
    {
        var saved = (t_dtype, t_cacheEnabled, t_depth, t_cache);
        (t_dtype, t_cacheEnabled, t_depth, t_cache) = (settings.DType, settings.CacheEnabled, settings.DType is null ? 0 : 1, null);
        return new Scope(() => (t_dtype, t_cacheEnabled, t_depth, t_cache) = saved);
    }

    /// <summary>A lower-precision op's input: cast to the autocast dtype when it is a floating-point tensor of another dtype.</summary>
    internal static Tensor Lower(Tensor t) => t_dtype is { } d && t.DType != d && t.DType.IsFloatingPoint() ? Cast(t, d) : t;

    /// <summary>Casts <paramref name="t"/> to <paramref name="d"/>, through the weight cache for a float32 parameter (Note [Autocast weight cache]).</summary>
    private static Tensor Cast(Tensor t, DType d)
    {
        if (!t_cacheEnabled || t.DType != DType.Float32 || !t.IsLeaf || !t.RequiresGrad) return t.To(d);
        var cache = t_cache ??= new Dictionary<Tensor, CachedCast>(ReferenceEqualityComparer.Instance);
        bool grad = Autograd.IsGradEnabled;
        if (cache.TryGetValue(t, out CachedCast c) && c.DType == d && c.Grad == grad && c.Version == t.Version) return c.Cast;
        Tensor cast = t.To(d);
        cache[t] = new CachedCast(d, grad, t.Version, cast);
        return cast;
    }

    /// <summary>Casts both inputs of a lower-precision op (see <see cref="Lower(Tensor)"/>); true when either changed.</summary>
    internal static bool Lower(ref Tensor a, ref Tensor b)
    {
        if (t_dtype is null) return false;
        Tensor la = Lower(a), lb = Lower(b);
        bool changed = !ReferenceEquals(la, a) || !ReferenceEquals(lb, b);
        (a, b) = (la, lb);
        return changed;
    }

    /// <summary>An optional lower-precision input (see <see cref="Lower(Tensor)"/>).</summary>
    internal static Tensor? LowerOptional(Tensor? t) => t is null ? null : Lower(t);

    /// <summary>A float32 op's input: cast up when it is 16-bit and autocast is on.</summary>
    internal static Tensor Float32(Tensor t) => t_dtype is not null && t.DType.IsHalf() ? t.To(DType.Float32) : t;

    /// <summary>An optional float32 input (see <see cref="Float32(Tensor)"/>).</summary>
    internal static Tensor? Float32Optional(Tensor? t) => t is null ? null : Float32(t);
}
