namespace Nabla.Tests.Ops;

/// <summary>Rows of the reductions, softmax and log-softmax (src/Nabla/Ops/Reductions.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ReductionOps =>
    [
        new("sum", c => c.Input().Sum(c.Dims("dim"), c.Bool("keepdim")),
            new OpSample("sum_dim", () => [N(2, 3, 4)], x => x[0].Sum([0, 2], keepDim: true)))
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.PromotesToInt64,
        },
        new("mean", c => c.Input().Mean(c.Dims("dim"), c.Bool("keepdim")), () => [N(2, 3)], x => x[0].Mean(1))
        {
            Bool = DTypeRule.PromotesToFloat32, // the fraction of true elements (issue 15); PyTorch 1.13 refuses it
        },
        new("var", c => c.Input().Var(c.Dims("dim"), c.Bool("unbiased"), c.Bool("keepdim")), () => [N(3, 4)], x => x[0].Var(1)),
        new("std", c => c.Input().Std(c.Dims("dim"), c.Bool("unbiased"), c.Bool("keepdim")),
            () => [N(3, 4)], x => x[0].Std([0, 1], unbiased: false))
        {
            ErrorName = "var", // A defect: Std's dtype error names the Var it is computed from.
        },
        new("max", c => c.Input().Amax(c.Dims("dim"), c.Bool("keepdim")), () => [N(3, 4)], x => x[0].Amax(1)) { Int64 = DTypeRule.Computes, ErrorName = "amax", GradFn = "AmaxBackward" },
        new("min", null, () => [N(3, 4)], x => x[0].Min()) { Int64 = DTypeRule.Computes },
        new("logsumexp", c => c.Input().LogSumExp(c.Dims("dim")!, c.Bool("keepdim")), () => [N(3, 4)], x => x[0].LogSumExp(1)),
        new("softmax", c => c.Input().Softmax(c.Int("dim")), () => [N(3, 4)], x => x[0].Softmax(1)),
        new("log_softmax", c => c.Input().LogSoftmax(c.Int("dim")), () => [N(3, 4)], x => x[0].LogSoftmax(0)),
    ];
}
