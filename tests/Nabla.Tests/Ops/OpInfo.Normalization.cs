namespace Nabla.Tests.Ops;

/// <summary>Rows of batch and layer normalization (src/Nabla/Ops/Normalization.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] NormalizationOps =>
    [
        new("batch_norm", c => Functional.BatchNorm(c.Input(), c.Optional("running_mean"), c.Optional("running_var"), c.Optional("weight"), c.Optional("bias"),
                c.Bool("training"), c.Double("momentum"), c.Double("eps")),
            new OpSample("batch_norm_train", () => [N(4, 3, 2), N(3), N(3)], x => Functional.BatchNorm(x[0], null, null, x[1], x[2], training: true)))
        {
            GradFn = "NativeBatchNormBackward",
        },
        new("layer_norm", c => Functional.LayerNorm(c.Input(), c.Ints("normalized_shape"), c.Optional("weight"), c.Optional("bias"), c.Double("eps")),
            () => [N(2, 3, 4), N(3, 4), N(3, 4)], x => Functional.LayerNorm(x[0], [3, 4], x[1], x[2]))
        {
            GradFn = "NativeLayerNormBackward",
        },
    ];
}
