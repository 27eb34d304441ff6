namespace Nabla.Tests.Ops;

/// <summary>Rows of the batched and outer products (src/Nabla/Ops/Products.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ProductOps =>
    [
        new("bmm", c => c.Input().Bmm(c.Input("mat2")),
            new OpSample("bmm", () => [N(2, 3, 4), N(2, 4, 5)], x => x[0].Bmm(x[1])),
            new OpSample("bmm_transposed_view", () => [N(3, 2, 4), N(3, 5, 4)], x => x[0].Bmm(x[1].MT))),
        new("outer", c => c.Input().Outer(c.Input("vec2")), () => [N(3), N(4)], x => x[0].Outer(x[1])) { Int64 = DTypeRule.Computes },
    ];
}
