using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Optim;

/// <summary>
/// A vector of <typeparamref name="T"/> lanes of one fixed width, with the few operations the optimizer rules use, so that
/// a rule is written once as a generic method and compiled for the widest accelerated width. See Note [Fused optimizer updates].
/// </summary>
/// <remarks>
/// <c>System.Runtime.Intrinsics.ISimdVector</c> would do, but <see cref="Vector512{T}"/> does not expose it publicly (it
/// is not usable as a generic constraint), hence these thin wrappers. Every member is a single
/// hardware operation on the wrapped vector; none is fused (no multiply-add), so each lane rounds as the scalar formula.
/// </remarks>
internal interface ILanes<TSelf, T>
    where TSelf : struct, ILanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TSelf Splat(T value);

    /// <summary>Loads <see cref="Count"/> elements from <c>source[index..]</c>.</summary>
    static abstract TSelf Load(ref T source, nuint index);

    /// <summary>Stores the lanes to <c>destination[index..]</c>.</summary>
    static abstract void Store(TSelf value, ref T destination, nuint index);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>The square root of every lane.</summary>
    static abstract TSelf Sqrt(TSelf x);

    /// <summary>The larger of each pair of lanes (IEEE 754 maximum: NaN propagates, +0 above -0, as <see cref="Math.Max(double, double)"/>).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>The absolute value of every lane.</summary>
    static abstract TSelf Abs(TSelf x);
}

/// <summary>512-bit lanes (used when <see cref="Vector512.IsHardwareAccelerated"/>).</summary>
internal readonly struct Lanes512<T> : ILanes<Lanes512<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Lanes512(Vector512<T> v) => _v = v;

    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Splat(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Load(ref T source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes512<T> value, ref T destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator *(Lanes512<T> a, Lanes512<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator /(Lanes512<T> a, Lanes512<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Sqrt(Lanes512<T> x) => new(Vector512.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Max(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Abs(Lanes512<T> x) => new(Vector512.Abs(x._v));
}

/// <summary>256-bit lanes (used when <see cref="Vector256.IsHardwareAccelerated"/> but not 512).</summary>
internal readonly struct Lanes256<T> : ILanes<Lanes256<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Lanes256(Vector256<T> v) => _v = v;

    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Splat(T value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Load(ref T source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes256<T> value, ref T destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator +(Lanes256<T> a, Lanes256<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator -(Lanes256<T> a, Lanes256<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator *(Lanes256<T> a, Lanes256<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator /(Lanes256<T> a, Lanes256<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Sqrt(Lanes256<T> x) => new(Vector256.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Max(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Abs(Lanes256<T> x) => new(Vector256.Abs(x._v));
}

/// <summary>
/// <see cref="Vector{T}"/> lanes: the fallback when neither 512- nor 256-bit vectors are accelerated but
/// <see cref="Vector.IsHardwareAccelerated"/> (128-bit vectors).
/// </summary>
internal readonly struct LanesVector<T> : ILanes<LanesVector<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LanesVector(Vector<T> v) => _v = v;

    public static int Count => Vector<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> Splat(T value) => new(new Vector<T>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> Load(ref T source, nuint index) => new(Vector.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(LanesVector<T> value, ref T destination, nuint index) => value._v.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> operator +(LanesVector<T> a, LanesVector<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> operator -(LanesVector<T> a, LanesVector<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> operator *(LanesVector<T> a, LanesVector<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> operator /(LanesVector<T> a, LanesVector<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> Sqrt(LanesVector<T> x) => new(Vector.SquareRoot(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> Max(LanesVector<T> a, LanesVector<T> b) => new(Vector.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesVector<T> Abs(LanesVector<T> x) => new(Vector.Abs(x._v));
}

/// <summary>One lane: the fallback when <see cref="Vector{T}"/> is not accelerated either (its software implementation is slower than scalar code).</summary>
internal readonly struct LanesScalar<T> : ILanes<LanesScalar<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LanesScalar(T v) => _v = v;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Splat(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Load(ref T source, nuint index) => new(Unsafe.Add(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(LanesScalar<T> value, ref T destination, nuint index) => Unsafe.Add(ref destination, index) = value._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> operator +(LanesScalar<T> a, LanesScalar<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> operator -(LanesScalar<T> a, LanesScalar<T> b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> operator *(LanesScalar<T> a, LanesScalar<T> b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> operator /(LanesScalar<T> a, LanesScalar<T> b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Sqrt(LanesScalar<T> x) => new(T.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Max(LanesScalar<T> a, LanesScalar<T> b) => new(T.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LanesScalar<T> Abs(LanesScalar<T> x) => new(T.Abs(x._v));
}
