using System.Numerics;
using Nabla.Kernels;
using static Nabla.Tests.Kernels.ConvKernelCases;

namespace Nabla.Tests.Kernels;

/// <summary>Pool2d.MaxForward and MaxBackward against plain reference loops.</summary>
public class Pool2dTests
{
    private static (double[] Y, int[] Index) ReferenceMaxPool(double[] plane, Window2d g)
    {
        var y = new double[g.OH * g.OW];
        var index = new int[y.Length];
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                int best = -1;
                double value = double.NegativeInfinity;
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++)
                    {
                        int ih = oh * g.SH - g.PH + i * g.DH, iw = ow * g.SW - g.PW + j * g.DW;
                        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                        double v = plane[ih * g.W + iw];
                        if (best >= 0 && double.IsNaN(value)) continue;
                        if (best < 0 || v > value || double.IsNaN(v)) (best, value) = (ih * g.W + iw, v);
                    }
                (y[oh * g.OW + ow], index[oh * g.OW + ow]) = (value, best);
            }
        return (y, index);
    }

    private static void CheckMaxPool<T>(Window2d g, Random r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Few distinct values, so ties are common; a NaN now and then.
        var plane = new T[g.H * g.W];
        for (int i = 0; i < plane.Length; i++)
            plane[i] = r.Next(40) == 0 ? T.NaN : T.CreateChecked(r.Next(-2, 3));
        double[] pd = plane.Select(double.CreateChecked).ToArray();
        var (yRef, indexRef) = ReferenceMaxPool(pd, g);
        var y = new T[g.OH * g.OW];
        var index = new int[y.Length];
        Pool2d.MaxForward<T>(plane, g, y, index);
        Assert.Equal(indexRef, index);
        for (int i = 0; i < y.Length; i++)
            Assert.True(double.CreateChecked(y[i]).Equals(yRef[i]), $"max pool output {i}: expected {yRef[i]}, got {y[i]}");
        var yOnly = new T[y.Length];
        Pool2d.MaxForward<T>(plane, g, yOnly, default);
        Assert.Equal(y, yOnly);
        T[] grad = Random<T>(r, y.Length);
        var dxRef = new double[plane.Length];
        for (int i = 0; i < grad.Length; i++)
            if (index[i] >= 0) dxRef[index[i]] += double.CreateChecked(grad[i]);
        T[] dx = Enumerable.Repeat(T.CreateChecked(5), plane.Length).ToArray();
        Pool2d.MaxBackward<T>(grad, index, g, dx);
        AssertClose(dxRef, dx, 1e-6, "max pool gradient");
    }

    [Fact]
    public void MaxPool_ForwardIndicesAndBackward_MatchReferenceLoops()
    {
        var r = new Random(3);
        for (int trial = 0; trial < 300; trial++)
        {
            int kh = r.Next(1, 4), kw = r.Next(1, 4), sh = r.Next(1, 4), sw = r.Next(1, 4), dh = r.Next(1, 3), dw = r.Next(1, 3);
            int ph = r.Next(0, kh / 2 + 1), pw = r.Next(0, kw / 2 + 1), h = r.Next(1, 15), w = r.Next(1, 15);
            bool ceil = r.Next(2) == 0;
            if (trial % 3 == 0) (kh, kw, sh, sw, ph, pw, dh, dw, w) = (2, 2, 2, 2, 0, 0, 1, 1, r.Next(1, 60)); // the unrolled and vector 2x2/2 paths
            int oh = Window2d.OutputSize(h, kh, sh, ph, dh, ceil), ow = Window2d.OutputSize(w, kw, sw, pw, dw, ceil);
            if (oh < 1 || ow < 1) continue;
            var g = new Window2d(kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow);
            CheckMaxPool<float>(g, r);
            CheckMaxPool<double>(g, r);
        }
    }
}
