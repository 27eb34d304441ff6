using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>Random convolution geometries and an element-wise comparison, shared by the convolution, im2col and pooling kernel tests.</summary>
internal static class ConvKernelCases
{
    /// <summary>Random geometries: (N, Cin, Cout, groups, H, W, KH, KW, SH, SW, PH, PW, DH, DW).</summary>
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 40; i++) data.Add(i);
        return data;
    }

    public static (ConvShape S, Window2d G) RandomShape(int seed)
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

    public static T[] Random<T>(Random r, int n) where T : INumber<T>
    {
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateChecked(Math.Round(r.NextDouble() * 4 - 2, 3));
        return a;
    }

    public static void AssertClose<T>(double[] expected, T[] actual, double tol, string what) where T : INumber<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateChecked(actual[i]);
            Assert.True(Math.Abs(a - expected[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {a}");
        }
    }
}
