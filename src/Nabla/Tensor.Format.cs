using System.Globalization;
using System.Text;

namespace Nabla;

public sealed partial class Tensor
{
    private const int SummarizeThreshold = 1000;
    private const int EdgeItems = 3;

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException($"item: only a tensor with one element can be converted to a number, this one has shape {Shape}");
        return GetAsDouble(0);
    }

    /// <summary>The value of a one-element tensor as <typeparamref name="T"/> (float, double, long, int, bool, BFloat16 or Half).</summary>
    public T Item<T>()
    {
        double v = Item();
        object boxed = typeof(T) == typeof(float) ? (float)v
            : typeof(T) == typeof(double) ? v
            : typeof(T) == typeof(long) ? (long)v
            : typeof(T) == typeof(int) ? (int)v
            : typeof(T) == typeof(bool) ? v != 0
            : typeof(T) == typeof(BFloat16) ? (BFloat16)v
            : typeof(T) == typeof(Half) ? (Half)v
            : throw new NotSupportedException($"item: cannot convert to {typeof(T).Name}; use float, double, long, int or bool");
        return (T)boxed;
    }

    /// <summary>The elements in row-major order as an array of <typeparamref name="T"/>, which must match the dtype.</summary>
    public T[] ToArray<T>()
    {
        if (typeof(T) != DType.ClrType())
            throw new InvalidOperationException($"to_array: the tensor has dtype {DType.Name()}; ask for {DType.ClrType().Name}[] or convert with To() first");
        return ContiguousData().Span<T>().ToArray();
    }

    /// <summary>The elements in row-major order converted to double.</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Numel];
        Tensor c = ContiguousData();
        for (long i = 0; i < result.Length; i++) result[i] = c.GetRawFlat(i);
        return result;
    }

    /// <summary>Prints like PyTorch: values (summarised above 1,000 elements), dtype if not float32, and grad_fn or requires_grad.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        Tensor c = ContiguousData();
        bool summarize = Numel > SummarizeThreshold;
        Func<double, string> fmt = MakeFormatter(c, summarize);
        AppendBlock(sb, c, fmt, 0, 0, summarize, "tensor(".Length);
        if (Numel == 0 && Rank > 1) sb.Append($", size={Shape}");
        if (DType is not (DType.Float32 or DType.Int64 or DType.Bool)) sb.Append($", dtype=torch.{DType.Name()}");
        if (GradFn is not null) sb.Append($", grad_fn=<{GradFn.Name}>");
        else if (RequiresGrad) sb.Append(", requires_grad=True");
        sb.Append(')');
        return sb.ToString();
    }

    private Func<double, string> MakeFormatter(Tensor c, bool summarize)
    {
        if (DType == DType.Bool) return v => v != 0 ? "True" : "False";
        var values = new List<double>();
        foreach (long i in SampleIndices(summarize)) values.Add(c.GetRawFlat(i));
        if (DType == DType.Int64)
        {
            int w = values.Count == 0 ? 1 : values.Max(v => ((long)v).ToString(CultureInfo.InvariantCulture).Length);
            return v => ((long)v).ToString(CultureInfo.InvariantCulture).PadLeft(w);
        }
        var finite = values.Where(double.IsFinite).ToList();
        bool intMode = finite.All(v => v == Math.Floor(v));
        double maxAbs = finite.Count == 0 ? 0 : finite.Max(Math.Abs);
        double minAbs = finite.Where(v => v != 0).Select(Math.Abs).DefaultIfEmpty(0).Min();
        bool sci = intMode ? maxAbs > 1e8 : finite.Count > 0 && (maxAbs / Math.Max(minAbs, double.Epsilon) > 1000 || maxAbs > 1e8 || minAbs is > 0 and < 1e-4);
        Func<double, string> raw = v =>
        {
            if (double.IsNaN(v)) return "nan";
            if (double.IsPositiveInfinity(v)) return "inf";
            if (double.IsNegativeInfinity(v)) return "-inf";
            if (sci) return v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
            if (intMode) return v.ToString("0", CultureInfo.InvariantCulture) + ".";
            return v.ToString("0.0000", CultureInfo.InvariantCulture);
        };
        int width = values.Count == 0 ? 1 : values.Max(v => raw(v).Length);
        return v => raw(v).PadLeft(width);
    }

    private IEnumerable<long> SampleIndices(bool summarize)
    {
        if (!summarize)
        {
            for (long i = 0; i < Numel; i++) yield return i;
            yield break;
        }
        // Elements shown when summarising: the first and last EdgeItems along every dim.
        var idx = new int[Rank];
        var ranges = new List<int>[Rank];
        for (int d = 0; d < Rank; d++)
        {
            int n = Dims[d];
            ranges[d] = n > 2 * EdgeItems ? [.. Enumerable.Range(0, EdgeItems), .. Enumerable.Range(n - EdgeItems, EdgeItems)] : [.. Enumerable.Range(0, n)];
        }
        var pos = new int[Rank];
        while (true)
        {
            long flat = 0;
            for (int d = 0; d < Rank; d++) flat = flat * Dims[d] + ranges[d][pos[d]];
            yield return flat;
            int k = Rank - 1;
            for (; k >= 0; k--)
            {
                if (++pos[k] < ranges[k].Count) break;
                pos[k] = 0;
            }
            if (k < 0) yield break;
        }
    }

    private void AppendBlock(StringBuilder sb, Tensor c, Func<double, string> fmt, int dim, long baseIndex, bool summarize, int indent)
    {
        if (Rank == 0)
        {
            sb.Append(fmt(c.GetRawFlat(0)).Trim());
            return;
        }
        sb.Append('[');
        int n = Dims[dim];
        long stride = 1;
        for (int d = dim + 1; d < Rank; d++) stride *= Dims[d];
        bool last = dim == Rank - 1;
        string sep = last ? ", " : "," + new string('\n', Rank - dim - 1) + new string(' ', indent + dim + 1);
        bool skip = summarize && n > 2 * EdgeItems;
        for (int i = 0; i < n; i++)
        {
            if (skip && i == EdgeItems)
            {
                sb.Append(last ? " ..." : "...").Append(sep);
                i = n - EdgeItems;
            }
            if (last) sb.Append(fmt(c.GetRawFlat(baseIndex + i)));
            else AppendBlock(sb, c, fmt, dim + 1, baseIndex + i * stride, summarize, indent);
            if (i < n - 1) sb.Append(sep);
        }
        sb.Append(']');
    }
}
