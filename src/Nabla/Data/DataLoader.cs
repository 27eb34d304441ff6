using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Nabla.Runtime;

namespace Nabla.Data;

/// <summary>
/// Iterates over a dataset in mini-batches, optionally shuffled, with the next batch prepared on a background
/// thread while the current one is used (PyTorch's <c>DataLoader</c>).
/// </summary>
/// <remarks>
/// <para>Each enumeration is one epoch. Batches are <c>(Features [B, ...], Labels [B, ...])</c> from
/// <see cref="Dataset.GetBatch"/>, with <c>B = BatchSize</c> except for a smaller last batch, which
/// <c>dropLast</c> discards.</para>
/// <para>Shuffling: when an enumeration starts, the sample order is drawn from the generator on the calling thread.
/// The generator's state is the loader's only state, so the same seed gives the same epochs, and restoring a saved
/// <see cref="Nabla.Generator.GetState"/> before an epoch replays that epoch exactly.</para>
/// <para>Prefetch: a background thread builds batches into a queue that holds at most two. An exception thrown while
/// building a batch is rethrown to the consumer by <c>MoveNext</c>. Leaving a <c>foreach</c> early disposes the
/// enumerator, which stops and joins the thread; an enumerator abandoned without disposal stops its thread when
/// it is garbage-collected. The thread recycles its batches' buffers only when the epoch starts inside a
/// <see cref="BufferPool"/> scope on the consumer's thread.</para>
/// </remarks>
public sealed class DataLoader : IEnumerable<(Tensor Features, Tensor Labels)>
{
    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The samples to iterate over.</param>
    /// <param name="batchSize">Samples per batch, at least 1.</param>
    /// <param name="shuffle">Draw a new random order for each epoch.</param>
    /// <param name="dropLast">Skip the last batch when it would be smaller than <paramref name="batchSize"/>.</param>
    /// <param name="generator">The source of shuffles (default <see cref="Nabla.Generator.Default"/>); ignored without shuffle.</param>
    /// <param name="prefetch">Prepare the next batch on a background thread.</param>
    /// <param name="sampler">The indices of each epoch, in order (e.g. a <see cref="DistributedSampler"/>), instead of the
    /// whole dataset; excludes <paramref name="shuffle"/>, as in PyTorch.</param>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, Generator? generator = null, bool prefetch = true,
        Sampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batchSize must be at least 1, got {batchSize}");
        if (sampler is not null && shuffle)
            throw new ArgumentException("DataLoader: sampler and shuffle are alternatives; the sampler decides the order (DistributedSampler shuffles itself)", nameof(shuffle));
        Sampler = sampler;
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Generator = shuffle ? generator ?? Generator.Default : null;
        Prefetch = prefetch;
    }

    /// <summary>The dataset the batches come from.</summary>
    public Dataset Dataset { get; }

    /// <summary>The number of samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch draws a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a smaller last batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The generator that shuffles, or null when not shuffling. Save and restore its state to replay epochs.</summary>
    public Generator? Generator { get; }

    /// <summary>Whether batches are prepared on a background thread.</summary>
    public bool Prefetch { get; }

    /// <summary>The sampler that gives each epoch's indices, or null for the whole dataset.</summary>
    public Sampler? Sampler { get; }

    /// <summary>The number of batches in one epoch (PyTorch's <c>len(loader)</c>).</summary>
    public int BatchCount
    {
        get
        {
            int samples = Sampler?.Count ?? Dataset.Count;
            return DropLast ? samples / BatchSize : (samples + BatchSize - 1) / BatchSize;
        }
    }

    /// <summary>Starts an epoch: draws the order (from the sampler, or by shuffling) and returns an enumerator over its batches.</summary>
    public IEnumerator<(Tensor Features, Tensor Labels)> GetEnumerator()
    {
        int[] order;
        if (Sampler is not null)
        {
            order = Sampler.Indices();
        }
        else
        {
            order = new int[Dataset.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            Generator?.Shuffle(order.AsSpan());
        }
        var plan = new BatchPlan(Dataset, order, BatchSize, BatchCount);
        return Prefetch ? new PrefetchingEnumerator(plan) : new SynchronousEnumerator(plan);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The batches of one epoch: batch b holds samples order[b * size .. (b + 1) * size).</summary>
internal sealed class BatchPlan(Dataset dataset, int[] order, int batchSize, int batchCount)
{
    public int BatchCount => batchCount;

    public (Tensor Features, Tensor Labels) Build(int batch)
    {
        int start = batch * batchSize;
        int length = Math.Min(batchSize, order.Length - start);
        return dataset.GetBatch(order.AsSpan(start, length));
    }
}

internal sealed class SynchronousEnumerator(BatchPlan plan) : IEnumerator<(Tensor Features, Tensor Labels)>
{
    private int _next;

    public (Tensor Features, Tensor Labels) Current { get; private set; }

    object IEnumerator.Current => Current;

    public bool MoveNext()
    {
        if (_next >= plan.BatchCount) return false;
        int batch = _next;
        _next = plan.BatchCount; // an exception ends the epoch, as with prefetch
        Current = plan.Build(batch);
        _next = batch + 1;
        return true;
    }

    public void Reset() => throw new NotSupportedException("DataLoader: start a new epoch with GetEnumerator instead of Reset");

    public void Dispose() => _next = plan.BatchCount;
}

/// <summary>
/// Runs a <see cref="PrefetchWorker"/> and hands its batches out. The worker does not reference this object, so an
/// enumerator that is dropped without Dispose becomes garbage and its finalizer cancels the worker.
/// </summary>
internal sealed class PrefetchingEnumerator(BatchPlan plan) : IEnumerator<(Tensor Features, Tensor Labels)>
{
    private PrefetchWorker? _worker;
    private bool _done;

    ~PrefetchingEnumerator() => _worker?.Cancel();

    /// <summary>The background thread, once started (for tests).</summary>
    internal Thread? WorkerThread => _worker?.Thread;

    public (Tensor Features, Tensor Labels) Current { get; private set; }

    object IEnumerator.Current => Current;

    public bool MoveNext()
    {
        if (_done) return false;
        _worker ??= PrefetchWorker.Start(plan, BufferPool.Current?.CapBytes);
        if (!_worker.TryTake(out var batch, out var error))
        {
            _done = true;
            return false;
        }
        if (error is not null)
        {
            _done = true;
            error.Throw();
        }
        Current = batch;
        return true;
    }

    public void Reset() => throw new NotSupportedException("DataLoader: start a new epoch with GetEnumerator instead of Reset");

    public void Dispose()
    {
        _done = true;
        _worker?.Dispose();
        GC.SuppressFinalize(this);
    }
}

internal sealed class PrefetchWorker : IDisposable
{
    // NOTE: two queued batches let the worker stay one batch ahead even while the consumer holds the current one.
    private const int QueueCapacity = 2;

    private readonly BlockingCollection<((Tensor Features, Tensor Labels) Batch, ExceptionDispatchInfo? Error)> _queue = new(QueueCapacity);
    private readonly CancellationTokenSource _cancel = new();
    private readonly BatchPlan _plan;

    private readonly long? _poolCapBytes;

    private PrefetchWorker(BatchPlan plan, long? poolCapBytes)
    {
        _plan = plan;
        _poolCapBytes = poolCapBytes;
        Thread = new Thread(Run) { IsBackground = true, Name = "Nabla DataLoader prefetch" };
    }

    public Thread Thread { get; }

    /// <summary>
    /// Starts building the plan's batches on a thread of their own, recycling their buffers in a pool of
    /// <paramref name="poolCapBytes"/> when given: the consumer's thread was in a <see cref="BufferPool"/> scope.
    /// </summary>
    public static PrefetchWorker Start(BatchPlan plan, long? poolCapBytes)
    {
        var worker = new PrefetchWorker(plan, poolCapBytes);
        worker.Thread.Start();
        return worker;
    }

    private void Run()
    {
        CancellationToken token = _cancel.Token;
        // Batch buffers are recycled on this thread while the consumer's are (Note [Buffer reuse]; never unasked: Note
        // [Runtime policy]). Handing them over is safe: a batch stays referenced by the queue and then by the enumerator's
        // Current until the consumer asks for the next one, so its storage dies only after the loop body is done with it.
        using BufferPool? pool = _poolCapBytes is { } cap ? BufferPool.Begin(cap) : null;
        try
        {
            for (int b = 0; b < _plan.BatchCount && !token.IsCancellationRequested; b++)
            {
                (Tensor, Tensor) batch;
                try
                {
                    batch = _plan.Build(b);
                }
#pragma warning disable CA1031 // Any failure of the dataset belongs to the consumer, rethrown by MoveNext.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _queue.Add((default, ExceptionDispatchInfo.Capture(ex)), token);
                    return;
                }
                _queue.Add((batch, null), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The consumer stopped early; nothing left to hand over.
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    public bool TryTake(out (Tensor Features, Tensor Labels) batch, out ExceptionDispatchInfo? error)
    {
        if (_queue.TryTake(out var item, Timeout.Infinite))
        {
            (batch, error) = item;
            return true;
        }
        (batch, error) = (default, null);
        return false;
    }

    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Cancels the worker, waits for its thread to end and releases the queue.</summary>
    public void Dispose()
    {
        Cancel();
        Thread.Join();
        _queue.Dispose();
        _cancel.Dispose();
    }
}
