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

    /// <summary>A tensor holding a copy of <paramref name="data"/>, float64 unless <paramref name="dtype"/> says otherwise.</summary>
    public static Tensor From(ReadOnlySpan<double> data, int[]? shape = null, bool requiresGrad = false, DType? dtype = null)
    {
        if ((dtype ?? DType.Float64) == DType.Float64) return FromSpan(data, DType.Float64, shape, requiresGrad);
        Tensor t = FromSpan(data, DType.Float64, shape, false).To(dtype!.Value);
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

    /// <summary>A tensor from a double array, float64 unless <paramref name="dtype"/> says otherwise.</summary>
    public static Tensor From(double[] data, int[]? shape = null, bool requiresGrad = false, DType? dtype = null)
        => From((ReadOnlySpan<double>)data, shape, requiresGrad, dtype);

    /// <summary>An int64 tensor from a long array.</summary>
    public static Tensor From(long[] data, int[]? shape = null) => From((ReadOnlySpan<long>)data, shape);

    /// <summary>A bool tensor from a bool array.</summary>
    public static Tensor From(bool[] data, int[]? shape = null) => From((ReadOnlySpan<bool>)data, shape);

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

    /// <summary>A 2-D tensor from a rectangular array, float64 unless <paramref name="dtype"/> says otherwise.</summary>
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

    /// <summary>A 0-d float64 tensor.</summary>
    public static Tensor Scalar(double value, bool requiresGrad = false) => From([value], [], requiresGrad);

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

    /// <summary>Values from <paramref name="start"/> up to (not including) <paramref name="end"/> in steps of <paramref name="step"/>.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException("arange: step must be non-zero");
        if ((end - start) / step < 0)
            throw new ArgumentException($"arange: the range [{start}, {end}) cannot be reached with step {step}");
        long n = (long)Math.Ceiling((end - start) / step);
        var t = Empty(dtype, [checked((int)n)]);
        for (int i = 0; i < n; i++) t.SetRaw(i, start + i * step);
        return t;
    }

    /// <summary>Values 0, 1, ..., <paramref name="end"/> - 1.</summary>
    public static Tensor Arange(int end, DType dtype = DType.Int64) => Arange(0, end, 1, dtype);

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
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32)
    {
        int cols = m ?? n;
        var t = Zeros([n, cols], dtype);
        for (int i = 0; i < Math.Min(n, cols); i++) t.SetRaw((long)i * cols + i, 1);
        return t;
    }

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(int[] shape, DType dtype = DType.Float32, Generator? generator = null, bool requiresGrad = false)
    {
        Generator g = generator ?? Generator.Default;
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
        Generator g = generator ?? Generator.Default;
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
        Generator g = generator ?? Generator.Default;
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
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var src = ContiguousData();
        var y = Empty(dtype, (int[])Dims.Clone());
        int n = (int)Numel;
        switch (DType, dtype)
        {
            case (DType.Float32, DType.Float64): TensorPrimitives.ConvertTruncating<float, double>(src.Span<float>(), y.Span<double>()); break;
            case (DType.Float64, DType.Float32): TensorPrimitives.ConvertTruncating<double, float>(src.Span<double>(), y.Span<float>()); break;
            case (DType.Bool, DType.Float32): FromBool(src.Span<bool>(), y.Span<float>()); break;
            case (DType.Bool, DType.Float64): FromBool(src.Span<bool>(), y.Span<double>()); break;
            case (DType.Int64, DType.Float32): TensorPrimitives.ConvertTruncating<long, float>(src.Span<long>(), y.Span<float>()); break;
            case (DType.Int64, DType.Float64): TensorPrimitives.ConvertTruncating<long, double>(src.Span<long>(), y.Span<double>()); break;
            default:
                for (int i = 0; i < n; i++) y.SetRaw(i, src.GetRawFlat(i));
                break;
        }
        if (dtype.IsFloatingPoint() && DType.IsFloatingPoint() && Autograd.ShouldRecord(this))
            y.SetGradFn(new Ops.ToCopyBackward(this));
        return y;
    }

    private static void FromBool<T>(ReadOnlySpan<bool> src, Span<T> dst) where T : System.Numerics.INumber<T>
    {
        for (int i = 0; i < src.Length; i++) dst[i] = src[i] ? T.One : T.Zero;
    }

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
            default: Data<bool>()[Offset + i] = v != 0; break;
        }
    }

    internal double GetRawFlat(long i) => DType switch
    {
        DType.Float32 => Data<float>()[Offset + i],
        DType.Float64 => Data<double>()[Offset + i],
        DType.Int64 => Data<long>()[Offset + i],
        _ => Data<bool>()[Offset + i] ? 1 : 0,
    };

    internal void FillRaw(double value)
    {
        switch (DType)
        {
            case DType.Float32: Span<float>().Fill((float)value); break;
            case DType.Float64: Span<double>().Fill(value); break;
            case DType.Int64: Span<long>().Fill(checked((long)value)); break;
            default: Span<bool>().Fill(value != 0); break;
        }
    }
}
