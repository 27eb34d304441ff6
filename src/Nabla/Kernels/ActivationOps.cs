using System.Numerics;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

#pragma warning disable CA1000 // static members on generic types are the point of these op structs

/// <summary>
/// Exact GELU, <c>x * 0.5 * (1 + erf(x / sqrt(2)))</c>: float32 through <see cref="GeluKernel"/> (Note [Fast exact
/// GELU]), float64 with a double-precision erf.
/// </summary>
internal struct GeluOp<T> : IUnaryOp<GeluOp<T>, T> where T : struct, IFloatingPointIeee754<T>
{
    private const double SqrtHalf = 0.70710678118654752440; // 1/sqrt(2)

    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x)
    {
        if (typeof(T) == typeof(float))
        {
            Span<float> y = stackalloc float[1];
            GeluKernel.Forward([(float)(object)x], y);
            return (T)(object)y[0];
        }
        double v = double.CreateTruncating(x);
        return T.CreateTruncating(v * 0.5 * (1 + SpecialFunctions.Erf(v * SqrtHalf)));
    }

    public static void Invoke(ReadOnlySpan<T> x, Span<T> y)
    {
        if (typeof(T) == typeof(float))
        {
            GeluKernel.Forward(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
            return;
        }
        for (int i = 0; i < x.Length; i++) y[i] = Invoke(x[i]);
    }
}
#pragma warning restore CA1000

/// <summary>The float32 GELU derivative times the upstream gradient: <c>(x, g) → g·gelu'(x)</c> (Note [Fast exact GELU]).</summary>
internal struct GeluGradOp : IBinaryOp<GeluGradOp, float, float>
{
    public static float Invoke(float x, float g)
    {
        Span<float> y = stackalloc float[1];
        GeluKernel.Backward([x], [g], y);
        return y[0];
    }

    public static void Invoke(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y) => GeluKernel.Backward(x, g, y);
}
