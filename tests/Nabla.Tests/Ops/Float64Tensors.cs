namespace Nabla.Tests.Ops;

/// <summary>Float64 tensors from literal values, for the closed-form tests of the reductions, scans and sorts.</summary>
internal static class Float64Tensors
{
    /// <summary>A float64 tensor of <paramref name="shape"/> holding <paramref name="values"/>.</summary>
    public static Tensor F64(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    /// <summary>As <see cref="F64"/>, requiring a gradient.</summary>
    public static Tensor F64Leaf(double[] values, params int[] shape)
    {
        Tensor t = F64(values, shape);
        t.RequiresGrad = true;
        return t;
    }
}
