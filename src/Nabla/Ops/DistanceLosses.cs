namespace Nabla;

// Note [Clamps invisible to autograd]
// PyTorch clamps some denominators in place under no_grad (cosine_similarity's squared norms at eps², gaussian_nll_loss's
// var at eps), so the clamp changes the value but not the gradient: d(clamped)/d(x) is 1 even where the clamp is active,
// and the rest of the formula is differentiated at the clamped value. ClampMinInvisible reproduces that: the clamp runs
// unrecorded and the result is attached to its input by an identity node (CloneBackward, the node PyTorch's
// var.clone() leaves). The reference vectors tagged eps_active pin this convention.

public static partial class Functional
{
    /// <summary>Cosine similarity along <paramref name="dim"/>, as <c>F.cosine_similarity</c> (PyTorch 1.13's formulation).</summary>
    /// <remarks>
    /// <paramref name="x1"/> and <paramref name="x2"/> broadcast to one shape (norms are taken after broadcasting) and the
    /// result is that shape without <paramref name="dim"/>:
    /// <c>n1 = sqrt(max(Σ x1², eps²))</c>, <c>n2 = sqrt(max(Σ x2², eps²))</c>, <c>out = Σ (x1/n1)·(x2/n2)</c>. The clamps are
    /// invisible to autograd (Note [Clamps invisible to autograd]).
    /// </remarks>
    public static Tensor CosineSimilarity(Tensor x1, Tensor x2, int dim = 1, double eps = 1e-8)
    {
        const string op = "cosine_similarity";
        var (a, b) = BroadcastPair(op, "x1", x1, "x2", x2);
        int d = Tensor.NormalizeDim(dim, a.Rank, op);
        return Ops.Composite.Run("CosineSimilarityBackward", x1, x2, (x1, x2) =>
        {
            var (a, b) = BroadcastPair(op, "x1", x1, "x2", x2!);
            Tensor n1 = ClampMinInvisible((a * a).Sum(d, keepDim: true), eps * eps).Sqrt();
            Tensor n2 = ClampMinInvisible((b * b).Sum(d, keepDim: true), eps * eps).Sqrt();
            return (a / n1 * (b / n2)).Sum(d);
        });
    }

    /// <summary>The p-norm distance between the rows of <paramref name="x1"/> and <paramref name="x2"/> over their last dim, as <c>F.pairwise_distance</c>.</summary>
    /// <remarks>
    /// <c>out = (Σ_k |x1_k - x2_k + eps|^p)^(1/p)</c> over the last dim of the broadcast shape (note <c>+ eps</c> inside, as in
    /// PyTorch); <paramref name="p"/> is positive and finite.
    /// At a distance of exactly 0 the gradient is 0 (PyTorch's subgradient).
    /// </remarks>
    public static Tensor PairwiseDistance(Tensor x1, Tensor x2, double p = 2, double eps = 1e-6, bool keepDim = false)
    {
        const string op = "pairwise_distance";
        BroadcastPair(op, "x1", x1, "x2", x2);
        CheckNormOrder(op, p);
        return Ops.Composite.Run("PairwiseDistanceBackward", x1, x2, (x1, x2) =>
        {
            var (a, b) = BroadcastPair(op, "x1", x1, "x2", x2!);
            return Distance(a, b, p, eps, keepDim);
        });
    }

