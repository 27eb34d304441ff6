using System.Numerics;
using Nabla.Kernels;
using static Nabla.Tests.Kernels.ConvKernelCases;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The fused convolution kernels against plain reference loops written straight from the definitions: random geometries
/// (odd sizes, stride, padding, dilation, groups, batch 1 and more), bands, 1 and 2 threads, float32 and float64.
/// </summary>
public class Conv2dKernelsTests
{
    /// <summary>x[n, c, ih, iw] or zero in the padding.</summary>
    private static double Pixel(double[] x, ConvShape s, int n, int c, int ih, int iw) =>
        ih < 0 || ih >= s.G.H || iw < 0 || iw >= s.G.W ? 0 : x[((n * s.Cin + c) * s.G.H + ih) * s.G.W + iw];

    private static double[] ReferenceForward(double[] x, double[] w, double[]? b, ConvShape s)
    {
        Window2d g = s.G;
        var y = new double[s.N * s.OutImage];
        int cinG = s.Cin / s.Groups;
        for (int n = 0; n < s.N; n++)
            for (int o = 0; o < s.Cout; o++)
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        double sum = b?[o] ?? 0;
                        int group = o / s.CoutG;
                        for (int c = 0; c < cinG; c++)
                            for (int p = 0; p < g.KH; p++)
                                for (int q = 0; q < g.KW; q++)
                                    sum += w[((o * cinG + c) * g.KH + p) * g.KW + q] *
                                        Pixel(x, s, n, group * cinG + c, oh * g.SH - g.PH + p * g.DH, ow * g.SW - g.PW + q * g.DW);
                        y[((n * s.Cout + o) * g.OH + oh) * g.OW + ow] = sum;
                    }
        return y;
    }

    private static (double[] Dx, double[] Dw, double[] Db) ReferenceBackward(double[] x, double[] w, double[] gy, ConvShape s)
    {
        Window2d g = s.G;
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[s.Cout];
        int cinG = s.Cin / s.Groups;
        for (int n = 0; n < s.N; n++)
            for (int o = 0; o < s.Cout; o++)
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        double gv = gy[((n * s.Cout + o) * g.OH + oh) * g.OW + ow];
                        db[o] += gv;
                        int group = o / s.CoutG;
                        for (int c = 0; c < cinG; c++)
                            for (int p = 0; p < g.KH; p++)
                                for (int q = 0; q < g.KW; q++)
                                {
                                    int ih = oh * g.SH - g.PH + p * g.DH, iw = ow * g.SW - g.PW + q * g.DW;
                                    if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                                    int wi = ((o * cinG + c) * g.KH + p) * g.KW + q;
                                    int xi = ((n * s.Cin + group * cinG + c) * g.H + ih) * g.W + iw;
                                    dw[wi] += gv * x[xi];
                                    dx[xi] += gv * w[wi];
                                }
                    }
        return (dx, dw, db);
    }

    private static void CheckConv<T>(int seed, double tol) where T : unmanaged, INumber<T>
    {
        var (s, _) = RandomShape(seed);
        var r = new Random(seed + 1000);
        T[] x = Random<T>(r, s.N * s.InImage), w = Random<T>(r, s.Weights), b = Random<T>(r, s.Cout), gy = Random<T>(r, s.N * s.OutImage);
        double[] xd = x.Select(double.CreateChecked).ToArray(), wd = w.Select(double.CreateChecked).ToArray();
        double[] bd = b.Select(double.CreateChecked).ToArray(), gyd = gy.Select(double.CreateChecked).ToArray();
        bool withBias = seed % 2 == 0;
        double[] yRef = ReferenceForward(xd, wd, withBias ? bd : null, s);
        var (dxRef, dwRef, dbRef) = ReferenceBackward(xd, wd, gyd, s);
        T[]? firstDw = null;
        foreach (int threads in new[] { 1, 2 })
        {
            // Offsets into larger arrays, as for tensor views with a storage offset.
            T[] xo = [T.One, .. x], wo = [T.One, T.One, .. w], bo = [T.One, .. b], gyo = [T.One, T.One, T.One, .. gy];
            var y = new T[s.N * s.OutImage];
            Conv2dKernels.Forward(xo, 1, wo, 2, withBias ? bo : null, 1, y, s, threads);
            AssertClose(yRef, y, tol, $"y (threads {threads})");
            T[] dx = Enumerable.Repeat(T.CreateChecked(7), x.Length).ToArray(), dw = Enumerable.Repeat(T.CreateChecked(7), w.Length).ToArray();
            T[] db = Enumerable.Repeat(T.CreateChecked(7), s.Cout).ToArray();
            Conv2dKernels.Backward(xo, 1, wo, 2, gyo, 3, dx, dw, db, s, threads);
            AssertClose(dxRef, dx, tol, $"dx (threads {threads})");
            AssertClose(dwRef, dw, tol, $"dw (threads {threads})");
            AssertClose(dbRef, db, tol, $"db (threads {threads})");
            // Each gradient alone gives the same values as all three together.
            T[] dxOnly = new T[x.Length], dwOnly = new T[w.Length];
            Conv2dKernels.Backward(null, 0, wo, 2, gyo, 3, dxOnly, null, null, s, threads);
            Conv2dKernels.Backward(xo, 1, null, 0, gyo, 3, null, dwOnly, null, s, threads);
            Assert.Equal(dx, dxOnly);
            Assert.Equal(dw, dwOnly);
            // The weight gradient is summed in fixed slots: bit for bit the same on any number of threads.
            if (firstDw is null) firstDw = dw;
            else Assert.Equal(firstDw, dw);
        }
    }

    [Theory]
    [MemberData(nameof(ConvKernelCases.Seeds), MemberType = typeof(ConvKernelCases))]
    public void Conv2d_ForwardAndBackward_MatchReferenceLoops(int seed)
    {
        CheckConv<double>(seed, 1e-12);
        CheckConv<float>(seed, 2e-5);
    }

    [Fact]
    public void Conv2d_BatchLargerThanSlotsAndBands_MatchesReferenceLoops()
    {
        // 19 images (more than the 8 slots, not a multiple of them) and a band of a few window rows per image.
        var g = new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 40, 37, 40, 37);
        var s = new ConvShape(19, 40, 6, 2, g);
        var r = new Random(5);
        double[] x = Random<double>(r, s.N * s.InImage), w = Random<double>(r, s.Weights), gy = Random<double>(r, s.N * s.OutImage);
        var y = new double[s.N * s.OutImage];
        Conv2dKernels.Forward(x, 0, w, 0, null, 0, y, s);
        AssertClose(ReferenceForward(x, w, null, s), y, 1e-12, "y");
        double[] dx = new double[x.Length], dw = new double[w.Length], db = new double[s.Cout];
        Conv2dKernels.Backward(x, 0, w, 0, gy, 0, dx, dw, db, s);
        var (dxRef, dwRef, dbRef) = ReferenceBackward(x, w, gy, s);
        AssertClose(dxRef, dx, 1e-12, "dx");
        AssertClose(dwRef, dw, 1e-12, "dw");
        AssertClose(dbRef, db, 1e-12, "db");
    }
}
