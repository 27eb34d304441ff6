namespace Nabla.Tests.Ops;

/// <summary>Rows of similarities, distances and the margin losses built on them (src/Nabla/Ops/DistanceLosses.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] DistanceLossOps =>
    [
        new("cosine_similarity", c => Functional.CosineSimilarity(c.Input("x1"), c.Input("x2"), c.Int("dim"), c.Double("eps")),
            new OpSample("cosine_similarity", () => [N(3, 4), N(3, 4)], x => Functional.CosineSimilarity(x[0], x[1])),
            new OpSample("cosine_similarity_broadcast", () => [N(3, 1, 4), N(2, 4)], x => Functional.CosineSimilarity(x[0], x[1], dim: -1))),
        new("pairwise_distance", null,
            new OpSample("pairwise_distance_p3", () => [N(4, 5), N(4, 5)], x => Functional.PairwiseDistance(x[0], x[1], p: 3)),
            new OpSample("pairwise_distance_p1_keepdim", () => [N(3, 4), N(4)], x => Functional.PairwiseDistance(x[0], x[1], p: 1, keepDim: true))),
        new("cosine_embedding_loss", c => Functional.CosineEmbeddingLoss(c.Input("input1"), c.Input("input2"), c.Input("target"), c.Double("margin"), c.Reduction()),
            () => [N(4, 3), N(4, 3)],
            x => Functional.CosineEmbeddingLoss(x[0], x[1], Tensor.From([1.0, -1, -1, 1], dtype: DType.Float64), margin: -0.5, Reduction.None)),
        new("margin_ranking_loss", c => Functional.MarginRankingLoss(c.Input("input1"), c.Input("input2"), c.Input("target"), c.Double("margin"), c.Reduction()),
            () => [N(6), N(6)],
            x => Functional.MarginRankingLoss(x[0], x[1], Tensor.From([1.0, -1, 1, 1, -1, -1], dtype: x[0].DType), margin: 0.3, Reduction.Sum)),
        new("triplet_margin_loss", c => Functional.TripletMarginLoss(c.Input("anchor"), c.Input("positive"), c.Input("negative"), c.Double("margin"),
                c.Double("p"), c.Double("eps"), c.Bool("swap"), c.Reduction()),
            new OpSample("triplet_margin", () => [N(4, 5), N(4, 5), N(4, 5)], x => Functional.TripletMarginLoss(x[0], x[1], x[2], margin: 2, reduction: Reduction.None)),
            new OpSample("triplet_margin_swap_p3", () => [N(4, 3), N(4, 3), N(4, 3)],
                x => Functional.TripletMarginLoss(x[0], x[1], x[2], margin: 3, p: 3, swap: true, reduction: Reduction.None)),
            new OpSample("triplet_margin_p1_unbatched", () => [N(5), N(5), N(5)], x => Functional.TripletMarginLoss(x[0], x[1], x[2], margin: 4, p: 1))),
    ];
}
