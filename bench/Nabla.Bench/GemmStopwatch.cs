using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Bench;

/// <summary>
/// Quick GEMM throughput table (no BenchmarkDotNet): best-of-several wall time per product, reported as
/// GFLOP/s (2·m·n·k flops), for square sizes and the MLP shapes, on 1 and 2 threads.
/// </summary>
internal static class GemmStopwatch
{
    public static void Run(string[] args)
    {
        string dtype = Option(args, "--dtype", "f32");
        GemmPath path = Option(args, "--path", "auto") switch
        {
            "512" => GemmPath.Vector512,
            "256" => GemmPath.Vector256,
            "scalar" => GemmPath.Scalar,
            _ => GemmPath.Auto,
        };
        bool ta = args.Contains("--ta"), tb = args.Contains("--tb"), old = args.Contains("--old");
        int pad = int.Parse(Option(args, "--pad", "0"), CultureInfo.InvariantCulture);
        if (Option(args, "--parallel-threshold", "") is { Length: > 0 } pt) Gemm.ParallelThreshold = long.Parse(pt, CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds", "0.4"), CultureInfo.InvariantCulture);
        int[] threads = Option(args, "--threads", "1,2").Split(',').Select(int.Parse).ToArray();
        List<(int M, int N, int K)> shapes = Option(args, "--sizes", "") is { Length: > 0 } s
            ? s.Split(',').Select(ParseShape).ToList()
            : [(64, 64, 64), (128, 128, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (128, 512, 784), (128, 256, 512)];
        if (old && (ta || tb || pad != 0)) throw new ArgumentException("--old runs the previous kernel, which takes contiguous row-major operands only");
        Console.WriteLine($"# Nabla GEMM{(old ? " (previous 4-row axpy kernel)" : "")}, {dtype}, path {(path == GemmPath.Auto ? Gemm.BestPath : path)}, transA={ta}, transB={tb}, leading-dimension pad={pad}, " +
                          $"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, cores: {Environment.ProcessorCount}");
        Console.WriteLine("shape (MxK)·(KxN)            threads      ms    GFLOP/s   operand MB   GB/s");
        int size = dtype switch { "f64" => 8, "bf16" or "f16" => 2, _ => 4 };
        foreach (var (m, n, k) in shapes)
            foreach (int t in threads)
            {
                double best = dtype switch
                {
                    "f64" => Time<double>(m, n, k, t, ta, tb, path, seconds, pad, old),
                    "bf16" => TimeWidening<BFloat16>(m, n, k, t, ta, tb, seconds),
                    "f16" => TimeWidening<Half>(m, n, k, t, ta, tb, seconds),
                    _ => Time<float>(m, n, k, t, ta, tb, path, seconds, pad, old),
                };
                double gflops = 2.0 * m * n * k / best / 1e9;
                // Bytes every product must move at least once: both operands in their dtype and the float32 result.
                double bytes = ((double)m * k + (double)k * n) * size + (double)m * n * 4;
                Console.WriteLine($"({m}x{k})·({k}x{n})".PadRight(30) + $"{t,7} {best * 1e3,9:F3} {gflops,9:F1} {bytes / 1e6,12:F2} {bytes / best / 1e9,6:F1}");
            }
    }

    private static (int, int, int) ParseShape(string s)
    {
        int[] p = s.Split('x').Select(int.Parse).ToArray();
        return p.Length == 1 ? (p[0], p[0], p[0]) : (p[0], p[1], p[2]);
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Best wall time of one product over repeated runs lasting about <paramref name="seconds"/>.</summary>
    public static double Time<T>(int m, int n, int k, int threads, bool ta, bool tb, GemmPath path, double seconds, int pad = 0, bool old = false)
        where T : unmanaged, INumber<T>
    {
        var rng = new Random(42);
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        T[] a = Fill<T>((ta ? k : m) * lda, rng), b = Fill<T>((tb ? n : k) * ldb, rng), c = new T[m * ldc];
        void Once()
        {
            if (old) OldGemm.MultiplyParallel(a, 0, b, 0, c, 0, m, k, n, threads);
            else Gemm.Multiply(ta, tb, m, n, k, T.One, a, lda, b, ldb, T.Zero, c, ldc, threads, path);
        }
        return Best(Once, seconds);
    }

    /// <summary>Best wall time of one float32-accumulating product of 16-bit operands (Note [Widening GEMM]).</summary>
    private static double TimeWidening<T>(int m, int n, int k, int threads, bool ta, bool tb, double seconds) where T : unmanaged
    {
        var rng = new Random(42);
        T[] a = Fill16<T>(m * k, rng), b = Fill16<T>(k * n, rng);
        var c = new float[m * n];
        void Once() => GemmWiden.MultiplyBatched<T, T>(ta, tb, m, n, k, a, [0], ta ? m : k, b, [0], tb ? k : n, c, [0], n, threads);
        return Best(Once, seconds);
    }

    /// <summary>Best wall time of <paramref name="once"/> after three warm-up runs, over at least five runs lasting about <paramref name="seconds"/>.</summary>
    private static double Best(Action once, double seconds)
    {
        for (int i = 0; i < 3; i++) once();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        int runs = 0;
        while (runs < 5 || total.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            once();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            runs++;
        }
        return best;
    }

    private static T[] Fill16<T>(int count, Random rng) where T : unmanaged
    {
        var x = new T[count];
        for (int i = 0; i < count; i++)
        {
            float v = (float)(rng.NextDouble() - 0.5);
            x[i] = typeof(T) == typeof(BFloat16) ? (T)(object)(BFloat16)v : (T)(object)(Half)v;
        }
        return x;
    }

    private static T[] Fill<T>(int count, Random rng) where T : INumber<T>
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateTruncating(rng.NextDouble() - 0.5);
        return x;
    }
}
