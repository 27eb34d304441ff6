using System.Diagnostics;

namespace Nabla.Runtime;

// Note [Buffer reuse]
// Fresh large arrays are expensive: the GC hands out newly mapped memory whose every page faults on first touch, which
// can make memory, not arithmetic, the cost of an op. Inside a pool's scope, storages of 64 KiB or more allocated on the
// scope's thread are recycled: each handed-out array remembers its owner Storage through a weak reference, and a later
// allocation of the same dtype and length on that thread takes an array whose owner the GC has found dead. That is safe
// because an array returns only once nothing refers to its storage, and a kernel still running over a span of it cannot
// overlap a later allocation on the same thread (ops run synchronously; their helper threads finish before the op
// returns). So tensors made in a scope must not be handed to other threads that run ops on them after dropping every
// reference: a training loop, which runs every op on one thread, is the intended user.
// A miss (no dead buffer of the right size) forces a non-compacting full collection, since owners die young but the GC
// rarely notices on its own, when the bucket holds two buffers (one, from 4 MiB) and either
//  * the buffer is 4 MiB or more (the collection is cheap next to the work on it, and such buffers cost memory), or
//  * the scope has handed out 3/4 of the bytes it pooled at its own last collection, or the bucket half the buffers it
//    held then (most of them have turned over, so a collection finds them dead; the per-bucket count keeps the pool
//    from growing when a loop changes what it allocates);
// and the time since the last forced collection is at least eight times that one's duration (MayCollect), so that
// forced collections take at most about a ninth of the scope's time; otherwise the miss makes a new buffer and the pool
// grows, up to the scope's cap. The counts restart only at the scope's own collections: collections other threads
// cause find only what was dead at that instant. The measurements behind each rule: docs/benchmarks.md, "Buffer reuse"
// and "Buffer pool spacing 8".

/// <summary>
/// Recycles large tensor buffers across training steps on the current thread, forcing garbage collections to find
/// dead ones (see Note [Buffer reuse]). Off unless begun; dispose the scope to stop; buffers still in use stay valid.
/// </summary>
/// <example><code>using (BufferPool.Begin()) { foreach (var (x, y) in loader) { ... } }</code></example>
public sealed class BufferPool : IDisposable
{
    private const int MinBytes = 64 * 1024;
    internal const long DefaultCapBytes = 1L << 30;

    [ThreadStatic] private static BufferPool? t_current;

    private readonly Dictionary<(DType, int), Bucket> _buckets = [];
    private readonly BufferPool? _previous;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private long _pooledBytes;
    private long _handedOutSinceCollection;
    private long _pooledAtCollection;
    private bool _disposed;

    private BufferPool(long capBytes)
    {
        CapBytes = capBytes;
        _previous = t_current;
        t_current = this;
    }

    /// <summary>Starts recycling on the current thread, holding at most <paramref name="capBytes"/> of buffers.</summary>
    public static BufferPool Begin(long capBytes = DefaultCapBytes) => new(capBytes);

    /// <summary>The most bytes of buffers this scope keeps.</summary>
    public long CapBytes { get; }

    /// <summary>How many allocations were served by a recycled buffer.</summary>
    public long Reused { get; private set; }

    /// <summary>How many allocations made a new buffer.</summary>
    public long Created { get; private set; }

    /// <summary>How many garbage collections this scope forced.</summary>
    public long Collections { get; private set; }

    internal static BufferPool? Current => t_current;

    internal static bool Eligible(DType dtype, int n) => (long)n * dtype.ElementSize() >= MinBytes;

    internal Storage Rent(DType dtype, int n, bool zeroed)
    {
        if (!_buckets.TryGetValue((dtype, n), out Bucket? bucket)) _buckets[(dtype, n)] = bucket = new();
        long bytes = (long)n * dtype.ElementSize();
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
    /// collection's own duration (forced collections then take at most a ninth of the scope's time); otherwise the
    /// pool grows. 0 turns the rule off (tests that need the pool's growth to be independent of timing). See Note [Buffer reuse].
    /// </summary>
    internal int CollectionSpacing { get; set; } = 8;

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
            throw new InvalidOperationException("BufferPool: a scope must be disposed on the thread that began it");
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
