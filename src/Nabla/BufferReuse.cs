using System.Diagnostics;

namespace Nabla;

// Note [Buffer reuse]
// A training step allocates the same large buffers (activations, im2col columns, gradients) step after step.
// Fresh large arrays are expensive: the GC hands out newly mapped memory whose every page faults on first
// touch, and on some hosts a page fault costs over 10 µs, which made memory, not arithmetic, the cost of a
// convolution. Inside a BufferReuse scope, storages of 64 KiB or more allocated on the scope's thread are
// recycled: each handed-out array remembers its owner Storage through a weak reference, and a later
// allocation of the same dtype and length on the same thread takes an array whose owner the GC has found
// dead. Reuse is safe because an array only returns once no tensor, view or graph node refers to its
// storage, and the only remaining way to touch it, a kernel still running over a span of it, cannot
// overlap a later allocation on the same thread: ops run synchronously on their calling thread (their
// helper threads finish before the op returns). So tensors created in a scope must not be handed to other
// threads that run ops on them after dropping every reference; the training loop, which runs every op on
// one thread, is the intended user. Outside a scope nothing is pooled.
//
// When no dead buffer of the right size is found: owners of step-to-step buffers die young, but the GC only
// notices at its next collection, which large allocations alone rarely trigger. A non-compacting full
// collection is forced (once the bucket holds two buffers) when either
//  * the scope has handed out, since its own last forced collection, 3/4 of the bytes it pooled then: by then
//    most of the pool has turned over, so a collection finds most of it dead; or
//  * the buffer is 4 MiB or more: then a collection (well under a millisecond) is cheap next to the work done
//    on the buffer, and memory, not collections, is what such buffers cost;
// otherwise the miss makes a new buffer and the pool grows. Measured with `nabla bench mlp|cnn --json` and a
// /tmp harness (mlp: Fashion-MNIST 784-512-256-10, batch 128; cnn: the cnn preset), load average 6-10:
//   forcing at every miss (the first design): mlp 2 full collections per step (~0.15 ms each), because
//     buckets never grew past what one step holds at once; cnn 7 per step, peak RSS 926 MB;
//   the 3/4 rule alone: mlp 1 per ~2-3 steps, 42 buffers after one epoch and 70 after five, peak RSS 133-150 MB,
//     GC pauses ~50 ms per epoch instead of ~110-150; but cnn 1 per step at a 1519 MB peak (its pool of
//     multi-megabyte activations and columns grew);
//   1/2 or 1/4 of the pool: mlp 1 or 2 per step; cnn 2 per step at 1056 MB or 3 per step at 758 MB;
//   the whole pool (or the free bytes found at the last collection): no equilibrium, the mlp pool grew to 402
//     buffers (283 MB) and cnn's to 1676 MB;
//   the 3/4 rule plus eager collection from 4 MiB (this rule): mlp as the 3/4 rule (its largest buffer, a weight
//     gradient, is 1.6 MB); cnn 4 per step, peak RSS 749 MB (1 MiB: 6 per step, 719 MB).
// The count restarts only at the scope's own collections. It used to restart at any full collection, on the
// grounds that one found the dead buffers as well; but collections other threads cause (parallel tests, a
// server) find only what was dead at that instant, and restarting the count at each of them postponed the
// forced collection that the next miss needed, so the pool grew: a 2-layer training loop beside a thread
// collecting every 3-10 ms made 38 buffers where it made 25 alone (a CI run failed on it); counting from the
// scope's own collections it made 27-33.
// A collection is also skipped (the miss makes a new buffer) while the time since the scope's last forced
// collection is under four times that collection's duration, so that forced collections take at most about a fifth
// of the scope's time. Without it, a loop whose results are dropped at once (inference, eager elementwise work)
// forced a full collection at every other allocation, which cost more than the ops (`Nabla.Bench kernels`, the stopwatch side of `bash bench/kernels.sh`): a
// 128x512 add 41 -> 11 µs (PyTorch 7.6), ReLU forward+backward 104 -> 40, a 1M-element product 349 -> 217,
// Linear forward 480 -> 337 (PyTorch 419); the mlp preset's forward at batch 128 under NoGrad (a /tmp harness) 626-732 ->
// 539-555 µs, as fast as with no scope at all (552-580), where it had been slower. Training was the same
// within noise (`nabla bench mlp|cnn --json`, two rounds alternating: mlp 58-66k -> 66-68k samples/s with 0.37-0.46
// instead of 0.43-0.51 collections per step, cnn 7.5-8.0k both, peak RSS 135-141 and 271-273 MB both). The price is
// memory where collections are slow next to the work between them (a large live heap): the pool grows instead,
// up to the scope's cap.
// A miss also forces a collection (spacing permitting) once its own bucket has handed out, since the last collection,
// half as many buffers as it held then. The global 3/4 count alone has no equilibrium when a loop changes what it
// allocates: buckets the current phase hardly uses inflate the pool it is measured against, so the buckets in use miss
// and grow, which inflates it further. A /tmp harness alternating inference calls, Linear forward+backward and
// elementwise work grew to the 1 GB cap with the old rule (with the spacing rule sooner); with the per-bucket trigger
// it levels off (36 MB, 103 buffers; 4 with the spacing rule off), and BufferReuseTests has a small version that fails
// on the old rule. `nabla bench mlp|cnn --json`: mlp 65.6-66.0k samples/s as before with 0.75-0.94 collections per step
// (0.37-0.51 before) and 0.15 ms of pauses per step; cnn 7.8k, peak RSS 268-270 MB as before.
// A miss of a buffer of 4 MiB or more collects even while its bucket holds a single buffer (smaller buckets wait for a
// second): a loop that drops its results at once -- evaluation at a large batch -- otherwise always made a second copy
// of each big activation before the first was found dead. That copy had been hidden by collections the other, smaller
// allocations of each batch happened to trigger; when the fused Linear (Note [Fused linear]) removed two of them,
// `nabla bench cnn` peaked at 382-384 MB instead of 268-272 (the first convolution's output at the evaluation batch of
// 1,000 is 86.5 MB). With this rule it peaks at 271 MB again (alternating runs), at most one wasted collection per
// large bucket when its first buffer is still alive (training).

