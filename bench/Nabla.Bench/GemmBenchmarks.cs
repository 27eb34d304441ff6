using BenchmarkDotNet.Attributes;
using Nabla.Kernels;

namespace Nabla.Bench;

/// <summary>
/// BenchmarkDotNet microbenchmarks of the float32 GEMM kernel on square products, row-major or with a
/// transposed B (the Linear layer's x·wᵀ), on 1 and 2 threads.
/// Run: <c>dotnet run -c Release --project bench/Nabla.Bench -- --filter *GemmBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>m = n = k.</summary>
    [Params(64, 256, 1024)]
    public int Size { get; set; }

    /// <summary>Upper bound on threads (small products run on one regardless).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Whether B is read transposed in place.</summary>
    [Params(false, true)]
    public bool TransB { get; set; }

    /// <summary>Fills the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = Enumerable.Range(0, Size * Size).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        _b = Enumerable.Range(0, Size * Size).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        _c = new float[Size * Size];
    }

    /// <summary>C = A·B (or A·Bᵀ).</summary>
    [Benchmark]
    public void Sgemm() => Gemm.Multiply<float>(false, TransB, Size, Size, Size, 1, _a, Size, _b, Size, 0, _c, Size, Threads);
}

/// <summary>
/// Tensor-level products as layers issue them: Linear forward x·wᵀ with the weight read transposed in
/// place, its backward, and a conv-style weight broadcast over a batch of im2col matrices.
/// </summary>
[MemoryDiagnoser]
public class MatMulBenchmarks
{
    private Tensor _x = null!, _w = null!, _convW = null!, _cols = null!;

    /// <summary>Creates the operands (MNIST-sized MLP layer, a small conv layer).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn([128, 784], generator: new Generator(1));
        _w = Tensor.Randn([512, 784], generator: new Generator(2), requiresGrad: true);
        _convW = Tensor.Randn([32, 144], generator: new Generator(3));
        _cols = Tensor.Randn([16, 144, 196], generator: new Generator(4));
    }

    /// <summary>y = x·wᵀ, [128, 784]·[784, 512].</summary>
    [Benchmark]
    public Tensor LinearForward()
    {
        using (Autograd.NoGrad()) return _x.MatMul(_w.MT);
    }

    /// <summary>Forward and backward of sum(x·wᵀ): the weight gradient is gᵀ·x.</summary>
    [Benchmark]
    public Tensor? LinearForwardBackward()
    {
        _w.Grad = null;
        _x.MatMul(_w.MT).Sum().Backward();
        return _w.Grad;
    }

    /// <summary>[32, 144] weight times 16 im2col matrices [144, 196], the weight shared, not copied.</summary>
    [Benchmark]
    public Tensor ConvBroadcast()
    {
        using (Autograd.NoGrad()) return _convW.MatMul(_cols);
    }
}
