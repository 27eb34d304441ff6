using Nabla.Data;
using Nabla.Models;
using Nabla.NN;
using Nabla.Runtime;

namespace Nabla.Cli.Training;

/// <summary>The losses a text run reports.</summary>
public static class TextEvaluation
{
    /// <summary>Windows per forward pass of <see cref="ValidationLoss"/>.</summary>
    public const int Batch = 64;

    /// <summary>
    /// The deterministic validation loss (shared/models/README.md): the mean cross-entropy over every target of all
    /// non-overlapping windows <c>i·T .. (i+1)·T</c> of <paramref name="val"/>, each window on its own, accumulated in
    /// float64; in evaluation mode and without a graph. With <paramref name="dist"/>, each rank computes every Size-th
    /// batch of windows and the sums are all-reduced.
    /// </summary>
    public static double ValidationLoss(Module model, TextDataset val, int blockSize, DistributedRun? dist = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(val);
        int windows = val.WindowCount(blockSize);
        return Evaluating(model, () =>
        {
            double sum = 0;
            for (int first = 0; first < windows; first += Batch)
            {
                if (dist is not null && !dist.Owns(first / Batch)) continue;
                int n = Math.Min(Batch, windows - first);
                var (x, y) = val.Windows(blockSize, first, n);
                Tensor logits = model.Forward(x);
                sum += Functional.CrossEntropy(logits.Reshape(-1, logits.Size(2)).To(DType.Float64), y.Reshape(-1), reduction: Reduction.Sum).Item();
            }
            if (dist is not null) sum = dist.Sum(sum)[0];
            return sum / ((long)windows * blockSize);
        });
    }

    /// <summary>
    /// nanoGPT's <c>estimate_loss</c> for one split: the mean loss of <paramref name="batches"/> random batches drawn by a
    /// generator of <paramref name="seed"/> (the same windows at every evaluation), in evaluation mode. With
    /// <paramref name="dist"/>, every rank draws every batch but evaluates only every Size-th, and the sums are all-reduced.
    /// </summary>
    public static double Estimate(Module model, TextDataset data, int batchSize, int blockSize, int batches, ulong seed, DistributedRun? dist = null)
    {
        var generator = new Generator(seed);
        return Evaluating(model, () =>
        {
            double sum = 0;
            for (int i = 0; i < batches; i++)
            {
                var (x, y) = data.GetBatch(batchSize, blockSize, generator);
                if (dist is null || dist.Owns(i)) sum += Gpt.Loss(model.Forward(x), y).Item();
            }
            if (dist is not null) sum = dist.Sum(sum)[0];
            return sum / batches;
        });
    }

    /// <summary>
    /// <paramref name="pass"/> in evaluation mode, without a graph and in a buffer pool, restoring the model's mode after.
    /// </summary>
    private static double Evaluating(Module model, Func<double> pass)
    {
        bool training = model.IsTraining;
        model.Eval();
        try
        {
            // Large activations outside a pool live on the large-object heap until a full collection; the pool recycles
            // them batch after batch (Note [Buffer reuse]), which keeps a pass's memory to one batch's.
            using (BufferPool.Begin(TextTrainer.PoolCapBytes))
            using (Autograd.NoGrad())
                return pass();
        }
        finally
        {
            model.Train(training);
        }
    }
}
