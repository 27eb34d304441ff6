using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Elementwise op structs: the scalar form and, where TensorPrimitives has one, a vectorised span form.
// Generic over the element type; the dtype is dispatched once at the kernel boundary.
#pragma warning disable CA1000 // static members on generic types are the point of these op structs

internal struct AddOp<T> : IBinaryOp<AddOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a + b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Add(a, b, y);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(b, a, y);
}

internal struct SubOp<T> : IBinaryOp<SubOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a - b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
}

internal struct MulOp<T> : IBinaryOp<MulOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a * b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(b, a, y);
}

internal struct DivOp<T> : IBinaryOp<DivOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a / b;
    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
    public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
    public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
}

internal struct PowOp<T> : IBinaryOp<PowOp<T>, T, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T a, T b) => T.Pow(a, b);
}

// Integer power by squaring; the caller refuses negative exponents (PyTorch does). Wraps on overflow, as PyTorch's does.
internal struct IntPowOp : IBinaryOp<IntPowOp, long, long>
{
    public static long Invoke(long a, long b)
    {
        long result = 1;
        for (; b > 0; b >>= 1)
        {
            if ((b & 1) != 0) result = unchecked(result * a);
            a = unchecked(a * a);
        }
        return result;
    }
}

internal struct MaximumOp<T> : IBinaryOp<MaximumOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : (a > b ? a : b);
}

internal struct MinimumOp<T> : IBinaryOp<MinimumOp<T>, T, T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => T.IsNaN(a) || T.IsNaN(b) ? a + b : (a < b ? a : b);
}

internal struct PassWherePositiveOp<T> : IBinaryOp<PassWherePositiveOp<T>, T, T> where T : unmanaged, INumber<T>
{
    public static T Invoke(T g, T m) => m > T.Zero ? g : T.Zero;

    public static void Invoke(ReadOnlySpan<T> g, ReadOnlySpan<T> m, Span<T> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<T>.Count <= y.Length; i += Vector<T>.Count)
            {
                var vm = new Vector<T>(m.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(vm, Vector<T>.Zero), new Vector<T>(g.Slice(i)), Vector<T>.Zero).CopyTo(y.Slice(i));
            }
        }
        for (; i < y.Length; i++) y[i] = m[i] > T.Zero ? g[i] : T.Zero;
    }
}

internal struct EqOp<T> : IBinaryOp<EqOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a == b; }
internal struct NeOp<T> : IBinaryOp<NeOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a != b; }
internal struct GtOp<T> : IBinaryOp<GtOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a > b; }
internal struct GeOp<T> : IBinaryOp<GeOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a >= b; }
internal struct LtOp<T> : IBinaryOp<LtOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a < b; }
internal struct LeOp<T> : IBinaryOp<LeOp<T>, T, bool> where T : INumber<T> { public static bool Invoke(T a, T b) => a <= b; }
internal struct AndOp : IBinaryOp<AndOp, bool, bool> { public static bool Invoke(bool a, bool b) => a & b; }
internal struct OrOp : IBinaryOp<OrOp, bool, bool> { public static bool Invoke(bool a, bool b) => a | b; }
internal struct BoolEqOp : IBinaryOp<BoolEqOp, bool, bool> { public static bool Invoke(bool a, bool b) => a == b; }

internal struct NegOp<T> : IUnaryOp<NegOp<T>, T> where T : INumber<T>
{
    public static T Invoke(T x) => -x;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Negate(x, y);
}

internal struct ExpOp<T> : IUnaryOp<ExpOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Exp(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Exp(x, y);
}

internal struct LogOp<T> : IUnaryOp<LogOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Log(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Log(x, y);
}

internal struct Log1pOp<T> : IUnaryOp<Log1pOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    // NOTE: not T.LogP1, which .NET computes as Log(x + 1) and so returns 0 for |x| < 1e-16.
    public static T Invoke(T x) => T.CreateTruncating(SpecialFunctions.Log1p(double.CreateTruncating(x)));
}

internal struct SqrtOp<T> : IUnaryOp<SqrtOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static T Invoke(T x) => T.Sqrt(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sqrt(x, y);
}

internal struct AbsOp<T> : IUnaryOp<AbsOp<T>, T> where T : INumber<T>
{
    public static T Invoke(T x) => T.Abs(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Abs(x, y);
}

internal struct SignOp<T> : IUnaryOp<SignOp<T>, T> where T : INumber<T>
{
    public static T Invoke(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
}

internal struct TanhOp<T> : IUnaryOp<TanhOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Tanh(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Tanh(x, y);
}

internal struct SigmoidOp<T> : IUnaryOp<SigmoidOp<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    // NOTE: with e = exp(-|x|), which never overflows: 1/(1+e) for x >= 0 and e/(1+e) for x < 0, so that large
    // negative inputs keep their tiny (even subnormal) result instead of 1/(1+inf) = 0.
    public static T Invoke(T x)
    {
        T e = T.Exp(-T.Abs(x));
        T s = T.One / (T.One + e);
        return x < T.Zero ? e * s : s;
    }

    // The same formula in blocks: the exponentials by TensorPrimitives into a stack buffer, then 1/(1+e) and the sign
    // select on Vector<T>, each element read before it is written (safe if y is x), so that the exponentials are
    // vectorised rather than computed one element at a time.
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y)
    {
        const int Block = 256, MinExp = 64;
        Span<T> e = stackalloc T[Block];
        for (int start = 0; start < x.Length; start += Block)
        {
            int len = Math.Min(Block, x.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, len);
            Span<T> ys = y.Slice(start, len);
            // NOTE: at least MinExp lanes, padded with zeros: TensorPrimitives computes a span shorter than a vector with
            // the scalar exp, which can differ from its vector form in the last bit, and a 0-d sigmoid must equal the
            // same element of a long one. The vector exp can return 1 + 1 ulp for tiny |x|; clamping keeps
            // sigmoid(x < 0) below 1/2.
            int m = Math.Max(len, MinExp);
            Span<T> es = e[..m];
            TensorPrimitives.Abs(xs, es);
            es[len..].Clear();
            TensorPrimitives.Negate(es, es);
            TensorPrimitives.Exp(es, es);
            TensorPrimitives.Min(es, T.One, es);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
                for (; i <= len - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var xv = new Vector<T>(xs[i..]);
                    var ev = new Vector<T>(es[i..]);
                    Vector<T> sv = Vector<T>.One / (Vector<T>.One + ev);
                    Vector.ConditionalSelect(Vector.LessThan(xv, Vector<T>.Zero), ev * sv, sv).CopyTo(ys[i..]);
                }
            for (; i < len; i++)
            {
                T s = T.One / (T.One + es[i]);
                ys[i] = xs[i] < T.Zero ? es[i] * s : s;
            }
        }
    }
}

internal struct ReluOp<T> : IUnaryOp<ReluOp<T>, T> where T : INumber<T>
{
    public static T Invoke(T x) => x > T.Zero ? x : T.Zero;
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Max(x, T.Zero, y);
}

internal struct SinOp<T> : IUnaryOp<SinOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Sin(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sin(x, y);
}

internal struct CosOp<T> : IUnaryOp<CosOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.Cos(x);
    public static void Invoke(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Cos(x, y);
}

internal struct ErfOp<T> : IUnaryOp<ErfOp<T>, T> where T : IFloatingPointIeee754<T>
{
    public static int ParallelThreshold => Chunked.TranscendentalThreshold;

    public static T Invoke(T x) => T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x)));
}
#pragma warning restore CA1000
