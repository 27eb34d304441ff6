using System.Diagnostics;

namespace Nabla.Graph;

// Note [Collect after backward]
// A graph of 0-d tensors (micrograd style) is hundreds of thousands of small objects -- a result tensor, its element
// array and a node per op, ~220 bytes -- that all live from the forward pass until backward releases them (Note
// [Engine]) and then all die at once. Left to itself the runtime collects whenever its young-generation budget runs
// out, which is almost always in the middle of a forward pass: the half-built graph survives, is promoted to the
// older generation, the young generation is refilled from fresh memory (which the runtime zeroes and the kernel
// faults in page by page), and the promoted graph later costs older-generation collections. In the micrograd
// demo (W5, ~65,000 nodes and 16 MB per step) that was ~40 % of the time: memset and page faults in the profile,
// ~70,000 page faults per run, 13-20 gen-1 collections.
//
// The engine knows the one moment when that garbage is all dead: the end of a backward pass that released its
// graph. Collecting the young generation there finds almost nothing alive, and the next forward pass allocates
// into the same, already committed and cache-warm, memory. So a backward pass that released at least MinNodes
// nodes ends with a blocking gen-0 collection (GC.Collect(0)): 2.1-2.4 s -> 1.4-1.6 s for the demo, with the
// collections taking ~0.1 s of it. What PyTorch gets from reference counting (the graph's memory is reused at once),
// this gets from choosing when to collect.
//
// Guards: never with retainGraph or createGraph (the graph, or the one built by backward, is still alive, and a
// collection would only promote it); never for small graphs (the threshold is ~2 MB of garbage; a layer-sized graph
// of big tensors has tens of nodes and its buffers are pooled or large objects, which gen 0 does not hold); and the
// spacing rule of Note [Buffer reuse]: a collection only when the time since the last one is at least Spacing times
// that one's duration, so that these collections take at most a fifth of the time whatever the program does.
// The collection is process-wide: another thread's half-built graph is promoted by it as by any collection, which
// the spacing rule bounds like the rest. Autograd.CollectAfterBackward turns it off (for a program with its own GC
// policy, e.g. a latency-sensitive server).

/// <summary>The engine's collection at the end of a backward pass that released a large graph. See Note [Collect after backward].</summary>
internal static class GraphCollection
{
    /// <summary>Released nodes from which a backward pass ends with a collection.</summary>
    internal const int MinNodes = 8192;

    /// <summary>The spacing factor (see <see cref="BufferReuse.MayCollect"/>); 0 turns the rule off (tests).</summary>
    internal static int Spacing = 4;

    private static long s_lastEnd, s_lastTicks, s_collections;

    /// <summary>Collections the engine has run (for tests).</summary>
    internal static long Collections => Interlocked.Read(ref s_collections);

    /// <summary>Whether a backward pass that released <paramref name="releasedNodes"/> nodes should end with a collection.</summary>
    internal static bool ShouldCollect(bool enabled, int releasedNodes, long now, long lastEnd, long lastDuration, int spacing, long collections) =>
        enabled && releasedNodes >= MinNodes && BufferReuse.MayCollect(now, lastEnd, lastDuration, spacing, collections);

    /// <summary>Called by the engine after a backward pass that released its graph (neither retained nor created).</summary>
    internal static void AfterRelease(int releasedNodes)
    {
        if (!ShouldCollect(Autograd.CollectAfterBackward, releasedNodes, Stopwatch.GetTimestamp(),
                Interlocked.Read(ref s_lastEnd), Interlocked.Read(ref s_lastTicks), Spacing, Collections))
            return;
        long start = Stopwatch.GetTimestamp();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        long end = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref s_lastTicks, end - start);
        Interlocked.Exchange(ref s_lastEnd, end);
        Interlocked.Increment(ref s_collections);
    }
}
