using Nabla.Kernels;
using System.Numerics;
using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>
/// The fused update loops against a plain per-element transcription of the PyTorch formulas, bit for bit, at sizes
/// around the vector width (full vectors, the zero-padded tail, and both), in float32 and float64.
/// </summary>
public class UpdateKernelTests
{
    public static TheoryData<int, DType> Sizes()
    {
        var data = new TheoryData<int, DType>();
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            int w = dtype == DType.Float32 ? Vector<float>.Count : Vector<double>.Count;
            foreach (int n in new[] { 0, 1, w - 1, w, w + 1, 3 * w + 2, 1003 }.Distinct())
                data.Add(n, dtype);
        }
        return data;
    }

    private delegate void ScalarStep<T>(T[] p, T[] g, T[][] state, int step);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SgdUpdate_AnySize_MatchesScalarFormulaBitForBit(int n, DType dtype)
    {
        const double lr = 0.1, m = 0.9, damp = 0.2, wd = 0.01;
        Check(n, dtype, ps => new Sgd(ps, lr, m, damp, wd), 1,
            (double[] p, double[] g, double[][] s, int t) =>
            {
                for (int i = 0; i < p.Length; i++)
                {
                    double d = g[i] + wd * p[i];
                    s[0][i] = t == 1 ? d : s[0][i] * m + (1 - damp) * d;
                    p[i] += -lr * s[0][i];
                }
            },
            (float[] p, float[] g, float[][] s, int t) =>
            {
                for (int i = 0; i < p.Length; i++)
                {
                    float d = g[i] + (float)wd * p[i];
                    s[0][i] = t == 1 ? d : s[0][i] * (float)m + (float)(1 - damp) * d;
                    p[i] += (float)-lr * s[0][i];
                }
            });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AdamUpdate_AmsGradWeightDecay_MatchesScalarFormulaBitForBit(int n, DType dtype)
    {
        const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
        Check(n, dtype, ps => new Adam(ps, lr, b1, b2, eps, wd, amsGrad: true), 3,
            (double[] p, double[] g, double[][] s, int t) =>
            {
                double step = -(lr / (1 - Math.Pow(b1, t))), bc2 = Math.Sqrt(1 - Math.Pow(b2, t));
                for (int i = 0; i < p.Length; i++)
                {
                    double gi = g[i] + wd * p[i];
                    s[0][i] = s[0][i] * b1 + (1 - b1) * gi;
                    s[1][i] = s[1][i] * b2 + (1 - b2) * gi * gi;
                    s[2][i] = Math.Max(s[2][i], s[1][i]);
                    p[i] += step * s[0][i] / (Math.Sqrt(s[2][i]) / bc2 + eps);
                }
            },
            (float[] p, float[] g, float[][] s, int t) =>
            {
                float step = (float)-(lr / (1 - Math.Pow(b1, t))), bc2 = (float)Math.Sqrt(1 - Math.Pow(b2, t));
                for (int i = 0; i < p.Length; i++)
                {
                    float gi = g[i] + (float)wd * p[i];
                    s[0][i] = s[0][i] * (float)b1 + (float)(1 - b1) * gi;
                    s[1][i] = s[1][i] * (float)b2 + (float)(1 - b2) * gi * gi;
                    s[2][i] = MathF.Max(s[2][i], s[1][i]);
                    p[i] += step * s[0][i] / (MathF.Sqrt(s[2][i]) / bc2 + (float)eps);
                }
            });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AdamWUpdate_AnySize_MatchesScalarFormulaBitForBit(int n, DType dtype)
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.05;
        Check(n, dtype, ps => new AdamW(ps, lr, b1, b2, eps, wd), 2,
            (double[] p, double[] g, double[][] s, int t) =>
            {
                double step = -(lr / (1 - Math.Pow(b1, t))), bc2 = Math.Sqrt(1 - Math.Pow(b2, t));
                for (int i = 0; i < p.Length; i++)
                {
                    p[i] *= 1 - lr * wd;
                    s[0][i] = s[0][i] * b1 + (1 - b1) * g[i];
                    s[1][i] = s[1][i] * b2 + (1 - b2) * g[i] * g[i];
                    p[i] += step * s[0][i] / (Math.Sqrt(s[1][i]) / bc2 + eps);
                }
            },
            (float[] p, float[] g, float[][] s, int t) =>
            {
                float step = (float)-(lr / (1 - Math.Pow(b1, t))), bc2 = (float)Math.Sqrt(1 - Math.Pow(b2, t));
                for (int i = 0; i < p.Length; i++)
                {
                    p[i] *= (float)(1 - lr * wd);
                    s[0][i] = s[0][i] * (float)b1 + (float)(1 - b1) * g[i];
                    s[1][i] = s[1][i] * (float)b2 + (float)(1 - b2) * g[i] * g[i];
                    p[i] += step * s[0][i] / (MathF.Sqrt(s[1][i]) / bc2 + (float)eps);
                }
            });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RmsPropUpdate_CenteredMomentum_MatchesScalarFormulaBitForBit(int n, DType dtype)
    {
        const double lr = 0.01, a = 0.9, eps = 1e-6, wd = 0.02, m = 0.5;
        Check(n, dtype, ps => new RmsProp(ps, lr, a, eps, wd, m, centered: true), 3,
            (double[] p, double[] g, double[][] s, int t) =>
            {
                for (int i = 0; i < p.Length; i++)
                {
                    double gi = g[i] + wd * p[i];
                    s[0][i] = s[0][i] * a + (1 - a) * gi * gi;
                    s[1][i] = s[1][i] * a + (1 - a) * gi;
                    double avg = Math.Sqrt(s[0][i] - s[1][i] * s[1][i]) + eps;
                    s[2][i] = s[2][i] * m + gi / avg;
                    p[i] += -lr * s[2][i];
                }
            },
            (float[] p, float[] g, float[][] s, int t) =>
            {
                for (int i = 0; i < p.Length; i++)
                {
                    float gi = g[i] + (float)wd * p[i];
                    s[0][i] = s[0][i] * (float)a + (float)(1 - a) * gi * gi;
                    s[1][i] = s[1][i] * (float)a + (float)(1 - a) * gi;
                    float avg = MathF.Sqrt(s[0][i] - s[1][i] * s[1][i]) + (float)eps;
                    s[2][i] = s[2][i] * (float)m + gi / avg;
                    p[i] += (float)-lr * s[2][i];
                }
            });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AdagradUpdate_AnySize_MatchesScalarFormulaBitForBit(int n, DType dtype)
    {
        const double lr = 0.1, decay = 0.05, wd = 0.01, init = 0.1, eps = 1e-10;
        Check(n, dtype, ps => new Adagrad(ps, lr, decay, wd, init, eps), 1,
            (double[] p, double[] g, double[][] s, int t) =>
            {
                if (t == 1) Array.Fill(s[0], init);
                double clr = lr / (1 + (t - 1) * decay);
                for (int i = 0; i < p.Length; i++)
                {
                    double gi = g[i] + wd * p[i];
                    s[0][i] += gi * gi;
                    p[i] += -clr * gi / (Math.Sqrt(s[0][i]) + eps);
                }
            },
            (float[] p, float[] g, float[][] s, int t) =>
            {
                if (t == 1) Array.Fill(s[0], (float)init);
                float clr = (float)-(lr / (1 + (t - 1) * decay));
                for (int i = 0; i < p.Length; i++)
                {
                    float gi = g[i] + (float)wd * p[i];
                    s[0][i] += gi * gi;
                    p[i] += clr * gi / (MathF.Sqrt(s[0][i]) + (float)eps);
                }
            });
    }

    /// <summary>p = p * 0.5 + g * s0; s0 = s0 + 1; s1 = p - s1 (every lane independent, like every optimizer rule).</summary>
    private readonly struct LaneRule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> s0, ref Vector<T> s1, ref Vector<T> s2)
        {
            p = p * UpdateLoop.Splat<T>(0.5) + g * s0;
            s0 += Vector<T>.One;
            s1 = p - s1;
        }
    }

    [Fact]
    public void AdamUpdate_AboveTheThreadThreshold_MatchesScalarFormulaBitForBit()
    {
        // Large enough to be split into one chunk per thread with the default threshold (Note [Elementwise threads]).
        int n = Nabla.Kernels.Chunked.UpdateThreshold + 1001;
        const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6;
        Check(n, DType.Float32, ps => new Adam(ps, lr, b1, b2, eps), 2, (_, _, _, _) => throw new InvalidOperationException("float32 only"),
            (float[] p, float[] g, float[][] s, int t) =>
            {
                float step = (float)-(lr / (1 - Math.Pow(b1, t))), bc2 = (float)Math.Sqrt(1 - Math.Pow(b2, t));
                for (int i = 0; i < p.Length; i++)
                {
                    s[0][i] = s[0][i] * (float)b1 + (float)(1 - b1) * g[i];
                    s[1][i] = s[1][i] * (float)b2 + (float)(1 - b2) * g[i] * g[i];
                    p[i] += step * s[0][i] / (MathF.Sqrt(s[1][i]) / bc2 + (float)eps);
                }
            });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(61)]
    [InlineData(1027)]
    public void ChunkedRun_OneAndTwoThreads_EqualTheSingleSpanLoop(int n)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            Tensor[] a = Enumerable.Range(0, 4).Select(i => Tensor.Randn([n], DType.Float32, new Generator((ulong)(i + 1)))).ToArray();
            Tensor[] b = a.Select(t => t.Clone()).ToArray();
            UpdateLoop.Run(new LaneRule<float>(), a[0].Span<float>(), a[1].Span<float>(), a[2].Span<float>(), a[3].Span<float>(), default);
            // threshold 1: every size is split, so chunk boundaries inside odd sizes are exercised
            UpdateLoop.Run<float, LaneRule<float>>(new LaneRule<float>(), b[0], b[1], b[2], b[3], null, threads, threshold: 1);
            for (int i = 0; i < 4; i++) Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>());

            Tensor[] c = Enumerable.Range(0, 3).Select(i => Tensor.Randn([n], DType.Float64, new Generator((ulong)(i + 9)))).ToArray();
            Tensor[] d = c.Select(t => t.Clone()).ToArray();
            UpdateLoop.Run(new LaneRule<double>(), c[0].Span<double>(), c[1].Span<double>(), c[2].Span<double>(), default, default);
            UpdateLoop.Run<double, LaneRule<double>>(new LaneRule<double>(), d[0], d[1], d[2], null, null, threads, threshold: 1);
            for (int i = 0; i < 3; i++) Assert.Equal(c[i].ToArray<double>(), d[i].ToArray<double>());
        }
    }

    [Fact]
    public void ChunkedRun_AtTheDefaultThreshold_SplitsTheLinearLayersWeightsBitIdentically()
    {
        // The mlp preset's second weight (256x512 = 131,072) is the smallest tensor the default threshold splits.
        int n = 256 * 512;
        // (Parts itself also caps at Parallelism.MaxThreads, which CLI tests running '--threads 1' change.)
        Assert.Equal(Chunked.UpdateThreshold, n);
        Tensor[] a = Enumerable.Range(0, 4).Select(i => Tensor.Randn([n + 5], DType.Float32, new Generator((ulong)(i + 21)))).ToArray();
        Tensor[] b = a.Select(t => t.Clone()).ToArray();
        UpdateLoop.Run<float, LaneRule<float>>(new LaneRule<float>(), a[0], a[1], a[2], a[3], null, 1);
        UpdateLoop.Run<float, LaneRule<float>>(new LaneRule<float>(), b[0], b[1], b[2], b[3], null, 2);
        for (int i = 0; i < 4; i++) Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>());
    }

    // Runs 3 optimizer steps on random data of n elements and the scalar formula side by side; requires equal bits.
    private static void Check(int n, DType dtype, Func<Tensor[], Optimizer> create, int buffers,
        ScalarStep<double> reference64, ScalarStep<float> reference32)
    {
        var gen = new Generator(1234);
        Tensor p = Tensor.Randn([n], dtype, gen);
        p.RequiresGrad = true;
        Optimizer optimizer = create([p]);
        double[] p64 = p.ToDoubleArray();
        float[] p32 = p64.Select(x => (float)x).ToArray();
        double[][] s64 = Enumerable.Range(0, buffers).Select(_ => new double[n]).ToArray();
        float[][] s32 = Enumerable.Range(0, buffers).Select(_ => new float[n]).ToArray();
        for (int t = 1; t <= 3; t++)
        {
            Tensor g = Tensor.Randn([n], dtype, gen);
            p.Grad = g;
            optimizer.Step();
            if (dtype == DType.Float64)
            {
                reference64(p64, g.ToArray<double>(), s64, t);
                Assert.Equal(p64, p.ToArray<double>());
            }
            else
            {
                reference32(p32, g.ToArray<float>(), s32, t);
                Assert.Equal(p32, p.ToArray<float>());
            }
        }
    }
}
