namespace Nabla.Tests.Ops;

/// <summary>
/// Rows of the elementwise math ops and activations of issue 15 (src/Nabla/Ops/UnaryMath.cs, Rounding.cs, Lerp.cs,
/// MoreActivations.cs). Dtype rules as PyTorch's: the transcendental functions compute integers in float32, square keeps
/// int64 (a bool becomes int64), rounding copies int64 and refuses bool, relu6 and hardtanh clamp int64, and the other
/// activations refuse integers.
/// </summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ElementwiseOps =>
    [
        FloatMath(new("rsqrt", c => c.Input().Rsqrt(), () => [P(4)], x => x[0].Rsqrt())),
        FloatMath(new("reciprocal", c => c.Input().Reciprocal(), () => [Nz(4)], x => x[0].Reciprocal())),
        FloatMath(new("tan", c => c.Input().Tan(), () => [R(-1.2, 1.2, 5)], x => x[0].Tan())),
        FloatMath(new("atan", c => c.Input().Atan(), () => [N(5)], x => x[0].Atan())),
        FloatMath(new("asin", c => c.Input().Asin(), () => [R(-0.9, 0.9, 5)], x => x[0].Asin())),
        FloatMath(new("acos", c => c.Input().Acos(), () => [R(-0.9, 0.9, 5)], x => x[0].Acos())),
        FloatMath(new("sinh", c => c.Input().Sinh(), () => [N(5)], x => x[0].Sinh())),
        FloatMath(new("cosh", c => c.Input().Cosh(), () => [N(5)], x => x[0].Cosh())),
        FloatMath(new("log2", c => c.Input().Log2(), () => [P(5)], x => x[0].Log2())),
        FloatMath(new("log10", c => c.Input().Log10(), () => [P(5)], x => x[0].Log10())),
        FloatMath(new("expm1", c => c.Input().Expm1(), () => [N(5)], x => x[0].Expm1())),
        new("square", c => c.Input().Square(), () => [N(5)], x => x[0].Square())
        {
            Int64 = DTypeRule.Computes,
            Bool = DTypeRule.PromotesToInt64,
        },
        Rounding(new("floor", null, () => [R(-4, 4, 6)], x => x[0].Floor())),
        Rounding(new("ceil", null, () => [R(-4, 4, 6)], x => x[0].Ceil())),
        Rounding(new("round", null, () => [R(-4, 4, 6)], x => x[0].Round())),
        Rounding(new("trunc", null, () => [R(-4, 4, 6)], x => x[0].Trunc())),
        FloatMath(new("atan2", c => c.Input().Atan2(c.Input("other")), () => [Nz(2, 3), Nz(3)], x => x[0].Atan2(x[1]))),
        new("lerp", c => c.Has("weight") ? c.Input().Lerp(c.Input("end"), c.Double("weight")) : c.Input().Lerp(c.Input("end"), c.Input("weight")),
            new OpSample("lerp_tensor", () => [N(2, 3), N(3), R(-0.5, 1.5, 2, 1)], x => x[0].Lerp(x[1], x[2])),
            new OpSample("lerp_scalar_small", () => [N(2, 3), N(2, 3)], x => x[0].Lerp(x[1], 0.2)),
            new OpSample("lerp_scalar_large", () => [N(3), N(2, 3)], x => x[0].Lerp(x[1], 1.3))),
        new("mish", c => Functional.Mish(c.Input()), () => [N(6)], x => Functional.Mish(x[0])),
        new("hardswish", c => Functional.Hardswish(c.Input()), () => [R(-5, 5, 8)], x => Functional.Hardswish(x[0])),
        new("hardsigmoid", c => Functional.Hardsigmoid(c.Input()), () => [R(-5, 5, 8)], x => Functional.Hardsigmoid(x[0])),
        new("relu6", c => Functional.Relu6(c.Input()), () => [R(-2, 8, 8)], x => Functional.Relu6(x[0]))
        {
            Int64 = DTypeRule.Computes,
            GradFn = "HardtanhBackward", // relu6 is hardtanh(0, 6), in PyTorch too
        },
        new("hardtanh", null, () => [R(-2, 3, 8)], x => Functional.Hardtanh(x[0], -1, 2)) { Int64 = DTypeRule.Computes },
        new("selu", c => Functional.Selu(c.Input()), () => [Nz(6)], x => Functional.Selu(x[0])) { GradFn = "EluBackward" },
        new("logsigmoid", c => Functional.LogSigmoid(c.Input()), () => [N(6)], x => Functional.LogSigmoid(x[0])) { GradFn = "LogSigmoidBackward" },
        new("softsign", c => Functional.Softsign(c.Input()), () => [Nz(6)], x => Functional.Softsign(x[0]))
        {
            Int64 = DTypeRule.PromotesToFloat32,
            GradFn = "DivBackward", // x/(1 + |x|), composed as in PyTorch
        },
        new("glu", c => Functional.Glu(c.Input(), c.Int("dim")),
            new OpSample("glu_last", () => [N(3, 4)], x => Functional.Glu(x[0])),
            new OpSample("glu_dim0", () => [N(4, 3)], x => Functional.Glu(x[0], 0))),
        new("prelu", c => Functional.Prelu(c.Input(), c.Input("weight")),
            new OpSample("prelu_channels", () => [Nz(2, 3, 4), R(0.1, 0.5, 3)], x => Functional.Prelu(x[0], x[1])),
            new OpSample("prelu_shared", () => [Nz(3, 4), R(0.1, 0.5, 1)], x => Functional.Prelu(x[0], x[1]))),
    ];

    /// <summary>Uniform float64 values in [lo, hi), requiring a gradient.</summary>
    private static Tensor R(double lo, double hi, params int[] shape) => Leaf(Tensor.Rand(shape, DType.Float64, Rng) * (hi - lo) + lo);

    /// <summary>A math function that computes integers in float32 (Note [Float ops of integers]).</summary>
    private static OpInfo FloatMath(OpInfo row) => row with { Int64 = DTypeRule.PromotesToFloat32, Bool = DTypeRule.PromotesToFloat32 };

    /// <summary>A rounding op: int64 comes back unchanged, bool is refused.</summary>
    private static OpInfo Rounding(OpInfo row) => row with { Int64 = DTypeRule.Computes };
}
