namespace Nabla.Tests.Ops;

/// <summary>Rows of the elementwise unary ops (src/Nabla/Ops/Unary.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] UnaryOps =>
    [
        new("neg", c => c.Input().Neg(), () => [N(4)], x => -x[0]) { Int64 = DTypeRule.Computes },
        new("exp", c => c.Input().Exp(), () => [N(4)], x => x[0].Exp()),
        new("log", c => c.Input().Log(), () => [P(4)], x => x[0].Log()),
        new("log1p", null, () => [P(4)], x => x[0].Log1p()),
        new("sqrt", c => c.Input().Sqrt(), () => [P(4)], x => x[0].Sqrt()),
        new("abs", c => c.Input().Abs(), () => [Nz(4)], x => x[0].Abs()),
        new("tanh", c => c.Input().Tanh(), () => [N(4)], x => x[0].Tanh()),
        new("sigmoid", c => c.Input().Sigmoid(), () => [N(4)], x => x[0].Sigmoid()),
        new("relu", c => c.Input().Relu(), () => [Nz(6)], x => x[0].Relu()),
        new("sin", null, () => [N(4)], x => x[0].Sin()),
        new("cos", null, () => [N(4)], x => x[0].Cos()),
        new("erf", null, () => [N(4)], x => x[0].Erf()),
        new("clamp", c => c.Input().Clamp(c.OptDouble("min"), c.OptDouble("max")),
            new OpSample("clamp_both", () => [Nz(8)], x => x[0].Clamp(-0.05, 0.05)),
            new OpSample("clamp_min", () => [Nz(8)], x => x[0].Clamp(min: -0.5)),
            new OpSample("clamp_max", () => [Nz(8)], x => x[0].Clamp(max: 0.3))),
    ];
}
