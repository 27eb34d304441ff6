using System.Diagnostics;

namespace Nabla.Runtime;

// Note [Collect after backward]
// A graph of 0-d tensors (micrograd style) is hundreds of thousands of small objects that all live from the forward
// pass until backward releases them (Note [Engine]) and then die at once. Left alone, the runtime collects when its
// young-generation budget runs out, almost always mid-forward: the half-built graph is promoted, and the young
// generation is refilled from fresh memory (zeroing, page faults). The end of a backward pass that released its graph
// is the one moment when that garbage is all dead, so, when the application enabled it on the thread, such a pass ends
// with a blocking gen-0 collection, and the next forward pass allocates into the same warm memory (figures in
// docs/benchmarks.md). Guards: never with retainGraph or createGraph (the graph is still alive); only from MinNodes
// released nodes (~2 MB of garbage; graphs of big tensors have tens of nodes); and the spacing rule of Note [Buffer
// reuse], so that these collections take at most about a fifth of the time. The collection is process-wide, which is
// why it is the application's choice (Note [Runtime policy]).

/// <summary>
/// A young-generation garbage collection at the end of a backward pass that released a large graph (8,192 nodes or
/// more, e.g. a micrograd-style graph of 0-d tensors), when the whole graph has just died. Off unless enabled on the
/// thread that runs backward. See Note [Collect after backward].
/// </summary>
/// <example><code>using (CollectAfterBackward.Enable()) { for (int step = 0; step &lt; 100; step++) { ... loss.Backward(); } }</code></example>
public static class CollectAfterBackward
{
    /// <summary>Released nodes from which a backward pass ends with a collection.</summary>
    internal const int MinNodes = 8192;

    private const int DefaultSpacing = 4;

    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static int t_spacing;
    [ThreadStatic] private static bool t_setByProperty;
    [ThreadStatic] private static long t_collections;

    private static long s_lastEnd, s_lastTicks, s_collections;

    /// <summary>True when backward passes on the calling thread end with a collection.</summary>
    public static bool IsEnabled => t_depth > 0 || t_setByProperty;

    /// <summary>
    /// Turns the collection on for backward passes run on the calling thread until the returned scope is disposed.
    /// Never with <c>retainGraph</c> or <c>createGraph</c>, never for small graphs, and spaced so that these
    /// collections take at most about a fifth of the time.
    /// </summary>
    public static IDisposable Enable() => Enable(DefaultSpacing);

    /// <summary>
    /// <see cref="Enable()"/> with the spacing factor of <see cref="BufferPool.MayCollect"/>; 0 turns the spacing rule
    /// off, so that a test's collections do not depend on timing.
    /// </summary>
    internal static IDisposable Enable(int spacing)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spacing);
        int saved = t_spacing;
        t_depth++;
        t_spacing = spacing;
        return new Scope(() =>
        {
            t_depth--;
            t_spacing = saved;
        });
    }

    /// <summary>What the obsolete <see cref="Autograd.CollectAfterBackward"/> setter does: on or off for the calling thread.</summary>
    internal static void SetForThread(bool enabled) => t_setByProperty = enabled;

    /// <summary>Collections the engine has run at the end of backward passes on the calling thread (for tests).</summary>
    internal static long CollectionsOnThisThread => t_collections;

    /// <summary>Whether a backward pass that released <paramref name="releasedNodes"/> nodes should end with a collection.</summary>
    internal static bool ShouldCollect(bool enabled, int releasedNodes, long now, long lastEnd, long lastDuration, int spacing, long collections) =>
        enabled && releasedNodes >= MinNodes && BufferPool.MayCollect(now, lastEnd, lastDuration, spacing, collections);

    /// <summary>Called by the engine after a backward pass that released its graph (neither retained nor created).</summary>
    internal static void AfterRelease(int releasedNodes)
    {
        if (releasedNodes < MinNodes || !IsEnabled) return; // the common case: two reads
        int spacing = t_depth > 0 ? t_spacing : DefaultSpacing;
        if (!ShouldCollect(true, releasedNodes, Stopwatch.GetTimestamp(), Interlocked.Read(ref s_lastEnd),
                Interlocked.Read(ref s_lastTicks), spacing, Interlocked.Read(ref s_collections)))
            return;
        long start = Stopwatch.GetTimestamp();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        long end = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref s_lastTicks, end - start);
        Interlocked.Exchange(ref s_lastEnd, end);
        Interlocked.Increment(ref s_collections);
        t_collections++;
    }
}
