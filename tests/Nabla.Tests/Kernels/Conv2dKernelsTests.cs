using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The fused convolution and pooling kernels against plain reference loops written straight from the definitions:
/// random geometries (odd sizes, stride, padding, dilation, groups, batch 1 and more), bands, 1 and 2 threads,
/// float32 and float64.
/// </summary>
public class Conv2dKernelsTests
{
    /// <summary>Random geometries: (N, Cin, Cout, groups, H, W, KH, KW, SH, SW, PH, PW, DH, DW).</summary>
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 40; i++) data.Add(i);
        return data;
    }

    private static (ConvShape S, Window2d G) RandomShape(int seed)
    {
        var r = new Random(seed);
        while (true)
        {
            int groups = r.Next(3) == 0 ? r.Next(1, 4) : 1;
            int n = r.Next(4) == 0 ? 1 : r.Next(2, 6);
            int cin = groups * r.Next(1, 4), cout = groups * r.Next(1, 5);
            int kh = r.Next(1, 5), kw = r.Next(1, 5), sh = r.Next(1, 4), sw = r.Next(1, 4), dh = r.Next(1, 3), dw = r.Next(1, 3);
            int ph = r.Next(0, 3), pw = r.Next(0, 3), h = r.Next(1, 19), w = r.Next(1, 23);
            if (seed % 5 == 0) (kh, kw, sh, sw, ph, pw, dh, dw) = (1, 1, 1, 1, 0, 0, 1, 1); // pointwise: im2col is the image
            if (seed % 7 == 1) (sw, dh, dw) = (1, 1, 1);
            int oh = Window2d.OutputSize(h, kh, sh, ph, dh, false), ow = Window2d.OutputSize(w, kw, sw, pw, dw, false);
            if (oh < 1 || ow < 1) continue;
            var g = new Window2d(kh, kw, sh, sw, ph, pw, dh, dw, h, w, oh, ow);
            return (new ConvShape(n, cin, cout, groups, g), g);
        }
    }

    private static T[] Random<T>(Random r, int n) where T : INumber<T>
    {
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateChecked(Math.Round(r.NextDouble() * 4 - 2, 3));
        return a;
    }

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

    private static void AssertClose<T>(double[] expected, T[] actual, double tol, string what) where T : INumber<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateChecked(actual[i]);
            Assert.True(Math.Abs(a - expected[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {a}");
        }
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
    [MemberData(nameof(Seeds))]
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
    [MemberData(nameof(Seeds))]
    public void Im2Col_UnfoldAndFoldOfBand_MatchReferenceLoops(int seed)
    {
        CheckUnfoldFold<float>(seed);
        CheckUnfoldFold<double>(seed);
    }

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
