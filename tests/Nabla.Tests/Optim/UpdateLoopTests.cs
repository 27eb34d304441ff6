using System.Numerics;
using Nabla.Kernels;
using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>
/// The fused update loops (Note [Fused optimizer updates]) against a plain per-element transcription of the PyTorch
/// formulas, bit for bit: every optimizer variant, float32 and float64, at sizes around the lane count (whole vectors,
/// the zero-padded tail, and both) and above the two-thread threshold, split over 1 and 2 threads.
/// </summary>
public class UpdateLoopTests
{
    /// <summary>One optimizer configuration and its scalar reference.</summary>
    private abstract class Variant(string name)
    {
        /// <summary>The optimizer's state buffers, in the order of the reference's arrays.</summary>
        public abstract string[] BufferNames { get; }

        public abstract Optimizer Create(Tensor[] parameters);

        /// <summary>The number of steps compared (RAdam's rectified branch starts at step 6).</summary>
        public virtual int Steps => 3;

        /// <summary>Step <paramref name="t"/> (1 on the first) of the scalar formula, element by element.</summary>
        public abstract void Step<T>(T[] p, T[] g, T[][] s, int t) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>A hyper-parameter (computed in double, as Python does) converted to the element type.</summary>
        protected static T C<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);

        public override string ToString() => name;
    }

    private sealed class SgdVariant(string name, double lr, double momentum, double dampening, double wd, bool nesterov) : Variant(name)
    {
        public override string[] BufferNames => momentum != 0 ? ["momentumBuffer"] : [];

        public override Optimizer Create(Tensor[] parameters) => new Sgd(parameters, lr, momentum, dampening, wd, nesterov);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            for (int i = 0; i < p.Length; i++)
            {
                T d = g[i];
                if (wd != 0) d += C<T>(wd) * p[i];
                if (momentum != 0)
                {
                    s[0][i] = t == 1 ? d : s[0][i] * C<T>(momentum) + C<T>(1 - dampening) * d;
                    d = nesterov ? d + C<T>(momentum) * s[0][i] : s[0][i];
                }
                p[i] += C<T>(-lr) * d;
            }
        }
    }

    private sealed class AdamVariant(string name, double lr, double b1, double b2, double eps, double wd, bool amsGrad, bool decoupled) : Variant(name)
    {
        public override string[] BufferNames => amsGrad ? ["expAvg", "expAvgSq", "maxExpAvgSq"] : ["expAvg", "expAvgSq"];

        public override Optimizer Create(Tensor[] parameters)
            => decoupled ? new AdamW(parameters, lr, b1, b2, eps, wd, amsGrad) : new Adam(parameters, lr, b1, b2, eps, wd, amsGrad);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            T step = C<T>(-(lr / (1 - Math.Pow(b1, t)))), bc2 = C<T>(Math.Sqrt(1 - Math.Pow(b2, t)));
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i];
                if (decoupled) p[i] *= C<T>(1 - lr * wd);
                else if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] = s[0][i] * C<T>(b1) + C<T>(1 - b1) * gi;
                s[1][i] = s[1][i] * C<T>(b2) + C<T>(1 - b2) * gi * gi;
                T second = s[1][i];
                if (amsGrad) second = s[2][i] = T.Max(s[2][i], s[1][i]);
                p[i] += step * s[0][i] / (T.Sqrt(second) / bc2 + C<T>(eps));
            }
        }
    }

    private sealed class RmsPropVariant(string name, double lr, double alpha, double eps, double wd, double momentum, bool centered) : Variant(name)
    {
        public override string[] BufferNames => (centered, momentum > 0) switch
        {
            (true, true) => ["squareAvg", "gradAvg", "momentumBuffer"],
            (true, false) => ["squareAvg", "gradAvg"],
            (false, true) => ["squareAvg", "momentumBuffer"],
            _ => ["squareAvg"],
        };

        public override Optimizer Create(Tensor[] parameters) => new RmsProp(parameters, lr, alpha, eps, wd, momentum, centered);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            T[] sq = s[0];
            T[]? ga = centered ? s[1] : null;
            T[]? buf = momentum > 0 ? s[^1] : null;
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                sq[i] = sq[i] * C<T>(alpha) + C<T>(1 - alpha) * gi * gi;
                T avg;
                if (ga is not null)
                {
                    ga[i] = ga[i] * C<T>(alpha) + C<T>(1 - alpha) * gi;
                    avg = T.Sqrt(sq[i] - ga[i] * ga[i]);
                }
                else
                {
                    avg = T.Sqrt(sq[i]);
                }
                avg += C<T>(eps);
                if (buf is not null)
                {
                    buf[i] = buf[i] * C<T>(momentum) + gi / avg;
                    p[i] += C<T>(-lr) * buf[i];
                }
                else
                {
                    p[i] += C<T>(-lr) * gi / avg;
                }
            }
        }
    }

    private sealed class AdagradVariant(string name, double lr, double lrDecay, double wd, double init, double eps) : Variant(name)
    {
        public override string[] BufferNames => ["sum"];

        public override Optimizer Create(Tensor[] parameters) => new Adagrad(parameters, lr, lrDecay, wd, init, eps);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            if (t == 1) Array.Fill(s[0], C<T>(init));
            T negClr = C<T>(-(lr / (1 + (t - 1) * lrDecay)));
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] += gi * gi;
                p[i] += negClr * gi / (T.Sqrt(s[0][i]) + C<T>(eps));
            }
        }
    }

    private sealed class NAdamVariant(string name, double lr, double b1, double b2, double eps, double wd, double psi) : Variant(name)
    {
        private double _muProduct = 1;

        public override string[] BufferNames => ["expAvg", "expAvgSq"];

        public override Optimizer Create(Tensor[] parameters)
        {
            _muProduct = 1;
            return new NAdam(parameters, lr, b1, b2, eps, wd, psi);
        }

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            double mu = b1 * (1.0 - 0.5 * Math.Pow(0.96, t * psi)), muNext = b1 * (1.0 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
            _muProduct *= mu;
            T gradStep = C<T>(-(lr * (1.0 - mu) / (1.0 - _muProduct))), avgStep = C<T>(-(lr * muNext / (1.0 - _muProduct * muNext)));
            T bc2 = C<T>(Math.Sqrt(1 - Math.Pow(b2, t)));
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] = s[0][i] * C<T>(b1) + C<T>(1 - b1) * gi;
                s[1][i] = s[1][i] * C<T>(b2) + C<T>(1 - b2) * gi * gi;
                T denom = T.Sqrt(s[1][i]) / bc2 + C<T>(eps);
                p[i] += gradStep * gi / denom;
                p[i] += avgStep * s[0][i] / denom;
            }
        }
    }

    private sealed class RAdamVariant(string name, double lr, double b1, double b2, double eps, double wd) : Variant(name)
    {
        public override string[] BufferNames => ["expAvg", "expAvgSq"];

        public override Optimizer Create(Tensor[] parameters) => new RAdam(parameters, lr, b1, b2, eps, wd);

        public override int Steps => 8;

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            double rhoInf = 2 / (1 - b2) - 1, rhoT = rhoInf - 2 * t * Math.Pow(b2, t) / (1 - Math.Pow(b2, t));
            bool rectified = rhoT > 5;
            T rect = C<T>(rectified ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0);
            T bc1 = C<T>(1 - Math.Pow(b1, t)), bc2 = C<T>(Math.Sqrt(1 - Math.Pow(b2, t)));
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] = s[0][i] * C<T>(b1) + C<T>(1 - b1) * gi;
                s[1][i] = s[1][i] * C<T>(b2) + C<T>(1 - b2) * gi * gi;
                T step = s[0][i] / bc1 * C<T>(lr);
                if (rectified) step = step * (bc2 / (T.Sqrt(s[1][i]) + C<T>(eps))) * rect;
                p[i] -= step;
            }
        }
    }

    private sealed class AdamaxVariant(string name, double lr, double b1, double b2, double eps, double wd, bool maximize) : Variant(name)
    {
        public override string[] BufferNames => ["expAvg", "expInf"];

        public override Optimizer Create(Tensor[] parameters) => new Adamax(parameters, lr, b1, b2, eps, wd, maximize);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            T negClr = C<T>(-(lr / (1 - Math.Pow(b1, t))));
            for (int i = 0; i < p.Length; i++)
            {
                T gi = maximize ? T.Zero - g[i] : g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] = s[0][i] * C<T>(b1) + C<T>(1 - b1) * gi;
                s[1][i] = T.Max(s[1][i] * C<T>(b2), T.Abs(gi) + C<T>(eps));
                p[i] += negClr * s[0][i] / s[1][i];
            }
        }
    }

    private sealed class AdadeltaVariant(string name, double lr, double rho, double eps, double wd, bool maximize) : Variant(name)
    {
        public override string[] BufferNames => ["squareAvg", "accDelta"];

        public override Optimizer Create(Tensor[] parameters) => new Adadelta(parameters, lr, rho, eps, wd, maximize);

        public override void Step<T>(T[] p, T[] g, T[][] s, int t)
        {
            for (int i = 0; i < p.Length; i++)
            {
                T gi = maximize ? T.Zero - g[i] : g[i];
                if (wd != 0) gi += C<T>(wd) * p[i];
                s[0][i] = s[0][i] * C<T>(rho) + C<T>(1 - rho) * gi * gi;
                T delta = T.Sqrt(s[1][i] + C<T>(eps)) / T.Sqrt(s[0][i] + C<T>(eps)) * gi;
                s[1][i] = s[1][i] * C<T>(rho) + C<T>(1 - rho) * delta * delta;
                p[i] += C<T>(-lr) * delta;
            }
        }
    }

    private static readonly Variant[] Variants =
    [
        new SgdVariant("sgd", 0.1, 0, 0, 0, false),
        new SgdVariant("sgd-wd", 0.1, 0, 0, 0.01, false),
        new SgdVariant("sgd-momentum", 0.1, 0.9, 0, 0, false),
        new SgdVariant("sgd-momentum-dampening-wd", 0.1, 0.9, 0.2, 0.01, false),
        new SgdVariant("sgd-nesterov-wd", 0.05, 0.8, 0, 0.03, true),
        new AdamVariant("adam", 0.01, 0.9, 0.999, 1e-8, 0, false, false),
        new AdamVariant("adam-wd", 0.01, 0.8, 0.95, 1e-6, 0.1, false, false),
        new AdamVariant("adam-amsgrad", 0.01, 0.9, 0.999, 1e-8, 0, true, false),
        new AdamVariant("adam-amsgrad-wd", 0.01, 0.8, 0.95, 1e-6, 0.1, true, false),
        new AdamVariant("adamw", 0.01, 0.9, 0.999, 1e-8, 0.05, false, true),
        new AdamVariant("adamw-amsgrad", 0.02, 0.85, 0.99, 1e-7, 0.01, true, true),
        new RmsPropVariant("rmsprop", 0.01, 0.99, 1e-8, 0, 0, false),
        new RmsPropVariant("rmsprop-wd-momentum", 0.01, 0.9, 1e-6, 0.02, 0.5, false),
        new RmsPropVariant("rmsprop-centered", 0.01, 0.9, 1e-6, 0, 0, true),
        new RmsPropVariant("rmsprop-centered-momentum-wd", 0.01, 0.9, 1e-6, 0.02, 0.5, true),
        new AdagradVariant("adagrad", 0.1, 0, 0, 0, 1e-10),
        new AdagradVariant("adagrad-decay-wd-init", 0.1, 0.05, 0.01, 0.1, 1e-10),
        new NAdamVariant("nadam", 0.01, 0.9, 0.999, 1e-8, 0, 4e-3),
        new NAdamVariant("nadam-wd-psi0", 0.02, 0.8, 0.95, 1e-6, 0.1, 0),
        new RAdamVariant("radam", 0.01, 0.9, 0.999, 1e-8, 0),
        new RAdamVariant("radam-wd", 0.01, 0.8, 0.99, 1e-6, 0.1),
        new AdamaxVariant("adamax", 0.01, 0.9, 0.999, 1e-8, 0, false),
        new AdamaxVariant("adamax-wd-maximize", 0.02, 0.8, 0.95, 1e-6, 0.1, true),
        new AdadeltaVariant("adadelta", 1.0, 0.9, 1e-6, 0, false),
        new AdadeltaVariant("adadelta-wd-maximize", 0.5, 0.95, 1e-3, 0.1, true),
    ];

    /// <summary>Sizes around 16 float32 / 8 float64 lanes (and whatever the machine's lane count is), and above the threshold.</summary>
    private static int[] SizesFor(DType dtype)
    {
        int w = dtype == DType.Float32 ? UpdateLoop.LaneCount<float>() : UpdateLoop.LaneCount<double>();
        return new[] { 0, 1, 15, 16, 17, 31, 33, 1000, w - 1, w, w + 1, 2 * w + 1, Chunked.UpdateThreshold + 1001 }
            .Where(n => n >= 0).Distinct().Order().ToArray();
    }

    public static TheoryData<string, DType, int> Cases()
    {
        var data = new TheoryData<string, DType, int>();
        foreach (Variant v in Variants)
            foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
                foreach (int threads in new[] { 1, 2 })
                    data.Add(v.ToString(), dtype, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedUpdate_EverySize_MatchesScalarFormulaBitForBit(string variant, DType dtype, int threads)
    {
        Variant v = Variants.Single(x => x.ToString() == variant);
        foreach (int n in SizesFor(dtype))
        {
            if (dtype == DType.Float32) Check<float>(v, n, dtype, threads);
            else Check<double>(v, n, dtype, threads);
        }
    }

    // Runs variant.Steps optimizer steps on random data of n elements and the scalar formula side by side; requires equal bits in the
    // parameter and every state buffer after each step.
    private static void Check<T>(Variant variant, int n, DType dtype, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var gen = new Generator((ulong)(1234 + n));
        Tensor p = Tensor.Randn([n], dtype, gen);
        p.RequiresGrad = true;
        Optimizer optimizer = variant.Create([p]);
        optimizer.ThreadsOverride = threads;
        T[] pRef = p.ToArray<T>();
        T[][] sRef = variant.BufferNames.Select(_ => new T[n]).ToArray();
        for (int t = 1; t <= variant.Steps; t++)
        {
            Tensor g = Tensor.Randn([n], dtype, gen);
            p.Grad = g;
            optimizer.Step();
            variant.Step(pRef, g.ToArray<T>(), sRef, t);
            string where = $"{variant} {dtype.Name()} n={n} threads={threads} step {t}";
            AssertBitEqual(pRef, p.ToArray<T>(), where + " parameter");
            ParameterState state = optimizer.StateOf(p)!;
            for (int b = 0; b < sRef.Length; b++)
                AssertBitEqual(sRef[b], state.FindBuffer(variant.BufferNames[b])!.ToArray<T>(), where + " " + variant.BufferNames[b]);
        }
    }

    private static void AssertBitEqual<T>(T[] expected, T[] actual, string where) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Bits(expected[i]) != Bits(actual[i]))
                Assert.Fail($"{where}: element {i} of {expected.Length} is {actual[i]}, expected {expected[i]}");
        }
    }

    private static long Bits<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)x) : BitConverter.DoubleToInt64Bits((double)(object)x);

    [Fact]
    public void LaneCount_IsTheWidestAcceleratedVector()
    {
        int expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8
            : Vector.IsHardwareAccelerated ? Vector<float>.Count : 1;
        Assert.Equal(expected, UpdateLoop.LaneCount<float>());
        Assert.Equal(Math.Max(expected / 2, 1), UpdateLoop.LaneCount<double>());
    }

    /// <summary>p = p * 0.5 + g * s0; s0 = s0 + 1; s1 = p - s1; s2 = s2 * p, for the buffers in the mask (every lane independent, like every optimizer rule).</summary>
    private readonly struct LaneRule<T>(int buffers) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int Buffers => buffers;

        public void Apply<TL>(ref T pRef, ref T gRef, ref T s0Ref, ref T s1Ref, ref T s2Ref, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i) * TL.Splat(T.CreateTruncating(0.5));
            if ((buffers & 1) != 0)
            {
                TL s0 = TL.Load(ref s0Ref, i);
                p += TL.Load(ref gRef, i) * s0;
                TL.Store(s0 + TL.Splat(T.One), ref s0Ref, i);
            }
            if ((buffers & 2) != 0) TL.Store(p - TL.Load(ref s1Ref, i), ref s1Ref, i);
            if ((buffers & 4) != 0) TL.Store(TL.Load(ref s2Ref, i) * p, ref s2Ref, i);
            TL.Store(p, ref pRef, i);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(61)]
    [InlineData(1027)]
    public void ChunkedRun_OneAndTwoThreads_EqualTheSingleSpanLoop(int n)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            foreach (int buffers in new[] { 0b000, 0b011, 0b101, 0b111 })
            {
                Tensor[] a = Enumerable.Range(0, 5).Select(i => Tensor.Randn([n], DType.Float32, new Generator((ulong)(i + 1)))).ToArray();
                Tensor[] b = a.Select(t => t.Clone()).ToArray();
                Span<float> S(Tensor[] x, int k) => (buffers & (1 << k)) != 0 ? x[k + 2].Span<float>() : default;
                Tensor? Buf(Tensor[] x, int k) => (buffers & (1 << k)) != 0 ? x[k + 2] : null;
                var rule = new LaneRule<float>(buffers);
                UpdateLoop.Run(rule, a[0].Span<float>(), a[1].Span<float>(), S(a, 0), S(a, 1), S(a, 2));
                // threshold 1: every size is split, so chunk boundaries inside odd sizes are exercised
                UpdateLoop.Run<float, LaneRule<float>>(rule, b[0], b[1], Buf(b, 0), Buf(b, 1), Buf(b, 2), threads, threshold: 1);
                for (int i = 0; i < 5; i++) Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>());
            }

            Tensor[] c = Enumerable.Range(0, 3).Select(i => Tensor.Randn([n], DType.Float64, new Generator((ulong)(i + 9)))).ToArray();
            Tensor[] d = c.Select(t => t.Clone()).ToArray();
            var rule64 = new LaneRule<double>(0b001);
            UpdateLoop.Run(rule64, c[0].Span<double>(), c[1].Span<double>(), c[2].Span<double>(), default, default);
            UpdateLoop.Run<double, LaneRule<double>>(rule64, d[0], d[1], d[2], null, null, threads, threshold: 1);
            for (int i = 0; i < 3; i++) Assert.Equal(c[i].ToArray<double>(), d[i].ToArray<double>());
        }
    }

    [Fact]
    public void ChunkedRun_BuffersNotMatchingTheRule_Throw()
    {
        Tensor[] a = Enumerable.Range(0, 3).Select(i => Tensor.Randn([5], DType.Float32, new Generator((ulong)(i + 1)))).ToArray();
        Assert.Throws<InvalidOperationException>(() => UpdateLoop.Run<float, LaneRule<float>>(new LaneRule<float>(0b001), a[0], a[1], null, null, null, 1));
        Assert.Throws<InvalidOperationException>(() => UpdateLoop.Run<float, LaneRule<float>>(new LaneRule<float>(0b000), a[0], a[1], a[2], null, null, 1));
        Assert.Throws<InvalidOperationException>(() => UpdateLoop.Run(new LaneRule<float>(0b001), a[0].Span<float>(), a[1].Span<float>(), default, default, default));
    }

    [Fact]
    public void ChunkedRun_AtTheDefaultThreshold_SplitsTheLinearLayersWeightsBitIdentically()
    {
        // The mlp preset's second weight (256x512 = 131,072) is the smallest tensor the default threshold splits.
        int n = 256 * 512;
        Assert.Equal(Chunked.UpdateThreshold, n);
        Tensor[] a = Enumerable.Range(0, 4).Select(i => Tensor.Randn([n + 5], DType.Float32, new Generator((ulong)(i + 21)))).ToArray();
        Tensor[] b = a.Select(t => t.Clone()).ToArray();
        var rule = new LaneRule<float>(0b011);
        UpdateLoop.Run<float, LaneRule<float>>(rule, a[0], a[1], a[2], a[3], null, 1);
        UpdateLoop.Run<float, LaneRule<float>>(rule, b[0], b[1], b[2], b[3], null, 2);
        for (int i = 0; i < 4; i++) Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>());
    }
}
