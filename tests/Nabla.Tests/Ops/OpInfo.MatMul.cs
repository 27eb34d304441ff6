namespace Nabla.Tests.Ops;

/// <summary>Rows of the matrix product (src/Nabla/Ops/MatMul.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] MatMulOps =>
    [
        new("matmul", c => c.Input().MatMul(c.Input("other")),
            new OpSample("matmul_2d", () => [N(3, 4), N(4, 2)], x => x[0].MatMul(x[1])),
            new OpSample("matmul_batched_broadcast", () => [N(2, 1, 3, 4), N(3, 4, 2)], x => x[0].MatMul(x[1])),
            new OpSample("matmul_vector", () => [N(3, 4), N(4)], x => x[0].MatMul(x[1])) { GradFn = "MvBackward" },
            new OpSample("matmul_dot", () => [N(4), N(4)], x => x[0].MatMul(x[1])) { GradFn = "DotBackward" })
        {
            // Batched products keep MmBackward, the one product node (PyTorch's batched matmul reshapes: UnsafeViewBackward).
            GradFn = "MmBackward",
        },
    ];
}
