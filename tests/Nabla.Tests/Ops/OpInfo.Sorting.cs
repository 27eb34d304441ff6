namespace Nabla.Tests.Ops;

/// <summary>Rows of sort, argsort and topk (src/Nabla/Ops/Sorting.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] SortingOps =>
    [
        new("sort", c => WithIndices(c, c.Input().Sort(c.Int("dim"), c.Bool("descending"))),
            new OpSample("sort", () => [N(3, 4)], x => x[0].Sort(1).Values),
            new OpSample("sort_dim0_descending", () => [N(4, 3)], x => x[0].Sort(0, descending: true).Values))
        {
            Int64 = DTypeRule.Computes,
        },
        new("topk", c => WithIndices(c, c.Input().TopK(c.Int("k"), c.Int("dim"), c.Bool("largest"), c.Bool("sorted"))),
            new OpSample("topk", () => [N(3, 5)], x => x[0].TopK(2, 1).Values),
            new OpSample("topk_dim0_smallest", () => [N(6, 3)], x => x[0].TopK(2, 0, largest: false).Values),
            new OpSample("topk_few_of_many", () => [N(2, 40)], x => x[0].TopK(3).Values))
        {
            Int64 = DTypeRule.Computes,
        },
        // argsort is forward only: the sample gathers with the permutation, which sorts (and is differentiable).
        new("argsort", c => c.Input().ArgSort(c.Int("dim"), c.Bool("descending")),
            new OpSample("argsort", () => [N(3, 4)], x => x[0].Gather(1, x[0].ArgSort(1, descending: true))) { GradFn = "GatherBackward" })
        {
            Int64 = DTypeRule.Computes,
        },
    ];
}