/// <summary>
/// Recycles large tensor buffers across training steps on the current thread (see Note [Buffer reuse]).
/// Dispose the scope to stop; buffers still in use stay valid.
/// </summary>
/// <example><code>using (BufferReuse.Begin()) { foreach (var batch in loader) { ... } }</code></example>
public sealed class BufferReuse : IDisposable
{
    private const int MinBytes = 64 * 1024;
    private const long DefaultCapBytes = 1L << 30;

    [ThreadStatic] private static BufferReuse? t_current;

    private readonly Dictionary<(DType, int), Bucket> _buckets = [];
    private readonly BufferReuse? _previous;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private long _pooledBytes;
    private long _handedOutSinceCollection;
    private long _pooledAtCollection;
    private bool _disposed;

    private BufferReuse(long capBytes)
    {
        CapBytes = capBytes;
        _previous = t_current;
        t_current = this;
    }

    /// <summary>Starts recycling on the current thread, holding at most <paramref name="capBytes"/> of buffers.</summary>
    public static BufferReuse Begin(long capBytes = DefaultCapBytes) => new(capBytes);

    /// <summary>The most bytes of buffers this scope keeps.</summary>
    public long CapBytes { get; }

    /// <summary>How many allocations were served by a recycled buffer.</summary>
    public long Reused { get; private set; }

    /// <summary>How many allocations made a new buffer.</summary>
    public long Created { get; private set; }

    /// <summary>How many garbage collections this scope forced.</summary>
    public long Collections { get; private set; }

    internal static BufferReuse? Current => t_current;

    internal static bool Eligible(DType dtype, int n) => (long)n * ElementSize(dtype) >= MinBytes;

    private static int ElementSize(DType dtype) => dtype switch { DType.Float32 => 4, DType.Bool => 1, _ => 8 };

