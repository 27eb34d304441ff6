using System.Diagnostics;
using System.Globalization;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// The kernel cases (<see cref="KernelCases"/>) timed the way <c>bench/pytorch/kernels.py</c> times PyTorch's, for
/// <c>bench/kernels.sh</c>: per case, calls for at least 1 s and 100 calls to warm up (past tier-0 code: a 1M-element tanh
/// runs ~20x slower before its methods are recompiled), then seven rounds of ~0.1 s each, and the median
/// round's time per call. One JSON object per line: <c>{"case", "impl", "us"}</c>.
/// Run: <c>dotnet run -c Release --project bench/Nabla.Bench -- kernels [case ... | --list]</c>.
/// </summary>
internal static class KernelStopwatch
{
    public static void Run(string[] args)
    {
        if (args is ["--list"])
        {
            foreach (string name in KernelCases.Names) Console.WriteLine(name);
            return;
        }
        IReadOnlyList<string> names = args.Length > 0 ? args : KernelCases.Names;
        if (names.FirstOrDefault(n => !KernelCases.Names.Contains(n)) is { } unknown)
        {
            Console.Error.WriteLine($"unknown kernel case '{unknown}'; run 'kernels --list' for the cases");
            Environment.Exit(2);
        }
        foreach (string name in names)
        {
            Action call = KernelCases.Create(name);
            double us;
            using (BufferPool.Begin())
                us = MedianMicroseconds(call);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"case\":\"{name}\",\"impl\":\"nabla\",\"us\":{us:F3}}}"));
        }
    }

    internal static double MedianMicroseconds(Action call)
    {
        // Warm-up (see above), which also sizes a round: as many calls as take ~0.1 s.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 1 || calls < 100)
        {
            call();
            calls++;
        }
        int perRound = Math.Max(1, (int)(calls * 0.1 / sw.Elapsed.TotalSeconds));
        var rounds = new double[7];
        for (int r = 0; r < rounds.Length; r++)
        {
            sw.Restart();
            for (int i = 0; i < perRound; i++) call();
            rounds[r] = sw.Elapsed.TotalSeconds * 1e6 / perRound;
        }
        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }
}
