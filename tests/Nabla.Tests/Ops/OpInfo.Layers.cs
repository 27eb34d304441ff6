using Nabla.Tests.Reference;

namespace Nabla.Tests.Ops;

/// <summary>
/// Rows of the layers of issue 15 (src/Nabla/Ops/ConvTranspose.cs, Resample.cs, GroupNorm.cs, Pool1d.cs, AdaptiveMaxPool.cs): transposed
/// convolutions, interpolation, group normalization, 1-D pools and adaptive max pooling.
/// </summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] LayerOps =>
    [
        new("conv_transpose1d", c => Functional.ConvTranspose1d(c.Input(), c.Input("weight"), c.Optional("bias"),
                c.Ints("stride")[0], c.Ints("padding")[0], c.Ints("output_padding")[0], c.Int("groups"), c.Ints("dilation")[0]),
            () => [N(2, 4, 5), N(4, 3, 3), N(6)],
            x => Functional.ConvTranspose1d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2)) { GradFn = "ConvolutionBackward" },
        new("conv_transpose2d", c => Functional.ConvTranspose2d(c.Input(), c.Input("weight"), c.Optional("bias"),
                c.Pair("stride"), c.Pair("padding"), c.Pair("output_padding"), c.Int("groups"), c.Pair("dilation")),
            new OpSample("conv_transpose2d_strided", () => [N(2, 2, 3, 4), N(2, 3, 3, 2), N(3)],
                x => Functional.ConvTranspose2d(x[0], x[1], x[2], [2, 1], [1, 0], [1, 0], dilation: [1, 2])),
            new OpSample("conv_transpose2d_groups_dilated_output_padding", () => [N(1, 4, 3, 3), N(4, 1, 2, 2)],
                x => Functional.ConvTranspose2d(x[0], x[1], null, [1, 1], [1, 0], [1, 1], groups: 2, dilation: [2, 2])))
        {
            GradFn = "ConvolutionBackward",
        },
        new("interpolate", CallInterpolate,
            new OpSample("interpolate_nearest_size", () => [N(1, 2, 3, 4)], x => Functional.Interpolate(x[0], [5, 7])) { GradFn = "UpsampleNearest2DBackward" },
            new OpSample("interpolate_nearest_scale", () => [N(1, 2, 5, 3)], x => Functional.Interpolate(x[0], scaleFactor: [1.7, 0.7])) { GradFn = "UpsampleNearest2DBackward" },
            new OpSample("interpolate_bilinear", () => [N(2, 1, 3, 4)], x => Functional.Interpolate(x[0], [5, 3], mode: InterpolationMode.Bilinear)),
            new OpSample("interpolate_bilinear_aligned", () => [N(1, 2, 3, 3)],
                x => Functional.Interpolate(x[0], [4, 6], mode: InterpolationMode.Bilinear, alignCorners: true)),
            new OpSample("interpolate_bilinear_scale", () => [N(1, 1, 5, 4)],
                x => Functional.Interpolate(x[0], scaleFactor: [1.7, 0.6], mode: InterpolationMode.Bilinear)))
        {
            GradFn = "UpsampleBilinear2DBackward",
        },
        new("group_norm", c => Functional.GroupNorm(c.Input(), c.Int("num_groups"), c.Optional("weight"), c.Optional("bias"), c.Double("eps")),
            new OpSample("group_norm_affine", () => [N(2, 6, 3, 2), N(6), N(6)], x => Functional.GroupNorm(x[0], 3, x[1], x[2])),
            new OpSample("group_norm_plain", () => [N(3, 4)], x => Functional.GroupNorm(x[0], 2)) { Then = Exp })
        {
            GradFn = "NativeGroupNormBackward",
        },
        new("max_pool1d", c => Functional.MaxPool1d(c.Input(), c.Ints("kernel_size")[0], c.OptInt("stride"), c.Ints("padding")[0], c.Ints("dilation")[0],
                c.Bool("ceil_mode")),
            () => [N(2, 3, 9)], x => Functional.MaxPool1d(x[0], 3, 2, 1, 2, ceilMode: true)) { GradFn = "MaxPool1DBackward" },
        new("avg_pool1d", c => Functional.AvgPool1d(c.Input(), c.Ints("kernel_size")[0], c.OptInt("stride"), c.Ints("padding")[0], c.Bool("ceil_mode"),
                c.Bool("count_include_pad")),
            () => [N(2, 3, 8)], x => Functional.AvgPool1d(x[0], 3, 2, 1, ceilMode: true, countIncludePad: false)) { GradFn = "AvgPool1DBackward" },
        new("adaptive_max_pool2d", c => Functional.AdaptiveMaxPool2d(c.Input(), c.Pair("output_size")),
            new OpSample("adaptive_max_pool2d_down", () => [N(1, 2, 5, 7)], x => Functional.AdaptiveMaxPool2d(x[0], [3, 4])),
            new OpSample("adaptive_max_pool2d_overlapping", () => [N(2, 1, 3, 4)], x => Functional.AdaptiveMaxPool2d(x[0], [5, 6])))
        {
            GradFn = "AdaptiveMaxPool2DBackward",
        },
    ];

    private static Tensor CallInterpolate(ReferenceCase c) => Functional.Interpolate(c.Input(), c.Has("size") ? c.Pair("size") : null,
        c.Has("scale_factor") ? c.Doubles("scale_factor") : null,
        c.String("mode") switch
        {
            "nearest" => InterpolationMode.Nearest,
            "bilinear" => InterpolationMode.Bilinear,
            var m => throw new InvalidDataException($"{c.Id}: unknown interpolation mode {m}"),
        },
        c.Has("align_corners") ? c.Bool("align_corners") : null);
}
