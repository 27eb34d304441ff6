using System.Runtime.CompilerServices;
using Nabla.Runtime;
namespace Nabla;

/// <summary>
/// A flat typed buffer shared by a tensor and all of its views, with the version counter that
/// detects in-place changes to tensors saved for backward. See Note [Version counter].
/// </summary>
internal sealed class Storage
{
    public readonly Array Data;
    public readonly DType DType;
    public int Version;

    public Storage(Array data, DType dtype)
    {
        Data = data;
        DType = dtype;
    }

    public int Length => Data.Length;

    [MethodImpl(CodeGen.Hot)]
    public static Storage Allocate(DType dtype, long count, bool zeroed = true)
        => TryRent(dtype, count, zeroed) ?? new Storage(NewArray(dtype, (int)count, zeroed), dtype);

    /// <summary>
    /// Checks the element count and, inside a <see cref="BufferPool"/> scope for a buffer it recycles, returns a
    /// pooled storage; null otherwise (the caller allocates a plain array: see Note [Tensor layout]).
    /// </summary>
    [MethodImpl(CodeGen.Hot)]
    public static Storage? TryRent(DType dtype, long count, bool zeroed)
    {
        if (count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), $"tensor of {count} elements exceeds the maximum of {Array.MaxLength}");
        int n = (int)count;
        // The size test first: a small tensor skips the thread-static read of the current scope.
        return BufferPool.Eligible(dtype, n) && BufferPool.Current is { } pool ? pool.Rent(dtype, n, zeroed) : null;
    }

    [MethodImpl(CodeGen.Hot)]
    internal static Array NewArray(DType dtype, int n, bool zeroed) => dtype switch
    {
        DType.Float32 => zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n),
        DType.Float64 => zeroed ? new double[n] : GC.AllocateUninitializedArray<double>(n),
        DType.Int64 => zeroed ? new long[n] : GC.AllocateUninitializedArray<long>(n),
        DType.BFloat16 => zeroed ? new BFloat16[n] : GC.AllocateUninitializedArray<BFloat16>(n),
        DType.Float16 => zeroed ? new Half[n] : GC.AllocateUninitializedArray<Half>(n),
        DType.Bool => new bool[n],
        _ => throw DTypeExtensions.Unknown(dtype),
    };
}
