namespace Nabla.Tests.Ops;

/// <summary>Rows of cumsum, cumprod and prod (src/Nabla/Ops/Scans.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ScanOps =>
    [
        new("cumsum", c => c.Input().CumSum(c.Int("dim")),
            new OpSample("cumsum", () => [N(3, 4)], x => x[0].CumSum(1)) { Then = Exp },
            new OpSample("cumsum_dim0", () => [N(3, 4, 2)], x => x[0].CumSum(0)) { Then = Exp })
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.PromotesToInt64,
        },
        new("cumprod", c => c.Input().CumProd(c.Int("dim")),
            new OpSample("cumprod", () => [Nz(3, 4)], x => x[0].CumProd(1)) { Then = Exp },
            new OpSample("cumprod_dim0", () => [Nz(3, 2, 3)], x => x[0].CumProd(0)) { Then = Exp },
            // Zeros: none, one, two (the second ends the first zero's run), a leading one, and a row of zeros.
            new OpSample("cumprod_zeros", () => [WithZeros([5, 5], [
                1.5, -0.5, 2, 0.7, 1.2,
                2, 0, 3, -1.5, 0.5,
                2, 0, 3, 0, 5,
                0, 1.5, -2, 1.1, 0.9,
                0, 0, 0, 0, 0])], x => x[0].CumProd(1)) { Then = Exp },
            new OpSample("cumprod_zeros_dim0", () => [WithZeros([3, 2], [1.5, 0, 0, 2, -3, 0.5])], x => x[0].CumProd(0)) { Then = Exp })
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.PromotesToInt64,
        },
        new("prod", c => c.Input().Prod(c.Dims("dim"), c.Bool("keepdim")),
            new OpSample("prod", () => [Nz(3, 4)], x => x[0].Prod(1)) { Then = Exp },
            new OpSample("prod_all", () => [Nz(2, 3)], x => x[0].Prod()) { Then = Exp },
            new OpSample("prod_dim0_keepdim", () => [Nz(3, 2, 2)], x => x[0].Prod(0, keepDim: true)) { Then = Exp },
            new OpSample("prod_zeros", () => [WithZeros([4, 3], [0, 2, 3, 0, 0, 1.5, 1, -2, 3, 0.5, 0, 0])], x => x[0].Prod(1)) { Then = Exp })
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.PromotesToInt64,
        },
    ];

    /// <summary>Fixed float64 values (some exactly 0) requiring a gradient.</summary>
    private static Tensor WithZeros(int[] shape, double[] values) => Leaf(Tensor.From(values, shape, dtype: DType.Float64));
}
