namespace Nabla.Tests.Ops;

/// <summary>Rows of the elementwise binary ops (src/Nabla/Ops/Binary.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] BinaryOps =>
    [
        new("add", c => c.Has("other") ? c.Input().Add(c.Double("other")) : c.Input().Add(c.Input("other")),
            () => [N(3, 4), N(4)], x => x[0] + x[1]) { Int64 = DTypeRule.Computes },
        new("sub", c => c.Has("other") ? c.Input().Sub(c.Double("other")) : c.Input().Sub(c.Input("other")),
            () => [N(2, 3), N(2, 1)], x => x[0] - x[1]) { Int64 = DTypeRule.Computes },
        new("mul", c => c.Has("other") ? c.Input().Mul(c.Double("other")) : c.Input().Mul(c.Input("other")),
            () => [N(3, 1, 2), N(4, 2)], x => x[0] * x[1]) { Int64 = DTypeRule.Computes },
        new("div", c => c.Has("other") ? c.Input().Div(c.Double("other")) : c.Input().Div(c.Input("other")),
            () => [N(3, 4), P(3, 4)], x => x[0] / x[1]) { Int64 = DTypeRule.PromotesToFloat32, Bool = DTypeRule.PromotesToFloat32 },
        new("pow", c => c.Has("exponent") ? c.Input().Pow(c.Double("exponent")) : c.Input().Pow(c.Input("exponent")),
            // int64 to an int64 exponent refuses the negative exponents this sample holds (docs/gradients.md).
            new OpSample("pow_tensor", () => [P(2, 3), N(2, 3)], x => x[0].Pow(x[1])),
            new OpSample("pow_scalar", () => [N(5)], x => x[0].Pow(3)) { Int64 = DTypeRule.Computes, Bool = DTypeRule.PromotesToInt64 },
            new OpSample("pow_fractional", () => [P(5)], x => x[0].Pow(1.7)) { Int64 = DTypeRule.PromotesToFloat32, Bool = DTypeRule.PromotesToFloat32 }),
        new("maximum", c => c.Input().Maximum(c.Input("other")), () => [N(6), N(6)], x => x[0].Maximum(x[1])) { Int64 = DTypeRule.Computes },
        new("minimum", c => c.Input().Minimum(c.Input("other")), () => [N(6), N(6)], x => x[0].Minimum(x[1])) { Int64 = DTypeRule.Computes },
        new("where", c => Tensor.Where(c.Input("condition"), c.Input(), c.Input("other")),
            () => [N(4), N(4)], x => Tensor.Where(Tensor.From([true, false, true, false]), x[0], x[1]))
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.Computes,
        },
    ];
}