    internal Storage Rent(DType dtype, int n, bool zeroed)
    {
        if (!_buckets.TryGetValue((dtype, n), out Bucket? bucket)) _buckets[(dtype, n)] = bucket = new();
        long bytes = (long)n * ElementSize(dtype);
        _handedOutSinceCollection += bytes;
        bucket.CountHandOut(Collections);
        if (TakeDead(bucket.Entries, dtype, zeroed) is { } reused) return reused;
        // NOTE: see Note [Buffer reuse] for when a miss forces a collection.
        if ((bucket.Entries.Count >= 2 || (bytes >= EagerBytes && bucket.Entries.Count == 1))
            && (bytes >= EagerBytes || _handedOutSinceCollection >= _pooledAtCollection * 3 / 4 || bucket.TurnedOver)
            && MayCollect(Stopwatch.GetTimestamp(), _lastCollectionEnd, _lastCollectionTicks, CollectionSpacing, Collections))
        {
            long start = Stopwatch.GetTimestamp();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            _lastCollectionEnd = Stopwatch.GetTimestamp();
            _lastCollectionTicks = _lastCollectionEnd - start;
            _handedOutSinceCollection = bytes;
            _pooledAtCollection = _pooledBytes;
            Collections++;
            if (TakeDead(bucket.Entries, dtype, zeroed) is { } afterCollect) return afterCollect;
        }
        var storage = new Storage(Storage.NewArray(dtype, n, zeroed), dtype);
        Created++;
        if (_pooledBytes + bytes <= CapBytes)
        {
            bucket.Entries.Add(new Entry(new WeakReference<Storage>(storage), storage.Data));
            _pooledBytes += bytes;
        }
        return storage;
    }

    /// <summary>
    /// A miss may force a collection only once the time since the last forced one is at least this many times that
    /// collection's own duration (forced collections then take at most a fifth of the scope's time); otherwise the
    /// pool grows. 0 turns the rule off (tests that need the pool's growth to be independent of timing). See Note [Buffer reuse].
    /// </summary>
    internal int CollectionSpacing { get; set; } = 4;

    private long _lastCollectionEnd, _lastCollectionTicks;

    /// <summary>The spacing rule (see <see cref="CollectionSpacing"/>): the first collection is always allowed.</summary>
    internal static bool MayCollect(long now, long lastEnd, long lastDuration, int spacing, long collections) =>
        collections == 0 || now - lastEnd >= spacing * lastDuration;

    /// <summary>Buffers at least this large force a collection at any miss (see Note [Buffer reuse]).</summary>
    private const long EagerBytes = 4L << 20;

    private Storage? TakeDead(List<Entry> bucket, DType dtype, bool zeroed)
    {
        foreach (Entry e in bucket)
        {
            if (e.Owner.TryGetTarget(out _)) continue;
            if (zeroed) Array.Clear(e.Array);
            var reused = new Storage(e.Array, dtype);
            e.Owner.SetTarget(reused);
            Reused++;
            return reused;
        }
        return null;
    }

    /// <summary>Ends the scope on its thread; later allocations are ordinary again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("BufferReuse: a scope must be disposed on the thread that began it");
        _disposed = true;
        t_current = _previous;
        _buckets.Clear();
    }

    private sealed record Entry(WeakReference<Storage> Owner, Array Array);

    /// <summary>The buffers of one dtype and length, and how many were asked for since the scope's last collection.</summary>
    private sealed class Bucket
    {
        public readonly List<Entry> Entries = [];
        private long _epoch = -1;
        private int _handed, _countAtCollection;

        /// <summary>Counts a request, restarting the count at the first request after a collection.</summary>
        public void CountHandOut(long collections)
        {
            if (_epoch != collections)
            {
                _epoch = collections;
                _handed = 0;
                _countAtCollection = Entries.Count;
            }
            _handed++;
        }

        /// <summary>
        /// True once this bucket alone has handed out half as many buffers since the collection as it held then: when
        /// it still misses, a collection now would likely find those dead (see Note [Buffer reuse]).
        /// </summary>
        public bool TurnedOver => _countAtCollection > 0 && 2 * _handed >= _countAtCollection;
    }
}
