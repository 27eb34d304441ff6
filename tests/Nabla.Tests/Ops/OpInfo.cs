using Nabla.Diagnostics;

namespace Nabla.Tests.Ops;

/// <summary>
/// A float64 finite-difference gradient check for every differentiable op: one row per op, in the spirit
/// of PyTorch's OpInfo. Adding an op adds one row here.
/// </summary>
public partial class GradCheckCatalogTests
{
    private static readonly Generator Rng = new(2024);

    private static Tensor N(params int[] shape) => Tensor.Randn(shape, DType.Float64, Rng, requiresGrad: true);

    /// <summary>Values in [0.5, 2.5): safe for log, sqrt, division and fractional powers.</summary>
    private static Tensor P(params int[] shape)
    {
        var t = (Tensor.Rand(shape, DType.Float64, Rng) * 2.0 + 0.5).Detach();
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Normal values pushed at least 0.1 away from zero (kinks of relu, abs, sign).</summary>
    private static Tensor Nz(params int[] shape)
    {
        var n = Tensor.Randn(shape, DType.Float64, Rng);
        var t = (n.Sign() * (n.Abs() + 0.1)).Detach();
        t.RequiresGrad = true;
        return t;
    }

    private static Tensor C(Tensor t) => t.Detach();

    public sealed record Row(string Name, Func<Tensor[]> Inputs, Func<Tensor[], Tensor> F)
    {
        public override string ToString() => Name;
    }

    private static readonly List<Row> Rows =
    [
        new("add", () => [N(3, 4), N(4)], x => x[0] + x[1]),
        new("sub", () => [N(2, 3), N(2, 1)], x => x[0] - x[1]),
        new("mul", () => [N(3, 1, 2), N(4, 2)], x => x[0] * x[1]),
        new("div", () => [N(3, 4), P(3, 4)], x => x[0] / x[1]),
        new("pow_tensor", () => [P(2, 3), N(2, 3)], x => x[0].Pow(x[1])),
        new("pow_scalar", () => [N(5)], x => x[0].Pow(3)),
        new("pow_fractional", () => [P(5)], x => x[0].Pow(1.7)),
        new("maximum", () => [N(6), N(6)], x => x[0].Maximum(x[1])),
        new("minimum", () => [N(6), N(6)], x => x[0].Minimum(x[1])),
        new("where", () => [N(4), N(4)], x => Tensor.Where(Tensor.From([true, false, true, false]), x[0], x[1])),
        new("neg", () => [N(4)], x => -x[0]),
        new("exp", () => [N(4)], x => x[0].Exp()),
        new("log", () => [P(4)], x => x[0].Log()),
        new("log1p", () => [P(4)], x => x[0].Log1p()),
        new("sqrt", () => [P(4)], x => x[0].Sqrt()),
        new("abs", () => [Nz(4)], x => x[0].Abs()),
        new("tanh", () => [N(4)], x => x[0].Tanh()),
        new("sigmoid", () => [N(4)], x => x[0].Sigmoid()),
        new("relu", () => [Nz(6)], x => x[0].Relu()),
        new("sin", () => [N(4)], x => x[0].Sin()),
        new("cos", () => [N(4)], x => x[0].Cos()),
        new("erf", () => [N(4)], x => x[0].Erf()),
        new("clamp", () => [Nz(8)], x => x[0].Clamp(-0.05, 0.05) + x[0].Clamp(min: -0.5) + x[0].Clamp(max: 0.3)),
        new("sum_dim", () => [N(2, 3, 4)], x => x[0].Sum([0, 2], keepDim: true)),
        new("mean", () => [N(2, 3)], x => x[0].Mean(1)),
        new("var", () => [N(3, 4)], x => x[0].Var(1)),
        new("std", () => [N(3, 4)], x => x[0].Std([0, 1], unbiased: false)),
        new("max", () => [N(3, 4)], x => x[0].Max(1)),
        new("min", () => [N(3, 4)], x => x[0].Min()),
        new("logsumexp", () => [N(3, 4)], x => x[0].LogSumExp(1)),
        new("softmax", () => [N(3, 4)], x => x[0].Softmax(1)),
        new("log_softmax", () => [N(3, 4)], x => x[0].LogSoftmax(0)),
        new("matmul_2d", () => [N(3, 4), N(4, 2)], x => x[0].MatMul(x[1])),
        new("matmul_batched_broadcast", () => [N(2, 1, 3, 4), N(3, 4, 2)], x => x[0].MatMul(x[1])),
        new("matmul_vector", () => [N(3, 4), N(4)], x => x[0].MatMul(x[1])),
        new("matmul_dot", () => [N(4), N(4)], x => x[0].MatMul(x[1])),
        new("reshape", () => [N(2, 6)], x => x[0].Transpose(0, 1).Reshape(3, 4) * Tensor.Arange(0, 12, 1, DType.Float64).Reshape(3, 4)),
        new("transpose", () => [N(2, 3)], x => x[0].Transpose(0, 1) * Tensor.Arange(0, 6, 1, DType.Float64).Reshape(3, 2)),
        new("permute", () => [N(2, 3, 4)], x => x[0].Permute(2, 0, 1).Exp()),
        new("narrow", () => [N(5, 3)], x => x[0].Narrow(0, 1, 3).Exp()),
        new("slice_step", () => [N(7, 2)], x => x[0].Slice(0, 1, 7, 2).Exp()),
        new("squeeze_unsqueeze", () => [N(3, 1, 2)], x => x[0].Squeeze(1).Unsqueeze(0).Exp()),
        new("expand", () => [N(3, 1)], x => x[0].Expand(2, 3, 4).Exp()),
        new("flatten", () => [N(2, 3, 2)], x => x[0].Flatten(1).Exp()),
        new("select", () => [N(3, 4)], x => x[0][1].Exp()),
        new("clone_contiguous", () => [N(3, 4)], x => x[0].Transpose(0, 1).Contiguous().Exp()),
    ];

    public static TheoryData<string> RowNames()
    {
        var data = new TheoryData<string>();
        foreach (Row r in AllRows()) data.Add(r.Name);
        return data;
    }

    private static IEnumerable<Row> AllRows() => Rows.Concat(ExtraRows());

    [Theory]
    [MemberData(nameof(RowNames))]
    public void Op_AnalyticalGradient_MatchesFiniteDifference(string name)
    {
        Row row = AllRows().Single(r => r.Name == name);
        Tensor[] inputs = row.Inputs();
        GradCheckReport report = GradCheck.Check(x => row.F([.. x]), inputs, tolerance: 1e-6);
        Assert.True(report.Passed, $"{name}:\n{report}");
    }
}
