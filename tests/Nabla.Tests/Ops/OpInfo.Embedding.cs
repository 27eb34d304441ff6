namespace Nabla.Tests.Ops;

/// <summary>Rows of the embedding lookup (src/Nabla/Ops/Embedding.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] EmbeddingOps =>
    [
        new("embedding", c => Functional.Embedding(c.Input(), c.Input("weight"), c.Has("padding_idx") ? c.Long("padding_idx") : null),
            () => [N(5, 3)], x => Functional.Embedding(Tensor.From([1L, 3L, 1L, 0L], [2, 2]), x[0]), Exp),
    ];
}
