namespace Nabla.Data;

/// <summary>
/// Gives each of <c>numReplicas</c> processes its own shard of a dataset (PyTorch's <c>DistributedSampler</c>): every
/// rank draws the same permutation from <c>seed + epoch</c>, pads it to a multiple of the number of replicas by
/// repeating its start (or, with <c>dropLast</c>, cuts the tail), and takes every <c>numReplicas</c>-th index from
/// position <c>rank</c>. Call <see cref="SetEpoch"/> before each epoch, or every epoch has the same order.
/// </summary>
/// <remarks>
/// <para>Each shard has <see cref="Count"/> = ceil(n / numReplicas) indices (floor((n - numReplicas) / numReplicas) + 1
/// with dropLast when numReplicas does not divide n), so every rank runs the same number of batches; the shards
/// together cover the dataset, with up to numReplicas - 1 samples seen twice per epoch when padding.</para>
/// <para>The permutation comes from a <see cref="Generator"/> seeded with <c>seed + epoch</c> (the same on every
/// rank), so the order is reproducible but not PyTorch's (a different random generator).</para>
/// </remarks>
public sealed class DistributedSampler : Sampler
{
    private readonly int _datasetCount;
    private readonly bool _shuffle;
    private readonly ulong _seed;
    private readonly bool _dropLast;

    /// <summary>Creates the sampler of rank <paramref name="rank"/> of <paramref name="numReplicas"/> over <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples to shard (only its count is read).</param>
    /// <param name="numReplicas">The number of processes, at least 1 (the world size).</param>
    /// <param name="rank">This process's rank, 0 to numReplicas - 1.</param>
    /// <param name="shuffle">Draw a new permutation each epoch (otherwise the dataset order).</param>
    /// <param name="seed">The seed shared by every rank.</param>
    /// <param name="dropLast">Cut the tail instead of padding, so that no sample is seen twice.</param>
    public DistributedSampler(Dataset dataset, int numReplicas, int rank, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (numReplicas < 1)
            throw new ArgumentOutOfRangeException(nameof(numReplicas), $"DistributedSampler: numReplicas must be at least 1, got {numReplicas}");
        if (rank < 0 || rank >= numReplicas)
            throw new ArgumentOutOfRangeException(nameof(rank), $"DistributedSampler: rank must be in [0, {numReplicas - 1}], got {rank}");
        int n = dataset.Count;
        if (dropLast ? n < numReplicas : n == 0)
            throw new ArgumentException($"DistributedSampler: a dataset of {n} samples cannot be shared among {numReplicas} replicas" +
                (dropLast ? " with dropLast" : ""), nameof(dataset));
        _datasetCount = n;
        NumReplicas = numReplicas;
        Rank = rank;
        _shuffle = shuffle;
        _seed = seed;
        _dropLast = dropLast;
        Count = dropLast && n % numReplicas != 0 ? (n - numReplicas) / numReplicas + 1 : (n + numReplicas - 1) / numReplicas;
    }

    /// <summary>The number of processes sharing the dataset.</summary>
    public int NumReplicas { get; }

    /// <summary>This process's rank.</summary>
    public int Rank { get; }

    /// <summary>The epoch whose permutation <see cref="Indices"/> draws.</summary>
    public int Epoch { get; private set; }

    /// <inheritdoc/>
    public override int Count { get; }

    /// <summary>Sets the epoch, so that each epoch draws its own permutation (the same on every rank).</summary>
    public void SetEpoch(int epoch) => Epoch = epoch;

    /// <inheritdoc/>
    public override int[] Indices()
    {
        int total = Count * NumReplicas;
        int[] order = new int[Math.Max(total, _datasetCount)];
        for (int i = 0; i < _datasetCount; i++) order[i] = i;
        if (_shuffle) new Generator(unchecked(_seed + (ulong)Epoch)).Shuffle(order.AsSpan(0, _datasetCount));
        // Padding repeats the permutation from its start (cyclically when it must be repeated more than once).
        if (!_dropLast)
            for (int i = _datasetCount; i < total; i++) order[i] = order[i % _datasetCount];
        var shard = new int[Count];
        for (int i = 0; i < shard.Length; i++) shard[i] = order[Rank + i * NumReplicas];
        return shard;
    }
}
