namespace Nabla.Tests.Ops;

/// <summary>Rows of the views (src/Nabla/Ops/Views.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ViewOps => MovesElements(
    [
        new("reshape", c => c.Input().Reshape(c.Ints("shape")),
            () => [N(2, 6)], x => x[0].Transpose(0, 1).Reshape(3, 4),
            then: y => y * Tensor.Arange(0, 12, 1, y.DType).Reshape(3, 4)),
        new("transpose", c => c.Input().Transpose(c.Int("dim0"), c.Int("dim1")),
            () => [N(2, 3)], x => x[0].Transpose(0, 1),
            then: y => y * Tensor.Arange(0, 6, 1, y.DType).Reshape(3, 2)),
        new("permute", c => c.Input().Permute(c.Ints("dims")), () => [N(2, 3, 4)], x => x[0].Permute(2, 0, 1), Exp),
        new("narrow", c => c.Input().Narrow(c.Int("dim"), c.Int("start"), c.Int("length")), () => [N(5, 3)], x => x[0].Narrow(0, 1, 3), Exp)
        {
            GradFn = "SliceBackward",
        },
        new("slice", c => c.Input().Slice(c.Int("dim"), c.Int("start"), c.Int("end"), c.Int("step")),
            new OpSample("slice_step", () => [N(7, 2)], x => x[0].Slice(0, 1, 7, 2)) { Then = Exp }),
        new("squeeze", c => c.Input().Squeeze(c.OptInt("dim")),
            new OpSample("squeeze_unsqueeze", () => [N(3, 1, 2)], x => x[0].Squeeze(1)) { Then = y => y.Unsqueeze(0).Exp() }),
        new("unsqueeze", c => c.Input().Unsqueeze(c.Int("dim")), () => [N(3, 2)], x => x[0].Unsqueeze(-1), Exp),
        new("expand", c => c.Input().Expand(c.Ints("size")), () => [N(3, 1)], x => x[0].Expand(2, 3, 4), Exp),
        new("flatten", c => c.Input().Flatten(c.Int("start_dim"), c.Int("end_dim")), () => [N(2, 3, 2)], x => x[0].Flatten(1), Exp)
        {
            GradFn = "ReshapeBackward", // PyTorch 1.13: ReshapeAliasBackward, a name of its aliasing internals
        },
        new("select", null, () => [N(3, 4)], x => x[0][1], Exp),
        new("contiguous", null, new OpSample("clone_contiguous", () => [N(3, 4)], x => x[0].Transpose(0, 1).Contiguous()) { Then = Exp })
        {
            GradFn = "CloneBackward",
        },
    ]);
}
