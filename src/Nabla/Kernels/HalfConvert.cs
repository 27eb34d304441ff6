using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Bulk conversions between float32 and the 16-bit float types: bfloat16 with integer vector ops (Note [BFloat16
/// rounding]), float16 through <see cref="TensorPrimitives"/>. Results are those of the scalar conversions, bit for bit.
/// </summary>
internal static class HalfConvert
{
    /// <summary>dst[i] = (float)src[i]: exact, a 16-bit shift.</summary>
    public static void Widen(ReadOnlySpan<BFloat16> src, Span<float> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException($"bfloat16 widen: destination of {dst.Length} elements for {src.Length}");
        ReadOnlySpan<ushort> s = MemoryMarshal.Cast<BFloat16, ushort>(src);
        Span<uint> d = MemoryMarshal.Cast<float, uint>(dst);
        int n = s.Length, i = 0;
        ref ushort sp = ref MemoryMarshal.GetReference(s);
        ref uint dp = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<ushort>.Count; i += Vector512<ushort>.Count)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref sp, (nuint)i));
                (lo << 16).StoreUnsafe(ref dp, (nuint)i);
                (hi << 16).StoreUnsafe(ref dp, (nuint)(i + Vector512<uint>.Count));
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref sp, (nuint)i));
                (lo << 16).StoreUnsafe(ref dp, (nuint)i);
                (hi << 16).StoreUnsafe(ref dp, (nuint)(i + Vector256<uint>.Count));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref dp, i) = (uint)Unsafe.Add(ref sp, i) << 16;
    }

    /// <summary>dst[i] = (BFloat16)src[i]: round to nearest even, NaN quiet (Note [BFloat16 rounding]).</summary>
    public static void Narrow(ReadOnlySpan<float> src, Span<BFloat16> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException($"bfloat16 narrow: destination of {dst.Length} elements for {src.Length}");
        ReadOnlySpan<uint> s = MemoryMarshal.Cast<float, uint>(src);
        Span<ushort> d = MemoryMarshal.Cast<BFloat16, ushort>(dst);
        int n = s.Length, i = 0;
        ref uint sp = ref MemoryMarshal.GetReference(s);
        ref ushort dp = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<ushort>.Count; i += Vector512<ushort>.Count)
            {
                Vector512<uint> lo = Round512(Vector512.LoadUnsafe(ref sp, (nuint)i));
                Vector512<uint> hi = Round512(Vector512.LoadUnsafe(ref sp, (nuint)(i + Vector512<uint>.Count)));
                Vector512.Narrow(lo, hi).StoreUnsafe(ref dp, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                Vector256<uint> lo = Round256(Vector256.LoadUnsafe(ref sp, (nuint)i));
                Vector256<uint> hi = Round256(Vector256.LoadUnsafe(ref sp, (nuint)(i + Vector256<uint>.Count)));
                Vector256.Narrow(lo, hi).StoreUnsafe(ref dp, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref dp, i) = BFloat16.Round(Unsafe.Add(ref sp, i));
    }

    /// <summary>dst[i] = round(src[i]) for n floats into bfloat16 or float16 bits (<paramref name="to"/>), as the span forms.</summary>
    public static unsafe void Narrow(GemmSource to, float* src, ushort* dst, int n)
    {
        if (to == GemmSource.Float16)
        {
            Narrow(new ReadOnlySpan<float>(src, n), new Span<Half>(dst, n));
            return;
        }
        if (to != GemmSource.BFloat16) throw new ArgumentException($"narrow: target {to}; expected BFloat16 or Float16");
        NarrowBFloat16(src, dst, n);
    }

    /// <summary>dst[i] = round(src[i]) to bfloat16 bits for n floats; inlined into short-row loops (a GEMM tile's rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void NarrowBFloat16(float* src, ushort* dst, int n)
    {
        int i = 0;
        uint* s = (uint*)src;
        // vpmovdw: each lane's bfloat16 bits are its low 16 bits after Round.
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            for (; i <= n - 16; i += 16)
                Avx512F.ConvertToVector256UInt16(Round512(Vector512.Load(s + i))).Store(dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                Vector256.Narrow(Round256(Vector256.Load(s + i)), Vector256<uint>.Zero).GetLower().Store(dst + i);
        for (; i < n; i++) dst[i] = BFloat16.Round(s[i]);
    }

    /// <summary>dst[i] = (float)src[i] for n bfloat16 bits (exact), without the span forms' checks: for short rows.</summary>
    public static unsafe void WidenBFloat16(ushort* src, float* dst, int n)
    {
        int i = 0;
        uint* d = (uint*)dst;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            for (; i <= n - 16; i += 16)
                Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(Vector256.Load(src + i)), 16).Store(d + i);
        if (Avx2.IsSupported)
            for (; i <= n - 8; i += 8)
                Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(src + i), 16).AsUInt32().Store(d + i);
        for (; i < n; i++) d[i] = (uint)src[i] << 16;
    }

    /// <summary>dst[i] = (float)src[i] (exact).</summary>
    public static void Widen(ReadOnlySpan<Half> src, Span<float> dst) => TensorPrimitives.ConvertToSingle(src, dst[..src.Length]);

    /// <summary>dst[i] = (Half)src[i]: round to nearest even, overflow to infinity.</summary>
    public static void Narrow(ReadOnlySpan<float> src, Span<Half> dst) => TensorPrimitives.ConvertToHalf(src, dst[..src.Length]);

    // The bfloat16 bits of each lane in the low 16 bits (see Note [BFloat16 rounding]).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Round512(Vector512<uint> bits)
    {
        Vector512<uint> nan = Vector512.GreaterThan(bits & Vector512.Create(0x7FFF_FFFFu), Vector512.Create(0x7F80_0000u));
        Vector512<uint> rounded = bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One);
        return Vector512.ConditionalSelect(nan, bits | Vector512.Create(0x0040_0000u), rounded) >> 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Round256(Vector256<uint> bits)
    {
        Vector256<uint> nan = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
        Vector256<uint> rounded = bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One);
        return Vector256.ConditionalSelect(nan, bits | Vector256.Create(0x0040_0000u), rounded) >> 16;
    }
}
