namespace Nabla.Tests.Ops;

/// <summary>Rows of padding (src/Nabla/Ops/Padding.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] PaddingOps => MovesElements(
    [
        new("pad", c => Functional.Pad(c.Input(), c.Ints("pad"), Enum.Parse<PaddingMode>(c.String("mode"), ignoreCase: true), c.OptDouble("value")),
            new OpSample("pad_constant_and_crop", () => [N(2, 3, 4)], x => Functional.Pad(x[0], [1, -2, -1, 2], value: 1)) { Then = Exp, GradFn = "ConstantPadNdBackward" },
            new OpSample("pad_reflect_2d", () => [N(1, 2, 3, 4)], x => Functional.Pad(x[0], [3, 2, 2, -1], PaddingMode.Reflect)) { Then = Exp, GradFn = "ReflectionPad2DBackward" },
            new OpSample("pad_replicate_1d", () => [N(2, 2, 3)], x => Functional.Pad(x[0].Transpose(1, 2), [4, 1], PaddingMode.Replicate)) { Then = Exp, GradFn = "ReplicationPad1DBackward" }),
    ]);
}
