using System.Globalization;

namespace Nabla.Cli.Training;

/// <summary>The size of a model before it is built.</summary>
/// <param name="Parameters">The number of parameter elements.</param>
/// <param name="ActivationsPerSample">The elements one sample's forward pass produces (kept for backward).</param>
public readonly record struct ModelSize(double Parameters, double ActivationsPerSample);

// Note [Memory estimate]
// Options that size allocations (layer widths, the class count a dataset's labels imply, batch sizes, bench sizes) are
// checked against the memory the process may use (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes: the machine's, or
// the container's limit) where the sizes become a model or a workload, before anything is allocated: a typo such as
// --layers 64,40000,40000,10 is refused with its figure and what to change, instead of paging the machine to a halt or
// dying of OutOfMemoryException half-way. Sizes are counted in double, so no product of option values can overflow.
// The estimate is a lower bound: parameters, their gradients and the optimizer's buffers, plus per sample the
// activations the forward pass keeps and their gradients; allocator slack and temporaries come on top.

/// <summary>Estimates the memory a model or workload needs and refuses what the machine cannot hold. See Note [Memory estimate].</summary>
public static class MemoryEstimate
{
    /// <summary>The bytes the process may use: physical memory or the container's limit.</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The bytes of one element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(DType dtype) => dtype is DType.Float64 or DType.Int64 ? 8 : 4;

    /// <summary>The buffers per parameter an optimizer keeps (Adam two moments, momentum SGD one velocity, ...).</summary>
    public static int OptimizerSlots(string optimizer) => optimizer switch
    {
        "adam" or "adamw" => 2,
        "momentum" or "nesterov" or "rmsprop" or "adagrad" => 1,
        _ => 0,
    };

    /// <summary>Training: parameters, gradients, optimizer buffers, and per sample the activations and their gradients.</summary>
    public static double Training(ModelSize size, int batchSize, int optimizerSlots, DType dtype) =>
        ElementSize(dtype) * (size.Parameters * (2.0 + optimizerSlots) + 2.0 * batchSize * size.ActivationsPerSample);

    /// <summary>Inference without gradients: parameters and one batch's activations.</summary>
    public static double Inference(ModelSize size, int batchSize, DType dtype) =>
        ElementSize(dtype) * (size.Parameters + (double)batchSize * size.ActivationsPerSample);

    /// <summary>
    /// Throws a <see cref="UsageException"/> that names <paramref name="what"/>, its estimate and the memory available when
    /// <paramref name="bytes"/> exceed <paramref name="availableBytes"/> (default: <see cref="AvailableBytes"/>).
    /// </summary>
    public static void Require(double bytes, string what, string hint, long? availableBytes = null)
    {
        long available = availableBytes ?? AvailableBytes();
        if (available <= 0 || bytes <= available) return;
        throw new UsageException($"{what} needs at least {Format(bytes)} of memory, but this machine has {Format(available)}", hint);
    }

    /// <summary>Bytes in the largest unit that keeps the number at least 1 (<c>25.6 GB</c>, <c>512 MB</c>).</summary>
    public static string Format(double bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
        int u = 0;
        while (bytes >= 1000 && u < units.Length - 1) { bytes /= 1000; u++; }
        return bytes >= 1e6 ? bytes.ToString("0.0e0", CultureInfo.InvariantCulture) + " " + units[u]
            : bytes.ToString(u == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
