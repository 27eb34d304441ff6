using BenchmarkDotNet.Running;
using Nabla.Bench;

if (args.Length > 0 && args[0] == "gemm")
{
    GemmStopwatch.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GemmStopwatch).Assembly).Run(args);