    /// <summary>The cosine embedding loss, as <c>F.cosine_embedding_loss</c>: pulls pairs with target 1 together, pushes pairs with target -1 apart.</summary>
    /// <remarks>
    /// <paramref name="input1"/> and <paramref name="input2"/> are <c>[N, D]</c> with <paramref name="target"/> <c>[N]</c>, or
    /// <c>[D]</c> with a 0-d target; every target is 1 or -1 (any dtype). Over the last dim,
    /// <c>cos = Σ x1·x2 / sqrt((Σ x1² + 1e-12)·(Σ x2² + 1e-12))</c>; the loss is <c>1 - cos</c> where the target is 1 and
    /// <c>max(0, cos - margin)</c> where it is -1.
    /// </remarks>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean)
    {
        if (Autocast.IsEnabled) (input1, input2, target) = (Autocast.Float32Optional(input1)!, Autocast.Float32Optional(input2)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
        const string op = "cosine_embedding_loss";
        CheckSameShapes(op, ("input1", input1), ("input2", input2));
        ArgumentNullException.ThrowIfNull(target);
        if (input1.Rank is not (1 or 2) || target.Rank != input1.Rank - 1 || (target.Rank == 1 && target.Dims[0] != input1.Dims[0]))
            throw new ArgumentException(
                $"{op}: expected inputs [N, D] with target [N], or inputs [D] with a 0-d target; got inputs {input1.Shape} and target {target.Shape}");
        if (Array.Exists(target.ToDoubleArray(), t => t is not (1 or -1)))
            throw new ArgumentException($"{op}: every target must be 1 (similar) or -1 (dissimilar); got other values in target of shape {target.Shape}");
        return Ops.Composite.Run("CosineEmbeddingLossBackward", input1, input2, (input1, input2) =>
        {
            const double epsilon = 1e-12;
            Tensor dot = (input1 * input2!).Sum(-1);
            Tensor sq1 = (input1 * input1).Sum(-1) + epsilon, sq2 = (input2! * input2!).Sum(-1) + epsilon;
            Tensor cos = dot / (sq1 * sq2).Sqrt();
            Tensor loss = Tensor.Where(target.Eq(1.0), 1.0 - cos, (cos - margin).Clamp(min: 0));
            return Reduce(loss, reduction, op);
        });
    }

    /// <summary>The margin ranking loss, as <c>F.margin_ranking_loss</c>: <c>max(0, -target·(input1 - input2) + margin)</c>.</summary>
    /// <remarks>
    /// All three have one shape; a target of 1 asks for <c>input1</c> to rank higher than <c>input2</c> by
    /// <paramref name="margin"/>, -1 for the opposite.
    /// </remarks>
    public static Tensor MarginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean)
    {
        if (Autocast.IsEnabled) (input1, input2, target) = (Autocast.Float32Optional(input1)!, Autocast.Float32Optional(input2)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
        const string op = "margin_ranking_loss";
        CheckSameShapes(op, ("input1", input1), ("input2", input2), ("target", target));
        return Ops.Composite.Run("MarginRankingLossBackward", [input1, input2, target],
            a => Reduce((-a[2]! * (a[0]! - a[1]!) + margin).Clamp(min: 0), reduction, op));
    }

    /// <summary>The triplet margin loss, as <c>F.triplet_margin_loss</c>: an anchor should be closer to the positive than to the negative by a margin.</summary>
    /// <remarks>
    /// <paramref name="anchor"/>, <paramref name="positive"/> and <paramref name="negative"/> have one shape, <c>[N, D]</c> or
    /// <c>[D]</c>. With <c>d</c> = <see cref="PairwiseDistance"/> (<paramref name="p"/>, <paramref name="eps"/> inside):
    /// <c>loss = max(d(a, p) - d_neg + margin, 0)</c> per row, where <c>d_neg = d(a, n)</c>, or with <paramref name="swap"/>
    /// <c>min(d(a, n), d(p, n))</c>.
    /// </remarks>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0, double p = 2,
        double eps = 1e-6, bool swap = false, Reduction reduction = Reduction.Mean)
    {
        if (Autocast.IsEnabled) (anchor, positive, negative) = (Autocast.Float32Optional(anchor)!, Autocast.Float32Optional(positive)!, Autocast.Float32Optional(negative)!); // Note [Autocast policy]
        const string op = "triplet_margin_loss";
        CheckSameShapes(op, ("anchor", anchor), ("positive", positive), ("negative", negative));
        if (anchor.Rank is not (1 or 2))
            throw new ArgumentException($"{op}: expected inputs [N, D] or [D], got shape {anchor.Shape}");
        CheckNormOrder(op, p);
        return Ops.Composite.Run("TripletMarginLossBackward", [anchor, positive, negative], t =>
        {
            Tensor dPos = Distance(t[0]!, t[1]!, p, eps, false);
            Tensor dNeg = Distance(t[0]!, t[2]!, p, eps, false);
            if (swap) dNeg = dNeg.Minimum(Distance(t[1]!, t[2]!, p, eps, false));
            return Reduce((dPos - dNeg + margin).Clamp(min: 0), reduction, op);
        });
    }

    /// <summary>‖a - b + eps‖_p over the last dim; the gradient is 0 where the distance is 0 (no 0/0).</summary>
    private static Tensor Distance(Tensor a, Tensor b, double p, double eps, bool keepDim)
    {
        Tensor diff = a - b + eps;
        if (p == 1) return diff.Abs().Sum(-1, keepDim);
        Tensor sum = p == 2 ? (diff * diff).Sum(-1, keepDim) : diff.Abs().Pow(p).Sum(-1, keepDim);
        Tensor zero = sum.Eq(0.0);
        Tensor safe = Tensor.Where(zero, Tensor.Scalar(1.0, sum.DType), sum);
        Tensor root = p == 2 ? safe.Sqrt() : safe.Pow(1 / p);
        return Tensor.Where(zero, Tensor.Scalar(0.0, sum.DType), root);
    }

    private static void CheckNormOrder(string op, double p)
    {
        if (!(p > 0 && double.IsFinite(p))) throw new ArgumentException($"{op}: p must be positive and finite, got {p}");
    }

    /// <summary><paramref name="t"/> clamped below at <paramref name="min"/>, with the clamp invisible to autograd (Note [Clamps invisible to autograd]).</summary>
    private static Tensor ClampMinInvisible(Tensor t, double min)
    {
        Tensor y;
        using (Autograd.NoGrad()) y = t.Clamp(min: min);
        if (Autograd.ShouldRecord(t)) y.SetGradFn(new Ops.CloneBackward(t));
        return y;
    }

    /// <summary>Both operands expanded to their broadcast shape, after checking dtypes.</summary>
    private static (Tensor, Tensor) BroadcastPair(string op, string name1, Tensor x1, string name2, Tensor x2)
    {
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        Tensor.CheckFloat(x1, op);
        if (x2.DType != x1.DType)
            throw new ArgumentException($"{op}: {name2} has dtype {x2.DType.Name()} but {name1} has dtype {x1.DType.Name()}; they must match");
        int[] dims = Tensor.BroadcastShapes(x1.Dims, x2.Dims, op);
        if (dims.Length == 0) throw new ArgumentException($"{op}: expected tensors with at least one dim, got 0-d {name1} and {name2}");
        return (x1.Dims.AsSpan().SequenceEqual(dims) ? x1 : x1.Expand(dims), x2.Dims.AsSpan().SequenceEqual(dims) ? x2 : x2.Expand(dims));
    }

    /// <summary>Checks that the named tensors are floating point with one dtype and one shape.</summary>
    private static void CheckSameShapes(string op, params (string Name, Tensor T)[] tensors)
    {
        var (name0, first) = tensors[0];
        foreach (var (name, t) in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, name);
            Tensor.CheckFloat(t, op);
            if (t.DType != first.DType)
                throw new ArgumentException($"{op}: {name} has dtype {t.DType.Name()} but {name0} has dtype {first.DType.Name()}; they must match");
            if (!t.Shape.Equals(first.Shape))
                throw new ArgumentException($"{op}: {name} has shape {t.Shape} but {name0} has shape {first.Shape}; they must be equal");
        }
    }
}
