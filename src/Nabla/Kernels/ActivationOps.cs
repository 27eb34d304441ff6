using System.Numerics;

namespace Nabla.Kernels;

#pragma warning disable CA1000 // static members on generic types are the point of these op structs

/// <summary>Exact GELU, <c>x * 0.5 * (1 + erf(x / sqrt(2)))</c>, with a double-precision erf.</summary>
internal struct GeluOp<T> : IUnaryOp<GeluOp<T>, T> where T : IFloatingPointIeee754<T>
{
    private const double SqrtHalf = 0.70710678118654752440; // 1/sqrt(2)

    public static T Invoke(T x)
    {
        double v = double.CreateTruncating(x);
        return T.CreateTruncating(v * 0.5 * (1 + SpecialFunctions.Erf(v * SqrtHalf)));
    }
}
#pragma warning restore CA1000
