namespace Nabla.Tests.Ops;

/// <summary>Rows of Einstein summation (src/Nabla/Ops/Einsum.cs): the equations users write, each a sample.</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] EinsumOps =>
    [
        new("einsum", c => Tensor.Einsum(c.String("equation"), [.. c.Tensors]),
            new OpSample("einsum_matmul", () => [N(3, 4), N(4, 2)], x => Tensor.Einsum("ij,jk->ik", x)),
            new OpSample("einsum_attention_scores", () => [N(2, 2, 3, 4), N(2, 2, 5, 4)], x => Tensor.Einsum("bhqd,bhkd->bhqk", x)),
            new OpSample("einsum_batched_outer", () => [N(2, 3), N(2, 4)], x => Tensor.Einsum("bi,bj->bij", x)),
            new OpSample("einsum_bilinear_three_operands", () => [N(2, 3), N(3, 4), N(2, 4)], x => Tensor.Einsum("bi,ij,bj->b", x)),
            new OpSample("einsum_trace_then_product", () => [N(3, 3), N(3, 2)], x => Tensor.Einsum("ii,ij->j", x)),
            new OpSample("einsum_grouped_dims", () => [N(2, 3, 2, 2), N(3, 2, 4)], x => Tensor.Einsum("abcd,bce->ade", x)),
            new OpSample("einsum_implicit_output", () => [N(2, 3), N(3, 4)], x => Tensor.Einsum("ij,jk", x)),
            new OpSample("einsum_dot", () => [N(5), N(5)], x => Tensor.Einsum("i,i->", x)),
            new OpSample("einsum_transpose", () => [N(3, 4)], x => Tensor.Einsum("ij->ji", x)) { Then = Exp },
            new OpSample("einsum_sum", () => [N(3, 4)], x => Tensor.Einsum("ij->", x))),
    ];
}
