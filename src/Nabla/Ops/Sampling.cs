namespace Nabla;

// Note [Sampling ops]
// Multinomial, Bernoulli, RandPerm and Normal draw from a Generator (Generator.Default when none is given), element by
// element in row-major order, so a seed fixes every result on every machine (Note in Generator.cs). They are not
// differentiable: their results never require a gradient (PyTorch defines zero gradients for them; the
// reparameterised form, mean + std * Randn, is the one to write when a gradient should flow).

public sealed partial class Tensor
{
    /// <summary>
    /// Draws <paramref name="numSamples"/> category indices from the rows of this tensor of non-negative weights, as
    /// <c>torch.multinomial</c>.
    /// </summary>
    /// <remarks>
    /// This is <c>[C]</c> (one distribution) or <c>[N, C]</c> (one per row); weights need not sum to 1 but must be finite,
    /// non-negative, with a positive sum. Returns int64 <c>[numSamples]</c> or <c>[N, numSamples]</c>. With
    /// <paramref name="replacement"/> each draw is independent; without it, each category is drawn at most once, in the
    /// order of sequential draws from the remaining weights (so <paramref name="numSamples"/> may not exceed the number
    /// of categories with non-zero weight). See Note [Sampling ops].
    /// </remarks>
    public Tensor Multinomial(int numSamples, bool replacement = false, Generator? generator = null)
    {
        const string op = "multinomial";
        if (Rank is not (1 or 2))
            throw new ArgumentException($"{op}: expected a 1-D or 2-D tensor of weights ([C] or [N, C]), got shape {Shape}");
        CheckFloat(this, op);
        if (numSamples <= 0) throw new ArgumentException($"{op}: num_samples must be positive, got {numSamples}");
        int rows = Rank == 1 ? 1 : Dims[0], c = Dims[^1];
        if (c == 0) throw new ArgumentException($"{op}: the weights of shape {Shape} have no categories");
        double[] w = To(DType.Float64).ContiguousData().ToArrayRaw<double>();
        Generator g = Generator.Use(generator);
        var y = Empty(DType.Int64, Rank == 1 ? [numSamples] : [rows, numSamples]);
        Span<long> result = y.Span<long>();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> row = w.AsSpan(r * c, c);
            int nonZero = CheckWeights(row, r, op);
            if (!replacement && numSamples > nonZero)
                throw new ArgumentException(
                    $"{op}: cannot draw {numSamples} samples without replacement from {(Rank == 1 ? "the weights" : $"row {r}")}, " +
                    $"which has only {nonZero} categories of non-zero weight (of {c}); draw at most {nonZero} or pass replacement: true");
            Span<long> into = result.Slice(r * numSamples, numSamples);
            if (replacement) DrawWithReplacement(row, into, g);
            else DrawWithoutReplacement(row, into, g);
        }
        return y;
    }

    /// <summary>Checks one row of weights and returns how many are non-zero.</summary>
    private int CheckWeights(ReadOnlySpan<double> row, int r, string op)
    {
        int nonZero = 0;
        double sum = 0;
        foreach (double v in row)
        {
            if (!(v >= 0) || double.IsPositiveInfinity(v))
                throw new ArgumentException($"{op}: weights must be finite and non-negative, got {v} in {(Rank == 1 ? "the weights" : $"row {r}")} of shape {Shape}");
            sum += v;
            if (v > 0) nonZero++;
        }
        if (!(sum > 0)) throw new ArgumentException($"{op}: the weights of {(Rank == 1 ? "the tensor" : $"row {r}")} (shape {Shape}) sum to 0; at least one must be positive");
        if (double.IsInfinity(sum)) throw new ArgumentException($"{op}: the weights of {(Rank == 1 ? "the tensor" : $"row {r}")} (shape {Shape}) overflow when summed");
        return nonZero;
    }

    /// <summary>Independent draws: a uniform point in [0, total) located in the cumulative weights by binary search.</summary>
    private static void DrawWithReplacement(ReadOnlySpan<double> weights, Span<long> into, Generator g)
    {
        var cumulative = new double[weights.Length];
        double total = 0;
        for (int i = 0; i < weights.Length; i++) cumulative[i] = total += weights[i];
        for (int k = 0; k < into.Length; k++)
        {
            double u = g.NextDouble() * total;
            int lo = 0, hi = weights.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) hi = mid;
                else lo = mid + 1;
            }
            // NOTE: cumulative[lo] > u >= cumulative[lo - 1] implies weights[lo] > 0. Only when rounding makes
            // u == total does the search stop at the last category without that bound; step back to one with weight.
            while (weights[lo] == 0) lo--;
            into[k] = lo;
        }
    }

    /// <summary>
    /// Draws without replacement by exponential keys (Efraimidis-Spirakis): category i gets key <c>E_i / w_i</c> with
    /// <c>E_i ~ Exp(1)</c>; the categories with the smallest keys, in increasing order, have exactly the distribution of
    /// drawing one at a time from the remaining weights.
    /// </summary>
    private static void DrawWithoutReplacement(ReadOnlySpan<double> weights, Span<long> into, Generator g)
    {
        var keys = new double[weights.Length];
        var index = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double e = -Math.Log(1.0 - g.NextDouble());
            keys[i] = weights[i] > 0 ? e / weights[i] : double.PositiveInfinity;
            index[i] = i;
        }
        Array.Sort(keys, index);
        for (int k = 0; k < into.Length; k++) into[k] = index[k];
    }

    /// <summary>
    /// A tensor of this tensor's shape and dtype holding 1 with probability given by each element and 0 otherwise, as
    /// <c>torch.bernoulli(input)</c>.
    /// </summary>
    /// <remarks>Every element must be a probability in [0, 1]. Not differentiable (Note [Sampling ops]).</remarks>
    public Tensor Bernoulli(Generator? generator = null)
    {
        const string op = "bernoulli";
        CheckFloat(this, op);
        double[] p = To(DType.Float64).ContiguousData().ToArrayRaw<double>();
        foreach (double v in p)
            if (!(v >= 0 && v <= 1)) throw new ArgumentException($"{op}: every probability must be in [0, 1], got {v} in a tensor of shape {Shape}");
        return BernoulliDraws(p.Length, i => p[i], generator);
    }

    /// <summary>A tensor of this tensor's shape and dtype holding 1 with probability <paramref name="p"/> and 0 otherwise, as <c>torch.bernoulli(input, p)</c>.</summary>
    /// <remarks>Not differentiable (Note [Sampling ops]).</remarks>
    public Tensor Bernoulli(double p, Generator? generator = null)
    {
        const string op = "bernoulli";
        CheckFloat(this, op);
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{op}: p must be in [0, 1], got {p}");
        return BernoulliDraws((int)Numel, _ => p, generator);
    }

    private Tensor BernoulliDraws(int n, Func<int, double> probability, Generator? generator)
    {
        Generator g = Generator.Use(generator);
        var y = Empty(DType, (int[])Dims.Clone());
        for (int i = 0; i < n; i++) y.SetRaw(i, g.NextDouble() < probability(i) ? 1 : 0);
        return y;
    }

    /// <summary>A random permutation of <c>0 .. n-1</c> (int64), as <c>torch.randperm</c>.</summary>
    /// <remarks>Fisher-Yates over <paramref name="generator"/>'s stream (Note [Sampling ops]).</remarks>
    public static Tensor RandPerm(int n, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"randperm: n must be non-negative, got {n}");
        var y = Arange(n, DType.Int64);
        Generator.Use(generator).Shuffle(y.Span<long>());
        return y;
    }

    /// <summary>Normal samples with element-wise means and standard deviations, as <c>torch.normal(mean, std)</c>.</summary>
    /// <remarks>
    /// <paramref name="mean"/> and <paramref name="std"/> broadcast against each other and share a floating-point dtype,
    /// the result's; every std must be non-negative. Not differentiable (Note [Sampling ops]).
    /// </remarks>
    public static Tensor Normal(Tensor mean, Tensor std, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        CheckFloat(mean, "normal");
        CheckFloat(std, "normal");
        if (mean.DType != std.DType)
            throw new ArgumentException($"normal: mean has dtype {mean.DType.Name()} but std has dtype {std.DType.Name()}; they must match");
        int[] dims = BroadcastShapes(mean.Dims, std.Dims, "normal");
        return NormalDraws(mean.Detach().ExpandTo(dims), std.Detach().ExpandTo(dims), generator);
    }

    /// <summary>Normal samples with element-wise means and one standard deviation, as <c>torch.normal(mean, std=1.0)</c>.</summary>
    public static Tensor Normal(Tensor mean, double std = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        CheckFloat(mean, "normal");
        return Normal(mean, Scalar(std, mean.DType), generator);
    }

    /// <summary>Normal samples with one mean and element-wise standard deviations, as <c>torch.normal(mean, std)</c>.</summary>
    public static Tensor Normal(double mean, Tensor std, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(std);
        CheckFloat(std, "normal");
        return Normal(Scalar(mean, std.DType), std, generator);
    }

    /// <summary>Normal samples of shape <paramref name="size"/>, as <c>torch.normal(mean, std, size)</c>.</summary>
    public static Tensor Normal(double mean, double std, int[] size, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(size);
        var shape = CheckShape(size, "normal");
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"normal: dtype must be float32 or float64, got {dtype.Name()}");
        return NormalDraws(Scalar(mean, dtype).ExpandTo(shape), Scalar(std, dtype).ExpandTo(shape), generator);
    }

    private static Tensor NormalDraws(Tensor mean, Tensor std, Generator? generator)
    {
        double[] m = mean.To(DType.Float64).ContiguousData().ToArrayRaw<double>();
        double[] s = std.To(DType.Float64).ContiguousData().ToArrayRaw<double>();
        foreach (double v in s)
            if (!(v >= 0)) throw new ArgumentException($"normal: every std must be non-negative, got {v}");
        Generator g = Generator.Use(generator);
        var y = Empty(mean.DType, (int[])mean.Dims.Clone());
        for (int i = 0; i < m.Length; i++) y.SetRaw(i, m[i] + s[i] * g.NextNormal());
        return y;
    }
}
