using System.Numerics.Tensors;
using Nabla.Kernels;

namespace Nabla;

public sealed partial class Tensor
{
    private static int[] ShapeOrVector(int[]? shape, int length, string op)
    {
        if (shape is null) return [length];
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Shape.Format(shape)}");
        if (Strided.Numel(shape) != length)
            throw new ArgumentException($"{op}: {length} values do not fill shape {Shape.Format(shape)} ({Strided.Numel(shape)} elements)");
        return (int[])shape.Clone();
    }

    private static int[] CheckShape(ReadOnlySpan<int> shape, string op)
    {
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Shape.Format(shape)}");
        return shape.ToArray();
    }

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/>, shaped <paramref name="shape"/> (1-D if omitted).</summary>
    public static Tensor From(ReadOnlySpan<float> data, int[]? shape = null, bool requiresGrad = false)
        => FromSpan(data, DType.Float32, shape, requiresGrad);

    // Note [Default dtype]
    // C# writes real numbers as double literals, as Python writes them as floats, so a tensor made from doubles
    // (From(double[]), From(double[,]), From(ReadOnlySpan<double>), Scalar(double)) takes the default dtype, float32,
    // exactly as torch.tensor([2., 3.]) does: code ported from PyTorch gets the dtype it had there, and a float32 model
    // never meets a float64 constant it must not mix with (Note [Type promotion]). Float64 is asked for by name
    // (dtype: DType.Float64), as in PyTorch; integers and bools keep their own overloads (long[] gives int64, bool[]
    // bool). Arange follows the same rule over its arguments: all integers give int64, any double gives float32.

    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/>, float32 (the default dtype, as <c>torch.tensor([2., 3.])</c>)
    /// unless <paramref name="dtype"/> asks for another (see Note [Default dtype]).
    /// </summary>
    /// <remarks>Converting to float32 rounds each value to nearest; to int64 truncates toward zero, as PyTorch does.</remarks>
    public static Tensor From(ReadOnlySpan<double> data, int[]? shape = null, bool requiresGrad = false, DType? dtype = null)
    {
        Tensor t;
        switch (dtype ?? DType.Float32)
        {
            case DType.Float64:
                t = FromSpan(data, DType.Float64, shape, false);
                break;
            case DType.Float32:
                t = Empty(DType.Float32, ShapeOrVector(shape, data.Length, "from"));
                TensorPrimitives.ConvertTruncating<double, float>(data, t.Span<float>());
                break;
            default:
                t = FromSpan(data, DType.Float64, shape, false).To(dtype!.Value);
                break;
        }
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From(ReadOnlySpan<long> data, int[]? shape = null)
        => FromSpan(data, DType.Int64, shape, false);

    /// <summary>A bool tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From(ReadOnlySpan<bool> data, int[]? shape = null)
        => FromSpan(data, DType.Bool, shape, false);

    /// <summary>A float32 tensor from a float array (1-D; pass a shape to reshape).</summary>
    public static Tensor From(float[] data, int[]? shape = null, bool requiresGrad = false)
        => From((ReadOnlySpan<float>)data, shape, requiresGrad);

    /// <summary>A tensor from a double array (1-D; pass a shape to reshape), float32 unless <paramref name="dtype"/> asks for another (Note [Default dtype]).</summary>
    public static Tensor From(double[] data, int[]? shape = null, bool requiresGrad = false, DType? dtype = null)
        => From((ReadOnlySpan<double>)data, shape, requiresGrad, dtype);

    /// <summary>An int64 tensor from a long array.</summary>
    public static Tensor From(long[] data, int[]? shape = null) => From((ReadOnlySpan<long>)data, shape);

    /// <summary>A bool tensor from a bool array.</summary>
    public static Tensor From(bool[] data, int[]? shape = null) => From((ReadOnlySpan<bool>)data, shape);

    /// <summary>A bfloat16 tensor from a <see cref="Nabla.BFloat16"/> array (1-D; pass a shape to reshape).</summary>
    public static Tensor From(BFloat16[] data, int[]? shape = null, bool requiresGrad = false)
        => FromSpan<BFloat16>(data, DType.BFloat16, shape, requiresGrad);

    /// <summary>A float16 tensor from a <see cref="System.Half"/> array (1-D; pass a shape to reshape).</summary>
    public static Tensor From(Half[] data, int[]? shape = null, bool requiresGrad = false)
        => FromSpan<Half>(data, DType.Float16, shape, requiresGrad);

    /// <summary>A 2-D float32 tensor from a rectangular array.</summary>
    public static Tensor From(float[,] data, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var flat = new float[data.Length];
        int cols = data.GetLength(1), k = 0;
        for (int i = 0; i < data.GetLength(0); i++)
            for (int j = 0; j < cols; j++) flat[k++] = data[i, j];
        return From(flat, [data.GetLength(0), cols], requiresGrad);
    }

    /// <summary>A 2-D tensor from a rectangular array, float32 unless <paramref name="dtype"/> asks for another (Note [Default dtype]).</summary>
    public static Tensor From(double[,] data, bool requiresGrad = false, DType? dtype = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var flat = new double[data.Length];
        int cols = data.GetLength(1), k = 0;
        for (int i = 0; i < data.GetLength(0); i++)
            for (int j = 0; j < cols; j++) flat[k++] = data[i, j];
        return From(flat, [data.GetLength(0), cols], requiresGrad, dtype);
    }

    /// <summary>A 0-d float32 tensor.</summary>
    public static Tensor Scalar(float value, bool requiresGrad = false) => From([value], [], requiresGrad);

    /// <summary>A 0-d tensor, float32 unless <paramref name="dtype"/> asks for another (Note [Default dtype]).</summary>
    public static Tensor Scalar(double value, bool requiresGrad = false, DType? dtype = null) => From([value], [], requiresGrad, dtype);

    /// <summary>A 0-d tensor of the given dtype holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype) => Full([], value, dtype);

    private static Tensor FromSpan<T>(ReadOnlySpan<T> data, DType dtype, int[]? shape, bool requiresGrad)
    {
        int[] dims = ShapeOrVector(shape, data.Length, "from");
        var t = Empty(dtype, dims);
        data.CopyTo(t.Span<T>());
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        var t = Empty(dtype, CheckShape(shape, "zeros"), zeroed: true);
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32, bool requiresGrad = false)
        => Full(shape, 1, dtype, requiresGrad);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        var t = Empty(dtype, CheckShape(shape, "full"));
        t.FillRaw(value);
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>Zeros with the shape and dtype of <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other, bool requiresGrad = false) => Zeros(other.Dims, other.DType, requiresGrad);

    /// <summary>Ones with the shape and dtype of <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other, bool requiresGrad = false) => Ones(other.Dims, other.DType, requiresGrad);

    /// <summary>A constant with the shape and dtype of <paramref name="other"/>.</summary>
    public static Tensor FullLike(Tensor other, double value, bool requiresGrad = false) => Full(other.Dims, value, other.DType, requiresGrad);

    /// <summary>Uniform values in [0, 1) with the shape and dtype of <paramref name="other"/>.</summary>
    public static Tensor RandLike(Tensor other, Generator? generator = null) => Rand(other.Dims, other.DType, generator);

    /// <summary>Standard normal values with the shape and dtype of <paramref name="other"/>.</summary>
    public static Tensor RandnLike(Tensor other, Generator? generator = null) => Randn(other.Dims, other.DType, generator);

    /// <summary>Uniform integers in [low, high) with the shape of <paramref name="other"/> (int64).</summary>
    public static Tensor RandIntLike(Tensor other, long low, long high, Generator? generator = null) => RandInt(low, high, other.Dims, generator);

    /// <summary>
    /// Values from <paramref name="start"/> up to (not including) <paramref name="end"/> in steps of
    /// <paramref name="step"/>, int64 unless <paramref name="dtype"/> says otherwise (all arguments are integers).
    /// </summary>
    /// <remarks>
    /// As <c>torch.arange</c>: integer arguments give int64, and any floating-point argument gives float32 (the
    /// <see cref="Arange(double, double, double, DType)"/> overload, which C# picks as soon as one argument is a double),
    /// so <c>Arange(0, 5, 1)</c> and <c>Arange(5)</c> are the same int64 tensor and <c>Arange(0, 5, 0.5)</c> is float32.
    /// </remarks>
    public static Tensor Arange(long start, long end, long step = 1, DType dtype = DType.Int64)
    {
        int n = ArangeCount(start, end, step);
        var t = Empty(dtype, [n]);
        if (dtype == DType.Int64)
        {
            Span<long> values = t.Span<long>();
            for (int i = 0; i < n; i++) values[i] = unchecked(start + i * step);
        }
        else
        {
            for (int i = 0; i < n; i++) t.SetRaw(i, unchecked(start + i * step));
        }
        return t;
    }

    /// <summary>Values 0, 1, ..., <paramref name="end"/> - 1, int64 unless <paramref name="dtype"/> says otherwise.</summary>
    public static Tensor Arange(long end, DType dtype = DType.Int64) => Arange(0, end, 1, dtype);

    /// <summary>
    /// Values from <paramref name="start"/> up to (not including) <paramref name="end"/> in steps of
    /// <paramref name="step"/>, float32 unless <paramref name="dtype"/> says otherwise (some argument is a double).
    /// </summary>
    /// <remarks>Value <c>i</c> is <c>start + i*step</c>; there are <c>ceil((end - start)/step)</c> of them, as in PyTorch.</remarks>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || !double.IsFinite(step) || !double.IsFinite(start) || !double.IsFinite(end))
            throw new ArgumentException($"arange: start, end and step must be finite and step non-zero, got start {start}, end {end}, step {step}");
        if ((end - start) / step < 0)
            throw new ArgumentException($"arange: the range [{start}, {end}) cannot be reached with step {step}");
        double count = Math.Ceiling((end - start) / step);
        if (count > int.MaxValue)
            throw new ArgumentException($"arange: [{start}, {end}) in steps of {step} has {count} elements, more than a tensor holds ({int.MaxValue})");
        var t = Empty(dtype, [(int)count]);
        for (int i = 0; i < (int)count; i++) t.SetRaw(i, start + i * step);
        return t;
    }

    /// <summary>Values 0, 1, ... below <paramref name="end"/>, float32 unless <paramref name="dtype"/> says otherwise (<c>torch.arange(5.)</c>).</summary>
    public static Tensor Arange(double end, DType dtype = DType.Float32) => Arange(0, end, 1, dtype);

    private static int ArangeCount(long start, long end, long step)
    {
        if (step == 0) throw new ArgumentException($"arange: step must be non-zero, got start {start}, end {end}, step {step}");
        if (end != start && (end > start) != (step > 0))
            throw new ArgumentException($"arange: the range [{start}, {end}) cannot be reached with step {step}");
        // ceil(|end - start| / |step|) without overflow for any longs.
        UInt128 span = (UInt128)Int128.Abs((Int128)end - start);
        UInt128 stride = (UInt128)Int128.Abs(step);
        UInt128 count = (span + stride - 1) / stride;
        if (count > int.MaxValue)
            throw new ArgumentException($"arange: [{start}, {end}) in steps of {step} has {count} elements, more than a tensor holds ({int.MaxValue})");
        return (int)count;
    }

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32)
    {
        if (steps < 0) throw new ArgumentException($"linspace: steps must be non-negative, got {steps}");
        var t = Empty(dtype, [steps]);
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // NOTE: the second half counts back from the end, as PyTorch does, so the last value is exactly `end`.
        int half = steps / 2;
        for (int i = 0; i < steps; i++)
            t.SetRaw(i, i < half ? start + step * i : end - step * (steps - 1 - i));
        return t;
    }

    /// <summary>An identity matrix with <paramref name="n"/> rows and <paramref name="m"/> columns (default square).</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"eye: n and m must be non-negative, got n {n}, m {cols}");
        var t = Zeros([n, cols], dtype);
        for (int i = 0; i < Math.Min(n, cols); i++) t.SetRaw((long)i * cols + i, 1);
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(int[] shape, DType dtype = DType.Float32, Generator? generator = null, bool requiresGrad = false)
    {
        Generator g = Generator.Use(generator);
        if (dtype.IsHalf())
        {
            // NOTE: rounding to 16 bits could turn values just below 1 into 1; clamping first keeps the range [0, 1).
            Tensor wide = Rand(shape, DType.Float32, g);
            TensorPrimitives.Min(wide.Span<float>(), dtype == DType.BFloat16 ? 1 - 1f / 256 : 1 - 1f / 2048, wide.Span<float>());
            return wide.To(dtype).WithRequiresGrad(requiresGrad);
        }
        var t = Empty(dtype, CheckShape(shape, "rand"));
        CheckFloat(t, "rand");
        if (dtype == DType.Float32) { var s = t.Span<float>(); for (int i = 0; i < s.Length; i++) s[i] = g.NextSingle(); }
        else { var s = t.Span<double>(); for (int i = 0; i < s.Length; i++) s[i] = g.NextDouble(); }
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>Standard normal values.</summary>
    public static Tensor Randn(int[] shape, DType dtype = DType.Float32, Generator? generator = null, bool requiresGrad = false)
    {
        Generator g = Generator.Use(generator);
        if (dtype.IsHalf()) return Randn(shape, DType.Float32, g).To(dtype).WithRequiresGrad(requiresGrad);
        var t = Empty(dtype, CheckShape(shape, "randn"));
        CheckFloat(t, "randn");
        if (dtype == DType.Float32) { var s = t.Span<float>(); for (int i = 0; i < s.Length; i++) s[i] = (float)g.NextNormal(); }
        else { var s = t.Span<double>(); for (int i = 0; i < s.Length; i++) s[i] = g.NextNormal(); }
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    /// <summary>Uniform integers in [<paramref name="low"/>, <paramref name="high"/>) as int64.</summary>
    public static Tensor RandInt(long low, long high, int[] shape, Generator? generator = null)
    {
        Generator g = Generator.Use(generator);
        var t = Empty(DType.Int64, CheckShape(shape, "randint"));
        var s = t.Span<long>();
        for (int i = 0; i < s.Length; i++) s[i] = g.NextInt64(low, high);
        return t;
    }

    /// <summary>A contiguous copy with its own storage, recorded as an identity for autograd.</summary>
    public Tensor Clone()
    {
        var y = Empty(DType, (int[])Dims.Clone());
        CopyInto(y);
        if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.CloneBackward(this));
        return y;
    }

    /// <summary>This tensor if contiguous, otherwise a contiguous copy (recorded as an identity).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>Converts to another dtype (a copy unless the dtype already matches). Float-to-float conversions are differentiable.</summary>
    /// <remarks>
    /// To a floating-point dtype each value is rounded once to nearest, ties to even (float64 to bfloat16 included); to
    /// int64 truncated toward zero; to bool, non-zero is true. The gradient of a float-to-float conversion is converted
    /// back to the source dtype (PyTorch's <c>ToCopyBackward</c>).
    /// </remarks>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        Tensor y = ConvertData(dtype);
        if (dtype.IsFloatingPoint() && DType.IsFloatingPoint() && Autograd.ShouldRecord(this))
            y.SetGradFn(new Ops.ToCopyBackward(this));
        return y;
    }

    /// <summary>A new contiguous tensor of <paramref name="dtype"/> holding the converted elements; never recorded (kernel boundary).</summary>
    internal Tensor ConvertData(DType dtype)
    {
        var src = ContiguousData();
        var y = Empty(dtype, Dims);
        int n = (int)Numel;
        switch (DType, dtype)
        {
            case (DType.Float32, DType.Float64): TensorPrimitives.ConvertTruncating<float, double>(src.Span<float>(), y.Span<double>()); break;
            case (DType.Float64, DType.Float32): TensorPrimitives.ConvertTruncating<double, float>(src.Span<double>(), y.Span<float>()); break;
            case (DType.Bool, DType.Float32): FromBool(src.Span<bool>(), y.Span<float>()); break;
            case (DType.Bool, DType.Float64): FromBool(src.Span<bool>(), y.Span<double>()); break;
            case (DType.Int64, DType.Float32): TensorPrimitives.ConvertTruncating<long, float>(src.Span<long>(), y.Span<float>()); break;
            case (DType.Int64, DType.Float64): TensorPrimitives.ConvertTruncating<long, double>(src.Span<long>(), y.Span<double>()); break;
            case (DType.BFloat16, DType.Float32): ElementwiseHalf.Widen(src.Data<BFloat16>(), src.Offset, y.Data<float>(), y.Offset, n); break;
            case (DType.Float16, DType.Float32): ElementwiseHalf.Widen(src.Data<Half>(), src.Offset, y.Data<float>(), y.Offset, n); break;
            case (DType.Float32, DType.BFloat16): ElementwiseHalf.Narrow(src.Data<float>(), src.Offset, y.Data<BFloat16>(), y.Offset, n); break;
            case (DType.Float32, DType.Float16): ElementwiseHalf.Narrow(src.Data<float>(), src.Offset, y.Data<Half>(), y.Offset, n); break;
            default:
                // NOTE: the remaining pairs go through double, which holds every value of every dtype exactly, so each
                // element is rounded once (float64 to bfloat16 included: see Note [BFloat16 rounding]).
                for (int i = 0; i < n; i++) y.SetRaw(i, src.GetRawFlat(i));
                break;
        }
        return y;
    }

    private static void FromBool<T>(ReadOnlySpan<bool> src, Span<T> dst) where T : System.Numerics.INumber<T>
    {
        for (int i = 0; i < src.Length; i++) dst[i] = src[i] ? T.One : T.Zero;
    }

    private Tensor WithRequiresGrad(bool requiresGrad)
    {
        if (requiresGrad) RequiresGrad = true;
        return this;
    }

    /// <summary>Shorthand for <c>To(DType.BFloat16)</c> (<c>tensor.bfloat16()</c>).</summary>
    public Tensor BFloat16() => To(DType.BFloat16);

    /// <summary>Shorthand for <c>To(DType.Float16)</c> (<c>tensor.half()</c>).</summary>
    public Tensor Half() => To(DType.Float16);

    /// <summary>Shorthand for <c>To(DType.Float64)</c>.</summary>
    public Tensor Double() => To(DType.Float64);

    /// <summary>Shorthand for <c>To(DType.Float32)</c>.</summary>
    public Tensor Float() => To(DType.Float32);

    // Raw setters for contiguous freshly created tensors (flat index into the contiguous layout).
    internal void SetRaw(long i, double v)
    {
        switch (DType)
        {
            case DType.Float32: Data<float>()[Offset + i] = (float)v; break;
            case DType.Float64: Data<double>()[Offset + i] = v; break;
            case DType.Int64: Data<long>()[Offset + i] = checked((long)v); break;
            case DType.Bool: Data<bool>()[Offset + i] = v != 0; break;
            case DType.BFloat16: Data<BFloat16>()[Offset + i] = (BFloat16)v; break;
            case DType.Float16: Data<Half>()[Offset + i] = (Half)v; break;
            default: throw DTypeExtensions.Unknown(DType);
        }
    }

    internal double GetRawFlat(long i) => DType switch
    {
        DType.Float32 => Data<float>()[Offset + i],
        DType.Float64 => Data<double>()[Offset + i],
        DType.Int64 => Data<long>()[Offset + i],
        DType.Bool => Data<bool>()[Offset + i] ? 1 : 0,
        DType.BFloat16 => Data<BFloat16>()[Offset + i],
        DType.Float16 => (double)Data<Half>()[Offset + i],
        _ => throw DTypeExtensions.Unknown(DType),
    };

    internal void FillRaw(double value)
    {
        switch (DType)
        {
            case DType.Float32: Span<float>().Fill((float)value); break;
            case DType.Float64: Span<double>().Fill(value); break;
            case DType.Int64: Span<long>().Fill(checked((long)value)); break;
            case DType.Bool: Span<bool>().Fill(value != 0); break;
            case DType.BFloat16: Span<BFloat16>().Fill((BFloat16)value); break;
            case DType.Float16: Span<Half>().Fill((Half)value); break;
            default: throw DTypeExtensions.Unknown(DType);
        }
    }
}
