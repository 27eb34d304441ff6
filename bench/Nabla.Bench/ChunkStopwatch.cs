using System.Diagnostics;
using System.Globalization;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// Measures the elementwise, reduction and optimizer-update kernels at 1 and 2 threads, alternating in one process
/// (best of 10 each), to place Chunked.ElementwiseThreshold and Chunked.UpdateThreshold (Note [Elementwise threads]).
/// Thresholds are lowered to 1 for the 2-thread runs, so every size is split.
/// </summary>
/// <example><c>dotnet run -c Release --project bench/Nabla.Bench -- chunks [n1,n2,...]</c></example>
internal static class ChunkStopwatch
{
    public static void Run(string[] args)
    {
        int[] sizes = args.Length > 0
            ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : [16_384, 65_536, 262_144, 1_048_576, 4_194_304];
        using var scope = BufferPool.Begin(); // no first-touch page faults in the timings
        var gen = new Generator(1);
        foreach (int n in sizes)
        {
            int cols = 512, rows = Math.Max(1, n / cols);
            float[] a = Tensor.Rand([rows, cols], generator: gen).ToArray<float>(), b = Tensor.Rand([rows, cols], generator: gen).ToArray<float>();
            float[] bias = Tensor.Rand([cols], generator: gen).ToArray<float>();
            var y = new float[rows * cols];
            var colSums = new float[cols];
            var rowSums = new float[rows];
            int count = rows * cols;
            var kernels = new (string Name, Action<int, int> Run)[]
            {
                ("a+b", (t, th) => Kernels.Elementwise.Contiguous<float, float, Kernels.AddOp<float>>(a, 0, b, 0, y, 0, count, t, th)),
                ("relu", (t, th) => Kernels.Elementwise.Unary<float, Kernels.ReluOp<float>>(a, 0, y, 0, count, t, th)),
                ("a+bias", (t, th) => Kernels.Elementwise.Binary<float, float, Kernels.AddOp<float>>(a, 0, [cols, 1], bias, 0, [0, 1], [rows, cols], y, 0, t, th)),
                ("sum(0)", (t, th) => { Array.Clear(colSums); Kernels.RowReductions.AddRows(a, 0, count, cols, colSums, t, th); }),
                ("sum(1)", (t, th) => Kernels.RowReductions.SumRows(a, 0, rows, cols, rowSums, t, th)),
                ("tanh", (t, th) => Kernels.Elementwise.Unary<float, Kernels.TanhOp<float>>(a, 0, y, 0, count, t, th)),
                ("exp", (t, th) => Kernels.Elementwise.Unary<float, Kernels.ExpOp<float>>(a, 0, y, 0, count, t, th)),
                ("sigmoid", (t, th) => Kernels.Elementwise.Unary<float, Kernels.SigmoidOp<float>>(a, 0, y, 0, count, t, th)),
            };
            var line = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"n={count,9}:"));
            foreach (var (name, run) in kernels)
            {
                var (one, two) = Best(count, run);
                line.Append(CultureInfo.InvariantCulture, $"  {name} {one:F1}/{two:F1} us");
            }
            var p = Tensor.Rand([count], generator: gen);
            p.RequiresGrad = true;
            p.Grad = Tensor.Rand([count], generator: gen);
            var adam = new Optim.Adam([p]);
            var (adam1, adam2) = Best(count, (t, _) => { using (ThreadBudget.Limit(t)) adam.Step(); });
            line.Append(CultureInfo.InvariantCulture, $"  adam {adam1:F1}/{adam2:F1} us   (1 thread / 2 threads)");
            Console.WriteLine(line);
        }
    }

    private static (double One, double Two) Best(int n, Action<int, int> run)
    {
        int reps = Math.Max(10, 20_000_000 / Math.Max(n, 1));
        double one = double.MaxValue, two = double.MaxValue;
        run(1, int.MaxValue);
        run(2, 1);
        for (int r = 0; r < 20; r++)
        {
            bool split = r % 2 == 1;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) run(split ? 2 : 1, split ? 1 : int.MaxValue);
            double us = sw.Elapsed.TotalMilliseconds * 1000 / reps;
            if (split) two = Math.Min(two, us);
            else one = Math.Min(one, us);
        }
        return (one, two);
    }
}
