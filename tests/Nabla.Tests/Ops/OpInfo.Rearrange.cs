namespace Nabla.Tests.Ops;

/// <summary>Rows of the ops that rearrange elements (src/Nabla/Ops/Rearrange.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] RearrangeOps => MovesElements(
    [
        new("flip", c => c.Input().Flip(c.Ints("dims")),
            new OpSample("flip_first_and_last", () => [N(2, 3, 4)], x => x[0].Flip(0, -1)) { Then = Exp },
            new OpSample("flip_transposed", () => [N(3, 4)], x => x[0].Transpose(0, 1).Flip(1)) { Then = Exp }),
        new("roll", c => c.Input().Roll(c.Ints("shifts"), c.Dims("dims")),
            new OpSample("roll_dims", () => [N(3, 4)], x => x[0].Roll([1, -5, 2], [0, 1, 1])) { Then = Exp },
            new OpSample("roll_flattened", () => [N(3, 4)], x => x[0].Transpose(0, 1).Roll(5)) { Then = Exp }),
        new("repeat", c => c.Input().Repeat(c.Ints("repeats")), () => [N(2, 3)], x => x[0].Repeat(2, 1, 3), Exp),
        new("tile", c => c.Input().Tile(c.Ints("dims")), () => [N(2, 3)], x => x[0].Transpose(0, 1).Tile(2), Exp) { GradFn = "RepeatBackward" }, // tile is repeat, in PyTorch too
        new("repeat_interleave", c => c.Input().RepeatInterleave(c.Int("repeats"), c.OptInt("dim")),
            new OpSample("repeat_interleave_dim", () => [N(3, 2)], x => x[0].RepeatInterleave(2, -2)) { Then = Exp },
            new OpSample("repeat_interleave_flattened", () => [N(2, 2)], x => x[0].Transpose(0, 1).RepeatInterleave(3)) { Then = Exp }),
        new("tril", c => c.Input().Tril(c.Int("diagonal")), () => [N(2, 3, 4)], x => x[0].Tril(-1), Exp),
        new("triu", c => c.Input().Triu(c.Int("diagonal")), () => [N(4, 3)], x => x[0].Transpose(0, 1).Triu(1), Exp),
        new("pixel_shuffle", c => Functional.PixelShuffle(c.Input(), c.Int("upscale_factor")),
            new OpSample("pixel_shuffle", () => [N(2, 8, 2, 3)], x => Functional.PixelShuffle(x[0], 2)) { Then = Exp },
            new OpSample("pixel_unshuffle", () => [N(3, 4, 6)], x => Functional.PixelUnshuffle(x[0], 2)) { Then = Exp, GradFn = "PixelUnshuffleBackward" }),
    ]);
}
