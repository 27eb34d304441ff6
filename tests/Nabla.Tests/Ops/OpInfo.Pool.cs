namespace Nabla.Tests.Ops;

/// <summary>Rows of the pools (src/Nabla/Ops/Pool.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] PoolOps =>
    [
        new("max_pool2d", c => Functional.MaxPool2d(c.Input(), c.Pair("kernel_size"), c.Pair("stride"), c.Pair("padding"), c.Pair("dilation"), c.Bool("ceil_mode")),
            () => [N(1, 2, 5, 6)], x => Functional.MaxPool2d(x[0], [2, 3], [2, 2], [1, 1], ceilMode: true))
        {
            GradFn = "MaxPool2DWithIndicesBackward",
        },
        new("avg_pool2d", c => Functional.AvgPool2d(c.Input(), c.Pair("kernel_size"), c.Pair("stride"), c.Pair("padding"), c.Bool("ceil_mode"), c.Bool("count_include_pad")),
            () => [N(1, 2, 5, 5)], x => Functional.AvgPool2d(x[0], [3, 3], [2, 2], [1, 1], ceilMode: true, countIncludePad: false))
        {
            GradFn = "AvgPool2DBackward",
        },
        new("adaptive_avg_pool2d", c => Functional.AdaptiveAvgPool2d(c.Input(), c.Pair("output_size")),
            () => [N(1, 2, 5, 7)], x => Functional.AdaptiveAvgPool2d(x[0], [3, 4]))
        {
            GradFn = "AdaptiveAvgPool2DBackward",
        },
    ];
}
