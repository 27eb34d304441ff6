using Nabla.Tests.Reference;

namespace Nabla.Tests.Ops;

/// <summary>Rows of max/min along a dim with indices, and amin (src/Nabla/Ops/Extremes.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ExtremeOps =>
    [
        new("max_dim", c => WithIndices(c, c.Input().Max(c.Int("dim"), c.Bool("keepdim"))),
            new OpSample("max_dim", () => [N(3, 4)], x => x[0].Max(1).Values),
            new OpSample("max_dim_0_keepdim", () => [N(2, 3, 4)], x => x[0].Max(0, keepDim: true).Values))
        {
            Int64 = DTypeRule.Computes,
            ErrorName = "max",
            GradFn = "MaxBackward",
        },
        new("min_dim", c => WithIndices(c, c.Input().Min(c.Int("dim"), c.Bool("keepdim"))),
            new OpSample("min_dim", () => [N(3, 4)], x => x[0].Min(0).Values),
            new OpSample("min_dim_last_keepdim", () => [N(2, 3, 4)], x => x[0].Min(-1, keepDim: true).Values))
        {
            GradFn = "MinBackward",
            Int64 = DTypeRule.Computes,
            ErrorName = "min",
        },
        new("amin", c => c.Input().Amin(c.Dims("dim"), c.Bool("keepdim")),
            new OpSample("amin", () => [N(3, 4)], x => x[0].Amin(1)),
            new OpSample("amin_dims_keepdim", () => [N(2, 3, 4)], x => x[0].Amin([0, 2], keepDim: true)),
            new OpSample("amin_all", () => [N(2, 3)], x => x[0].Amin()))
        {
            Int64 = DTypeRule.Computes,
        },
    ];

    /// <summary>Reports the indices of a values-and-indices op as the case's extra output <c>indices</c> and returns the values.</summary>
    private static Tensor WithIndices(ReferenceCase c, (Tensor Values, Tensor Indices) result)
    {
        c.Extra("indices", result.Indices);
        return result.Values;
    }
}
