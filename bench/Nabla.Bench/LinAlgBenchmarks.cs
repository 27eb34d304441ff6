using BenchmarkDotNet.Attributes;

namespace Nabla.Bench;

/// <summary>
/// The cost of Einsum over the MatMul it becomes, and of ScaledDotProductAttention (one fused row pass, one node) over
/// the same attention written in separate ops, on float32 attention shapes [batch, heads, tokens, head dim].
/// Run: <c>dotnet run -c Release --project bench/Nabla.Bench -- --filter *LinAlgBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class LinAlgBenchmarks
{
    private Tensor _q = null!, _k = null!, _v = null!, _causal = null!;

    /// <summary>Tokens per sequence (queries = keys).</summary>
    [Params(16, 128)]
    public int Tokens { get; set; }

    /// <summary>Creates q, k, v of shape [4, 4, Tokens, 32] and the causal bool mask.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] shape = [4, 4, Tokens, 32];
        _q = Tensor.Randn(shape, generator: new Generator(1), requiresGrad: true);
        _k = Tensor.Randn(shape, generator: new Generator(2), requiresGrad: true);
        _v = Tensor.Randn(shape, generator: new Generator(3), requiresGrad: true);
        var keep = new bool[Tokens * Tokens];
        for (int i = 0; i < Tokens; i++)
            for (int j = 0; j <= i; j++) keep[i * Tokens + j] = true;
        _causal = Tensor.From(keep, [Tokens, Tokens]);
    }

    /// <summary>Attention scores q·kᵀ by MatMul of the transposed view.</summary>
    [Benchmark(Baseline = true)]
    public Tensor ScoresMatMul()
    {
        using (Autograd.NoGrad()) return _q.MatMul(_k.MT);
    }

    /// <summary>The same scores by <c>Einsum("bhqd,bhkd->bhqk")</c>.</summary>
    [Benchmark]
    public Tensor ScoresEinsum()
    {
        using (Autograd.NoGrad()) return Tensor.Einsum("bhqd,bhkd->bhqk", _q, _k);
    }

    /// <summary>Causal attention forward in separate ops: product, scale, where, softmax, product.</summary>
    [Benchmark]
    public Tensor AttentionComposedForward()
    {
        using (Autograd.NoGrad()) return Composed();
    }

    /// <summary>Causal attention forward by ScaledDotProductAttention.</summary>
    [Benchmark]
    public Tensor SdpaForward()
    {
        using (Autograd.NoGrad()) return Functional.ScaledDotProductAttention(_q, _k, _v, isCausal: true);
    }

    /// <summary>Forward and backward of the composed attention.</summary>
    [Benchmark]
    public Tensor? AttentionComposedForwardBackward()
    {
        _q.Grad = _k.Grad = _v.Grad = null;
        Composed().Sum().Backward();
        return _q.Grad;
    }

    /// <summary>Forward and backward of ScaledDotProductAttention.</summary>
    [Benchmark]
    public Tensor? SdpaForwardBackward()
    {
        _q.Grad = _k.Grad = _v.Grad = null;
        Functional.ScaledDotProductAttention(_q, _k, _v, isCausal: true).Sum().Backward();
        return _q.Grad;
    }

    private Tensor Composed()
    {
        Tensor scores = _q.MatMul(_k.MT) * (1 / Math.Sqrt(32));
        return Tensor.Where(_causal, scores, Tensor.Scalar(float.NegativeInfinity)).Softmax(-1).MatMul(_v);
    }
}
