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
}

/// <summary>Helpers over <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>The PyTorch-style name, such as <c>float32</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        _ => dtype.ToString(),
    };

    /// <summary>True for <see cref="DType.Float32"/> and <see cref="DType.Float64"/>.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    internal static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int64 => typeof(long),
        _ => typeof(bool),
    };
}
