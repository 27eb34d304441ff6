using BenchmarkDotNet.Running;
using Nabla.Bench;

if (args.Length > 0 && args[0] == "gemm")
{
    GemmStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "chunks")
{
    ChunkStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "kernels")
{
    KernelStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "attention")
{
    AttentionStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "rnn")
{
    RnnStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "gpt-generate")
{
    GptStopwatch.Generate(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "gpt-parts")
{
    GptParts.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "gpt-checkpoint")
{
    CheckpointStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "gpt-precision-memory")
{
    PrecisionMemory.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "gpt")
{
    GptStopwatch.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "kernel")
{
    KernelPeak.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GemmStopwatch).Assembly).Run(args);
