using Nabla.Tests.Reference;

namespace Nabla.Tests.Ops;

/// <summary>
/// One row per op, in the spirit of PyTorch's OpInfo: the op's name in the PyTorch reference vectors and how a reference
/// case calls Nabla, float64 samples for the finite-difference gradient check, and what the op does with integer and
/// bool inputs. The gradient check, the dtype checks (<see cref="OpInfoTests"/>) and the PyTorch conformance
/// (<see cref="OpsConformanceTests"/>) are all derived from these rows, so adding an op adds one row to the family file
/// named after the src/Nabla/Ops file that defines it (tests/README.md).
/// </summary>
/// <param name="Name">The op's name as PyTorch spells it; error messages of the op name it (for example <c>cross_entropy</c>).</param>
/// <param name="Call">How a case of the reference files calls Nabla; null when no reference file has the op.</param>
/// <param name="Samples">Float64 inputs and a function of them, checked against finite differences and in float32.</param>
internal sealed partial record OpInfo(string Name, Func<ReferenceCase, Tensor>? Call, params OpSample[] Samples)
{
    /// <summary>
    /// The reference files whose ops must all have a row, under the reference directory (<see cref="ReferenceData"/>).
    /// </summary>
    public static readonly string[] ReferenceFiles = ["ops.jsonl", "seq/ops.jsonl"];

    /// <summary>Every row, family by family.</summary>
    public static readonly OpInfo[] All =
    [
        .. BinaryOps, .. UnaryOps, .. ReductionOps, .. MatMulOps, .. ViewOps, .. IndexingOps, .. ActivationOps,
        .. ConvOps, .. PoolOps, .. NormalizationOps, .. EmbeddingOps, .. LossOps,
        .. ElementwiseOps, .. ExtremeOps, .. SortingOps, .. ScanOps, .. NormOps, .. PieceOps, .. PaddingOps, .. RearrangeOps,
        .. MaskingOps, .. EinsumOps, .. ProductOps, .. AttentionOps, .. ProbabilisticLossOps, .. DistanceLossOps, .. LayerOps,
    ];

    /// <summary>A row with one sample, named after the row.</summary>
    public OpInfo(string name, Func<ReferenceCase, Tensor>? call, Func<Tensor[]> inputs, Func<Tensor[], Tensor> f, Func<Tensor, Tensor>? then = null)
        : this(name, call, new OpSample(name, inputs, f) { Then = then })
    {
    }

    /// <summary>The op names of the reference files this row answers for; by default its own name when it has a call.</summary>
    public string[] Reference { get; init; } = Call is null ? [] : [Name];

    /// <summary>What the op does when its floating-point inputs are int64 instead (a sample may say otherwise).</summary>
    public DTypeRule Int64 { get; init; } = DTypeRule.Throws;

    /// <summary>What the op does when its floating-point inputs are bool instead (a sample may say otherwise).</summary>
    public DTypeRule Bool { get; init; } = DTypeRule.Throws;

    /// <summary>The name the op's errors use; the row's name unless the op reports through an op it is built from.</summary>
    public string ErrorName { get; init; } = Name;

