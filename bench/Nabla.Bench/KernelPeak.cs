using System.Diagnostics;
using Nabla.Kernels;

namespace Nabla.Bench;

/// <summary>
/// Throughput of the float32 microkernels alone on L1-resident packed panels: the ceiling the blocked
/// GEMM can approach (`-- kernel`).
/// </summary>
internal static unsafe class KernelPeak
{
    public static void Run()
    {
        Measure<Vector512Kernel12x2<float>>("Vector512 12x2");
        Measure<Vector256Kernel6x2<float>>("Vector256 6x2");
        Measure<ScalarKernel4x4<float>>("scalar 4x4");
    }

    private static void Measure<TK>(string name) where TK : struct, IGemmKernel<float>
    {
        const int kc = 256;
        float* a = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(TK.MR * kc * 4), 64);
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(TK.NR * kc * 4), 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(TK.MR * TK.NR * 4), 64);
        for (int i = 0; i < TK.MR * kc; i++) a[i] = 1e-3f * (i % 7);
        for (int i = 0; i < TK.NR * kc; i++) b[i] = 1e-3f * (i % 5);
        double best = double.MaxValue;
        const int calls = 2000;
        for (int rep = 0; rep < 30; rep++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) TK.Run(kc, a, b, c, TK.NR, 1, 1);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        Console.WriteLine($"{name,-16} {2.0 * TK.MR * TK.NR * kc * calls / best / 1e9,8:F1} GFLOP/s");
        System.Runtime.InteropServices.NativeMemory.AlignedFree(a);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(b);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(c);
    }
}
