namespace Nabla.Tests.Ops;

/// <summary>Rows of split, chunk and unbind (src/Nabla/Ops/Pieces.cs): a reference case's call returns its piece <c>output_index</c>.</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] PieceOps => MovesElements(
    [
        new("split", c => SplitCall(c)[c.Int("output_index")],
            new OpSample("split_size_every_piece", () => [N(5, 3)], x => { Tensor[] p = x[0].Split(2); return Tensor.Cat([p[2], p[0], p[1]], 0); }) { Then = Exp, GradFn = "CatBackward" },
            new OpSample("split_sections", () => [N(2, 6)], x => x[0].Split([1, 3, 0, 2], dim: 1)[1]) { Then = Exp, GradFn = "SplitWithSizesBackward" }),
        new("chunk", c => c.Input().Chunk(c.Int("chunks"), c.Int("dim"))[c.Int("output_index")],
            () => [N(3, 7)], x => { Tensor[] p = x[0].Chunk(3, -1); return Tensor.Cat([p[1], p[2], p[0]], 1); }, Exp) { GradFn = "CatBackward" },
        new("unbind", c => c.Input().Unbind(c.Int("dim"))[c.Int("output_index")],
            () => [N(3, 4)], x => { Tensor[] p = x[0].Unbind(1); return Tensor.Stack([p[3], p[0], p[2]], 0); }, Exp) { GradFn = "StackBackward" },
    ]);

    private static Tensor[] SplitCall(Reference.ReferenceCase c) => c.IsList("split_size_or_sections")
        ? c.Input().Split(c.Ints("split_size_or_sections"), c.Int("dim"))
        : c.Input().Split(c.Int("split_size_or_sections"), c.Int("dim"));
}
