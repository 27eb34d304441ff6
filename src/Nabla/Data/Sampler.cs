namespace Nabla.Data;

/// <summary>
/// Chooses which samples of a dataset an epoch visits and in what order (PyTorch's <c>Sampler</c>); a
/// <see cref="DataLoader"/> given one batches its indices in order instead of shuffling itself.
/// </summary>
public abstract class Sampler
{
    /// <summary>The number of indices in one epoch (PyTorch's <c>len(sampler)</c>).</summary>
    public abstract int Count { get; }

    /// <summary>The dataset indices of the epoch that starts now, <see cref="Count"/> of them, in visiting order.</summary>
    public abstract int[] Indices();
}
