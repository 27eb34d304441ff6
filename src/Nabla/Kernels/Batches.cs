using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>Runs independent items (images, planes) in parallel only when the total work pays for the threads.</summary>
internal static class Batches
{
    /// <summary>Total work (roughly, multiply-adds or element moves) below which items run on the calling thread.</summary>
    public const long ParallelThreshold = 1 << 18;

    public static void For(int count, long workPerItem, Action<int> body)
    {
        if (count <= 1 || workPerItem * count < ParallelThreshold || ThreadBudget.KernelThreads == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, ThreadBudget.Options, body);
    }
}
