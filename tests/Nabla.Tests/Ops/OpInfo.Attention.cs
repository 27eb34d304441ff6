namespace Nabla.Tests.Ops;

/// <summary>Rows of scaled dot-product attention (src/Nabla/Ops/Attention.cs); bool masks are made inside the samples.</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] AttentionOps =>
    [
        new("sdpa", c => Functional.ScaledDotProductAttention(c.Input("query"), c.Input("key"), c.Input("value"), c.Optional("attn_mask"),
                isCausal: c.Bool("is_causal")),
            new OpSample("sdpa", () => [N(2, 2, 3, 4), N(2, 2, 5, 4), N(2, 2, 5, 3)], x => Functional.ScaledDotProductAttention(x[0], x[1], x[2])),
            new OpSample("sdpa_causal_more_queries_than_keys", () => [N(1, 2, 5, 3), N(1, 2, 3, 3), N(1, 2, 3, 2)],
                x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true)) { GradFn = "ScaledDotProductFlashAttentionBackward" },
            new OpSample("sdpa_causal_fewer_queries_than_keys", () => [N(2, 1, 2, 3), N(2, 1, 4, 3), N(2, 1, 4, 2)],
                x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true, scale: 0.7)) { GradFn = "ScaledDotProductFlashAttentionBackward" },
            new OpSample("sdpa_float_mask_with_grad", () => [N(2, 1, 3, 4), N(2, 1, 5, 4), N(2, 1, 5, 2), N(3, 5)],
                x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], x[3])),
            new OpSample("sdpa_bool_mask_broadcast_heads", () => [N(2, 3, 3, 2), N(2, 1, 4, 2), N(2, 1, 4, 2)],
                x => Functional.ScaledDotProductAttention(x[0], x[1], x[2], Tensor.From(
                    [true, false, true, true, false, false, true, false, true, true, true, true,
                     true, true, true, false, false, true, false, false, false, false, true, true], [2, 1, 3, 4])))) 
        {
            ErrorName = "scaled_dot_product_attention",
            GradFn = "ScaledDotProductAttentionBackward", // PyTorch 2's function name; 1.13 composes it
        },
    ];
}
