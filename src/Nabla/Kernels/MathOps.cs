using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Op structs of the elementwise math ops of Ops/UnaryMath.cs and Ops/Rounding.cs. Transcendental functions use the
// scalar Math forms (correctly rounded or within an ulp in .NET), so a 0-d result equals the same element of a long
// tensor; exact operations (reciprocal, square root, rounding) take TensorPrimitives' vectorised spans, whose results
// are the scalar forms' bit for bit.
#pragma warning disable CA1000 // static members on generic types are the point of these op structs

internal struct RsqrtOp<T> : IUnaryOp<RsqrtOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.One / T.Sqrt(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.ReciprocalSqrt(x, y);
}

internal struct ReciprocalOp<T> : IUnaryOp<ReciprocalOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.One / x;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Reciprocal(x, y);
}

internal struct SquareOp<T> : IUnaryOp<SquareOp<T>, T> where T : INumber<T>
{
    public static T Invoke(T x) => x * x;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Multiply(x, x, y);
}

internal struct TanOp<T> : IUnaryOp<TanOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Tan(x);
}

internal struct AtanOp<T> : IUnaryOp<AtanOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Atan(x);
}

internal struct AsinOp<T> : IUnaryOp<AsinOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Asin(x);
}

internal struct AcosOp<T> : IUnaryOp<AcosOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Acos(x);
}

internal struct SinhOp<T> : IUnaryOp<SinhOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Sinh(x);
}

internal struct CoshOp<T> : IUnaryOp<CoshOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Cosh(x);
}

internal struct Log2Op<T> : IUnaryOp<Log2Op<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Log2(x);
}

internal struct Log10Op<T> : IUnaryOp<Log10Op<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Log10(x);
}

internal struct Expm1Op<T> : IUnaryOp<Expm1Op<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    // NOTE: not T.ExpM1, which .NET computes as Exp(x) - 1 and so returns 0 for |x| < 1e-16 (see SpecialFunctions.Expm1).
    public static T Invoke(T x) => T.CreateTruncating(SpecialFunctions.Expm1(double.CreateTruncating(x)));
}

internal struct FloorOp<T> : IUnaryOp<FloorOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Floor(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Floor(x, y);
}

internal struct CeilOp<T> : IUnaryOp<CeilOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Ceiling(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Ceiling(x, y);
}

// Half to even (banker's rounding), as torch.round: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
internal struct RoundOp<T> : IUnaryOp<RoundOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Round(x, MidpointRounding.ToEven);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Round(x, MidpointRounding.ToEven, y);
}

internal struct TruncOp<T> : IUnaryOp<TruncOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Truncate(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Truncate(x, y);
}

// atan2(y, x) in (-pi, pi].
internal struct Atan2Op<T> : IBinaryOp<Atan2Op<T>, T, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Atan2(a, b);
}
#pragma warning restore CA1000
