using Nabla.Tests.Reference;

namespace Nabla.Tests.Ops;

/// <summary>Rows of the vector norms (src/Nabla/Ops/Norms.cs).</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] NormOps =>
    [
        new("norm", NormCall,
            new OpSample("norm", () => [N(3, 4)], x => x[0].Norm(2, [1])),
            new OpSample("norm_1", () => [Nz(3, 4)], x => x[0].Norm(1, 1)),
            new OpSample("norm_inf_keepdim", () => [N(2, 3, 4)], x => x[0].Norm(double.PositiveInfinity, -1, keepDim: true)),
            new OpSample("norm_minus_inf", () => [N(3, 4)], x => x[0].Norm(double.NegativeInfinity, 0)),
            new OpSample("norm_fro", () => [N(2, 3, 4)], x => x[0].FrobeniusNorm([1, 2])),
            new OpSample("norm_3_all", () => [Nz(3, 4)], x => x[0].Norm(3)),
            new OpSample("norm_half", () => [Nz(3, 4)], x => x[0].Norm(0.5, 1)),
            new OpSample("norm_2_dims_0_2", () => [N(2, 3, 4)], x => x[0].Norm(2, [0, 2]))),
    ];

    /// <summary>torch.norm's <c>p</c> is a number, <c>"inf"</c> or <c>"fro"</c>.</summary>
    private static Tensor NormCall(ReferenceCase c)
    {
        Tensor x = c.Input();
        int[]? dims = c.Dims("dim");
        bool keepDim = c.Bool("keepdim");
        double p;
        try
        {
            p = c.Double("p");
        }
        catch (InvalidOperationException)
        {
            // A string: "fro" or "inf" (JSON has no infinity).
            return c.String("p") switch
            {
                "fro" => x.FrobeniusNorm(dims, keepDim),
                "inf" => x.Norm(double.PositiveInfinity, dims, keepDim),
                "-inf" => x.Norm(double.NegativeInfinity, dims, keepDim),
                var s => throw new InvalidDataException($"{c.Id}: unknown norm order '{s}'"),
            };
        }
        return x.Norm(p, dims, keepDim);
    }
}
