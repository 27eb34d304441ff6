namespace Nabla;

/// <summary>The element type of a tensor.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float, the default.</summary>
    Float32,
    /// <summary>64-bit IEEE float, used for gradient checking and reference comparisons.</summary>
    Float64,
    /// <summary>64-bit signed integer, used for class labels and indices.</summary>
    Int64,
    /// <summary>Boolean, produced by comparisons and consumed by <c>Where</c>.</summary>
    Bool,
    /// <summary>16-bit brain float (<see cref="Nabla.BFloat16"/>): float32's range, 8 significant bits. Ops compute in float32 and store bfloat16.</summary>
    BFloat16,
    /// <summary>16-bit IEEE float (<see cref="Half"/>): range ±65504, 11 significant bits. Ops compute in float32 and store float16.</summary>
    Float16,
}

/// <summary>Helpers over <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>The PyTorch-style name, such as <c>float32</c> or <c>bfloat16</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        DType.BFloat16 => "bfloat16",
        DType.Float16 => "float16",
        _ => dtype.ToString(),
    };

    /// <summary>True for the floating-point dtypes: float32, float64, bfloat16 and float16.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64 or DType.BFloat16 or DType.Float16;

    /// <summary>True for the 16-bit floating-point dtypes (bfloat16 and float16), which ops compute in float32.</summary>
    public static bool IsHalf(this DType dtype) => dtype is DType.BFloat16 or DType.Float16;

    /// <summary>True for float32 and float64, the floating-point dtypes kernels compute in (Note [Half compute]).</summary>
    internal static bool ComputesNatively(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The size of one element in bytes.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.BFloat16 or DType.Float16 => 2,
        DType.Bool => 1,
        _ => throw Unknown(dtype),
    };

    internal static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int64 => typeof(long),
        DType.Bool => typeof(bool),
        DType.BFloat16 => typeof(BFloat16),
        DType.Float16 => typeof(Half),
        _ => throw Unknown(dtype),
    };

    internal static ArgumentOutOfRangeException Unknown(DType dtype) =>
        new(nameof(dtype), $"unknown dtype {(int)dtype}; expected one of float32, float64, int64, bool, bfloat16, float16");
}
