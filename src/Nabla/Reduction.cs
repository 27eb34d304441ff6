namespace Nabla;

/// <summary>How a loss combines its per-element values, as PyTorch's <c>reduction</c> argument.</summary>
public enum Reduction
{
    /// <summary>Return the per-element losses unreduced.</summary>
    None,

    /// <summary>Average the per-element losses (some losses define their own divisor, see each loss).</summary>
    Mean,

    /// <summary>Sum the per-element losses.</summary>
    Sum,

    /// <summary>
    /// Sum the per-element losses and divide by the batch size (the input's first dim), PyTorch's <c>'batchmean'</c>:
    /// the mathematically correct mean of <see cref="Functional.KLDiv"/>, the one loss that accepts it.
    /// </summary>
    BatchMean,
}
