using System.Runtime.CompilerServices;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Storage Allocate(DType dtype, long count, bool zeroed = true)
    {
        if (count > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), $"tensor of {count} elements exceeds the maximum of {Array.MaxLength}");
        int n = (int)count;
        if (BufferReuse.Current is { } pool && BufferReuse.Eligible(dtype, n))
            return pool.Rent(dtype, n, zeroed);
        return new Storage(NewArray(dtype, n, zeroed), dtype);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Array NewArray(DType dtype, int n, bool zeroed) => dtype switch
    {
        DType.Float32 => zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n),
        DType.Float64 => zeroed ? new double[n] : GC.AllocateUninitializedArray<double>(n),
        DType.Int64 => zeroed ? new long[n] : GC.AllocateUninitializedArray<long>(n),
        _ => new bool[n],
    };
}
