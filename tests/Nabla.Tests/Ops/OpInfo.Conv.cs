namespace Nabla.Tests.Ops;

/// <summary>Rows of the convolutions (src/Nabla/Ops/Conv.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ConvOps =>
    [
        new("conv1d", c => Functional.Conv1d(c.Input(), c.Input("weight"), c.Optional("bias"),
                c.Ints("stride")[0], c.Ints("padding")[0], c.Ints("dilation")[0], c.Int("groups")),
            () => [N(2, 4, 7), N(6, 2, 3), N(6)], x => Functional.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1, dilation: 1, groups: 2))
        {
            GradFn = "ConvolutionBackward",
        },
        new("conv2d", c => Functional.Conv2d(c.Input(), c.Input("weight"), c.Optional("bias"),
                c.Pair("stride"), c.Pair("padding"), c.Pair("dilation"), c.Int("groups")),
            () => [N(2, 2, 5, 5), N(3, 2, 3, 2), N(3)], x => Functional.Conv2d(x[0], x[1], x[2], [2, 1], [1, 0], [1, 2]))
        {
            GradFn = "ConvolutionBackward",
        },
    ];
}
