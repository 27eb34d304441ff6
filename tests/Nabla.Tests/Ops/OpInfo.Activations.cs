namespace Nabla.Tests.Ops;

/// <summary>Rows of the Functional activations and Linear (src/Nabla/Ops/Activations.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ActivationOps =>
    [
        new("gelu", c => Functional.Gelu(c.Input(), c.String("approximate") == "tanh" ? GeluApproximation.Tanh : GeluApproximation.None),
            new OpSample("gelu_exact", () => [N(6)], x => Functional.Gelu(x[0])),
            new OpSample("gelu_tanh", () => [N(6)], x => Functional.Gelu(x[0], GeluApproximation.Tanh))),
        new("silu", c => Functional.Silu(c.Input()), () => [N(6)], x => Functional.Silu(x[0])),
        new("softplus", c => Functional.Softplus(c.Input(), c.Double("beta"), c.Double("threshold")),
            () => [N(6)], x => Functional.Softplus(x[0], 2, 3)),
        new("leaky_relu", c => Functional.LeakyRelu(c.Input(), c.Double("negative_slope")), () => [Nz(6)], x => Functional.LeakyRelu(x[0], 0.2)),
        new("elu", c => Functional.Elu(c.Input(), c.Double("alpha")), () => [Nz(6)], x => Functional.Elu(x[0], 1.5)),
        new("linear", c => Functional.Linear(c.Input(), c.Input("weight"), c.Optional("bias")),
            () => [N(4, 3), N(5, 3), N(5)], x => Functional.Linear(x[0], x[1], x[2]))
        {
            ErrorName = "matmul", // A defect: Linear's dtype error names the MatMul it is computed with.
            GradFn = "AddmmBackward",
        },
    ];
}
