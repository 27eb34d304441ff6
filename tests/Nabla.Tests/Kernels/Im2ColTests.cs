using System.Numerics;
using Nabla.Kernels;
using static Nabla.Tests.Kernels.ConvKernelCases;

namespace Nabla.Tests.Kernels;

/// <summary>Im2Col.Unfold and Fold of a band against plain reference loops.</summary>
public class Im2ColTests
{
    private static void CheckUnfoldFold<T>(int seed) where T : unmanaged, INumber<T>
    {
        var (s, g) = RandomShape(seed);
        var r = new Random(seed + 77);
        int c = s.Cin, rows = c * g.KH * g.KW;
        T[] image = Random<T>(r, c * g.H * g.W);
        int oh0 = r.Next(g.OH), oh1 = r.Next(oh0 + 1, g.OH + 1), lb = (oh1 - oh0) * g.OW;
        var cols = Enumerable.Repeat(T.CreateChecked(9), rows * lb).ToArray();
        Im2Col.Unfold<T>(image, c, g, oh0, oh1, cols);
        T[] colsIn = Random<T>(r, rows * lb);
        T[] folded = Random<T>(r, image.Length);
        var foldedRef = folded.Select(double.CreateChecked).ToArray();
        Im2Col.Fold<T>(colsIn, c, g, oh0, oh1, folded);
        int row = 0;
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                    for (int oh = oh0; oh < oh1; oh++)
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
                            bool inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                            int at = row * lb + (oh - oh0) * g.OW + ow;
                            T expected = inside ? image[(ch * g.H + ih) * g.W + iw] : T.Zero;
                            Assert.True(cols[at] == expected, $"unfold row {row} window ({oh}, {ow}): expected {expected}, got {cols[at]}");
                            if (inside) foldedRef[(ch * g.H + ih) * g.W + iw] += double.CreateChecked(colsIn[at]);
                        }
        AssertClose(foldedRef, folded, 1e-6, "fold");
    }

    [Theory]
    [MemberData(nameof(ConvKernelCases.Seeds), MemberType = typeof(ConvKernelCases))]
    public void Im2Col_UnfoldAndFoldOfBand_MatchReferenceLoops(int seed)
    {
        CheckUnfoldFold<float>(seed);
        CheckUnfoldFold<double>(seed);
    }
}
