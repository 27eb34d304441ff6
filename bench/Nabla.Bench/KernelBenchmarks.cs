using BenchmarkDotNet.Attributes;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// BenchmarkDotNet microbenchmarks of the kernels behind training: elementwise ops, reductions, softmax and the
/// fused cross-entropy, Linear, batched products, convolution, pooling and the optimizer updates (the cases of
/// <see cref="KernelCases"/>). Each runs inside a <see cref="BufferPool"/> scope, as a training loop does, so that
/// the figures are the kernels' and not fresh memory's.
/// Run: <c>dotnet run -c Release --project bench/Nabla.Bench -- --filter *KernelBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private Action _call = () => { };
    private BufferPool? _reuse;

    /// <summary>The case (see <see cref="KernelCases"/>).</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    /// <summary>All case names.</summary>
    public static IEnumerable<string> Cases => KernelCases.Names;

    /// <summary>Makes the operands and opens the reuse scope on the benchmark thread.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _call = KernelCases.Create(Case);
        _reuse = BufferPool.Begin();
    }

    /// <summary>Closes the reuse scope.</summary>
    [GlobalCleanup]
    public void Cleanup() => _reuse?.Dispose();

    /// <summary>One call of the case.</summary>
    [Benchmark]
    public void Run() => _call();
}
