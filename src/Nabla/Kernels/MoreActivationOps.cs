using System.Numerics;

namespace Nabla.Kernels;

// Op structs of the activations of Ops/MoreActivations.cs, in double precision for both dtypes where a transcendental
// function is involved (so float32 is the correctly rounded float64 result, and 0-d results equal long ones).
#pragma warning disable CA1000 // static members on generic types are the point of these op structs

/// <summary><c>x*tanh(softplus(x))</c> with the stable softplus <c>max(x, 0) + log1p(exp(-|x|))</c>.</summary>
internal struct MishOp<T> : IUnaryOp<MishOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x)
    {
        double v = double.CreateTruncating(x);
        double softplus = Math.Max(v, 0) + SpecialFunctions.Log1p(Math.Exp(-Math.Abs(v)));
        return T.CreateTruncating(v * Math.Tanh(softplus));
    }
}

/// <summary><c>x*min(max(x + 3, 0), 6)/6</c>.</summary>
internal struct HardswishOp<T> : IUnaryOp<HardswishOp<T>, T> where T : IFloatingPointIeee754<T>
{
    private static readonly T Three = T.CreateTruncating(3), Six = T.CreateTruncating(6);

    public static T Invoke(T x) => T.IsNaN(x) ? x : x * T.Min(T.Max(x + Three, T.Zero), Six) / Six;
}

/// <summary><c>min(max(x + 3, 0), 6)/6</c>.</summary>
internal struct HardsigmoidOp<T> : IUnaryOp<HardsigmoidOp<T>, T> where T : IFloatingPointIeee754<T>
{
    private static readonly T Three = T.CreateTruncating(3), Six = T.CreateTruncating(6);

    public static T Invoke(T x) => T.IsNaN(x) ? x : T.Min(T.Max(x + Three, T.Zero), Six) / Six;
}

/// <summary><c>ln(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))</c>, finite for every finite x.</summary>
internal struct LogSigmoidOp<T> : IUnaryOp<LogSigmoidOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x)
    {
        double v = double.CreateTruncating(x);
        return T.CreateTruncating(Math.Min(v, 0) - SpecialFunctions.Log1p(Math.Exp(-Math.Abs(v))));
    }
}

/// <summary>ELU with PyTorch's coefficients: <c>scale*x</c> for x &gt; 0, else <c>scale*alpha*expm1(x)</c> (SELU fixes both).</summary>
internal static class EluKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, Span<T> y, double alpha, double scale) where T : IFloatingPointIeee754<T>
    {
        double negative = alpha * scale;
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            y[i] = T.CreateTruncating(v > 0 ? v * scale : SpecialFunctions.Expm1(v) * negative);
        }
    }
}
#pragma warning restore CA1000
