namespace Nabla.Tests.Ops;

/// <summary>Rows of masked_fill, scatter, one_hot and tensor indexing (src/Nabla/Ops/Masking.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] MaskingOps => MovesElements(
    [
        new("masked_fill", c => c.Input().MaskedFill(c.Input("mask"), c.Double("value")),
            () => [N(2, 3, 4)], x => x[0].MaskedFill(Tensor.From([true, false, false, true], [1, 4]), 1), Exp),
        new("scatter", c => c.Input().Scatter(c.Int("dim"), c.Input("index"), c.Input("src")),
            () => [N(3, 5), N(3, 2)], x => x[0].Scatter(1, Tensor.From([0L, 4L, 2L, 1L, 3L, 0L], [3, 2]), x[1]), Exp),
        // one_hot has no gradient: the sample keeps each row's class entry of a float tensor, as a classifier's loss does.
        new("one_hot", c => Functional.OneHot(c.Input(), c.Int("num_classes")),
            () => [N(4, 3)], x => x[0].MaskedFill(Functional.OneHot(Tensor.From([2L, 0L, 1L, 2L]), 3).Eq(0L), 0)) { GradFn = "MaskedFillBackward" },
        new("index", null,
            new OpSample("index_rows_repeated_and_negative", () => [N(4, 3)], x => x[0][Tensor.From([3L, -4L, 0L, 1L], [2, 2])]) { Then = Exp },
            new OpSample("index_mask", () => [N(2, 3, 2)], x => x[0].Transpose(1, 2)[Tensor.From([true, false, true, true], [2, 2])]) { Then = Exp }),
    ]);
}
