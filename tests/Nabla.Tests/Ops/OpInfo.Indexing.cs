namespace Nabla.Tests.Ops;

/// <summary>Rows of concatenation and index-driven gathers (src/Nabla/Ops/Indexing.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] IndexingOps => MovesElements(
    [
        new("cat", c => Tensor.Cat(c.Tensors, c.Int("dim")), () => [N(2, 3), N(1, 3)], x => Tensor.Cat([x[0], x[1]], 0), Exp),
        new("stack", c => Tensor.Stack(c.Tensors, c.Int("dim")), () => [N(2, 3), N(2, 3)], x => Tensor.Stack([x[0], x[1]], 1), Exp),
        new("gather", c => c.Input().Gather(c.Int("dim"), c.Input("index")),
            () => [N(3, 4)], x => x[0].Gather(1, Tensor.From([0L, 3L, 3L, 1L, 2L, 0L], [3, 2])), Exp),
        new("index_select", c => c.Input().IndexSelect(c.Int("dim"), c.Input("index")),
            () => [N(5, 2)], x => x[0].IndexSelect(0, Tensor.From([4L, 0L, 4L])), Exp),
    ]);
}