    /// <summary>
    /// The name of the node the op records (its GradFn): PyTorch 1.13's grad_fn without the version digit where PyTorch
    /// records a node of the op's own, and otherwise (ops PyTorch composes in Python or ATen: its functional losses,
    /// einsum, outer, 1-D pools) the op's name in PascalCase followed by Backward (<c>kl_div</c>: <c>KlDivBackward</c>);
    /// never the name of the last primitive a composite op is built from (Note [Composite ops]). A sample may say
    /// otherwise (a sample that reassembles pieces ends in its own op).
    /// </summary>
    public string GradFn { get; init; } = string.Concat(Name.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..])) + "Backward";

    /// <summary>What <paramref name="sample"/> of this row does when its floating-point inputs are <paramref name="dtype"/> (int64 or bool).</summary>
    public DTypeRule RuleFor(OpSample sample, DType dtype) =>
        dtype == DType.Int64 ? sample.Int64 ?? Int64 : dtype == DType.Bool ? sample.Bool ?? Bool : throw new ArgumentOutOfRangeException(nameof(dtype));

    /// <summary>The row that maps the reference op <paramref name="op"/>, or null when none does.</summary>
    public static OpInfo? ForReference(string op) => All.SingleOrDefault(r => r.Reference.Contains(op));

    /// <summary>Every sample of every row, with its row.</summary>
    public static IEnumerable<(OpInfo Row, OpSample Sample)> AllSamples() => All.SelectMany(r => r.Samples.Select(s => (r, s)));

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// Fresh inputs of <paramref name="sample"/>, drawn from a generator seeded by the sample's name, so that its values do
    /// not depend on which tests ran before.
    /// </summary>
    public static Tensor[] InputsOf(OpSample sample)
    {
        uint seed = 2166136261;
        foreach (char ch in sample.Name) seed = (seed ^ ch) * 16777619;
        t_rng = new Generator(seed);
        try
        {
            return sample.Inputs();
        }
        finally
        {
            t_rng = null;
        }
    }

    [ThreadStatic]
    private static Generator? t_rng;

    private static Generator Rng => t_rng ?? throw new InvalidOperationException("sample inputs are drawn through OpInfo.InputsOf");

    /// <summary>Standard normal float64 values requiring a gradient.</summary>
    private static Tensor N(params int[] shape) => Tensor.Randn(shape, DType.Float64, Rng, requiresGrad: true);

    /// <summary>Values in [0.5, 2.5): safe for log, sqrt, division and fractional powers.</summary>
    private static Tensor P(params int[] shape) => Leaf(Tensor.Rand(shape, DType.Float64, Rng) * 2.0 + 0.5);

    /// <summary>Normal values pushed at least 0.1 away from zero (kinks of relu, abs, sign).</summary>
    private static Tensor Nz(params int[] shape)
    {
        var n = Tensor.Randn(shape, DType.Float64, Rng);
        return Leaf(n.Sign() * (n.Abs() + 0.1));
    }

    /// <summary>Probabilities in [0.1, 0.9), requiring a gradient.</summary>
    private static Tensor U(params int[] shape) => Leaf(Tensor.Rand(shape, DType.Float64, Rng) * 0.8 + 0.1);

    /// <summary>A constant: the same values, detached, needing no gradient.</summary>
    private static Tensor C(Tensor t) => t.Detach();

    private static Tensor Labels(params long[] v) => Tensor.From(v);

    private static Tensor Exp(Tensor y) => y.Exp();

    /// <summary>The rows with int64 and bool inputs computed like floats: ops that move elements without arithmetic on them.</summary>
    private static OpInfo[] MovesElements(OpInfo[] rows) => [.. rows.Select(r => r with { Int64 = DTypeRule.Computes, Bool = DTypeRule.Computes })];

    private static Tensor Leaf(Tensor values)
    {
        Tensor t = values.Detach();
        t.RequiresGrad = true;
        return t;
    }
}

/// <summary>Float64 inputs of an op and a function of them; the name identifies the sample in test results.</summary>
/// <param name="Name">Unique over all rows (the row's name when it has one sample).</param>
/// <param name="Inputs">Fresh inputs (draw them through <see cref="OpInfo.InputsOf"/>); those requiring a gradient are checked.</param>
/// <param name="F">The op applied to the inputs; constants it creates take the dtype of its inputs.</param>
internal sealed record OpSample(string Name, Func<Tensor[]> Inputs, Func<Tensor[], Tensor> F)
{
    /// <summary>
    /// A function the gradient check applies after <see cref="F"/> (such as <c>Exp</c> after a view), so that the op's
    /// backward receives a gradient that is not all ones; the dtype checks call <see cref="F"/> alone.
    /// </summary>
    public Func<Tensor, Tensor>? Then { get; init; }

    /// <summary>The GradFn name of this sample's result, when it differs from its row's (matmul's vector forms).</summary>
    public string? GradFn { get; init; }

    /// <summary>What this sample does with int64 inputs, when it differs from its row (pow: the exponent's kind decides).</summary>
    public DTypeRule? Int64 { get; init; }

    /// <summary>What this sample does with bool inputs, when it differs from its row.</summary>
    public DTypeRule? Bool { get; init; }

    /// <summary>The function the gradient check differentiates: <see cref="F"/>, then <see cref="Then"/> when set.</summary>
    public Tensor Checked(Tensor[] inputs) => Then is null ? F(inputs) : Then(F(inputs));

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>What an op does when its floating-point inputs have a dtype it does not compute in (docs/gradients.md, "Data types").</summary>
internal enum DTypeRule
{
    /// <summary>Throws an ArgumentException whose message names the op and the dtype.</summary>
    Throws,

    /// <summary>Computes in that dtype: the result has it and holds the exact values.</summary>
    Computes,

    /// <summary>Promotes to float32 (Note [Type promotion]): the result is float32.</summary>
    PromotesToFloat32,

    /// <summary>Promotes to int64 (a count of bools, a bool to an integer power): the result is int64 and exact.</summary>
    PromotesToInt64,
}
